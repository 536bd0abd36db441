from datetime import timedelta

import pytest

from patients import services
from patients.models import Assignment, Invitation, Patient
from tests.api.test_exercises_api import api_for
from tests.factories import programme_with_ladders
from tests.patients.test_gating import START, green_day, make_assignment

pytestmark = pytest.mark.django_db


def test_clinician_adds_and_invites_a_patient(clinician):
    client = api_for(clinician)
    created = client.post(
        "/api/v1/patients/",
        {
            "first_name": "Rowan",
            "last_name": "Price",
            "clinician": clinician.pk,
            "baseline_pain": 4,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    patient_id = created.json()["id"]
    invite = client.post(f"/api/v1/patients/{patient_id}/invite/")
    assert invite.status_code == 201
    assert "/invite/" in invite.json()["link"]
    assert Invitation.objects.filter(patient_id=patient_id).count() == 1


def test_patient_validation_errors(clinician, outsider):
    response = api_for(clinician).post(
        "/api/v1/patients/",
        {"first_name": "", "clinician": outsider.pk, "baseline_pain": 12},
        format="json",
    )
    assert response.status_code == 400
    assert {"first_name", "last_name", "clinician", "baseline_pain"} <= set(response.json())


def test_delete_archives_instead(clinician, patient):
    record = patient.patient_record
    assert api_for(clinician).delete(f"/api/v1/patients/{record.pk}/").status_code == 204
    record.refresh_from_db()
    assert record.status == "archived"


def test_outsider_404_patient_403(outsider, patient):
    record = patient.patient_record
    assert api_for(outsider).get(f"/api/v1/patients/{record.pk}/").status_code == 404
    assert api_for(outsider).post(f"/api/v1/patients/{record.pk}/invite/").status_code == 404
    assert api_for(patient).get("/api/v1/patients/").status_code == 403


def test_assign_from_a_programme(clinician, patient):
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=2)
    response = api_for(clinician).post(
        "/api/v1/assignments/",
        {
            "patient": patient.patient_record.pk,
            "programme": programme.pk,
            "rule_profile": "pain-monitoring",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["items"]) == 2
    assert Assignment.objects.get().rule_profile == "pain-monitoring"


def test_assign_refuses_other_clinics_and_patients(clinician, outsider, other_patient):
    foreign = programme_with_ladders(clinic=outsider.clinic)
    response = api_for(clinician).post(
        "/api/v1/assignments/",
        {"patient": other_patient.patient_record.pk, "programme": foreign.pk},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"patient", "programme"}
    assert api_for(other_patient).post("/api/v1/assignments/", {}, format="json").status_code == 403


def test_set_level_approve_and_decline(clinician, patient):
    assignment = make_assignment(patient.patient_record, clinician, start=2)
    item = assignment.items.get()
    client = api_for(clinician)
    url = f"/api/v1/assignments/{assignment.pk}/items/{item.pk}/set-level/"
    assert client.post(url, {"level": 9, "reason": "x"}, format="json").status_code == 400
    moved = client.post(url, {"level": 1, "reason": "flare last week"}, format="json")
    assert moved.status_code == 201 and moved.json()["to_level"] == 1
    assignment.items.update(level_since=START - timedelta(days=1))
    for day in range(3):
        green_day(assignment, START + day * timedelta(days=1))
    ready = assignment.items.get().awaiting_approval
    approve = client.post(f"/api/v1/assignments/{assignment.pk}/decisions/{ready.pk}/approve/")
    assert approve.status_code == 201 and approve.json()["to_level"] == 2
    again = client.post(f"/api/v1/assignments/{assignment.pk}/decisions/{ready.pk}/approve/")
    assert again.status_code == 400


def test_level_actions_are_404_for_outsiders_and_403_for_patients(clinician, outsider, patient):
    assignment = make_assignment(patient.patient_record, clinician, start=2)
    item = assignment.items.get()
    url = f"/api/v1/assignments/{assignment.pk}/items/{item.pk}/set-level/"
    assert (
        api_for(outsider).post(url, {"level": 1, "reason": "x"}, format="json").status_code == 404
    )
    assert api_for(patient).post(url, {"level": 1, "reason": "x"}, format="json").status_code == 403
    assert services.level_number(item, assignment.items.get().current_level_id) == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_patient_list_query_count_is_constant(clinician, django_assert_num_queries, rows):
    from tests.factories import PatientFactory

    PatientFactory.create_batch(rows, clinic=clinician.clinic, clinician=clinician)
    client = api_for(clinician)
    with django_assert_num_queries(3):
        assert client.get("/api/v1/patients/").status_code == 200
    assert Patient.objects.count() == rows
