import datetime
import uuid

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients import services
from patients.audit import act_as
from patients.erasure import erase_patient
from patients.models import (
    CheckIn,
    Decision,
    Erasure,
    Invitation,
    Patient,
    PsfsRating,
    Session,
    SessionEntry,
    SessionNote,
)
from physio.models import IdempotencyRecord, WebhookEndpoint, WebhookEvent
from tests.factories import PatientFactory, programme_with_ladders

pytestmark = pytest.mark.django_db

FIRST, LAST, EMAIL = "Zebediah", "Quillfeather", "zeb.quill@example.org"
PASSWORD = "a long and private passphrase"


def text_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                yield model, field


def find_everywhere(needle: str) -> list[str]:
    """Every text column of every model, historical ones included, that mentions `needle`."""
    hits = []
    for model, field in text_columns():
        rows = model._base_manager.annotate(_text=Cast(field.attname, models.TextField()))
        if rows.filter(_text__icontains=needle).exists():
            hits.append(f"{model._meta.label}.{field.name}")
    return hits


@pytest.fixture
def record(clinician):
    return PatientFactory(
        clinic=clinician.clinic,
        clinician=clinician,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        date_of_birth=datetime.date(1971, 3, 14),
        notes=f"{FIRST} prefers morning appointments.",
    )


