from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.models import Invitation, Patient, PatientStatus
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def patient_data(responsible, **overrides):
    return {
        "first_name": "Rowan",
        "last_name": "Price",
        "email": "rowan@example.org",
        "date_of_birth": "1980-04-02",
        "clinician": str(responsible.pk),
        "baseline_pain": "4",
        "notes": "Desk worker; pain after long meetings.",
        **overrides,
    }


class TestAddingPatients:
    def test_adding_a_patient_shows_the_invitation_link_once(self, clinician_client, clinician):
        response = clinician_client.post(
            reverse("patients:patient-create"), patient_data(clinician)
        )
        patient = Patient.objects.get(last_name="Price")
        assert patient.clinic == clinician.clinic
        assert response.url == reverse("patients:patient-detail", args=[patient.pk])
        detail = clinician_client.get(response.url)
        link = detail.context["new_invitation_link"]
        assert "/invite/" in link
        again = clinician_client.get(response.url)
        assert again.context["new_invitation_link"] is None
        assert len(mail.outbox) == 1
        assert link in mail.outbox[0].body
        assert mail.outbox[0].to == ["rowan@example.org"]

    def test_no_email_means_no_mail(self, clinician_client, clinician):
        clinician_client.post(reverse("patients:patient-create"), patient_data(clinician, email=""))
        assert mail.outbox == []
        assert Invitation.objects.filter(patient__last_name="Price").count() == 1

    @pytest.mark.parametrize(
        "field, value",
        [
            ("baseline_pain", "11"),
            ("first_name", ""),
            ("email", "not-an-email"),
            ("date_of_birth", "2999-01-01"),
        ],
    )
    def test_invalid_patient_keeps_what_was_typed(self, clinician_client, clinician, field, value):
        response = clinician_client.post(
            reverse("patients:patient-create"), patient_data(clinician, **{field: value})
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert "Desk worker" in response.content.decode()
        assert not Patient.objects.filter(last_name="Price").exists()

    def test_responsible_clinician_must_be_of_the_same_clinic(
        self, clinician_client, clinician, outsider
    ):
        response = clinician_client.post(
            reverse("patients:patient-create"), patient_data(clinician, clinician=str(outsider.pk))
        )
        assert "clinician" in response.context["form"].errors


class TestPatientList:
    def test_search_by_name(self, clinician_client, clinician):
        PatientFactory(clinic=clinician.clinic, first_name="Ada", last_name="Lovelace")
        PatientFactory(clinic=clinician.clinic, first_name="Bob", last_name="Marley")
        response = clinician_client.get(reverse("patients:patient-list") + "?q=ada+love")
        assert [p.full_name for p in response.context["patients"]] == ["Ada Lovelace"]

    def test_filter_by_clinician_and_status(self, clinician_client, clinician, colleague):
        PatientFactory(clinic=clinician.clinic, last_name="Mine", clinician=clinician)
        PatientFactory(clinic=clinician.clinic, last_name="Theirs", clinician=colleague)
        PatientFactory(
            clinic=clinician.clinic,
            last_name="Gone",
            clinician=colleague,
            status=PatientStatus.ARCHIVED,
        )
        url = reverse("patients:patient-list")
        mine = clinician_client.get(f"{url}?clinician={colleague.pk}&status=active")
        assert [p.last_name for p in mine.context["patients"]] == ["Theirs"]
        archived = clinician_client.get(f"{url}?status=archived")
        assert [p.last_name for p in archived.context["patients"]] == ["Gone"]

    def test_other_clinics_patients_are_not_listed(self, clinician_client, other_patient):
        response = clinician_client.get(reverse("patients:patient-list") + "?status=")
        assert other_patient.patient_record not in response.context["patients"]

    @pytest.mark.parametrize("rows", [3, 30])
    def test_list_query_count_is_constant(
        self, clinician_client, clinician, django_assert_num_queries, rows
    ):
        PatientFactory.create_batch(rows, clinic=clinician.clinic, clinician=clinician)
        # session, user, clinicians for the filter, count, page
        with django_assert_num_queries(5):
            response = clinician_client.get(reverse("patients:patient-list"))
        assert len(response.context["patients"]) == min(rows, 25)


class TestInvitations:
    @pytest.fixture
    def invited(self, clinician):
        record = PatientFactory(
            clinic=clinician.clinic, first_name="Rowan", last_name="Price", clinician=clinician
        )
        return record, services.issue_invitation(patient=record, by=clinician)

    def test_accepting_sets_password_and_opens_the_portal(self, client, invited):
        record, issued = invited
        url = reverse("patients:accept-invitation", args=[issued.token])
        page = client.get(url)
        assert page.context["username"] == "rowan.price"
        response = client.post(
            url, {"password1": "slow-steady-holds-9", "password2": "slow-steady-holds-9"}
        )
        assert response.url == reverse("patients:portal")
        record.refresh_from_db()
        assert record.user.check_password("slow-steady-holds-9")
        assert record.user.is_patient and record.user.clinic == record.clinic
        assert client.get(reverse("patients:portal")).status_code == 200

    def test_link_works_only_once(self, client, invited):
        _, issued = invited
        url = reverse("patients:accept-invitation", args=[issued.token])
        client.post(url, {"password1": "slow-steady-holds-9", "password2": "slow-steady-holds-9"})
        client.logout()
        second = client.get(url)
        assert second.status_code == 404
        assert "already used" in second.content.decode()

    def test_link_expires_after_seven_days(self, client, invited):
        _, issued = invited
        Invitation.objects.filter(pk=issued.invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        response = client.get(reverse("patients:accept-invitation", args=[issued.token]))
        assert response.status_code == 404
        assert "expired" in response.content.decode()

    def test_link_lifetime_is_seven_days(self, invited):
        _, issued = invited
        lifetime = issued.invitation.expires_at - issued.invitation.created_at
        assert lifetime == timedelta(days=7)

    def test_reissue_kills_the_old_link(self, clinician_client, client, invited):
        record, old = invited
        clinician_client.post(reverse("patients:invitation-reissue", args=[record.pk]))
        response = client.get(reverse("patients:accept-invitation", args=[old.token]))
        assert response.status_code == 404
        assert record.invitations.usable().count() == 1

    def test_mismatched_passwords_are_refused(self, client, invited):
        record, issued = invited
        url = reverse("patients:accept-invitation", args=[issued.token])
        response = client.post(url, {"password1": "slow-steady-holds-9", "password2": "other"})
        assert "not the same" in str(response.context["form"].errors)
        record.refresh_from_db()
        assert record.user is None

    def test_weak_password_is_refused(self, client, invited):
        _, issued = invited
        url = reverse("patients:accept-invitation", args=[issued.token])
        response = client.post(url, {"password1": "12345678", "password2": "12345678"})
        assert "password1" in response.context["form"].errors

    def test_only_the_hash_is_stored(self, invited):
        _, issued = invited
        assert issued.token not in issued.invitation.token_hash

    def test_unknown_token_is_a_friendly_404(self, client, db):
        response = client.get(reverse("patients:accept-invitation", args=["nonsense"]))
        assert response.status_code == 404
        assert "not valid" in response.content.decode()


class TestEditAndArchive:
    def test_edit_saves(self, clinician_client, clinician, patient):
        record = patient.patient_record
        url = reverse("patients:patient-update", args=[record.pk])
        data = patient_data(clinician, first_name="Patricia", last_name="Quinn")
        assert clinician_client.post(url, data).status_code == 302
        record.refresh_from_db()
        assert record.first_name == "Patricia"

    def test_archive_stops_sign_in_and_restore_allows_it(self, clinician_client, patient):
        record = patient.patient_record
        url = reverse("patients:patient-archive", args=[record.pk])
        assert "no longer sign in" in clinician_client.get(url).content.decode()
        clinician_client.post(url)
        patient.refresh_from_db()
        assert not patient.is_active
        clinician_client.post(url, {"restore": "1"})
        patient.refresh_from_db()
        assert patient.is_active
