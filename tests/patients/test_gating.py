"""The progression rules wired to the database: sessions, check-ins, decisions, alerts."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from patients import services
from patients.models import Alert, AlertKind, AssignmentItem, Decision, SessionEntry
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
START = timezone.now() - 10 * DAY


@pytest.fixture
def record(patient):
    record = patient.patient_record
    record.baseline_pain = 3
    record.save()
    return record


def make_assignment(record, clinician, *, levels=4, start=2, auto_advance=False):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=levels)
    item = programme.items.get()
    assignment = services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
        auto_advance=auto_advance,
        starting_levels={item.pk: start},
    )
    # The scenarios replay the last ten days.
    assignment.items.update(level_since=START - DAY)
    return assignment


@pytest.fixture
def assignment(record, clinician):
    return make_assignment(record, clinician)


def the_item(assignment):
    item = AssignmentItem.objects.select_related("current_level").get(assignment=assignment)
    return item


def log(assignment, when, **changes):
    item = the_item(assignment)
    level = item.current_level
    values = dict(
        item_id=item.pk,
        sets_done=level.sets,
        per_set=(level.hold_seconds,) * level.sets,
        effort=5,
        pain_before=3,
        pain_during=3,
        pain_after=2,
    )
    values.update(changes)
    return services.log_session(
        assignment=assignment,
        submission_key=uuid.uuid4(),
        entries=[services.EntryInput(**values)],
        now=when,
    ).session


def green_day(assignment, when, pain_now=3):
    session = log(assignment, when)
    services.record_check_in(
        session=session, pain_now=pain_now, worse_than_usual=False, now=when + timedelta(hours=14)
    )
    return session


def level_of(assignment):
    item = the_item(assignment)
    return services.level_number(item, item.current_level_id)


def test_three_green_days_make_the_item_ready(assignment):
    for day in range(3):
        green_day(assignment, START + day * DAY)
    item = the_item(assignment)
    ready = item.awaiting_approval
    assert ready.action == "progress"
    assert ready.by_engine
    assert "3 green sessions at level 2" in ready.reasons[0]
    assert ready.rule_version and ready.profile == "strict"
    assert len(ready.sessions_used) == 3
    assert level_of(assignment) == 2


def test_provisional_session_does_not_count_yet(assignment):
    green_day(assignment, START)
    green_day(assignment, START + DAY)
    log(assignment, START + 2 * DAY)  # no check-in yet
    item = the_item(assignment)
    assert item.awaiting_approval is None
    assert SessionEntry.objects.order_by("-id").first().response == "provisional"


def test_approve_moves_up_a_level(assignment, clinician):
    for day in range(3):
        green_day(assignment, START + day * DAY)
    decision = services.approve_progression(item=the_item(assignment), by=clinician)
    assert decision.actor == clinician and decision.to_level == 3
    assert level_of(assignment) == 3
    assert the_item(assignment).awaiting_approval is None


def test_decline_keeps_the_level_and_restarts_the_streak(assignment, clinician):
    for day in range(3):
        green_day(assignment, START + day * DAY)
    services.decline_progression(item=the_item(assignment), by=clinician, reason="wait for review")
    assert level_of(assignment) == 2
    green_day(assignment, START + 3 * DAY)
    assert the_item(assignment).awaiting_approval is None


def test_auto_advance_moves_at_once(record, clinician):
    assignment = make_assignment(record, clinician, auto_advance=True)
    for day in range(3):
        green_day(assignment, START + day * DAY)
    assert level_of(assignment) == 3
    assert Decision.objects.filter(action="advance").count() == 1


def test_amber_holds_and_breaks_the_streak(assignment):
    green_day(assignment, START)
    green_day(assignment, START + DAY)
    session = log(assignment, START + 2 * DAY, effort=7)
    services.record_check_in(
        session=session,
        pain_now=3,
        worse_than_usual=False,
        now=START + 2 * DAY + timedelta(hours=14),
    )
    green_day(assignment, START + 3 * DAY)
    assert the_item(assignment).awaiting_approval is None
    assert Decision.objects.filter(action="hold").count() == 1


def test_red_regresses_at_once_alerts_and_emails(assignment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log(assignment, START, increased_pain=True)
    assert level_of(assignment) == 1
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.RED
    assert alert.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [assignment.patient.clinician.email]


def test_red_at_level_one_pauses_the_item(record, clinician):
    assignment = make_assignment(record, clinician, start=1)
    log(assignment, START, pain_during=8)
    item = the_item(assignment)
    assert item.paused
    assert Alert.objects.get().kind == AlertKind.PAUSED
    log(assignment, START + DAY)  # later sessions are not decided while paused
    assert Decision.objects.count() == 1


def test_two_reds_in_a_row_need_attention(record, clinician):
    assignment = make_assignment(record, clinician, start=3)
    log(assignment, START, increased_pain=True)
    log(assignment, START + DAY, increased_pain=True)
    assert level_of(assignment) == 1
    assert Alert.objects.filter(kind=AlertKind.TWO_REDS).count() == 1


def test_bad_morning_turns_a_session_red(assignment):
    session = log(assignment, START)
    services.record_check_in(
        session=session, pain_now=6, worse_than_usual=True, now=START + timedelta(hours=14)
    )
    assert level_of(assignment) == 1
    assert SessionEntry.objects.get().response == "red"


def test_missing_check_in_becomes_amber_after_36_hours(assignment):
    log(assignment, START)
    services.expire_pending_check_ins(now=START + timedelta(hours=37))
    assert SessionEntry.objects.get().response == "amber"
    assert Decision.objects.get().action == "hold"


def test_clinician_moves_a_level_with_a_reason(assignment, clinician):
    decision = services.move_level(
        item=the_item(assignment), to_level=4, by=clinician, reason="tolerating well in clinic"
    )
    assert decision.action == "moved" and decision.to_level == 4
    assert "tolerating well in clinic" in decision.reasons[0]
    assert decision.patient_id == assignment.patient_id
    assert level_of(assignment) == 4
    with pytest.raises(services.DecisionError):
        services.move_level(item=the_item(assignment), to_level=9, by=clinician, reason="x")


def test_move_in_between_restarts_the_count(assignment, clinician):
    green_day(assignment, START)
    green_day(assignment, START + DAY)
    services.move_level(item=the_item(assignment), to_level=3, by=clinician, reason="try")
    green_day(assignment, timezone.now() + timedelta(minutes=1))
    assert the_item(assignment).awaiting_approval is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_red_posts_change_the_level_once(patient, clinician):
    record = patient.patient_record
    assignment = make_assignment(record, clinician, start=3)
    item = the_item(assignment)
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    errors = []

    def post():
        try:
            barrier.wait()
            services.log_session(
                assignment=assignment,
                submission_key=key,
                entries=[
                    services.EntryInput(
                        item_id=item.pk,
                        sets_done=3,
                        per_set=(30, 30, 30),
                        effort=5,
                        pain_before=3,
                        pain_during=3,
                        pain_after=3,
                        increased_pain=True,
                    )
                ],
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Decision.objects.filter(action="regress").count() == 1
    assert level_of(assignment) == 2