@pytest.fixture
def full_record(record, clinician, client):
    """A patient who used everything that can hold their personal data."""
    WebhookEndpoint.objects.create(
        clinic=clinician.clinic,
        url="http://127.0.0.1:9/hook",
        events=[choice for choice, _label in WebhookEvent.choices],
        secret="s" * 40,
    )
    issued = services.issue_invitation(patient=record, by=clinician)
    user = services.accept_invitation(token=issued.token, password=PASSWORD)
    services.issue_invitation(patient=record, by=clinician)  # a spare, unused link
    token = Token.objects.create(user=user)

    programme = programme_with_ladders(clinic=clinician.clinic, name="Back stability")
    assignment = services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    items = list(assignment.items.order_by("order"))
    # A clinician naming the patient's own copy after them (it is in the history too).
    items[0].title = f"{LAST} family brace"
    act_as(items[0], user=clinician).save()
    services.move_level(
        item=items[0], to_level=2, by=clinician, reason=f"{FIRST} asked to go up a step"
    )

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/v1/sessions/",
        {
            "assignment": assignment.pk,
            "notes": f"Walked {FIRST}'s dog first",
            "entries": [
                {
                    "item": item.pk,
                    "sets_done": 3,
                    "per_set": [10, 10, 10],
                    "effort": 5,
                    "pain_before": 2,
                    "pain_during": 8 if number == 0 else 2,
                    "pain_after": 3,
                    "increased_pain": number == 0,
                    "comment": f"Signed, {FIRST} {LAST}",
                }
                for number, item in enumerate(items)
            ],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(patient=record)
    services.add_session_note(session=session, author=user, text=f"Typed by {EMAIL}")
    services.record_check_in(session=session, pain_now=3, worse_than_usual=False)
    services.save_psfs(assignment=assignment, ratings={f"Carrying {FIRST} junior": 4, "Gym": 5})

    client.force_login(clinician)
    client.post(
        reverse("patients:patient-update", args=[record.pk]),
        {
            "first_name": FIRST,
            "last_name": LAST,
            "email": EMAIL,
            "date_of_birth": "1971-03-14",
            "clinician": clinician.pk,
            "baseline_pain": 4,
            "notes": f"Call {FIRST} on Tuesdays.",
        },
    )
    LogEntry.objects.create(
        user=clinician,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(record.pk),
        object_repr=f"{FIRST} {LAST}",
        action_flag=CHANGE,
        change_message="[]",
    )
    record.refresh_from_db()
    return record


def confirm(client, record, name=f"{FIRST} {LAST}"):
    return client.post(reverse("patients:erase", args=[record.pk]), {"name": name})


class TestErasing:
    def test_the_setup_really_spreads_the_name_around(self, full_record):
        hits = find_everywhere(FIRST) + find_everywhere(LAST) + find_everywhere(EMAIL)
        for expected in (
            "patients.Patient.last_name",
            "patients.HistoricalPatient.last_name",
            "patients.SessionEntry.comment",
            "patients.Decision.reasons",
            "patients.HistoricalDecision.reasons",
            "patients.Alert.message",
            "patients.AssignmentItem.title",
            "physio.User.last_name",
            "physio.WebhookDelivery.body",
            "physio.IdempotencyRecord.response_body",
            "admin.LogEntry.object_repr",
            "patients.PsfsActivity.name",
            "patients.SessionNote.text",
            "patients.Session.notes",
        ):
            assert expected in hits

    def test_no_text_column_anywhere_keeps_the_name_or_email(self, clinician_client, full_record):
        response = confirm(clinician_client, full_record)
        assert response.status_code == 302

        for needle in (FIRST, LAST, EMAIL, "zebediah.quillfeather"):
            assert find_everywhere(needle) == [], needle

    def test_the_clinical_rows_stay_with_their_numbers(self, clinician_client, full_record):
        counts = {
            model: model.objects.filter(**{lookup: full_record}).count()
            for model, lookup in [
                (Session, "patient"),
                (SessionEntry, "session__patient"),
                (CheckIn, "session__patient"),
                (Decision, "item__assignment__patient"),
                (PsfsRating, "assignment__patient"),
            ]
        }
        pains = list(
            SessionEntry.objects.filter(session__patient=full_record).values_list(
                "pain_before", "pain_during", "pain_after", "effort", "per_set"
            )
        )
        confirm(clinician_client, full_record)

        for model, count in counts.items():
            assert count > 0
            lookup = {
                Session: "patient",
                SessionEntry: "session__patient",
                CheckIn: "session__patient",
                Decision: "item__assignment__patient",
                PsfsRating: "assignment__patient",
            }[model]
            assert model.objects.filter(**{lookup: full_record}).count() == count
        assert (
            list(
                SessionEntry.objects.filter(session__patient=full_record).values_list(
                    "pain_before", "pain_during", "pain_after", "effort", "per_set"
                )
            )
            == pains
        )
        record = Patient.objects.get(pk=full_record.pk)
        assert record.full_name == f"Erased patient #{record.pk}"
        assert (record.email, record.date_of_birth, record.notes) == ("", None, "")
        assert record.status == "archived" and record.erased_at is not None
        assert not Invitation.objects.filter(patient=record).exists()
        assert not SessionNote.objects.filter(session__patient=record).exists()
        assert set(record.assignments.get().psfs_activities.values_list("name", flat=True)) == {
            "Activity 1",
            "Activity 2",
        }
        assert not record.assignments.current().exists()

    def test_an_audit_line_names_the_clinician_and_the_patient_id(
        self, clinician_client, clinician, full_record
    ):
        confirm(clinician_client, full_record)

        erasure = Erasure.objects.get()
        assert erasure.erased_by == clinician
        assert erasure.patient_number == full_record.pk
        assert erasure.clinic == clinician.clinic
        assert clinician.username in erasure.erased_by_name
        assert str(full_record.pk) in str(erasure)
        changes = clinician_client.get(
            reverse("patients:patient-changes", args=[full_record.pk])
        ).context["changes"]
        assert (changes[0].lines, changes[0].who) == (["Personal data erased"], str(clinician))

    def test_the_erased_patient_can_no_longer_sign_in(self, clinician, full_record):
        user = full_record.user
        key = Token.objects.get(user=user).key
        erase_patient(patient=full_record, by=clinician)

        user.refresh_from_db()
        assert not user.is_active and not user.has_usable_password()
        assert user.username == f"erased-{user.pk}"
        assert not Token.objects.filter(user=user).exists()
        assert not IdempotencyRecord.objects.filter(user=user).exists()
        client = Client()
        for username in ("zebediah.quillfeather", user.username):
            response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
            assert response.status_code != 302 or "/me/" not in response["Location"]
            assert "_auth_user_id" not in client.session
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/me/").status_code == 401

    def test_an_erased_record_cannot_be_revived(self, clinician_client, clinician, full_record):
        erase_patient(patient=full_record, by=clinician)
        restore = clinician_client.post(
            reverse("patients:patient-archive", args=[full_record.pk]), {"restore": "1"}
        )
        assert restore.status_code == 302
        full_record.refresh_from_db()
        assert full_record.status == "archived"
        edit = clinician_client.get(reverse("patients:patient-update", args=[full_record.pk]))
        assert edit.status_code == 404
        again = clinician_client.get(reverse("patients:erase", args=[full_record.pk]))
        assert again.status_code == 302
        assert Erasure.objects.count() == 1

    def test_the_api_refuses_to_write_names_back(self, clinician, record):
        erase_patient(patient=record, by=clinician)
        api = APIClient()
        api.force_authenticate(clinician)
        response = api.patch(f"/api/v1/patients/{record.pk}/", {"first_name": FIRST}, format="json")
        assert response.status_code == 400
        assert "erased" in response.json()["patient"][0]
        record.refresh_from_db()
        assert record.first_name == "Erased"

    def test_a_patient_without_a_login_is_erased_too(self, clinician_client, record):
        assert confirm(clinician_client, record).status_code == 302
        assert find_everywhere(LAST) == []


class TestConfirmation:
    def test_the_page_says_what_goes_and_what_stays(self, clinician_client, record):
        response = clinician_client.get(reverse("patients:erase", args=[record.pk]))
        text = response.content.decode()
        assert response.status_code == 200
        assert "This cannot be undone." in text
        assert "Removed for good" in text
        assert "Kept, anonymised" in text
        assert f"Erased patient #{record.pk}" in text
        assert "<script" not in text.split("</main>")[0].split("<main")[-1]

    def test_the_wrong_name_erases_nothing(self, clinician_client, record):
        response = confirm(clinician_client, record, name="Someone Else")
        assert response.status_code == 400
        assert "not this patient" in response.content.decode()
        record.refresh_from_db()
        assert record.first_name == FIRST and record.erased_at is None
        assert not Erasure.objects.exists()

    def test_the_name_is_matched_without_minding_case_or_spacing(self, clinician_client, record):
        assert (
            confirm(clinician_client, record, name="  zebediah   QUILLFEATHER ").status_code == 302
        )
        assert Erasure.objects.filter(patient_number=record.pk).exists()

    def test_the_patient_page_offers_it(self, clinician_client, record):
        page = clinician_client.get(reverse("patients:patient-detail", args=[record.pk]))
        assert reverse("patients:erase", args=[record.pk]) in page.content.decode()


class TestWhoMayErase:
    def url(self, record):
        return reverse("patients:erase", args=[record.pk])

    def test_anonymous_is_sent_to_sign_in(self, client, record):
        for response in (client.get(self.url(record)), confirm(client, record)):
            assert response.status_code == 302
            assert reverse("login") in response["Location"]
        assert not Erasure.objects.exists()

    def test_a_patient_gets_403(self, login, patient, record):
        client = login(patient)
        assert client.get(self.url(record)).status_code == 403
        own = patient.patient_record
        assert confirm(client, own, name=own.full_name).status_code == 403
        assert not Erasure.objects.exists()

    def test_another_clinics_clinician_gets_404(self, login, outsider, record):
        client = login(outsider)
        assert client.get(self.url(record)).status_code == 404
        assert confirm(client, record).status_code == 404
        record.refresh_from_db()
        assert record.erased_at is None

    def test_a_colleague_may_erase(self, login, colleague, record):
        assert confirm(login(colleague), record).status_code == 302
        assert Erasure.objects.get().erased_by == colleague
