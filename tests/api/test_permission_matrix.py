"""Every API endpoint and method against every kind of caller.

Cells: anonymous, clinician, colleague (same clinic), outsider (another clinic),
patient (the owner of the data), other_patient (another clinic's patient).
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from patients import services
from tests.api.test_exercises_api import api_for
from tests.factories import ExerciseFactory, programme_with_ladders

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "clinician", "colleague", "outsider", "patient", "other_patient"]


@pytest.fixture
def world(clinician, colleague, outsider, patient, other_patient):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=3)
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    assignment.items.update(level_since=timezone.now() - timedelta(days=2))
    item = assignment.items.get()
    session = services.log_session(
        assignment=assignment,
        submission_key=uuid.uuid4(),
        entries=[
            services.EntryInput(
                item_id=item.pk,
                sets_done=3,
                per_set=(10, 10, 10),
                effort=5,
                pain_before=3,
                pain_during=3,
                pain_after=3,
                increased_pain=True,
            )
        ],
    ).session
    return {
        "users": {
            "clinician": clinician,
            "colleague": colleague,
            "outsider": outsider,
            "patient": patient,
            "other_patient": other_patient,
        },
        "exercise": ExerciseFactory(clinic=clinician.clinic),
        "programme": programme,
        "patient": patient.patient_record,
        "assignment": assignment,
        "item": item,
        "session": session,
        "entry": session.entries.get(),
        "decision": item.decisions.get(),
    }


def client_for(world, caller):
    return APIClient() if caller == "anonymous" else api_for(world["users"][caller])


# (method, path template, expected status per caller in CALLERS order)
STAFF_READ = (401, 200, 200, 404, 403, 403)
MATRIX = [
    ("get", "/api/v1/me/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/exercises/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/exercises/{exercise}/", (401, 200, 200, 404, 404, 404)),
    ("delete", "/api/v1/exercises/{exercise}/", (401, 204, 204, 404, 403, 403)),
    ("get", "/api/v1/programmes/", (401, 200, 200, 200, 403, 403)),
    ("get", "/api/v1/programmes/{programme}/", STAFF_READ),
    ("post", "/api/v1/programmes/{programme}/duplicate/", (401, 201, 201, 404, 403, 403)),
    ("delete", "/api/v1/programmes/{programme}/", (401, 204, 204, 404, 403, 403)),
    ("get", "/api/v1/patients/", (401, 200, 200, 200, 403, 403)),
    ("get", "/api/v1/patients/{patient}/", STAFF_READ),
    ("post", "/api/v1/patients/{patient}/invite/", (401, 201, 201, 404, 403, 403)),
    ("get", "/api/v1/assignments/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/assignments/{assignment}/", (401, 200, 200, 404, 200, 404)),
    (
        "post",
        "/api/v1/assignments/{assignment}/items/{item}/set-level/",
        (401, 201, 201, 404, 403, 403),
    ),
    ("get", "/api/v1/sessions/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/sessions/{session}/", (401, 200, 200, 404, 200, 404)),
    ("post", "/api/v1/sessions/", (401, 403, 403, 403, 400, 400)),
    ("get", "/api/v1/check-ins/", (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/check-ins/", (401, 403, 403, 403, 400, 400)),
    ("get", "/api/v1/decisions/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/decisions/{decision}/", (401, 200, 200, 404, 200, 404)),
    ("get", "/api/v1/fhir/Patient/{patient}", STAFF_READ),
    ("get", "/api/v1/fhir/CarePlan/{assignment}", STAFF_READ),
    ("get", "/api/v1/fhir/Observation?patient={patient}", STAFF_READ),
    ("get", "/api/v1/fhir/Observation/pain-{entry}-before", STAFF_READ),
]


@pytest.mark.parametrize(
    "method, template, expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX]
)
@pytest.mark.parametrize("caller_index", range(len(CALLERS)), ids=CALLERS)
def test_permission_matrix(world, method, template, expected, caller_index):
    caller = CALLERS[caller_index]
    path = template.format(**{key: getattr(value, "pk", None) for key, value in world.items()})
    data = {"level": 1, "reason": "matrix"} if "set-level" in path else {}
    response = getattr(client_for(world, caller), method)(path, data, format="json")
    assert response.status_code == expected[caller_index], (caller, method, path, response.content)
    if response.status_code != 204:
        assert response["Content-Type"].startswith(("application/json", "application/fhir+json"))
