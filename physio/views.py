from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """Send each role to its own front page."""
    if request.user.is_clinician:
        return redirect("patients:dashboard")
    if request.user.is_patient:
        return redirect("patients:portal")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "physio/no_clinic.html", status=403)
