"""The clinician's side of progression: dashboard, patient page actions, alerts."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.models import Alert, Assignment, AssignmentItem, Decision, SessionEntry
from patients.review import DASHBOARD_ROWS
from tests.factories import PatientFactory, programme_with_ladders
from tests.patients.test_gating import (
    START,
    green_day,
    level_of,
    log,
    make_assignment,
    the_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(patient, clinician):
    return make_assignment(patient.patient_record, clinician, start=2)


@pytest.fixture
def ready(assignment):
    for day in range(3):
        green_day(assignment, START + day * timedelta(days=1))
    return assignment


def item_url(assignment, action):
    item = AssignmentItem.objects.get(assignment=assignment)
    return reverse(
        "patients:item-decision", args=[assignment.patient_id, assignment.pk, item.pk, action]
    )


def test_patient_page_shows_streak_reasons_and_approve(clinician_client, ready):
    page = clinician_client.get(reverse("patients:patient-detail", args=[ready.patient_id]))
    text = page.content.decode()
    assert "3 of 3 green" in text
    assert "ready to progress" in text
    assert "3 green sessions at level 2" in text
    assert "Approve level 3" in text


def streak_on_page(client, assignment):
    page = client.get(reverse("patients:patient-detail", args=[assignment.patient_id]))
    (item,) = page.context["current"].item_list
    return item.green_streak, item.latest_decision


def test_the_streak_counts_the_newest_greens_at_the_current_level(clinician_client, assignment):
    day = timedelta(days=1)
    green_day(assignment, START)
    green_day(assignment, START + day)
    assert streak_on_page(clinician_client, assignment)[0] == 2
    green_day(assignment, START + 2 * day, pain_now=4)  # morning pain above usual: amber
    streak, latest = streak_on_page(clinician_client, assignment)
    assert streak == 0 and latest.action == "hold"
    green_day(assignment, START + 3 * day)
    assert streak_on_page(clinician_client, assignment)[0] == 1
    for number in range(4, 8):
        green_day(assignment, START + number * day)
    # Past the number needed it reads as enough; the item waits for approval.
    streak, latest = streak_on_page(clinician_client, assignment)
    assert streak == 3 and latest.action == "progress"


def test_the_streak_starts_again_at_a_new_level(clinician_client, clinician, ready):
    item = AssignmentItem.objects.get(assignment=ready)
    services.move_level(item=item, to_level=3, by=clinician, reason="did well")
    streak, latest = streak_on_page(clinician_client, ready)
    assert streak == 0 and latest.action == "moved" and latest.actor == clinician


@pytest.mark.parametrize("sessions", [5, 70])
@pytest.mark.parametrize("levels_changed_days_ago", [200, 3])
def test_streaks_from_the_newest_sessions_match_the_database(
    patient, clinician, sessions, levels_changed_days_ago
):
    """The page reads each item's streak from the charts' sessions where they suffice, and
    from the database where they may not: both give the same answer."""
    from patients import history, review
    from tests.patients.test_gating import DAY

    record = patient.patient_record
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=3)
    assignment = services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    first, second = assignment.items.order_by("order")
    since = timezone.now() - levels_changed_days_ago * DAY
    assignment.items.update(level_since=since)
    start = timezone.now() - (sessions + 2) * DAY
    for number in range(sessions):
        # The second item only in the first sessions: it is missing from the newest ones.
        items = [first, second] if number < 3 else [first]
        when = start + number * DAY
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
                    pain_after=2,
                )
                for item in items
            ],
            now=when,
        ).session
        if number % 5 != 2:  # a few mornings unanswered
            services.record_check_in(
                session=session, pain_now=3, worse_than_usual=False, now=when + DAY / 2
            )
    recent = history.recent_sessions(record)

    def streaks(**kwargs):
        fresh = Assignment.objects.get(pk=assignment.pk)
        fresh.item_list = list(fresh.items.order_by("order"))
        review.annotate_item_progress(fresh, **kwargs)
        return [item.green_streak for item in fresh.item_list]

    from_recent = streaks(recent=recent, recent_all=len(recent) < history.CHART_SESSIONS)
    assert from_recent == streaks()


def test_the_patient_page_decides_sessions_whose_check_in_wait_ran_out(
    clinician_client, assignment
):
    session = log(assignment, timezone.now() - timedelta(hours=40))
    assert SessionEntry.objects.get(session=session).response == "provisional"
    streak, latest = streak_on_page(clinician_client, assignment)
    assert SessionEntry.objects.get(session=session).response == "amber"
    assert latest.action == "hold"


def test_approve_from_the_page(clinician_client, ready, clinician):
    response = clinician_client.post(item_url(ready, "approve"))
    assert response.status_code == 302
    assert level_of(ready) == 3
    assert Decision.objects.filter(action="approved", actor=clinician).exists()


def test_decline_needs_a_reason(clinician_client, ready):
    clinician_client.post(item_url(ready, "decline"), {"reason": ""})
    assert ready.items.get().awaiting_approval is not None
    clinician_client.post(item_url(ready, "decline"), {"reason": "see in clinic first"})
    assert ready.items.get().awaiting_approval is None
    assert level_of(ready) == 2


def test_move_level_needs_a_reason_and_a_real_level(clinician_client, assignment):
    clinician_client.post(item_url(assignment, "move"), {"level": "4", "reason": ""})
    assert level_of(assignment) == 2
    response = clinician_client.post(
        item_url(assignment, "move"), {"level": "9", "reason": "x"}, follow=True
    )
    assert "Choose a level between 1 and 4" in response.content.decode()
    clinician_client.post(item_url(assignment, "move"), {"level": "4", "reason": "did well"})
    assert level_of(assignment) == 4


def test_unknown_action_is_404(clinician_client, assignment):
    assert clinician_client.post(item_url(assignment, "explode")).status_code == 404


def test_red_shows_on_the_dashboard_until_acknowledged(clinician_client, assignment):
    log(assignment, timezone.now() - timedelta(hours=1), increased_pain=True)
    dashboard = clinician_client.get(reverse("patients:dashboard"))
    assert dashboard.context["counts"]["alerts"] == 1
    assert "Red: level lowered" in dashboard.content.decode()
    alert = Alert.objects.get()
    clinician_client.post(reverse("patients:alert-ack", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert clinician_client.get(reverse("patients:dashboard")).context["counts"]["alerts"] == 0


def attention(response):
    """(kind, patient's last name) of every row the dashboard shows."""
    return {
        (row.kind, row.patient.last_name)
        for section in response.context["sections"]
        for row in section.rows
    }


def test_ready_and_quiet_and_missed_rows(clinician_client, clinician, ready):
    quiet = PatientFactory(clinic=clinician.clinic, clinician=clinician, last_name="Quiet")
    services.assign_programme(
        patient=quiet,
        programme=programme_with_ladders(clinic=clinician.clinic),
        by=clinician,
        start_date=timezone.localdate() - timedelta(days=10),
        rule_profile="strict",
    )
    log(ready, timezone.now() - timedelta(hours=40))  # its check-in never came
    response = clinician_client.get(reverse("patients:dashboard"))
    kinds = attention(response)
    assert ("ready", "Quinn") in kinds
    assert ("quiet", "Quiet") in kinds
    assert ("missed-check-in", "Quinn") in kinds
    assert response.context["counts"] == {"alerts": 0, "ready": 1, "quiet": 1, "missed": 1}


def test_the_dashboard_decides_a_shown_session_whose_check_in_wait_ran_out(
    clinician_client, assignment
):
    session = log(assignment, timezone.now() - timedelta(hours=40))
    # Logged 40 hours ago, the session still waits (the scheduled job has not run yet).
    SessionEntry.objects.filter(session=session).update(response="provisional")
    response = clinician_client.get(reverse("patients:dashboard"))
    assert SessionEntry.objects.get(session=session).response == "amber"
    (shown,) = response.context["recent_sessions"]
    assert [response for _name, response in shown.entries] == ["amber"]


def test_the_patient_page_decides_a_shown_session_whose_check_in_wait_ran_out(
    clinician_client, assignment
):
    session = log(assignment, timezone.now() - timedelta(hours=40))
    SessionEntry.objects.filter(session=session).update(response="provisional")
    response = clinician_client.get(
        reverse("patients:patient-detail", args=[assignment.patient_id])
    )
    assert SessionEntry.objects.get(session=session).response == "amber"
    # The page shows what was decided, not the reading it had before.
    (shown,) = response.context["recent_sessions"]
    assert [entry["response"] for entry in shown.entries] == ["amber"]
    (item,) = response.context["current"].item_list
    assert item.latest_decision.reasons


def quiet_patients(clinician, count):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    for number in range(count):
        services.assign_programme(
            patient=PatientFactory(
                clinic=clinician.clinic, clinician=clinician, last_name=f"Quiet{number:02}"
            ),
            programme=programme,
            by=clinician,
            start_date=timezone.localdate() - timedelta(days=10),
            rule_profile="strict",
        )


def test_each_kind_shows_its_first_rows_the_true_count_and_a_link_to_all(
    clinician_client, clinician
):
    quiet_patients(clinician, DASHBOARD_ROWS + 3)
    response = clinician_client.get(reverse("patients:dashboard"))
    quiet = next(s for s in response.context["sections"] if s.kind.key == "quiet")
    assert len(quiet.rows) == DASHBOARD_ROWS
    assert quiet.total == DASHBOARD_ROWS + 3
    assert response.context["counts"]["quiet"] == DASHBOARD_ROWS + 3
    text = response.content.decode()
    assert reverse("patients:attention-list", args=["quiet"]) in text
    assert f"See all {DASHBOARD_ROWS + 3}" in text


def test_the_full_list_of_a_kind_pages_through_every_row(clinician_client, clinician):
    quiet_patients(clinician, 53)
    url = reverse("patients:attention-list", args=["quiet"])
    first = clinician_client.get(url)
    assert len(first.context["rows"]) == 50
    second = clinician_client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 3
    names = {row.patient.last_name for row in first.context["rows"] + second.context["rows"]}
    assert names == {f"Quiet{number:02}" for number in range(53)}
    assert "No session in 7 days" in first.content.decode()


@pytest.mark.parametrize("kind", ["alerts", "everything"])
def test_attention_list_of_an_unknown_kind_is_404(clinician_client, kind):
    # Alerts are listed (and acknowledged) on the alert list.
    url = reverse("patients:attention-list", args=[kind])
    assert clinician_client.get(url).status_code == 404


def test_attention_list_shows_only_the_clinics_rows(login, clinician, outsider):
    quiet_patients(clinician, 2)
    url = reverse("patients:attention-list", args=["quiet"])
    assert len(login(clinician).get(url).context["rows"]) == 2
    assert login(outsider).get(url).context["rows"] == []


def test_ready_items_are_the_clinics_own(login, clinician, outsider, ready):
    url = reverse("patients:attention-list", args=["ready"])
    (row,) = login(clinician).get(url).context["rows"]
    assert row.patient.pk == ready.patient_id and "3 green sessions" in row.detail
    assert login(outsider).get(url).context["rows"] == []
    assert login(outsider).get(reverse("patients:dashboard")).context["counts"]["ready"] == 0


def test_a_paused_programme_is_not_ready(clinician_client, ready):
    ready.status = "paused"
    ready.save()
    assert clinician_client.get(reverse("patients:dashboard")).context["counts"]["ready"] == 0


def counts_on_the_dashboard(client):
    response = client.get(reverse("patients:dashboard"))
    return response, response.context["counts"]


def test_the_slow_sections_are_kept_for_minutes_and_say_when_they_were_read(
    clinician_client, clinician, ready, django_assert_num_queries
):
    quiet_patients(clinician, 2)
    first, counts = counts_on_the_dashboard(clinician_client)
    assert (counts["quiet"], counts["ready"]) == (2, 1)
    assert "updated every few minutes" in first.content.decode()
    # A third quiet patient and a second item ready: the kept "quiet" count lags, the
    # ready count does not.
    quiet_patients(clinician, 1)
    services.move_level(
        item=AssignmentItem.objects.get(pk=the_item(ready).pk),
        to_level=1,
        by=clinician,
        reason="Easier",
    )
    # The two slow kinds are not read again: 8 queries less those 2.
    with django_assert_num_queries(6):
        _again, counts = counts_on_the_dashboard(clinician_client)
    assert counts["quiet"] == 2
    assert counts["ready"] == 0  # approving or moving the level clears it at once
    cache.clear()  # as if the few minutes had passed
    _later, counts = counts_on_the_dashboard(clinician_client)
    assert counts["quiet"] == 3


def test_each_clinic_keeps_its_own_slow_sections(client, login, clinician, outsider):
    quiet_patients(clinician, 2)
    assert counts_on_the_dashboard(login(clinician))[1]["quiet"] == 2
    response, counts = counts_on_the_dashboard(login(outsider))
    assert counts["quiet"] == 0
    assert "Quiet00" not in response.content.decode()


@pytest.mark.parametrize("patients", [3, 30])
def test_dashboard_query_count_is_constant(
    clinician_client, clinician, django_assert_num_queries, patients
):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=3)
    for _ in range(patients):
        record = PatientFactory(clinic=clinician.clinic, clinician=clinician)
        assignment = services.assign_programme(
            patient=record,
            programme=programme,
            by=clinician,
            start_date=timezone.localdate(),
            rule_profile="strict",
        )
        item = AssignmentItem.objects.get(assignment=assignment)
        services.log_session(
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
        )
    # Session and user; recent sessions with their entries; one per kind of attention
    # (alerts, ready, quiet, missed: each with its total); the active patients.
    with django_assert_num_queries(8):
        response = clinician_client.get(reverse("patients:dashboard"))
    assert response.context["counts"]["alerts"] == patients
    alerts = response.context["sections"][0]
    assert len(alerts.rows) == min(patients, DASHBOARD_ROWS)


