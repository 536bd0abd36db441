import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_clinician_signs_in_and_lands_on_dashboard(client, clinician):
    response = client.post(reverse("login"), {"username": "clare", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("patients:dashboard")


def test_patient_lands_on_their_portal(client, patient):
    client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response.url == reverse("patients:portal")


def test_wrong_password_shows_an_error(client, clinician):
    response = client.post(reverse("login"), {"username": "clare", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_sign_out_is_a_post(client, clinician):
    client.force_login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("patients:dashboard")).status_code == 302


def test_password_change(client, clinician):
    client.force_login(clinician)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-new-secret-42",
            "new_password2": "a-much-longer-new-secret-42",
        },
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.check_password("a-much-longer-new-secret-42")


def test_password_reset_sends_a_link(client, clinician):
    response = client.post(reverse("password_reset"), {"email": clinician.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_dashboard_counts_only_own_clinic(client, clinician, colleague, patient, other_patient):
    client.force_login(clinician)
    response = client.get(reverse("patients:dashboard"))
    assert response.context["active_patients"] == 1
    assert response.context["counts"] == {"alerts": 0, "ready": 0, "quiet": 0, "missed": 0}


def test_patient_gets_403_on_dashboard(client, patient):
    client.force_login(patient)
    response = client.get(reverse("patients:dashboard"))
    assert response.status_code == 403
    assert "not for your account" in response.content.decode()


def test_clinician_gets_403_on_patient_portal(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("patients:portal")).status_code == 403


def test_unknown_page_is_a_friendly_404(client, clinician):
    client.force_login(clinician)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_navigation_fits_the_role(client, clinician, patient):
    client.force_login(clinician)
    assert "Exercise library" in client.get(reverse("patients:dashboard")).content.decode()
    client.force_login(patient)
    page = client.get(reverse("patients:portal")).content.decode()
    assert "My programme" in page
    assert "Exercise library" not in page
