"""Login lockout: five failures for one username from one address lock that pair
for 15 minutes, on the sign-in page and on the API token endpoint alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def get_token(username, password, address="203.0.113.7"):
    return APIClient().post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def fail_sign_in(client, username, times, address="203.0.113.7"):
    return [sign_in(client, username, "not-the-password", address) for _ in range(times)]


def cool_off_passes():
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


def test_four_failures_still_show_the_form(client, clinician):
    responses = fail_sign_in(client, "clare", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert sign_in(client, "clare", PASSWORD).status_code == 302


def test_fifth_failure_locks_and_says_so_politely(client, clinician):
    *_, fifth = fail_sign_in(client, "clare", 5)
    assert fifth.status_code == 429
    assert fifth["Retry-After"] == "900"
    page = fifth.content.decode()
    assert "Sign-in paused" in page
    assert "15 minutes" in page
    assert "navbar" in page  # the site's own layout, not a bare message
    assert "registration/locked_out.html" in [t.name for t in fifth.templates]


def test_sixth_attempt_with_the_right_password_is_refused(client, clinician):
    fail_sign_in(client, "clare", 5)
    response = sign_in(client, "clare", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_username_from_the_same_address_is_not_locked(client, clinician, colleague):
    fail_sign_in(client, "clare", 5)
    response = sign_in(client, "colin", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_same_username_from_another_address_is_not_locked(client, clinician):
    fail_sign_in(client, "clare", 5, address="203.0.113.7")
    assert sign_in(client, "clare", PASSWORD, address="198.51.100.20").status_code == 302


def test_sign_in_works_again_after_the_cool_off(client, clinician):
    fail_sign_in(client, "clare", 5)
    cool_off_passes()
    assert sign_in(client, "clare", PASSWORD).status_code == 302


def test_tries_during_the_lockout_do_not_extend_it(client, clinician):
    fail_sign_in(client, "clare", 5)
    cool_off_passes()
    fail_sign_in(client, "clare", 1)  # a new count begins; one failure is not a lockout
    assert sign_in(client, "clare", PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, clinician):
    fail_sign_in(client, "clare", 4)
    assert sign_in(client, "clare", PASSWORD).status_code == 302
    client.logout()
    responses = fail_sign_in(client, "clare", 4)
    assert [r.status_code for r in responses] == [200] * 4


def test_a_colleagues_success_does_not_clear_my_failures(client, clinician, colleague):
    fail_sign_in(client, "clare", 4)
    assert sign_in(client, "colin", PASSWORD).status_code == 302
    client.logout()
    assert fail_sign_in(client, "clare", 1)[0].status_code == 429


def test_unknown_usernames_are_locked_out_too(client, clinician):
    # Otherwise the lockout would tell a guesser which usernames exist.
    *_, fifth = fail_sign_in(client, "nobody-here", 5)
    assert fifth.status_code == 429


# --- API token endpoint ----------------------------------------------------------


def test_token_endpoint_locks_after_five_failures_with_a_json_reason(clinician):
    statuses = [get_token("clare", "not-the-password").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = get_token("clare", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "locked_out"
    assert "15 minutes" in body["detail"]
    assert body["retry_after_seconds"] == 900
    assert "token" not in body


def test_token_failures_count_towards_the_web_lockout(client, clinician):
    for _ in range(5):
        get_token("clare", "not-the-password")
    assert sign_in(client, "clare", PASSWORD).status_code == 429


def test_token_for_another_username_is_not_locked(clinician, colleague):
    for _ in range(5):
        get_token("clare", "not-the-password")
    response = get_token("colin", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]


def test_token_works_again_after_the_cool_off(clinician):
    for _ in range(5):
        get_token("clare", "not-the-password")
    cool_off_passes()
    assert get_token("clare", PASSWORD).status_code == 200


def test_token_success_before_the_limit_resets_only_that_pair(clinician, colleague):
    for _ in range(4):
        get_token("clare", "not-the-password")
        get_token("colin", "not-the-password")
    assert get_token("clare", PASSWORD).status_code == 200
    # Clare starts again; Colin's four failures still stand.
    assert get_token("clare", "not-the-password").status_code == 400
    assert get_token("colin", "not-the-password").status_code == 429


# --- Which address counts ----------------------------------------------------------


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, clinician, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": "clare", "password": "nope"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",  # a client forging a new address each time
        )
    assert sign_in(client, "clare", PASSWORD).status_code == 429


def test_behind_one_proxy_the_address_it_saw_counts(client, clinician, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": "clare", "password": "nope"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            # the client's forged entry, then the address the proxy saw
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "clare", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        reverse("login"),
        {"username": "clare", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert elsewhere.status_code == 302