def test_attention_list_query_count_is_constant(
    clinician_client, clinician, django_assert_num_queries
):
    quiet_patients(clinician, 3)
    url = reverse("patients:attention-list", args=["quiet"])
    with django_assert_num_queries(4):  # session, user, count, the page
        clinician_client.get(url)
    quiet_patients(clinician, 30)
    with django_assert_num_queries(4):
        clinician_client.get(url)


def test_alert_list_and_other_clinic_alert_is_404(login, clinician, outsider, assignment):
    log(assignment, timezone.now(), increased_pain=True)
    alert = Alert.objects.get()
    assert alert in login(clinician).get(reverse("patients:alert-list")).context["alerts"]
    client = login(outsider)
    assert alert not in client.get(reverse("patients:alert-list")).context["alerts"]
    assert client.post(reverse("patients:alert-ack", args=[alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize("action", ["approve", "decline", "move"])
def test_outsider_gets_404_and_patient_403_on_item_actions(login, outsider, patient, ready, action):
    url = item_url(ready, action)
    assert login(outsider).post(url, {"level": "1", "reason": "x"}).status_code == 404
    assert login(patient).post(url, {"level": "1", "reason": "x"}).status_code == 403
    assert level_of(ready) == 2


def test_patient_gets_403_on_alerts(login, patient, assignment):
    log(assignment, timezone.now(), increased_pain=True)
    client = login(patient)
    assert client.get(reverse("patients:alert-list")).status_code == 403
    alert = Alert.objects.get()
    assert client.post(reverse("patients:alert-ack", args=[alert.pk])).status_code == 403


def test_patient_is_told_the_outcome_and_the_new_level(login, patient, assignment):
    client = login(patient)
    session = log(assignment, timezone.now(), increased_pain=True)
    page = client.get(reverse("patients:session-detail", args=[session.pk])).content.decode()
    assert "stop this exercise today" in page
    assert "your level changed from 2 to 1" in page
    today = client.get(reverse("patients:portal")).content.decode()
    assert "is back to level 1" in today


def test_expire_command_decides_on_stale_sessions(assignment, capsys):
    from django.core.management import call_command

    log(assignment, timezone.now() - timedelta(hours=40))
    call_command("expire_check_ins")
    assert "Re-decided" in capsys.readouterr().out
    assert Decision.objects.get().action == "hold"
