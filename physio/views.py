from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from . import webhooks
from .access import ClinicianRequiredMixin
from .forms import WebhookEndpointForm
from .models import PING_EVENT, DeliveryStatus, WebhookEndpoint


@require_safe
def healthz(request):
    """For load balancers: this app server answers. It reads no database on purpose, so a
    database blip does not take every app server out of rotation at once; it is also the
    benchmark's framework floor."""
    return HttpResponse("ok\n", content_type="text/plain")


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


class WebhookMixin(ClinicianRequiredMixin):
    """Every webhook page: a clinician, and only their own clinic's endpoints."""

    model = WebhookEndpoint
    context_object_name = "endpoint"

    def get_queryset(self):
        return WebhookEndpoint.objects.visible_to(self.request.user)


class WebhookListView(WebhookMixin, ListView):
    template_name = "physio/webhook_list.html"
    context_object_name = "endpoints"
    paginate_by = 20

    def get_queryset(self):
        return super().get_queryset().annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
            waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        ).order_by("url", "id")


class WebhookCreateView(WebhookMixin, SuccessMessageMixin, CreateView):
    form_class = WebhookEndpointForm
    template_name = "physio/webhook_form.html"
    success_message = gettext_lazy(
        "Endpoint added. Copy its signing secret below into the receiving system."
    )

    def form_valid(self, form):
        form.instance.clinic = self.request.user.clinic
        form.instance.created_by = self.request.user
        form.instance.secret = webhooks.new_secret()
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("webhook-detail", args=[self.object.pk])


class WebhookUpdateView(WebhookMixin, SuccessMessageMixin, UpdateView):
    form_class = WebhookEndpointForm
    template_name = "physio/webhook_form.html"
    success_message = gettext_lazy("Endpoint saved.")

    def get_success_url(self):
        return reverse("webhook-detail", args=[self.object.pk])


class WebhookDeleteView(WebhookMixin, DeleteView):
    template_name = "physio/webhook_confirm_delete.html"
    success_url = reverse_lazy("webhook-list")

    def form_valid(self, form):
        messages.success(self.request, _("Endpoint removed; it hears nothing more."))
        return super().form_valid(form)


class WebhookDetailView(WebhookMixin, DetailView):
    """The endpoint, its secret and its delivery log, newest first."""

    template_name = "physio/webhook_detail.html"

    def get_context_data(self, **kwargs):
        deliveries = self.object.deliveries.order_by("-created_at", "-id")
        page = Paginator(deliveries, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page, deliveries=page.object_list, **kwargs
        )


class WebhookActionView(WebhookMixin, SingleObjectMixin, View):
    """Buttons on the endpoint page: send a test, new secret, try a delivery again."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        endpoint = self.get_object()
        action = kwargs["action"]
        if action == "test":
            webhooks.emit(
                clinic_id=endpoint.clinic_id,
                event=PING_EVENT,
                data={"endpoint": endpoint.pk, "message": "Hello from Isohold."},
                only=endpoint,
            )
            messages.success(request, _("A test event is on its way; see the log below."))
        elif action == "rotate":
            endpoint.secret = webhooks.new_secret()
            endpoint.save(update_fields=["secret"])
            messages.success(
                request, _("New secret made. Deliveries from now on are signed with it.")
            )
        elif action == "retry":
            delivery_id = request.POST.get("delivery", "")
            if not delivery_id.isdigit():  # a tampered form is "no such delivery", not a 500
                raise Http404
            delivery = get_object_or_404(
                endpoint.deliveries.exclude(status=DeliveryStatus.DELIVERED), pk=delivery_id
            )
            webhooks.retry_now(delivery)
            messages.success(request, _("Trying that delivery again."))
        else:
            raise Http404
        return redirect("webhook-detail", endpoint.pk)
