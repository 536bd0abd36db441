"""FHIR R4 JSON, read-only, for clinicians and the integrations that use a clinician's token.

The resources are built in `patients/fhir.py`; these views find the record, check access and
answer in FHIR's own media type, with errors as OperationOutcome resources.
"""

import re
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import fhir
from ..models import Patient


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"


class FhirJsonOnly(BaseContentNegotiation):
    """Answer in FHIR JSON whatever the Accept header says.

    It is the one format offered, and integrations commonly send `Accept: application/json`;
    a 406 for that would help nobody.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ClinicianOnly(permissions.BasePermission):
    message = gettext_lazy("The FHIR export is for clinicians.")

    def has_permission(self, request, view):
        return request.user.is_clinician


def _messages(data) -> list[str]:
    if isinstance(data, dict):
        if "detail" in data:
            return [str(data["detail"])]
        return [f"{field}: {message}" for field, errors in data.items() for message in errors]
    if isinstance(data, list):
        return [str(message) for message in data]
    return [str(data)]


class FhirView(APIView):
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = FhirJsonOnly
    permission_classes = [permissions.IsAuthenticated, ClinicianOnly]
    http_method_names = ["get", "head"]

    def handle_exception(self, exc):
        # DRF picks the status and headers (WWW-Authenticate on 401); FHIR wants the body
        # as an OperationOutcome.
        response = super().handle_exception(exc)
        response.data = fhir.operation_outcome(response.status_code, _messages(response.data))
        return response


def _whole_number(text: str) -> bool:
    # str.isdigit alone would let "²" through to int().
    return text.isascii() and text.isdigit()


def _one(queryset, resource_type: str, id_: str):
    found = queryset.filter(pk=int(id_)).first() if _whole_number(id_) else None
    if found is None:
        # Another clinic's record reads exactly like a missing one.
        raise NotFound(_("No %(type)s with id %(id)s.") % {"type": resource_type, "id": id_[:64]})
    return found


def _outcome_example(status: int, message: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description="FHIR OperationOutcome",
        examples=[
            OpenApiExample(
                f"HTTP {status}",
                value=fhir.operation_outcome(status, [message]),
                status_codes=[str(status)],
                response_only=True,
            )
        ],
    )


def _responses(description: str, example: dict, *, missing: str, bad_request=None) -> dict:
    return {
        200: OpenApiResponse(
            response=OpenApiTypes.OBJECT,
            description=description,
            examples=[OpenApiExample(example["resourceType"], value=example, response_only=True)],
        ),
        **({400: bad_request} if bad_request else {}),
        401: _outcome_example(401, "Authentication credentials were not provided."),
        403: _outcome_example(403, "The FHIR export is for clinicians."),
        404: _outcome_example(404, missing),
    }


ID = OpenApiParameter(
    "id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The resource's logical id."
)

PATIENT_EXAMPLE = {
    "resourceType": "Patient",
    "id": "42",
    "identifier": [{"system": fhir.PATIENT_SYSTEM, "value": "42"}],
    "active": True,
    "name": [{"use": "official", "text": "Pat Quinn", "family": "Quinn", "given": ["Pat"]}],
    "managingOrganization": {
        "identifier": {"system": fhir.CLINIC_SYSTEM, "value": "1"},
        "display": "Harbour Physio",
    },
    "generalPractitioner": [
        {
            "identifier": {"system": fhir.CLINICIAN_SYSTEM, "value": "3"},
            "display": "Clare Morgan",
        }
    ],
    "birthDate": "1980-04-02",
    "telecom": [{"system": "email", "value": "pat@example.org"}],
}

CARE_PLAN_EXAMPLE = {
    "resourceType": "CarePlan",
    "id": "7",
    "status": "active",
    "intent": "plan",
    "title": "Early trunk stability",
    "subject": {"reference": "Patient/42"},
    "period": {"start": "2026-03-02"},
    "created": "2026-03-02T09:15:00+00:00",
    "activity": [
        {
            "detail": {
                "status": "in-progress",
                "code": {"text": "Dead bug hold"},
                "scheduledTiming": {"repeat": {"frequency": 5, "period": 1, "periodUnit": "wk"}},
                "description": "Level 2 of 5: 3 × 20 s holds, 30 s rest, effort at most 6/10",
            }
        }
    ],
}

BUNDLE_EXAMPLE = {
    "resourceType": "Bundle",
    "type": "searchset",
    "total": 61,
    "link": [
        {
            "relation": "self",
            "url": "https://isohold.example/api/v1/fhir/Observation?patient=42&_count=1",
        },
        {
            "relation": "next",
            "url": (
                "https://isohold.example/api/v1/fhir/Observation?patient=42&_count=1&_offset=1"
            ),
        },
    ],
    "entry": [
        {
            "fullUrl": "https://isohold.example/api/v1/fhir/Observation/pain-310-before",
            "resource": {
                "resourceType": "Observation",
                "id": "pain-310-before",
                "status": "final",
                "category": fhir.SURVEY,
                "code": {
                    "coding": [fhir.PAIN_CODING],
                    "text": "Pain before exercise (Dead bug hold)",
                },
                "subject": {"reference": "Patient/42"},
                "basedOn": [{"reference": "CarePlan/7"}],
                "effectiveDateTime": "2026-03-03T18:02:11+00:00",
                "valueInteger": 3,
            },
            "search": {"mode": "match"},
        }
    ],
}


class PatientRead(FhirView):
    @extend_schema(
        operation_id="fhir_patient_read",
        tags=["fhir"],
        parameters=[ID],
        responses=_responses(
            "FHIR R4 Patient: name, identifier, clinic and responsible clinician.",
            PATIENT_EXAMPLE,
            missing="No Patient with id 42.",
        ),
    )
    def get(self, request, id):
        return Response(fhir.patient_resource(_one(fhir.patients_for(request.user), "Patient", id)))


class CarePlanRead(FhirView):
    @extend_schema(
        operation_id="fhir_care_plan_read",
        tags=["fhir"],
        parameters=[ID],
        responses=_responses(
            "FHIR R4 CarePlan for one assignment: one activity per exercise item, "
            "describing the dose of its current level.",
            CARE_PLAN_EXAMPLE,
            missing="No CarePlan with id 7.",
        ),
    )
    def get(self, request, id):
        assignment = _one(fhir.care_plans_for(request.user), "CarePlan", id)
        return Response(fhir.care_plan_resource(assignment))


OBSERVATION_EXAMPLE = BUNDLE_EXAMPLE["entry"][0]["resource"]


class ObservationRead(FhirView):
    @extend_schema(
        operation_id="fhir_observation_read",
        tags=["fhir"],
        parameters=[ID],
        responses=_responses(
            "FHIR R4 Observation, by the id a searchset entry gave it: `pain-{entry}-before`, "
            "`-during` or `-after`, `checkin-{id}` or `psfs-{id}`.",
            OBSERVATION_EXAMPLE,
            missing="No Observation with id pain-310-before.",
        ),
    )
    def get(self, request, id):
        patients = Patient.objects.visible_to(request.user)
        observation = fhir.observation_resource(patients, id)
        if observation is None:
            raise NotFound(_("No Observation with id %(id)s.") % {"id": id[:64]})
        return Response(observation)


PATIENT_PARAMETER = re.compile(r"(?:Patient/)?([0-9]+)")


def _number(request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not _whole_number(raw):
        raise ParseError(_("%(name)s must be a whole number of 0 or more.") % {"name": name})
    return int(raw)


class ObservationSearch(FhirView):
    @extend_schema(
        operation_id="fhir_observation_search",
        tags=["fhir"],
        parameters=[
            OpenApiParameter(
                "patient",
                OpenApiTypes.STR,
                required=True,
                description="The patient's id, or `Patient/{id}`.",
            ),
            OpenApiParameter(
                "_count",
                OpenApiTypes.INT,
                description=(
                    f"Entries per page (default {fhir.DEFAULT_PAGE_SIZE}, "
                    f"at most {fhir.MAX_PAGE_SIZE}; 0 gives only the total)."
                ),
            ),
            OpenApiParameter(
                "_offset", OpenApiTypes.INT, description="Entries to skip; follow `next` links."
            ),
        ],
        responses=_responses(
            "FHIR R4 searchset Bundle of Observations, oldest first: pain before, during and "
            "after each exercise (LOINC 72514-3), next-morning pain, and PSFS scores with one "
            "component per activity.",
            BUNDLE_EXAMPLE,
            missing="No Patient with id 42.",
            bad_request=_outcome_example(400, "Give the patient to search for: ?patient=42."),
        ),
    )
    def get(self, request):
        given = request.query_params.getlist("patient")
        match = PATIENT_PARAMETER.fullmatch(given[0]) if len(given) == 1 else None
        if match is None:
            raise ParseError(_("Give the patient to search for: ?patient=42."))
        count = min(_number(request, "_count", fhir.DEFAULT_PAGE_SIZE), fhir.MAX_PAGE_SIZE)
        offset = _number(request, "_offset", 0)
        patient = _one(Patient.objects.visible_to(request.user), "Patient", match[1])
        page = fhir.observation_page(patient, offset=offset, count=count)

        search_url = request.build_absolute_uri(request.path)

        def page_url(start):
            query = {"patient": patient.pk, "_count": count}
            if start:
                query["_offset"] = start
            return f"{search_url}?{urlencode(query)}"

        links = {"self": page_url(offset)}
        if count and offset + count < page.total:
            links["next"] = page_url(offset + count)
        if count and offset:
            links["previous"] = page_url(max(offset - count, 0))
        return Response(
            fhir.searchset(
                page.resources,
                total=page.total,
                full_url=lambda resource: f"{search_url}/{resource['id']}",
                links=links,
            )
        )
