import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.models import AssignmentItem, CheckIn, PsfsRating, Session
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(patient):
    return patient.patient_record


@pytest.fixture
def assignment(record, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, name="Back stability")
    return services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )


@pytest.fixture
def patient_client(login, patient):
    return login(patient)


def log_data(assignment, key=None, **overrides):
    data = {"submission_key": str(key or uuid.uuid4()), "notes": ""}
    for item in AssignmentItem.objects.filter(assignment=assignment):
        prefix = f"item-{item.pk}-"
        data.update(
            {
                prefix + "sets_done": "3",
                prefix + "per_set": "10, 10, 10",
                prefix + "effort": "5",
                prefix + "pain_before": "3",
                prefix + "pain_during": "3",
                prefix + "pain_after": "2",
            }
        )
    data.update(overrides)
    return data


def entry(item, **overrides):
    fields = dict(
        item_id=item.pk,
        sets_done=3,
        per_set=(10, 10, 10),
        effort=5,
        pain_before=3,
        pain_during=3,
        pain_after=2,
    )
    fields.update(overrides)
    return services.EntryInput(**fields)


def first_item(assignment):
    return assignment.items.order_by("order").first()


class TestLogging:
    def test_form_is_prefilled_from_the_prescription(self, patient_client, assignment):
        response = patient_client.get(reverse("patients:session-log"))
        forms = response.context["entry_forms"]
        assert len(forms) == 2
        assert forms[0]["sets_done"].value() == 3
        assert 'data-hold="10"' in response.content.decode()
        assert response.context["session_form"]["submission_key"].value()

    def test_saving_records_the_level_as_prescribed(self, patient_client, assignment):
        response = patient_client.post(reverse("patients:session-log"), log_data(assignment))
        session = Session.objects.get()
        assert response.url == reverse("patients:session-detail", args=[session.pk])
        entries = list(session.entries.order_by("item__order"))
        assert [e.level_number for e in entries] == [1, 1]
        assert entries[0].per_set == [10, 10, 10]
        assert entries[0].prescribed_hold_seconds == 10
        assert entries[0].effort_target == 6

    def test_resubmitting_the_same_form_makes_one_session(self, patient_client, assignment):
        data = log_data(assignment)
        first = patient_client.post(reverse("patients:session-log"), data)
        second = patient_client.post(reverse("patients:session-log"), data)
        assert Session.objects.count() == 1
        assert first.url == second.url

    def test_a_new_form_makes_a_new_session(self, patient_client, assignment):
        patient_client.post(reverse("patients:session-log"), log_data(assignment))
        patient_client.post(reverse("patients:session-log"), log_data(assignment))
        assert Session.objects.count() == 2

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("pain_during", "11", "less than or equal to 10"),
            ("effort", "", "This field is required"),
            ("per_set", "10, ten", "whole numbers"),
            ("per_set", "10, 10", "You said 3 sets but gave 2 numbers"),
            ("per_set", "10, 10, 900", "between 0 and 600"),
        ],
    )
    def test_invalid_entry_keeps_what_was_typed(
        self, patient_client, assignment, field, value, message
    ):
        item = first_item(assignment)
        data = log_data(assignment, **{f"item-{item.pk}-{field}": value, "notes": "felt ok"})
        response = patient_client.post(reverse("patients:session-log"), data)
        assert response.status_code == 200
        form = response.context["entry_forms"][0]
        assert message in str(form.errors), form.errors
        assert "felt ok" in response.content.decode()
        assert not Session.objects.exists()

    def test_skipped_exercise_is_not_logged(self, patient_client, assignment):
        item = first_item(assignment)
        data = log_data(
            assignment, **{f"item-{item.pk}-skipped": "on", f"item-{item.pk}-effort": ""}
        )
        patient_client.post(reverse("patients:session-log"), data)
        assert Session.objects.get().entries.count() == 1

    def test_skipping_everything_is_refused(self, patient_client, assignment):
        data = log_data(assignment)
        for item in assignment.items.all():
            data[f"item-{item.pk}-skipped"] = "on"
        response = patient_client.post(reverse("patients:session-log"), data)
        assert "Log at least one exercise" in response.content.decode()
        assert not Session.objects.exists()

    def test_empty_per_set_means_the_prescribed_hold(self, patient_client, assignment):
        item = first_item(assignment)
        patient_client.post(
            reverse("patients:session-log"),
            log_data(
                assignment, **{f"item-{item.pk}-per_set": "", f"item-{item.pk}-sets_done": "2"}
            ),
        )
        entry = Session.objects.get().entries.get(item=item)
        assert entry.per_set == [10, 10]

    def test_paused_programme_cannot_be_logged(self, patient_client, assignment):
        services.change_assignment_status(assignment=assignment, action="pause")
        response = patient_client.get(reverse("patients:session-log"))
        assert response.url == reverse("patients:portal")
        patient_client.post(reverse("patients:session-log"), log_data(assignment))
        assert not Session.objects.exists()

    def test_flare_tells_the_patient_to_stop(self, patient_client, assignment):
        item = first_item(assignment)
        data = log_data(assignment, **{f"item-{item.pk}-increased_pain": "on"})
        response = patient_client.post(reverse("patients:session-log"), data, follow=True)
        text = response.content.decode()
        assert "Stop these exercises for today" in text
        assert "contact your clinic if the pain stays up" in text

    def test_pain_of_seven_is_a_flare_too(self, patient_client, assignment):
        item = first_item(assignment)
        data = log_data(assignment, **{f"item-{item.pk}-pain_after": "7"})
        response = patient_client.post(reverse("patients:session-log"), data, follow=True)
        assert "Stop these exercises for today" in response.content.decode()

    def test_calm_session_gets_no_stop_message(self, patient_client, assignment):
        response = patient_client.post(
            reverse("patients:session-log"), log_data(assignment), follow=True
        )
        assert "Stop these exercises" not in response.content.decode()

    def test_technique_flags_give_cues(self, patient_client, assignment):
        item = first_item(assignment)
        data = log_data(
            assignment,
            **{f"item-{item.pk}-held_breath": "on", f"item-{item.pk}-braced_too_hard": "on"},
        )
        text = patient_client.post(
            reverse("patients:session-log"), data, follow=True
        ).content.decode()
        assert "breathe out slowly through the hold" in text
        assert "about a third of your maximum" in text

    def test_correction_note_keeps_the_numbers(self, patient_client, assignment):
        patient_client.post(reverse("patients:session-log"), log_data(assignment))
        session = Session.objects.get()
        url = reverse("patients:session-detail", args=[session.pk])
        patient_client.post(url, {"text": "Effort was really 6, not 5."})
        entry = session.entries.first()
        entry.refresh_from_db()
        assert entry.effort == 5
        assert session.correction_notes.get().text == "Effort was really 6, not 5."
        assert "Effort was really 6" in patient_client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_posts_make_one_session(patient, clinician):
    record = patient.patient_record
    programme = programme_with_ladders(clinic=clinician.clinic)
    assignment = services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    item = first_item(assignment)
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(
                services.log_session(
                    assignment=assignment, submission_key=key, entries=[entry(item)]
                )
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Session.objects.count() == 1
    assert sorted(result.created for result in results) == [False, True]
    assert len({result.session.pk for result in results}) == 1


class TestCheckIn:
    def yesterday_evening(self):
        now = timezone.localtime()
        return (now - timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)

    def session_at(self, assignment, when):
        return services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            entries=[entry(first_item(assignment))],
            now=when,
        ).session

    def test_next_morning_the_check_in_is_asked_first(self, patient_client, assignment):
        session = self.session_at(assignment, self.yesterday_evening())
        response = patient_client.get(reverse("patients:portal"))
        assert response.context["pending_check_ins"] == [session]
        assert "Answer the morning check-in" in response.content.decode()

    def test_no_check_in_on_the_same_day(self, patient_client, assignment):
        self.session_at(assignment, timezone.now())
        response = patient_client.get(reverse("patients:portal"))
        assert response.context["pending_check_ins"] == []

    def test_check_in_expires_after_36_hours(self, patient_client, assignment):
        self.session_at(assignment, timezone.now() - timedelta(hours=37))
        response = patient_client.get(reverse("patients:portal"))
        assert response.context["pending_check_ins"] == []

    def test_answering_links_it_to_the_session(self, patient_client, assignment):
        session = self.session_at(assignment, self.yesterday_evening())
        url = reverse("patients:check-in", args=[session.pk])
        response = patient_client.post(url, {"pain_now": "2", "worse_than_usual": "no"})
        assert response.url == reverse("patients:portal")
        check_in = CheckIn.objects.get(session=session)
        assert (check_in.pain_now, check_in.worse_than_usual) == (2, False)
        assert patient_client.get(reverse("patients:portal")).context["pending_check_ins"] == []

    def test_second_answer_is_refused_politely(self, patient_client, assignment):
        session = self.session_at(assignment, self.yesterday_evening())
        url = reverse("patients:check-in", args=[session.pk])
        patient_client.post(url, {"pain_now": "2", "worse_than_usual": "no"})
        response = patient_client.post(
            url, {"pain_now": "5", "worse_than_usual": "yes"}, follow=True
        )
        assert "already has its check-in" in response.content.decode()
        assert CheckIn.objects.get().pain_now == 2

    def test_today_names_the_last_session(self, patient_client, assignment):
        assert (
            "Your last session"
            not in patient_client.get(reverse("patients:portal")).content.decode()
        )
        when = timezone.now() - timedelta(days=3)
        self.session_at(assignment, when)
        self.session_at(assignment, when - timedelta(days=2))
        page = patient_client.get(reverse("patients:portal")).content.decode()
        day = timezone.localtime(when).strftime("%A %-d %b")
        assert f"Your last session: {day}." in page

    def test_invalid_answer_shows_errors(self, patient_client, assignment):
        session = self.session_at(assignment, self.yesterday_evening())
        url = reverse("patients:check-in", args=[session.pk])
        response = patient_client.post(url, {"pain_now": "12"})
        assert set(response.context["form"].errors) == {"pain_now", "worse_than_usual"}


