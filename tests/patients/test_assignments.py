import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.models import Assignment, AssignmentLevel, AssignmentStatus
from programmes.models import Level
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(clinician):
    return programme_with_ladders(clinic=clinician.clinic, name="Back stability")


@pytest.fixture
def record(patient):
    return patient.patient_record


def assign(record, programme, clinician, **kwargs):
    return services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile=kwargs.pop("rule_profile", "strict"),
        **kwargs,
    )


def assign_data(programme, **overrides):
    data = {
        "programme": str(programme.pk),
        "start_date": timezone.localdate().isoformat(),
        "sessions_per_week": "5",
        "rule_profile": "strict",
    }
    for item in programme.items.prefetch_related("levels"):
        data[f"start_{item.pk}"] = str(min(level.order for level in item.levels.all()))
    data.update(overrides)
    return data


class TestAssigning:
    def test_assign_copies_items_and_ladders(self, clinician_client, record, programme):
        url = reverse("patients:assign", args=[record.pk])
        response = clinician_client.post(url, assign_data(programme))
        assert response.status_code == 302
        assignment = record.assignments.get()
        assert assignment.name == "Back stability"
        assert assignment.auto_advance is False
        assert assignment.sessions_per_week == 5
        assert assignment.items.count() == 2
        assert AssignmentLevel.objects.filter(item__assignment=assignment).count() == 6
        for item in assignment.items.select_related("current_level").prefetch_related("levels"):
            assert item.current_level == min(item.levels.all(), key=lambda level: level.order)

    def test_sessions_per_week_input_carries_the_models_bounds(
        self, clinician_client, record, programme
    ):
        url = reverse("patients:assign", args=[record.pk])
        html = clinician_client.get(url, {"programme": programme.pk}).content.decode()
        tag = re.search(r'<input [^>]*name="sessions_per_week"[^>]*>', html).group()
        assert 'min="1"' in tag and 'max="14"' in tag

    def test_choosing_a_starting_level(self, clinician_client, record, programme):
        first_item = programme.items.order_by("order").first()
        third = first_item.levels.order_by("order")[2]
        url = reverse("patients:assign", args=[record.pk])
        clinician_client.post(
            url, assign_data(programme, **{f"start_{first_item.pk}": third.order})
        )
        item = record.assignments.get().items.order_by("order").first()
        assert item.current_level.hold_seconds == 30

    def test_rule_numbers_can_be_changed(self, clinician_client, record, programme):
        url = reverse("patients:assign", args=[record.pk])
        clinician_client.post(
            url,
            assign_data(
                programme,
                rule_profile="pain-monitoring",
                rule_greens_to_progress="4",
                rule_red_pain_rise="1",
            ),
        )
        assignment = record.assignments.get()
        assert assignment.rule_profile == "pain-monitoring"
        assert assignment.rule_numbers["greens_to_progress"] == 4
        # Not a number of the pain-monitoring profile, so the default stays.
        assert assignment.rule_numbers["red_pain_rise"] == 3

    def test_template_edits_do_not_reach_the_patients_copy(self, record, programme, clinician):
        assignment = assign(record, programme, clinician)
        Level.objects.filter(item__programme=programme).update(hold_seconds=99, cues="changed")
        programme.items.first().delete()
        programme.name = "Renamed"
        programme.save()
        assignment.refresh_from_db()
        assert assignment.name == "Back stability"
        assert assignment.items.count() == 2
        holds = AssignmentLevel.objects.filter(item__assignment=assignment).values_list(
            "hold_seconds", flat=True
        )
        assert sorted(holds) == [10, 10, 20, 20, 30, 30]

    def test_only_one_current_programme(self, clinician_client, record, programme, clinician):
        assign(record, programme, clinician)
        response = clinician_client.post(
            reverse("patients:assign", args=[record.pk]), assign_data(programme)
        )
        assert response.status_code == 200
        assert "already has a current programme" in str(response.context["form"].errors)
        assert record.assignments.count() == 1

    def test_archived_programme_cannot_be_assigned(self, clinician_client, record, programme):
        programme.archived_at = timezone.now()
        programme.save()
        response = clinician_client.post(
            reverse("patients:assign", args=[record.pk]), assign_data(programme)
        )
        assert response.status_code == 200
        assert not record.assignments.exists()

    def test_another_clinics_programme_cannot_be_assigned(
        self, clinician_client, record, other_clinic
    ):
        foreign = programme_with_ladders(clinic=other_clinic)
        response = clinician_client.post(
            reverse("patients:assign", args=[record.pk]), assign_data(foreign)
        )
        assert response.status_code == 200
        assert not record.assignments.exists()


