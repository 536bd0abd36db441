"""Who may open which page.

Signed-out visitors are sent to the sign-in page; a signed-in user of the
wrong role gets 403. Clinic scoping of objects (404 for another clinic's
data) lives in each app's queryset methods, not here.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied


class RoleRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.has_role(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def has_role(self, user) -> bool:
        raise NotImplementedError


class ClinicianRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return user.is_clinician


class PatientRequiredMixin(RoleRequiredMixin):
    def has_role(self, user) -> bool:
        return user.is_patient
