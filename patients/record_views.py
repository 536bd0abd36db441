"""The patient's record as data: its change history, its export, and its erasure."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import erasure
from .changes import ChangeLog
from .export import export_filename, export_patient
from .forms import EraseConfirmForm
from .history import with_entry_lines
from .models import Decision, Session
from .views import PatientMixin, PatientPortalMixin


class PatientChangesView(PatientMixin, View):
    """Every change to the patient's record and programmes, newest first, page by page."""

    template_name = "patients/patient_changes.html"
    paginate_by = 50

    def get(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk)
        page = Paginator(ChangeLog(patient), self.paginate_by).get_page(request.GET.get("page"))
        context = {"patient": patient, "changes": page.object_list, "page_obj": page}
        return render(request, self.template_name, context)


class PatientSessionsView(PatientMixin, View):
    """Every session of the patient, newest first, with notes and comments, page by page."""

    template_name = "patients/patient_sessions.html"
    paginate_by = 25

    def get(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk)
        sessions = (
            Session.objects.filter(patient=patient)
            .select_related("check_in")
            .prefetch_related("entries", "correction_notes")
            .order_by("-performed_at", "-id")
        )
        page = Paginator(sessions, self.paginate_by).get_page(request.GET.get("page"))
        context = {
            "patient": patient,
            "sessions": with_entry_lines(page.object_list),
            "page_obj": page,
        }
        return render(request, self.template_name, context)


class PatientProgrammesView(PatientMixin, View):
    """Every programme the patient was given, newest first, page by page."""

    template_name = "patients/patient_programmes.html"
    paginate_by = 25

    def get(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk)
        programmes = patient.assignments.order_by("-created_at", "-id")
        page = Paginator(programmes, self.paginate_by).get_page(request.GET.get("page"))
        context = {"patient": patient, "programmes": page.object_list, "page_obj": page}
        return render(request, self.template_name, context)


class PatientDecisionsView(PatientMixin, View):
    """Every decision on the patient's levels, newest first, page by page."""

    template_name = "patients/patient_decisions.html"
    paginate_by = 50

    def get(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk)
        decisions = (
            Decision.objects.filter(patient=patient)
            .select_related("actor", "item")
            .order_by("-created_at", "-id")
        )
        page = Paginator(decisions, self.paginate_by).get_page(request.GET.get("page"))
        context = {"patient": patient, "decisions": page.object_list, "page_obj": page}
        return render(request, self.template_name, context)


def json_download(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "no-store, private"
    return response


class PatientExportView(PatientMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        patient = get_object_or_404(self.get_queryset(), pk=pk)
        return json_download(export_patient(patient), export_filename(patient))


class MyExportView(PatientPortalMixin, View):
    """The patient's own copy of everything the clinic holds about them."""

    http_method_names = ["get"]

    def get(self, request):
        patient = self.patient_record
        return json_download(export_patient(patient), export_filename(patient))


class PatientEraseView(PatientMixin, View):
    """GET says exactly what erasing does; POST erases once the patient's name is typed."""

    template_name = "patients/patient_confirm_erase.html"

    def get_patient(self, pk):
        return get_object_or_404(self.get_queryset().select_related("user"), pk=pk)

    def render_page(self, patient, form, status=200):
        return render(
            self.request, self.template_name, {"patient": patient, "form": form}, status=status
        )

    def get(self, request, pk):
        patient = self.get_patient(pk)
        if patient.erased_at is not None:
            messages.info(request, _("This patient's personal data was already erased."))
            return redirect("patients:patient-detail", pk=patient.pk)
        return self.render_page(patient, EraseConfirmForm(patient=patient))

    def post(self, request, pk):
        patient = self.get_patient(pk)
        form = EraseConfirmForm(request.POST, patient=patient)
        if patient.erased_at is not None:
            messages.info(request, _("This patient's personal data was already erased."))
            return redirect("patients:patient-detail", pk=patient.pk)
        if not form.is_valid():
            return self.render_page(patient, form, status=400)
        try:
            erasure.erase_patient(patient=patient, by=request.user)
        except erasure.ErasureError as error:
            messages.info(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "The personal data of patient #%(id)s was erased. Their sessions and "
                    "decisions stay, anonymised, in your clinic's records."
                )
                % {"id": patient.pk},
            )
        return redirect("patients:patient-detail", pk=patient.pk)