class TestStatus:
    def test_pause_resume_finish(self, clinician_client, record, programme, clinician):
        assignment = assign(record, programme, clinician)
        url = reverse("patients:assignment-status", args=[record.pk, assignment.pk])
        clinician_client.post(url, {"action": "pause"})
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.PAUSED
        clinician_client.post(url, {"action": "resume"})
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.ACTIVE
        assert "cannot be restarted" in clinician_client.get(url).content.decode()
        clinician_client.post(url, {"action": "finish"})
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.FINISHED

    def test_finished_programme_shows_in_history_and_a_new_one_can_start(
        self, clinician_client, record, programme, clinician
    ):
        first = assign(record, programme, clinician)
        services.change_assignment_status(assignment=first, action="finish")
        assign(record, programme, clinician)
        page = clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))
        assert page.context["current"].status == "active"
        assert page.context["current"] != first
        listed = clinician_client.get(reverse("patients:patient-programmes", args=[record.pk]))
        assert list(listed.context["programmes"])[1:] == [first]

    def test_resuming_an_active_programme_is_an_error_message(
        self, clinician_client, record, programme, clinician
    ):
        assignment = assign(record, programme, clinician)
        url = reverse("patients:assignment-status", args=[record.pk, assignment.pk])
        response = clinician_client.post(url, {"action": "resume"}, follow=True)
        assert "cannot be changed that way" in response.content.decode()


class TestPatientsCopy:
    def test_clinician_edits_the_patients_ladder_only(
        self, clinician_client, record, programme, clinician
    ):
        assignment = assign(record, programme, clinician)
        item = assignment.items.order_by("order").first()
        levels = list(item.levels.select_related("exercise").order_by("order"))
        rows = {
            "title": "Patient's own",
            "levels-TOTAL_FORMS": "3",
            "levels-INITIAL_FORMS": "3",
            "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000",
        }
        for index, level in enumerate(levels):
            prefix = f"levels-{index}-"
            rows.update(
                {
                    prefix + "id": str(level.pk),
                    prefix + "item": str(item.pk),
                    prefix + "exercise": level.exercise.name,
                    prefix + "sets": "3",
                    prefix + "hold_seconds": str(level.hold_seconds + 5),
                    prefix + "rest_seconds": "30",
                    prefix + "effort_target": "5",
                    prefix + "ORDER": str(index + 1),
                }
            )
        rows["levels-0-DELETE"] = "on"  # the current level goes
        url = reverse("patients:assignment-item", args=[record.pk, assignment.pk, item.pk])
        assert clinician_client.post(url, rows).status_code == 302
        item.refresh_from_db()
        assert item.title == "Patient's own"
        assert [lvl.hold_seconds for lvl in item.levels.order_by("order")] == [25, 35]
        assert item.current_level.hold_seconds == 25
        template_holds = (
            programme.items.order_by("order").first().levels.values_list("hold_seconds", flat=True)
        )
        assert sorted(template_holds) == [10, 20, 30]


