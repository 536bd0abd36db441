"""The clinician's patient page: an overview with the latest sessions, and the patient's
whole record (sessions, decisions, programmes, changes) on tabs of its own."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from zeal import zeal_ignore

from patients import history, services
from patients.models import Invitation, Session, SessionNote
from tests.factories import PatientFactory, programme_with_ladders

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(patient):
    return patient.patient_record


@pytest.fixture
def assignment(record, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=3)
    return services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )


def log_sessions(assignment, count, *, every=timedelta(hours=20), **changes):
    """`count` sessions, the newest now, each with all items."""
    items = list(assignment.items.all())
    now = timezone.now()
    for number in reversed(range(count)):
        services.log_session(
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
                    **changes,
                )
                for item in items
            ],
            notes=f"session {number}",
            now=now - number * every,
        )


def detail(client, record):
    return client.get(reverse("patients:patient-detail", args=[record.pk]))


def test_each_items_ladder_shows_every_level_and_marks_the_current_one(
    clinician_client, record, assignment
):
    first = assignment.items.order_by("order").first()
    levels = list(first.levels.order_by("order"))
    first.current_level = levels[1]
    first.save()
    page = detail(clinician_client, record)
    (shown, _second) = page.context["current"].item_list
    assert [level.number for level in shown.level_list] == [1, 2, 3]
    assert [level.is_current for level in shown.level_list] == [False, True, False]
    assert shown.current_number == 2
    position = levels[0].get_position_display().split()[0]
    name = levels[0].exercise.name
    assert shown.level_list[1].summary == f"{name} · {position} … · 3 × 20 s"
    assert shown.level_list[1].choice == f"2. {name} 3 × 20 s"
    text = page.content.decode()
    assert "level 2 of 3" in text
    assert f'<option value="2" selected>2. {name} 3 × 20 s</option>' in text


class TestSessions:
    def test_the_page_shows_the_latest_ten_and_links_to_all(
        self, clinician_client, record, assignment
    ):
        log_sessions(assignment, 12)
        page = detail(clinician_client, record)
        shown = page.context["recent_sessions"]
        assert len(shown) == 10
        assert shown[0].performed_at > shown[-1].performed_at
        assert [len(session.entries) for session in shown] == [2] * 10
        assert page.context["more_sessions"] is True
        text = page.content.decode()
        assert reverse("patients:patient-sessions", args=[record.pk]) in text
        assert "Showing the latest 10 sessions." in text
        assert " · L1 · 3/3 · 5/10 · 2/2/2" in text

    def test_a_few_sessions_need_no_see_all_line(self, clinician_client, record, assignment):
        log_sessions(assignment, 3)
        page = detail(clinician_client, record)
        assert len(page.context["recent_sessions"]) == 3
        assert page.context["more_sessions"] is False
        text = page.content.decode()
        assert "Showing the latest" not in text and "All sessions" not in text

    def test_every_session_is_listed_page_by_page_with_notes(
        self, clinician_client, clinician, record, assignment
    ):
        log_sessions(assignment, 30, comment="felt it in the hip")
        oldest = Session.objects.filter(patient=record).order_by("performed_at").first()
        SessionNote.objects.create(session=oldest, author=clinician, text="Typed 5 for 3")
        url = reverse("patients:patient-sessions", args=[record.pk])
        first = clinician_client.get(url)
        assert len(first.context["sessions"]) == 25
        assert first.context["page_obj"].paginator.count == 30
        last = clinician_client.get(url, {"page": 2})
        text = last.content.decode()
        assert "How it went: session 29" in text
        assert "Comment: felt it in the hip" in text
        assert "Typed 5 for 3" in text
        assert " · L1 · 3/3 · 5/10 · 2/2/2" in text

    @pytest.mark.parametrize("sessions", [3, 30])
    def test_the_sessions_list_query_count_is_constant(
        self, clinician_client, record, assignment, django_assert_num_queries, sessions
    ):
        log_sessions(assignment, sessions)
        # browser session, user, patient, count, the page, its entries, its notes
        with django_assert_num_queries(7):
            clinician_client.get(reverse("patients:patient-sessions", args=[record.pk]))


class TestDecisions:
    def test_the_decisions_tab_lists_them_all_and_the_overview_only_each_items_latest(
        self, clinician_client, clinician, record, assignment
    ):
        item = assignment.items.first()
        for number in range(12):
            services.move_level(
                item=item, to_level=number % 3 + 1, by=clinician, reason=f"Try {number}"
            )
        text = detail(clinician_client, record).content.decode()
        assert "Try 11" in text and "Try 10" not in text
        listed = clinician_client.get(reverse("patients:patient-decisions", args=[record.pk]))
        assert len(listed.context["decisions"]) == 12
        assert all(f"Try {number}" in listed.content.decode() for number in range(12))

    def test_each_item_shows_its_own_latest_decision(
        self, clinician_client, clinician, record, assignment
    ):
        first, second = assignment.items.order_by("order")
        services.move_level(item=second, to_level=2, by=clinician, reason="Early move")
        for number in range(12):
            services.move_level(item=first, to_level=number % 3 + 1, by=clinician, reason="Try")
        page = detail(clinician_client, record)
        shown = {item.pk: item.latest_decision for item in page.context["current"].item_list}
        assert shown[second.pk].reasons[0].endswith("Early move")
        assert shown[second.pk].actor == clinician
        assert shown[first.pk] == first.decisions.order_by("-created_at", "-id").first()

    @pytest.mark.parametrize("moves", [3, 60])
    def test_the_decisions_list_query_count_is_constant(
        self, clinician_client, clinician, record, assignment, django_assert_num_queries, moves
    ):
        item = assignment.items.first()
        for number in range(moves):
            services.move_level(item=item, to_level=number % 3 + 1, by=clinician, reason="Try")
        # browser session, user, patient, count, the page (with actors and items)
        with django_assert_num_queries(5):
            clinician_client.get(reverse("patients:patient-decisions", args=[record.pk]))


@pytest.mark.parametrize(("every", "queries"), [(timedelta(hours=36), 0), (timedelta(hours=20), 1)])
def test_weekly_counts_from_the_charts_sessions_match_the_database(
    record, assignment, django_assert_num_queries, every, queries
):
    # Every 36 hours, the charts' 60 newest sessions reach back past the twelve weeks and
    # give the counts; every 20 hours they do not, and the counts come from the database.
    log_sessions(assignment, 100, every=every)
    sessions = history.recent_sessions(record)
    tz = timezone.get_current_timezone()
    with django_assert_num_queries(queries):
        counted = history._weekly_sessions(record, 3, sessions, tz)
    # Sixty sessions that seem to start today leave the database to count.
    today = [history.SessionRow(0, timezone.now(), assignment.pk, None, None)]
    today *= history.CHART_SESSIONS
    with django_assert_num_queries(1):
        from_database = history._weekly_sessions(record, 3, today, tz)
    assert counted == from_database
    assert sum(counted["data"]) == sum(
        1 for session in Session.objects.filter(patient=record) if _in_weeks(session, tz)
    )


def _in_weeks(session, tz):
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=history.CHART_WEEKS - 1)
    return session.performed_at.astimezone(tz).date() >= first


def give_programmes(record, clinician, count):
    """`count` programmes one after another, each finished before the next, the last
    still current; returns them oldest first."""
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    given = []
    for number in range(count):
        if given:
            services.change_assignment_status(assignment=given[-1], action="finish")
        assignment = services.assign_programme(
            patient=record,
            programme=programme,
            by=clinician,
            start_date=timezone.localdate(),
            rule_profile="strict",
        )
        assignment.name = f"Block {number:02}"
        assignment.save(update_fields=["name"])
        given.append(assignment)
    return given


class TestProgrammes:
    def test_the_overview_shows_the_current_one_and_the_tab_lists_them_all(
        self, clinician_client, clinician, record
    ):
        with zeal_ignore():  # the same service, called once per programme
            given = give_programmes(record, clinician, 8)
        page = detail(clinician_client, record)
        assert page.context["current"] == given[-1]
        text = page.content.decode()
        assert "Block 07" in text and "Block 06" not in text
        listed = clinician_client.get(reverse("patients:patient-programmes", args=[record.pk]))
        assert [a.name for a in listed.context["programmes"]] == [
            f"Block {n:02}" for n in reversed(range(8))
        ]
        text = listed.content.decode()
        assert "Block 00" in text and "Finished" in text and "Active" in text

    def test_a_finished_last_programme_is_not_shown_as_current(
        self, clinician_client, clinician, record
    ):
        with zeal_ignore():
            given = give_programmes(record, clinician, 2)
        services.change_assignment_status(assignment=given[-1], action="finish")
        page = detail(clinician_client, record)
        assert page.context["current"] is None
        assert "No programme yet." in page.content.decode()

    def test_a_patient_without_programmes_is_told_so(self, clinician_client, record):
        listed = clinician_client.get(reverse("patients:patient-programmes", args=[record.pk]))
        assert "No programme yet." in listed.content.decode()

    @pytest.mark.parametrize("programmes", [2, 30])
    def test_the_programmes_list_query_count_is_constant(
        self, clinician_client, clinician, record, django_assert_num_queries, programmes
    ):
        with zeal_ignore():
            give_programmes(record, clinician, programmes)
        # browser session, user, patient, count, the page
        with django_assert_num_queries(5):
            clinician_client.get(reverse("patients:patient-programmes", args=[record.pk]))


TABS = (
    "patients:patient-detail",
    "patients:patient-sessions",
    "patients:patient-decisions",
    "patients:patient-programmes",
    "patients:patient-changes",
)


class TestTabs:
    """Every part of the record carries the same tabs, the one shown marked for screen
    readers."""

    @pytest.mark.parametrize(
        ("name", "label"),
        [
            ("patients:patient-detail", "Overview"),
            ("patients:patient-sessions", "Sessions"),
            ("patients:patient-decisions", "Decisions"),
            ("patients:patient-programmes", "Programmes"),
            ("patients:patient-changes", "Change history"),
        ],
    )
    def test_each_tab_links_to_the_others_and_marks_itself(
        self, clinician_client, record, name, label
    ):
        url = reverse(name, args=[record.pk])
        text = clinician_client.get(url).content.decode()
        tabs = text[text.index('aria-label="Parts of the patient record"') :].split("</nav>")[0]
        for other in TABS:
            assert f'href="{reverse(other, args=[record.pk])}"' in tabs
        assert tabs.count('aria-current="page"') == 1
        assert f'<a class="nav-link active" aria-current="page" href="{url}">{label}</a>' in tabs


class TestLoginCard:
    """The overview says how the patient signs in; it reads the invitation only when it
    has something to say about it."""

    def test_a_signed_up_patient_is_named_without_reading_invitations(
        self, clinician_client, record
    ):
        with CaptureQueriesContext(connection) as queries:
            text = detail(clinician_client, record).content.decode()
        assert not [query for query in queries if "patients_invitation" in query["sql"]]
        assert f"Signed up as <strong>{record.user.username}</strong>." in text
        assert "Make a password-reset invitation" in text

    def test_a_signed_up_patient_given_a_new_link_sees_it_with_its_expiry(
        self, clinician_client, record
    ):
        clinician_client.post(reverse("patients:invitation-reissue", args=[record.pk]))
        page = detail(clinician_client, record)
        expires = timezone.localtime(record.invitations.get().expires_at)
        text = page.content.decode()
        assert "Invitation link" in text
        assert f"Works once, until {expires:%-d %b %Y, %H:%M}." in text
        # Shown once: the next look says only that the patient is signed up.
        assert "Invitation link" not in detail(clinician_client, record).content.decode()

    def test_an_invited_patient_shows_until_when_the_link_works(self, clinician_client, clinician):
        invited = PatientFactory(clinic=clinician.clinic, clinician=clinician)
        issued = services.issue_invitation(patient=invited, by=clinician)
        expires = timezone.localtime(issued.invitation.expires_at)
        text = detail(clinician_client, invited).content.decode()
        assert f"Invited; the link works until {expires:%-d %b %Y, %H:%M}." in text

    def test_a_patient_whose_link_ran_out_is_offered_a_new_one(self, clinician_client, clinician):
        invited = PatientFactory(clinic=clinician.clinic, clinician=clinician)
        issued = services.issue_invitation(patient=invited, by=clinician)
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        text = detail(clinician_client, invited).content.decode()
        assert "No working invitation link." in text
        assert "Make a new invitation link" in text
