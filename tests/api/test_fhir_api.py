import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from fhirclient.models.bundle import Bundle
from fhirclient.models.careplan import CarePlan
from fhirclient.models.observation import Observation
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.patient import Patient as FhirPatient
from rest_framework.test import APIClient

from patients import services
from patients.models import AssignmentItem
from tests.api.test_exercises_api import api_for
from tests.factories import PatientFactory, programme_with_ladders

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"
PAIN_LOINC = "72514-3"


def fhir(response, model, status=200):
    """The body, after checking the status, the media type and the FHIR R4 model."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    data = response.json()
    model(data, strict=True)
    return data


def log(assignment, *, at, pain=2):
    entries = [
        services.EntryInput(
            item_id=item.pk,
            sets_done=3,
            per_set=(10, 10, 10),
            effort=5,
            pain_before=pain,
            pain_during=pain + 1,
            pain_after=pain,
        )
        for item in AssignmentItem.objects.filter(assignment=assignment).order_by("order")
    ]
    return services.log_session(
        assignment=assignment, submission_key=uuid.uuid4(), entries=entries, now=at
    ).session


@pytest.fixture
def record(patient):
    record = patient.patient_record
    record.email = "pat@example.org"
    record.save(update_fields=["email"])
    return record


@pytest.fixture
def assignment(record, clinician):
    programme = programme_with_ladders(
        clinic=clinician.clinic, items=2, levels=3, name="Early trunk stability"
    )
    return services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate() - timedelta(days=30),
        sessions_per_week=4,
        rule_profile="strict",
    )


def history(assignment, sessions):
    """A PSFS rating, then `sessions` sessions a day apart, each with its morning check-in."""
    start = timezone.now() - timedelta(days=sessions + 1)
    services.save_psfs(
        assignment=assignment,
        ratings={"Putting on socks": 4, "Sitting for an hour": 7, "Lifting a bag": 5},
        now=start,
    )
    for day in range(sessions):
        session = log(assignment, at=start + timedelta(days=day, hours=1))
        services.record_check_in(
            session=session,
            pain_now=1,
            worse_than_usual=False,
            now=session.performed_at + timedelta(hours=14),
        )


def search(client, patient_id, **params):
    return client.get("/api/v1/fhir/Observation", {"patient": patient_id, **params})


def test_patient_resource(clinician, record):
    data = fhir(api_for(clinician).get(f"/api/v1/fhir/Patient/{record.pk}"), FhirPatient)
    assert data["id"] == str(record.pk)
    assert data["identifier"] == [{"system": "urn:isohold:patient", "value": str(record.pk)}]
    assert data["active"] is True
    assert data["name"][0]["family"] == "Quinn"
    assert data["telecom"] == [{"system": "email", "value": "pat@example.org"}]
    assert data["managingOrganization"]["display"] == "Harbour Physio"
    assert data["generalPractitioner"][0]["display"] == str(clinician)


def test_colleague_reads_the_patient_too(colleague, record):
    fhir(api_for(colleague).get(f"/api/v1/fhir/Patient/{record.pk}"), FhirPatient)


def test_care_plan_resource(clinician, record, assignment):
    data = fhir(api_for(clinician).get(f"/api/v1/fhir/CarePlan/{assignment.pk}"), CarePlan)
    assert data["id"] == str(assignment.pk)
    assert data["status"] == "active"
    assert data["intent"] == "plan"
    assert data["title"] == "Early trunk stability"
    assert data["subject"] == {"reference": f"Patient/{record.pk}"}
    assert data["period"]["start"] == assignment.start_date.isoformat()
    details = [activity["detail"] for activity in data["activity"]]
    assert len(details) == 2
    assert details[0]["description"] == (
        "Level 1 of 3: 3 × 10 s holds, 30 s rest, effort at most 6/10"
    )
    assert details[0]["status"] == "in-progress"
    assert details[0]["scheduledTiming"]["repeat"] == {
        "frequency": 4,
        "period": 1,
        "periodUnit": "wk",
    }


def test_care_plan_follows_the_current_level(clinician, assignment):
    item = assignment.items.order_by("order").first()
    services.move_level(item=item, to_level=2, by=clinician, reason="Ready")
    data = fhir(api_for(clinician).get(f"/api/v1/fhir/CarePlan/{assignment.pk}"), CarePlan)
    assert data["activity"][0]["detail"]["description"].startswith("Level 2 of 3: 3 × 20 s")


def test_observation_bundle_is_valid_and_its_references_resolve(clinician, record, assignment):
    history(assignment, sessions=3)
    client = api_for(clinician)
    bundle = fhir(search(client, record.pk), Bundle)
    assert bundle["type"] == "searchset"
    # 3 sessions × 2 exercises × 3 readings, 3 mornings, 1 PSFS.
    assert bundle["total"] == len(bundle["entry"]) == 22
    resources = [entry["resource"] for entry in bundle["entry"]]
    ids = [resource["id"] for resource in resources]
    assert len(set(ids)) == len(ids)
    for entry in bundle["entry"]:
        Observation(entry["resource"], strict=True)
        assert entry["fullUrl"] == (
            f"http://testserver/api/v1/fhir/Observation/{entry['resource']['id']}"
        )
        # Every entry's address answers with that same resource.
        path = urlsplit(entry["fullUrl"]).path
        assert fhir(client.get(path), Observation) == entry["resource"]

    subjects = {resource["subject"]["reference"] for resource in resources}
    assert subjects == {f"Patient/{record.pk}"}
    patient = fhir(client.get(f"/api/v1/fhir/{subjects.pop()}"), FhirPatient)
    assert patient["id"] == str(record.pk)
    plans = {ref["reference"] for resource in resources for ref in resource["basedOn"]}
    assert plans == {f"CarePlan/{assignment.pk}"}
    plan = fhir(client.get(f"/api/v1/fhir/{plans.pop()}"), CarePlan)
    assert plan["id"] == str(assignment.pk)
    assert plan["subject"]["reference"] == f"Patient/{patient['id']}"


def test_pain_observations_carry_the_loinc_code(clinician, record, assignment):
    history(assignment, sessions=1)
    entry = assignment.items.order_by("order").first().entries.get()
    bundle = fhir(search(api_for(clinician), record.pk), Bundle)
    by_id = {item["resource"]["id"]: item["resource"] for item in bundle["entry"]}
    before = by_id[f"pain-{entry.pk}-before"]
    assert before["code"]["coding"] == [
        {
            "system": "http://loinc.org",
            "code": PAIN_LOINC,
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
    assert before["code"]["text"] == f"Pain before exercise ({entry.exercise_name})"
    assert before["valueInteger"] == 2
    assert before["status"] == "final"
    assert before["category"][0]["coding"][0]["code"] == "survey"
    assert before["effectiveDateTime"] == (
        timezone.localtime(entry.session.performed_at).isoformat(timespec="seconds")
    )
    assert by_id[f"pain-{entry.pk}-during"]["valueInteger"] == 3
    assert by_id[f"pain-{entry.pk}-after"]["valueInteger"] == 2
    morning = by_id[f"checkin-{entry.session.check_in.pk}"]
    assert morning["code"]["coding"][0]["code"] == PAIN_LOINC
    assert morning["code"]["text"] == "Pain next morning"
    assert morning["valueInteger"] == 1


def test_psfs_observation_has_the_mean_and_one_component_per_activity(
    clinician, record, assignment
):
    history(assignment, sessions=0)
    rating = assignment.psfs_ratings.get()
    bundle = fhir(search(api_for(clinician), record.pk), Bundle)
    psfs = bundle["entry"][0]["resource"]
    assert psfs["id"] == f"psfs-{rating.pk}"
    assert psfs["code"]["text"] == "Patient-Specific Functional Scale"
    assert psfs["code"]["coding"][0]["system"] == "urn:isohold:psfs"
    assert "loinc" not in str(psfs["code"])
    assert psfs["valueQuantity"]["value"] == pytest.approx(5.33)
    assert [(c["code"]["text"], c["valueInteger"]) for c in psfs["component"]] == [
        ("Putting on socks", 4),
        ("Sitting for an hour", 7),
        ("Lifting a bag", 5),
    ]


def test_pages_follow_next_links_to_the_end(clinician, record, assignment):
    history(assignment, sessions=3)
    client = api_for(clinician)
    everything = fhir(search(client, record.pk), Bundle)
    seen = []
    response = search(client, record.pk, _count=5)
    pages = 0
    while True:
        page = fhir(response, Bundle)
        pages += 1
        assert page["total"] == 22
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert links["self"].startswith("http://testserver/api/v1/fhir/Observation?")
        assert len(page["entry"]) <= 5
        seen += [entry["resource"]["id"] for entry in page["entry"]]
        if "next" not in links:
            break
        parts = urlsplit(links["next"])
        response = client.get(f"{parts.path}?{parts.query}")
    assert pages == 5
    assert "previous" in links
    assert seen == [entry["resource"]["id"] for entry in everything["entry"]]


def test_page_size_is_capped(clinician, record):
    bundle = fhir(search(api_for(clinician), record.pk, _count=1000), Bundle)
    assert "_count=200" in bundle["link"][0]["url"]


def test_count_zero_gives_only_the_total(clinician, record, assignment):
    history(assignment, sessions=1)
    bundle = fhir(search(api_for(clinician), record.pk, _count=0), Bundle)
    assert bundle["total"] == 8
    assert "entry" not in bundle


def test_patient_can_be_given_as_a_reference(clinician, record, assignment):
    history(assignment, sessions=1)
    bundle = fhir(search(api_for(clinician), f"Patient/{record.pk}"), Bundle)
    assert bundle["total"] == 8


def test_patient_without_sessions_gets_an_empty_bundle(clinician, record):
    bundle = fhir(search(api_for(clinician), record.pk), Bundle)
    assert bundle["total"] == 0
    assert "entry" not in bundle


@pytest.mark.parametrize(
    "params",
    [{}, {"patient": ""}, {"patient": "abc"}, {"patient": "Practitioner/1"}],
    ids=["missing", "empty", "not-a-number", "not-a-patient"],
)
def test_search_without_a_usable_patient_is_400(clinician, params):
    response = api_for(clinician).get("/api/v1/fhir/Observation", params)
    outcome = fhir(response, OperationOutcome, status=400)
    assert outcome["issue"][0]["code"] == "invalid"
    assert "patient" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "params", [{"_count": "ten"}, {"_count": "-1"}, {"_count": "²"}, {"_offset": "x"}]
)
def test_bad_paging_parameters_are_400(clinician, record, params):
    response = search(api_for(clinician), record.pk, **params)
    fhir(response, OperationOutcome, status=400)


@pytest.fixture
def other_record(other_patient):
    return other_patient.patient_record


def paths(record, assignment):
    return [
        f"/api/v1/fhir/Patient/{record.pk}",
        f"/api/v1/fhir/CarePlan/{assignment.pk}",
        f"/api/v1/fhir/Observation?patient={record.pk}",
    ]


def test_anonymous_gets_401_as_an_operation_outcome(record, assignment):
    for path in paths(record, assignment):
        response = APIClient().get(path)
        outcome = fhir(response, OperationOutcome, status=401)
        assert outcome["issue"][0]["code"] == "login"
        assert response["WWW-Authenticate"].startswith("Token")


def test_patient_user_gets_403(patient, record, assignment):
    for path in paths(record, assignment):
        outcome = fhir(api_for(patient).get(path), OperationOutcome, status=403)
        assert outcome["issue"][0]["code"] == "forbidden"


def test_other_clinic_gets_404(outsider, record, assignment):
    for path in paths(record, assignment):
        outcome = fhir(api_for(outsider).get(path), OperationOutcome, status=404)
        assert outcome["issue"][0]["code"] == "not-found"


def test_missing_and_foreign_records_read_the_same(clinician, other_record):
    client = api_for(clinician)
    foreign = client.get(f"/api/v1/fhir/Patient/{other_record.pk}")
    missing = client.get(f"/api/v1/fhir/Patient/{other_record.pk + 1000}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["issue"][0]["diagnostics"] == f"No Patient with id {other_record.pk}."
    assert missing.json()["issue"][0]["diagnostics"] == (
        f"No Patient with id {other_record.pk + 1000}."
    )
    for odd in ("abc", "²", "9" * 30):
        fhir(client.get(f"/api/v1/fhir/Patient/{odd}"), OperationOutcome, status=404)
    fhir(client.get("/api/v1/fhir/CarePlan/999999"), OperationOutcome, status=404)
    fhir(search(client, other_record.pk), OperationOutcome, status=404)


def test_answers_fhir_json_whatever_the_accept_header(clinician, record):
    response = api_for(clinician).get(
        f"/api/v1/fhir/Patient/{record.pk}", HTTP_ACCEPT="application/json"
    )
    fhir(response, FhirPatient)


def test_writes_are_not_supported(clinician, record):
    response = api_for(clinician).post(f"/api/v1/fhir/Patient/{record.pk}", {}, format="json")
    outcome = fhir(response, OperationOutcome, status=405)
    assert outcome["issue"][0]["code"] == "not-supported"


def test_archived_patient_is_inactive(clinician, record):
    services.set_patient_archived(patient=record, archived=True)
    data = fhir(api_for(clinician).get(f"/api/v1/fhir/Patient/{record.pk}"), FhirPatient)
    assert data["active"] is False


def test_other_patients_observations_are_not_mixed_in(clinician, record, assignment):
    history(assignment, sessions=1)
    neighbour = PatientFactory(clinic=clinician.clinic, clinician=clinician)
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    theirs = services.assign_programme(
        patient=neighbour,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    log(theirs, at=timezone.now())
    bundle = fhir(search(api_for(clinician), neighbour.pk), Bundle)
    assert bundle["total"] == 3
    assert {e["resource"]["subject"]["reference"] for e in bundle["entry"]} == {
        f"Patient/{neighbour.pk}"
    }


# Token lookup, patient, count, page of keys, entries, check-ins, PSFS ratings, PSFS activities.
OBSERVATION_QUERIES = 8


@pytest.mark.parametrize("sessions", [3, 30])
def test_observation_query_count_is_constant(
    clinician, record, assignment, django_assert_num_queries, sessions
):
    history(assignment, sessions=sessions)
    client = api_for(clinician)
    with django_assert_num_queries(OBSERVATION_QUERIES):
        bundle = fhir(search(client, record.pk, _count=200), Bundle)
    assert bundle["total"] == sessions * 7 + 1


@pytest.mark.parametrize(
    "observation_id",
    ["pain-1-sideways", "checkin-", "psfs-12345678901234567890", "Observation", "pain-999-before"],
)
def test_unknown_or_malformed_observation_ids_are_404(clinician, observation_id):
    response = api_for(clinician).get(f"/api/v1/fhir/Observation/{observation_id}")
    fhir(response, OperationOutcome, status=404)


def test_another_clinics_observation_reads_as_missing(outsider, record, assignment):
    history(assignment, sessions=1)
    bundle = search(api_for(assignment.patient.clinician), record.pk).json()
    for entry in bundle["entry"]:
        path = urlsplit(entry["fullUrl"]).path
        fhir(api_for(outsider).get(path), OperationOutcome, status=404)