class TestPagesShowTheProgramme:
    def test_patient_detail_marks_the_current_level(
        self, clinician_client, record, programme, clinician
    ):
        assign(record, programme, clinician)
        page = clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))
        text = page.content.decode()
        assert 'aria-current="step"' in text
        assert "level 1 of 3" in text

    @pytest.mark.parametrize("items, sessions", [(1, 3), (4, 30)])
    def test_patient_detail_query_count_is_constant(
        self, clinician_client, record, clinician, django_assert_num_queries, items, sessions
    ):
        programme = programme_with_ladders(clinic=clinician.clinic, items=items, levels=3)
        assignment = assign(record, programme, clinician)
        for _ in range(sessions):
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
                    )
                    for item in assignment.items.all()
                ],
            )
        # The same for 3 sessions as for 30: the browser session and user, the patient,
        # the newest programme, the newest sessions with their entries (charts, table,
        # weekly counts, streaks, and whether a check-in wait ran out), the items (each
        # with its latest decision's id), their levels, open alerts, PSFS scores: 9.
        # (Green sessions wait for their check-in, so no item has a decision to read.)
        with django_assert_num_queries(9):
            clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))

    def test_printable_programme_has_dose_and_stop_rule(
        self, clinician_client, record, programme, clinician
    ):
        assign(record, programme, clinician)
        text = clinician_client.get(reverse("patients:print", args=[record.pk])).content.decode()
        assert "3 × 10 s" in text
        assert "Stop if it increases your pain." in text
        assert "effort ≤ 6/10" in text
        assert "css/print.css" in text

    def test_patient_sees_their_programme_in_the_portal(
        self, login, patient, record, programme, clinician
    ):
        assign(record, programme, clinician)
        client = login(patient)
        text = client.get(reverse("patients:portal")).content.decode()
        assert "Back stability" in text
        assert "3 × 10 s" in text
        assert "Stop if it increases your pain." in text
        assert client.get(reverse("patients:my-print")).status_code == 200

    def test_other_patient_does_not_see_it(
        self, login, other_patient, record, programme, clinician
    ):
        assign(record, programme, clinician)
        text = login(other_patient).get(reverse("patients:portal")).content.decode()
        assert "Back stability" not in text


def patient_urls(record, assignment):
    item = assignment.items.first()
    return [
        ("get", reverse("patients:patient-detail", args=[record.pk])),
        ("get", reverse("patients:patient-update", args=[record.pk])),
        ("post", reverse("patients:patient-update", args=[record.pk])),
        ("get", reverse("patients:patient-archive", args=[record.pk])),
        ("post", reverse("patients:patient-archive", args=[record.pk])),
        ("post", reverse("patients:invitation-reissue", args=[record.pk])),
        ("get", reverse("patients:assign", args=[record.pk])),
        ("post", reverse("patients:assign", args=[record.pk])),
        ("get", reverse("patients:print", args=[record.pk])),
        ("get", reverse("patients:assignment-status", args=[record.pk, assignment.pk])),
        ("post", reverse("patients:assignment-status", args=[record.pk, assignment.pk])),
        ("get", reverse("patients:assignment-item", args=[record.pk, assignment.pk, item.pk])),
        ("post", reverse("patients:assignment-item", args=[record.pk, assignment.pk, item.pk])),
    ]


def test_every_patient_url_is_404_for_another_clinic(login, outsider, record, programme, clinician):
    assignment = assign(record, programme, clinician)
    client = login(outsider)
    for method, url in patient_urls(record, assignment):
        assert (
            getattr(client, method)(
                url, {"action": "finish"} if method == "post" else None
            ).status_code
            == 404
        ), url
    assignment.refresh_from_db()
    assert assignment.status == "active"
    assert Assignment.objects.count() == 1


def test_every_clinician_page_is_403_for_a_patient(login, patient, record, programme, clinician):
    assignment = assign(record, programme, clinician)
    client = login(patient)
    urls = [
        ("get", reverse("patients:dashboard")),
        ("get", reverse("patients:patient-list")),
        ("get", reverse("patients:patient-create")),
        *patient_urls(record, assignment),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_colleague_can_open_the_patient(login, colleague, record):
    response = login(colleague).get(reverse("patients:patient-detail", args=[record.pk]))
    assert response.status_code == 200
