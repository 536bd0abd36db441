import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.audit import ASSIGNED, ENGINE, act_as
from patients.changes import ChangeLog
from patients.models import Assignment, AssignmentItem, AssignmentLevel, Decision, Patient
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(patient):
    return patient.patient_record


@pytest.fixture
def assignment(record, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, name="Back stability")
    items = list(programme.items.order_by("order"))
    items[0].title = "Supported abdominal brace"
    items[0].save()
    return services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )


def brace(assignment):
    return assignment.items.get(title="Supported abdominal brace")


def log_green_session(assignment):
    """A tolerated session with its morning check-in, so it counts as green."""
    item = brace(assignment)
    session = services.log_session(
        assignment=assignment,
        submission_key=uuid.uuid4(),
        entries=[
            services.EntryInput(
                item_id=item.pk,
                sets_done=3,
                per_set=(10, 10, 10),
                effort=5,
                pain_before=2,
                pain_during=2,
                pain_after=2,
            )
        ],
    ).session
    services.record_check_in(session=session, pain_now=2, worse_than_usual=False)


def page_text(client, record):
    """The patient record's change history tab."""
    return client.get(reverse("patients:patient-changes", args=[record.pk])).content.decode()


class TestWhatIsRecorded:
    def test_a_clinician_moving_a_level_is_recorded_with_before_and_after(
        self, clinician_client, clinician, record, assignment
    ):
        item = brace(assignment)
        url = reverse("patients:item-decision", args=[record.pk, assignment.pk, item.pk, "move"])
        clinician_client.post(url, {"level": "2", "reason": "Ready after review"})

        row = AssignmentItem.history.filter(id=item.pk).latest("history_date")
        assert row.history_user == clinician
        assert row.prev_record.current_level.order == 1
        assert row.current_level.order == 2
        text = page_text(clinician_client, record)
        assert "Level of Supported abdominal brace: 1 → 2" in text
        assert str(clinician) in text

    def test_pausing_names_the_clinician_and_the_status_change(
        self, clinician_client, clinician, record, assignment
    ):
        url = reverse("patients:assignment-status", args=[record.pk, assignment.pk])
        clinician_client.post(url, {"action": "pause"})

        row = Assignment.history.filter(id=assignment.pk).latest("history_date")
        assert (row.prev_record.status, row.status) == ("active", "paused")
        assert row.history_user == clinician
        assert "Status: Active → Paused" in page_text(clinician_client, record)

    def test_a_dose_change_reads_as_before_and_after(
        self, clinician_client, clinician, record, assignment
    ):
        level = brace(assignment).levels.order_by("order").first()
        level.hold_seconds = 20
        act_as(level, user=clinician).save()

        text = page_text(clinician_client, record)
        assert "Supported abdominal brace, level 1" in text
        assert "Hold seconds: 10 → 20" in text

    def test_the_rules_engine_not_the_patient_is_named_for_a_regression(
        self, login, patient, clinician, record, assignment
    ):
        services.move_level(item=brace(assignment), to_level=2, by=clinician, reason="Review")
        # The patient's own request logs a flare; the engine lowers the level.
        response = login(patient).post(
            "/api/v1/sessions/",
            {
                "assignment": assignment.pk,
                "entries": [
                    {
                        "item": brace(assignment).pk,
                        "sets_done": 3,
                        "per_set": [10, 10, 10],
                        "effort": 5,
                        "pain_before": 2,
                        "pain_during": 8,
                        "pain_after": 8,
                        "increased_pain": True,
                    }
                ],
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

        row = AssignmentItem.history.filter(id=brace(assignment).pk).latest("history_date")
        assert row.history_user is None
        assert row.history_change_reason == ENGINE
        decision_row = Decision.history.latest("history_date")
        assert decision_row.action == "regress"
        assert decision_row.history_user is None
        changes = ChangeLog(record)[:20]
        assert changes[0].who == "rules engine"
        assert changes[0].lines == ["Level of Supported abdominal brace: 2 → 1"]

    def test_a_background_change_is_by_the_system(self, record, clinician_client):
        patient = Patient.objects.get(pk=record.pk)
        patient.baseline_pain = 5
        patient.save()  # no request, no named user: a script or a task

        changes = ChangeLog(record)[:20]
        assert (changes[0].who, changes[0].lines) == ("system", ["Baseline pain: 3 → 5"])
        assert "<em>system</em>" in page_text(clinician_client, record)

    def test_ready_to_progress_by_the_engine_is_recorded(self, record, assignment):
        for _ in range(3):
            log_green_session(assignment)

        changes = ChangeLog(record)[:20]
        assert changes[0].who == "rules engine"
        assert "Ready to progress: no → yes" in changes[0].lines

    def test_a_save_that_changes_nothing_writes_no_row(self, record):
        before = Patient.history.filter(id=record.pk).count()
        Patient.objects.get(pk=record.pk).save()
        assert Patient.history.filter(id=record.pk).count() == before

    def test_archiving_records_that_the_programme_finished(self, clinician, record, assignment):
        services.set_patient_archived(patient=record, archived=True)

        row = Assignment.history.filter(id=assignment.pk).latest("history_date")
        assert (row.prev_record.status, row.status) == ("active", "finished")

    def test_assigning_records_every_copy_but_shows_one_line(self, clinician, record, assignment):
        levels = AssignmentLevel.history.filter(item__assignment=assignment)
        assert levels.count() == 6
        assert set(levels.values_list("history_change_reason", flat=True)) == {ASSIGNED}
        assert set(levels.values_list("history_user", flat=True)) == {clinician.pk}

        changes = ChangeLog(record)[:20]
        assert [(c.subject, c.lines) for c in changes] == [
            ("Programme Back stability", ["Assigned"]),
            ("Patient record", ["Record created"]),
        ]

    def test_decisions_are_recorded_too(self, clinician, record, assignment):
        decision = services.move_level(
            item=brace(assignment), to_level=3, by=clinician, reason="Strong"
        )
        row = Decision.history.get(id=decision.pk)
        assert (row.history_type, row.history_user, row.to_level) == ("+", clinician, 3)


# The overview: browser session, user, patient, newest programme, newest sessions with
# their entries, the items (each with its latest decision's id), their levels, those
# latest decisions, open alerts, PSFS scores.
PATIENT_PAGE_QUERIES = 10


class TestPages:
    def test_the_patient_page_has_a_change_history_tab(
        self, clinician_client, clinician, record, assignment
    ):
        services.move_level(item=brace(assignment), to_level=3, by=clinician, reason="Try")
        overview = clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))
        url = reverse("patients:patient-changes", args=[record.pk])
        assert f'href="{url}">Change history</a>' in overview.content.decode()
        changes = clinician_client.get(url).context["changes"]
        assert changes[0].lines == ["Level of Supported abdominal brace: 1 → 3"]
        assert [change.lines for change in changes[-2:]] == [["Assigned"], ["Record created"]]

    def test_a_short_history_is_shown_whole(self, clinician_client, record, assignment):
        response = clinician_client.get(reverse("patients:patient-changes", args=[record.pk]))
        lines = [change.lines for change in response.context["changes"]]
        assert lines == [["Assigned"], ["Record created"]]
        assert response.context["page_obj"].has_next() is False

    def test_the_full_history_is_paginated_newest_first(
        self, clinician_client, clinician, record, assignment
    ):
        item = brace(assignment)
        for number in range(60):
            services.move_level(item=item, to_level=number % 3 + 1, by=clinician, reason="Try")
        url = reverse("patients:patient-changes", args=[record.pk])
        first = clinician_client.get(url)
        assert first.status_code == 200
        assert first.context["page_obj"].paginator.num_pages == 2
        dates = [change.when for change in first.context["changes"]]
        assert dates == sorted(dates, reverse=True)
        last = clinician_client.get(url, {"page": 2})
        assert last.context["changes"][-1].lines == ["Record created"]
        assert clinician_client.get(url, {"page": "nonsense"}).status_code == 200

    @pytest.mark.parametrize("moves", [3, 60])
    def test_the_patient_page_query_count_does_not_grow_with_history(
        self, clinician_client, clinician, record, assignment, django_assert_num_queries, moves
    ):
        item = brace(assignment)
        for number in range(moves):
            services.move_level(item=item, to_level=number % 3 + 1, by=clinician, reason="Try")
        # The history is a tab of its own: the overview reads none of it.
        with django_assert_num_queries(PATIENT_PAGE_QUERIES):
            clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))

    @pytest.mark.parametrize("moves", [3, 30])
    def test_the_full_history_query_count_is_constant(
        self, clinician_client, clinician, record, assignment, django_assert_num_queries, moves
    ):
        item = brace(assignment)
        for number in range(moves):
            services.move_level(item=item, to_level=number % 3 + 1, by=clinician, reason="Try")
        # session, user, patient, count, page, the three history tables on the page (the
        # patient, the programme, its item), the names of the item's levels
        with django_assert_num_queries(9):
            clinician_client.get(reverse("patients:patient-changes", args=[record.pk]))

    def test_a_change_log_slice_costs_the_same_as_its_count_says(self, record, assignment):
        log_ = ChangeLog(record)
        assert log_.count() == len(log_[0:100]) == 2


class TestWhoMaySeeIt:
    def url(self, record):
        return reverse("patients:patient-changes", args=[record.pk])

    def test_anonymous_is_sent_to_sign_in(self, client, record):
        response = client.get(self.url(record))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_a_patient_gets_403(self, login, patient, record):
        assert login(patient).get(self.url(record)).status_code == 403

    def test_another_clinics_clinician_gets_404(self, login, outsider, record):
        assert login(outsider).get(self.url(record)).status_code == 404

    def test_a_colleague_sees_it(self, login, colleague, record):
        assert login(colleague).get(self.url(record)).status_code == 200

    def test_the_patient_never_sees_the_change_history(self, login, patient, assignment):
        client = login(patient)
        for name in ("patients:portal", "patients:history"):
            assert "Change history" not in client.get(reverse(name)).content.decode()
