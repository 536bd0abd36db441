import threading
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients import services
from patients.models import AssignmentItem, CheckIn, Decision, Session, SessionEntry
from physio.models import IdempotencyRecord
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def assignment(patient, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=3)
    return services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )


def body(assignment, **changes):
    item = AssignmentItem.objects.get(assignment=assignment)
    entry = {
        "item": item.pk,
        "sets_done": 3,
        "per_set": [10, 10, 10],
        "effort": 5,
        "pain_before": 3,
        "pain_during": 3,
        "pain_after": 2,
    }
    entry.update(changes)
    return {"assignment": assignment.pk, "entries": [entry]}


def test_patient_posts_a_session(patient, assignment):
    response = api_for(patient).post("/api/v1/sessions/", body(assignment), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["entries"][0]["response"] == "provisional"
    assert Session.objects.count() == 1


def test_replay_with_the_same_key_returns_the_first_response(patient, assignment):
    client = api_for(patient)
    first = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    again = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert Session.objects.count() == 1


def test_same_key_with_another_body_is_409(patient, assignment):
    client = api_for(patient)
    client.post("/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(
        "/api/v1/sessions/", body(assignment, effort=6), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 409
    assert "different body" in response.json()["detail"]
    assert Session.objects.count() == 1


def test_an_overlong_key_is_400_and_saves_nothing(patient, assignment):
    response = api_for(patient).post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert "255 characters at most" in response.json()["detail"]
    assert Session.objects.count() == 0


def test_the_new_session_in_the_answer_reads_as_it_is_stored(patient, clinician, assignment):
    answer = (
        api_for(patient).post("/api/v1/sessions/", body(assignment, effort=9), format="json").json()
    )
    stored = api_for(clinician).get(f"/api/v1/sessions/{answer['id']}/").json()
    assert answer == stored
    assert answer["entries"][0]["response"] == "amber"


def test_a_key_used_with_another_assignment_is_409_and_saves_nothing(patient, clinician):
    first = services.assign_programme(
        patient=patient.patient_record,
        programme=programme_with_ladders(clinic=clinician.clinic, items=1, levels=2),
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    client = api_for(patient)
    client.post("/api/v1/sessions/", body(first), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    services.change_assignment_status(assignment=first, action="finish")
    second = services.assign_programme(
        patient=patient.patient_record,
        programme=programme_with_ladders(clinic=clinician.clinic, items=1, levels=2),
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    response = client.post(
        "/api/v1/sessions/", body(second), format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert response.status_code == 409
    assert list(Session.objects.values_list("assignment", flat=True)) == [first.pk]


def test_a_purged_key_with_another_body_makes_a_new_session(patient, assignment):
    client = api_for(patient)
    client.post("/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_idempotency_keys", stdout=StringIO())
    again = client.post(
        "/api/v1/sessions/", body(assignment, effort=6), format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    assert again.status_code == 201
    assert "Idempotent-Replay" not in again
    assert sorted(SessionEntry.objects.values_list("effort", flat=True)) == [5, 6]


def test_a_purged_key_with_the_same_body_finds_the_first_session(patient, assignment):
    client = api_for(patient)
    first = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_idempotency_keys", stdout=StringIO())
    again = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Session.objects.count() == 1


def test_a_replay_after_the_programme_was_finished_still_gets_the_first_answer(patient, assignment):
    client = api_for(patient)
    first = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="late"
    )
    services.change_assignment_status(assignment=assignment, action="finish")
    again = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="late"
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"


def test_same_key_with_an_invalid_other_body_is_409(patient, assignment):
    client = api_for(patient)
    client.post("/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="k3")
    response = client.post(
        "/api/v1/sessions/", body(assignment, per_set=[1]), format="json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert response.status_code == 409


def test_a_replayed_check_in_gets_the_first_answer(patient, assignment):
    client = api_for(patient)
    session_id = client.post("/api/v1/sessions/", body(assignment), format="json").json()["id"]
    Session.objects.filter(pk=session_id).update(performed_at=timezone.now() - timedelta(hours=14))
    check_in = {"session": session_id, "pain_now": 2, "worse_than_usual": False}
    first = client.post("/api/v1/check-ins/", check_in, format="json", HTTP_IDEMPOTENCY_KEY="m")
    again = client.post("/api/v1/check-ins/", check_in, format="json", HTTP_IDEMPOTENCY_KEY="m")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 1


def test_an_exercise_logged_twice_in_one_session_is_refused(patient, assignment):
    payload = body(assignment)
    payload["entries"].append(dict(payload["entries"][0]))
    response = api_for(patient).post(
        "/api/v1/sessions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="twice"
    )
    assert response.status_code == 400
    assert "once per session" in response.json()["non_field_errors"][0]
    assert not Session.objects.exists()


def test_purging_removes_only_expired_keys(patient, assignment):
    client = api_for(patient)
    for key in ("stale", "fresh"):
        client.post("/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyRecord.objects.filter(key="stale").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "1 expired" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_failed_session_keeps_no_answer_for_its_key(patient, assignment):
    client = api_for(patient)
    bad = body(assignment, per_set=[10])
    assert (
        client.post("/api/v1/sessions/", bad, format="json", HTTP_IDEMPOTENCY_KEY="x").status_code
        == 400
    )
    assert not IdempotencyRecord.objects.exists()
    good = client.post(
        "/api/v1/sessions/", body(assignment), format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert good.status_code == 201


def test_session_post_runs_the_same_queries_however_long_the_history(
    patient, assignment, django_assert_num_queries
):
    client = api_for(patient)
    payload = body(assignment)

    def post(key):
        return client.post("/api/v1/sessions/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)

    post("warm-up")
    # token, locked assignment, ladders, session, entries, webhooks, the key's answer, and
    # two savepoints (four queries); in production the outer one is the transaction itself.
    with django_assert_num_queries(11):
        assert post("short history").status_code == 201
    for n in range(20):
        post(f"history {n}")
    with django_assert_num_queries(11):
        assert post("long history").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_session(patient, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=3)
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    payload = body(assignment)
    token, _ = Token.objects.get_or_create(user=patient)
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        barrier.wait()
        statuses.append(
            client.post(
                "/api/v1/sessions/", payload, format="json", HTTP_IDEMPOTENCY_KEY="same"
            ).status_code
        )
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201, 201]
    assert Session.objects.count() == 1


def test_invalid_session_gets_errors_per_field(patient, assignment):
    response = api_for(patient).post(
        "/api/v1/sessions/", body(assignment, pain_during=11, per_set=[10]), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["entries"]["0"]  # DRF keys list errors by position
    assert "pain_during" in errors


def test_someone_elses_assignment_is_refused(other_patient, assignment):
    response = api_for(other_patient).post("/api/v1/sessions/", body(assignment), format="json")
    assert response.status_code == 400
    assert "assignment" in response.json()
    assert not Session.objects.exists()


def test_clinician_reads_but_cannot_create(clinician, patient, assignment):
    api_for(patient).post("/api/v1/sessions/", body(assignment), format="json")
    client = api_for(clinician)
    assert client.get("/api/v1/sessions/").json()["count"] == 1
    assert client.post("/api/v1/sessions/", body(assignment), format="json").status_code == 403


def test_outsider_sees_nothing(outsider, patient, assignment):
    api_for(patient).post("/api/v1/sessions/", body(assignment), format="json")
    session = Session.objects.get()
    client = api_for(outsider)
    assert client.get("/api/v1/sessions/").json()["count"] == 0
    assert client.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404


def test_check_in_then_red_decision_is_listed(patient, clinician, assignment):
    client = api_for(patient)
    session_id = client.post("/api/v1/sessions/", body(assignment), format="json").json()["id"]
    Session.objects.filter(pk=session_id).update(performed_at=timezone.now() - timedelta(hours=14))
    assignment.items.update(level_since=timezone.now() - timedelta(days=1))
    response = client.post(
        "/api/v1/check-ins/",
        {"session": session_id, "pain_now": 6, "worse_than_usual": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert CheckIn.objects.count() == 1
    decisions = api_for(clinician).get("/api/v1/decisions/").json()
    assert decisions["count"] == 1
    assert decisions["results"][0]["action"] == "pause"
    assert client.get("/api/v1/decisions/").json()["count"] == 1  # the patient reads their own
    assert Decision.objects.get().action == "pause"
    assert Decision.objects.get().patient == patient.patient_record  # the engine's, too


def test_assignment_shows_items_levels_and_current_level(patient, assignment):
    data = api_for(patient).get(f"/api/v1/assignments/{assignment.pk}/").json()
    item = data["items"][0]
    assert len(item["levels"]) == 3
    assert item["current_level"] == item["levels"][0]["id"]


@pytest.mark.parametrize("rows", [3, 30])
def test_session_list_query_count_is_constant(
    clinician, patient, assignment, django_assert_num_queries, rows
):
    client = api_for(patient)
    for _ in range(rows):
        client.post("/api/v1/sessions/", body(assignment), format="json")
    reader = api_for(clinician)
    with django_assert_num_queries(4):
        assert reader.get("/api/v1/sessions/").status_code == 200


def test_check_in_for_someone_elses_or_a_missing_session_reads_the_same(
    other_patient, patient, assignment
):
    session_id = (
        api_for(patient).post("/api/v1/sessions/", body(assignment), format="json").json()["id"]
    )
    client = api_for(other_patient)
    theirs = client.post(
        "/api/v1/check-ins/",
        {"session": session_id, "pain_now": 1, "worse_than_usual": False},
        format="json",
    )
    missing = client.post(
        "/api/v1/check-ins/",
        {"session": 999999, "pain_now": 1, "worse_than_usual": False},
        format="json",
    )
    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "since, expected",
    [
        ("2026-03-01T09:00:00Z", ["after"]),
        ("2026-03-01T10:00:00+01:00", ["after"]),  # the same instant, written in Paris
        ("2026-02-01T00:00:00Z", ["after", "before"]),
        ("0712-01-16T19:39:49-23:59", ["after", "before"]),
    ],
)
def test_since_lists_sessions_from_that_instant(clinician, assignment, since, expected):
    for label, when in (("before", "2026-02-28T12:00:00Z"), ("after", "2026-03-02T08:00:00Z")):
        services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            entries=[services.EntryInput(item_id=assignment.items.get().pk, **ENTRY)],
            notes=label,
            now=timezone.datetime.fromisoformat(when),
        )
    response = api_for(clinician).get("/api/v1/sessions/", {"since": since})
    assert response.status_code == 200
    assert [s["notes"] for s in response.json()["results"]] == expected


def test_since_that_is_not_a_date_is_a_field_error(clinician):
    response = api_for(clinician).get("/api/v1/sessions/", {"since": "last tuesday"})
    assert response.status_code == 400
    assert "since" in response.json()


ENTRY = {
    "sets_done": 3,
    "per_set": (10, 10, 10),
    "effort": 5,
    "pain_before": 3,
    "pain_during": 3,
    "pain_after": 2,
}