class TestPsfs:
    def test_setup_needs_three_activities(self, patient_client, assignment):
        assert patient_client.get(reverse("patients:portal")).context["psfs_due"] == "setup"
        response = patient_client.post(
            reverse("patients:psfs"), {"name_1": "Sitting in meetings", "score_new_1": "4"}
        )
        assert response.status_code == 200
        assert "at least 3" in response.content.decode()

    def test_score_is_the_mean_and_is_asked_again_after_14_days(self, patient_client, assignment):
        patient_client.post(
            reverse("patients:psfs"),
            {
                "name_1": "Sitting in meetings",
                "score_new_1": "4",
                "name_2": "Lifting my toddler",
                "score_new_2": "3",
                "name_3": "Gardening",
                "score_new_3": "6",
            },
        )
        rating = PsfsRating.objects.get()
        assert float(rating.score) == pytest.approx(4.33, abs=0.01)
        assert patient_client.get(reverse("patients:portal")).context["psfs_due"] is None
        PsfsRating.objects.update(rated_at=timezone.now() - timedelta(days=14))
        assert patient_client.get(reverse("patients:portal")).context["psfs_due"] == "rescore"
        form = patient_client.get(reverse("patients:psfs")).context["form"]
        assert [a.name for a in form.activities] == [
            "Sitting in meetings",
            "Lifting my toddler",
            "Gardening",
        ]

    def test_a_score_without_a_name_is_an_error(self, patient_client, assignment):
        response = patient_client.post(reverse("patients:psfs"), {"score_new_1": "4"})
        assert "Name the activity" in str(response.context["form"].errors)


