import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.export import EXPORT_FORMAT, export_patient
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(patient):
    record = patient.patient_record
    record.email = "pat.quinn@example.org"
    record.notes = "Desk job; back pain since a fall in 2024."
    record.save()
    return record


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


def add_sessions(assignment, count, *, flare_last=False):
    items = list(assignment.items.order_by("order"))
    start = timezone.now() - timedelta(days=count + 1)
    # Sessions in the past count from the level's start.
    assignment.items.update(level_since=start - timedelta(days=1))
    sessions = []
    for day in range(count):
        flare = flare_last and day == count - 1
        session = services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            notes=f"Evening {day}",
            now=start + timedelta(days=day),
            entries=[
                services.EntryInput(
                    item_id=item.pk,
                    sets_done=3,
                    per_set=(10, 10, 10),
                    effort=5,
                    pain_before=2,
                    pain_during=8 if flare else 2,
                    pain_after=2,
                    increased_pain=flare,
                    comment="Felt fine",
                )
                for item in items
            ],
        ).session
        services.record_check_in(
            session=session,
            pain_now=2,
            worse_than_usual=False,
            now=session.performed_at + timedelta(hours=12),
        )
        sessions.append(session)
    return sessions


class TestTheDocument:
    def test_it_holds_everything_about_the_patient(self, record, assignment, clinician, patient):
        sessions = add_sessions(assignment, 4, flare_last=True)
        services.add_session_note(session=sessions[0], author=patient, text="Did it at 7pm")
        services.save_psfs(assignment=assignment, ratings={"Putting on socks": 4, "Driving": 6})

        document = export_patient(record)

        assert document["format"] == EXPORT_FORMAT
        person = document["patient"]
        assert (person["first_name"], person["last_name"]) == ("Pat", "Quinn")
        assert person["email"] == "pat.quinn@example.org"
        assert person["notes"] == "Desk job; back pain since a fall in 2024."
        assert person["username"] == "pat"
        assert person["responsible_clinician"]["id"] == clinician.pk

        [exported] = document["assignments"]
        assert exported["name"] == "Back stability"
        assert len(exported["items"]) == 2
        item = exported["items"][0]
        assert [level["hold_seconds"] for level in item["levels"]] == [10, 20, 30]
        assert item["current_level"] == 1  # lowered back to 1 by the flare, or never moved
        assert [a["name"] for a in exported["psfs"]["activities"]] == [
            "Putting on socks",
            "Driving",
        ]
        assert exported["psfs"]["ratings"][0]["score"] == "5.00"

        assert [s["notes"] for s in document["sessions"]] == [f"Evening {n}" for n in range(4)]
        first = document["sessions"][0]
        assert first["entries"][0]["per_set"] == [10, 10, 10]
        assert first["entries"][0]["comment"] == "Felt fine"
        assert first["check_in"]["pain_now"] == 2
        assert first["correction_notes"][0]["text"] == "Did it at 7pm"

        actions = [d["action"] for d in document["decisions"]]
        assert "pause" in actions or "regress" in actions
        assert document["decisions"][0]["by"] == "rules engine"
        assert document["alerts"] and document["alerts"][0]["kind"] in ("red", "paused")
        json.dumps(document)  # plain JSON all the way down

    @pytest.mark.parametrize("sessions", [2, 12])
    def test_it_costs_the_same_queries_however_many_sessions(
        self, record, assignment, django_assert_num_queries, sessions
    ):
        add_sessions(assignment, sessions, flare_last=True)
        # patient; assignments, items, levels, PSFS activities, PSFS ratings;
        # sessions, entries, correction notes; decisions; alerts
        with django_assert_num_queries(11):
            export_patient(record)


class TestDownloads:
    def test_the_clinician_downloads_it_as_a_file(self, clinician_client, record, assignment):
        add_sessions(assignment, 2)
        response = clinician_client.get(reverse("patients:export", args=[record.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f'filename="isohold-patient-{record.pk}-' in disposition
        assert disposition.endswith('.json"')
        assert "no-store" in response["Cache-Control"]
        document = json.loads(response.content)
        assert document["patient"]["id"] == record.pk
        assert len(document["sessions"]) == 2

    def test_the_patient_page_links_to_it(self, clinician_client, record):
        page = clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))
        assert reverse("patients:export", args=[record.pk]) in page.content.decode()

    def test_the_patient_downloads_their_own_from_their_history(
        self, login, patient, record, assignment
    ):
        add_sessions(assignment, 1)
        client = login(patient)
        history = client.get(reverse("patients:history")).content.decode()
        assert reverse("patients:my-export") in history
        response = client.get(reverse("patients:my-export"))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert json.loads(response.content)["patient"]["id"] == record.pk

    def test_another_patient_gets_only_their_own(self, login, other_patient, record, assignment):
        add_sessions(assignment, 1)
        response = login(other_patient).get(reverse("patients:my-export"))
        document = json.loads(response.content)
        assert document["patient"]["id"] == other_patient.patient_record.pk
        assert document["sessions"] == []


class TestWhoMayDownload:
    def test_anonymous_is_sent_to_sign_in(self, client, record):
        for url in (reverse("patients:export", args=[record.pk]), reverse("patients:my-export")):
            response = client.get(url)
            assert response.status_code == 302
            assert reverse("login") in response["Location"]

    def test_another_clinics_clinician_gets_404(self, login, outsider, record):
        response = login(outsider).get(reverse("patients:export", args=[record.pk]))
        assert response.status_code == 404

    def test_a_patient_on_the_clinician_download_gets_403(self, login, patient, other_patient):
        client = login(patient)
        for target in (patient, other_patient):
            url = reverse("patients:export", args=[target.patient_record.pk])
            assert client.get(url).status_code == 403

    def test_a_clinician_has_no_own_patient_download(self, clinician_client):
        assert clinician_client.get(reverse("patients:my-export")).status_code == 403

    def test_a_colleague_may_download(self, login, colleague, record):
        response = login(colleague).get(reverse("patients:export", args=[record.pk]))
        assert response.status_code == 200

    def test_it_is_get_only(self, clinician_client, record):
        response = clinician_client.post(reverse("patients:export", args=[record.pk]))
        assert response.status_code == 405
