"""The FHIR builders called directly, without HTTP; every resource checked against R4."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from fhirclient.models.bundle import Bundle
from fhirclient.models.careplan import CarePlan
from fhirclient.models.observation import Observation
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.patient import Patient as FhirPatient

from patients import fhir, services
from patients.models import AssignmentLevel, PsfsActivity, PsfsRating
from programmes.models import Kind
from tests.factories import (
    ExerciseFactory,
    ItemFactory,
    LevelFactory,
    PatientFactory,
    ProgrammeFactory,
    programme_with_ladders,
)

pytestmark = pytest.mark.django_db


def valid(model, resource):
    """Round-trip through JSON as the wire would, then check the R4 model."""
    data = json.loads(json.dumps(resource))
    model(data, strict=True)
    return data


def assigned(patient_record, clinician, programme):
    assignment = services.assign_programme(
        patient=patient_record,
        programme=programme,
        by=clinician,
        start_date=date(2026, 3, 2),
        sessions_per_week=3,
        rule_profile="strict",
    )
    return fhir.care_plans_for(clinician).get(pk=assignment.pk)


@pytest.fixture
def plan(patient, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=5)
    return assigned(patient.patient_record, clinician, programme)


def test_patient_without_birth_date_or_email_leaves_them_out(clinician):
    record = PatientFactory(clinic=clinician.clinic, clinician=clinician, email="")
    data = valid(FhirPatient, fhir.patient_resource(fhir.patients_for(clinician).get()))
    assert data["id"] == str(record.pk)
    assert "birthDate" not in data
    assert "telecom" not in data


def test_patient_with_birth_date(clinician):
    PatientFactory(clinic=clinician.clinic, clinician=clinician, date_of_birth=date(1980, 4, 2))
    data = valid(FhirPatient, fhir.patient_resource(fhir.patients_for(clinician).get()))
    assert data["birthDate"] == "1980-04-02"


def test_building_a_patient_needs_no_further_queries(clinician, django_assert_num_queries):
    PatientFactory(clinic=clinician.clinic, clinician=clinician)
    record = fhir.patients_for(clinician).get()
    with django_assert_num_queries(0):
        fhir.patient_resource(record)


@pytest.mark.parametrize(
    "action, status, activity_status",
    [
        (None, "active", "in-progress"),
        ("pause", "on-hold", "on-hold"),
        ("finish", "completed", "completed"),
    ],
    ids=["active programme", "paused programme", "finished programme"],
)
def test_care_plan_status_follows_the_assignment(plan, clinician, action, status, activity_status):
    if action:
        services.change_assignment_status(assignment=plan, action=action)
    data = valid(CarePlan, fhir.care_plan_resource(fhir.care_plans_for(clinician).get()))
    assert data["status"] == status
    assert {a["detail"]["status"] for a in data["activity"]} == {activity_status}
    assert ("end" in data["period"]) == (action == "finish")


def test_a_paused_item_is_on_hold_while_the_others_go_on(plan, clinician):
    plan.items.filter(order=0).update(paused=True)
    data = valid(CarePlan, fhir.care_plan_resource(fhir.care_plans_for(clinician).get()))
    assert [a["detail"]["status"] for a in data["activity"]] == ["on-hold", "in-progress"]


def test_activity_describes_the_current_level(plan, clinician):
    item = plan.items.order_by("order").first()
    services.move_level(item=item, to_level=2, by=clinician, reason="Ready")
    AssignmentLevel.objects.filter(item=item).update(resistance="light band")
    data = valid(CarePlan, fhir.care_plan_resource(fhir.care_plans_for(clinician).get()))
    detail = data["activity"][0]["detail"]
    assert detail["code"]["text"] == item.levels.first().exercise.name
    assert detail["description"] == (
        "Level 2 of 5: 3 × 20 s holds, 30 s rest, effort at most 6/10, light band"
    )
    assert detail["scheduledTiming"]["repeat"] == {"frequency": 3, "period": 1, "periodUnit": "wk"}


def test_dynamic_level_is_described_in_reps(patient, clinician):
    programme = ProgrammeFactory(clinic=clinician.clinic)
    exercise = ExerciseFactory(clinic=clinician.clinic, kind=Kind.DYNAMIC, name="Bridge")
    item = ItemFactory(programme=programme)
    for number in (1, 2):
        LevelFactory(
            item=item, exercise=exercise, order=number, sets=2, hold_seconds=None, reps=6 * number
        )
    plan = assigned(patient.patient_record, clinician, programme)
    data = valid(CarePlan, fhir.care_plan_resource(plan))
    assert data["activity"][0]["detail"]["description"] == (
        "Level 1 of 2: 2 × 6 reps, 30 s rest, effort at most 6/10"
    )


def test_programme_without_items_has_no_activity(patient, clinician):
    plan = assigned(patient.patient_record, clinician, ProgrammeFactory(clinic=clinician.clinic))
    data = valid(CarePlan, fhir.care_plan_resource(plan))
    assert "activity" not in data


def test_item_without_levels_is_named_but_not_dosed(patient, clinician):
    programme = ProgrammeFactory(clinic=clinician.clinic)
    ItemFactory(programme=programme, title="Trunk stability")
    plan = assigned(patient.patient_record, clinician, programme)
    detail = valid(CarePlan, fhir.care_plan_resource(plan))["activity"][0]["detail"]
    assert detail["code"]["text"] == "Trunk stability"
    assert "description" not in detail


def test_building_a_care_plan_needs_no_further_queries(plan, clinician, django_assert_num_queries):
    loaded = fhir.care_plans_for(clinician).get()
    with django_assert_num_queries(0):
        fhir.care_plan_resource(loaded)


def test_psfs_lists_every_scored_activity_even_one_since_removed(plan):
    socks = PsfsActivity.objects.create(assignment=plan, name="Putting on socks", order=1)
    sitting = PsfsActivity.objects.create(assignment=plan, name="Sitting", order=0)
    rating = PsfsRating.objects.create(
        assignment=plan,
        scores={str(socks.pk): 4, "999999": 2, str(sitting.pk): 6},
        score="4.00",
        rated_at=timezone.now() - timedelta(days=1),
    )
    data = valid(Observation, fhir.psfs_observation(rating))
    assert data["valueQuantity"]["value"] == 4.0
    assert [c["code"]["text"] for c in data["component"]] == [
        "Sitting",
        "Putting on socks",
        "Activity 999999",
    ]


def test_observation_page_past_the_end_is_empty(plan):
    services.save_psfs(assignment=plan, ratings={"Sitting": 5, "Walking": 6, "Lifting": 4})
    page = fhir.observation_page(plan.patient, offset=10**30, count=50)
    assert page == fhir.ObservationPage(total=1, resources=[])


def test_searchset_without_matches_is_a_valid_bundle():
    bundle = fhir.searchset(
        [], total=0, full_url=lambda resource: "", links={"self": "https://x.example/Observation"}
    )
    assert valid(Bundle, bundle)["total"] == 0


@pytest.mark.parametrize(
    "status, code",
    [(400, "invalid"), (401, "login"), (403, "forbidden"), (404, "not-found"), (500, "exception")],
)
def test_operation_outcome_codes(status, code):
    data = valid(OperationOutcome, fhir.operation_outcome(status, ["Something is wrong."]))
    assert data["issue"] == [
        {"severity": "error", "code": code, "diagnostics": "Something is wrong."}
    ]