class TestHistory:
    def test_history_lists_own_sessions_with_chart_data(self, patient_client, assignment):
        patient_client.post(reverse("patients:session-log"), log_data(assignment))
        response = patient_client.get(reverse("patients:history"))
        assert len(response.context["sessions"]) == 1
        data = response.context["chart_data"]
        assert data["pain_during"] == [3]
        assert data["holds"][0]["data"] == [10.0]
        assert 'id="history-data"' in response.content.decode()

    def test_empty_history_says_so(self, patient_client, assignment):
        assert "No sessions yet" in patient_client.get(reverse("patients:history")).content.decode()

    @pytest.mark.parametrize("sessions", [3, 30])
    def test_history_query_count_is_constant(
        self, patient_client, assignment, django_assert_num_queries, sessions
    ):
        items = list(assignment.items.all())
        for _ in range(sessions):
            services.log_session(
                assignment=assignment,
                submission_key=uuid.uuid4(),
                entries=[entry(item) for item in items],
            )
        # The weeks' counts come from the sessions the charts read (few sessions here).
        with django_assert_num_queries(10):
            patient_client.get(reverse("patients:history"))


def test_other_patient_cannot_see_or_answer_a_session(login, other_patient, patient, assignment):
    session = services.log_session(
        assignment=assignment, submission_key=uuid.uuid4(), entries=[entry(first_item(assignment))]
    ).session
    client = login(other_patient)
    assert client.get(reverse("patients:session-detail", args=[session.pk])).status_code == 404
    assert (
        client.post(
            reverse("patients:session-detail", args=[session.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("patients:check-in", args=[session.pk])).status_code == 404
    response = client.post(
        reverse("patients:check-in", args=[session.pk]), {"pain_now": "1", "worse_than_usual": "no"}
    )
    assert response.status_code == 404
    assert not CheckIn.objects.exists()
    assert session not in client.get(reverse("patients:history")).context["sessions"]


def test_other_patient_cannot_log_into_someone_elses_programme(login, other_patient, assignment):
    client = login(other_patient)
    data = log_data(assignment)
    client.post(reverse("patients:session-log"), data)
    assert not Session.objects.filter(patient=assignment.patient).exists()


@pytest.mark.parametrize(
    "name",
    [
        "patients:portal",
        "patients:session-log",
        "patients:history",
        "patients:psfs",
        "patients:my-print",
    ],
)
def test_clinician_gets_403_on_patient_pages(clinician_client, name):
    assert clinician_client.get(reverse(name)).status_code == 403


def test_finished_programme_is_no_longer_today(patient_client, assignment):
    services.change_assignment_status(assignment=assignment, action="finish")
    response = patient_client.get(reverse("patients:portal"))
    assert response.context["assignment"] is None


def test_damaged_submission_key_still_saves_once(patient_client, assignment):
    data = log_data(assignment)
    data["submission_key"] = "not-a-uuid"
    response = patient_client.post(reverse("patients:session-log"), data)
    assert response.status_code == 302
    assert Session.objects.count() == 1


def test_technique_flag_becomes_a_cue_next_time(patient_client, assignment):
    item = first_item(assignment)
    data = log_data(assignment, **{f"item-{item.pk}-held_breath": "on"})
    patient_client.post(reverse("patients:session-log"), data)
    page = patient_client.get(reverse("patients:session-log")).content.decode()
    assert "Last time you held your breath" in page


@pytest.mark.parametrize("items", [1, 4])
def test_today_query_count_is_constant(login, patient, clinician, django_assert_num_queries, items):
    programme = programme_with_ladders(clinic=clinician.clinic, items=items, levels=3)
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    for days in (3, 2, 1):
        services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            entries=[entry(item) for item in assignment.items.all()],
            now=timezone.now() - timedelta(days=days),
        )
    client = login(patient)
    # session, user, patient, assignment with PSFS state and last session, items with
    # today's levels, open check-ins, level changes
    with django_assert_num_queries(7):
        assert client.get(reverse("patients:portal")).status_code == 200
