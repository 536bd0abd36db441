"""A clinician connects the clinic's records system and watches its delivery log."""

import re

import pytest
from playwright.sync_api import expect

from physio.models import WebhookEndpoint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_clinician_adds_an_endpoint_sends_a_test_and_sees_the_log(
    page, sign_in, clinician, axe_violations
):
    sign_in(clinician)
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No webhook endpoints yet")).to_be_visible()
    assert axe_violations() == []

    page.get_by_role("link", name="Add the first endpoint").click()
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.get_by_text("Pick at least one event to send.")).to_be_visible()
    # Nothing listens on port 9: the test event fails and waits for its retry.
    page.get_by_label("URL").fill("http://127.0.0.1:9/isohold")
    page.get_by_label("Description").fill("Clinic records")
    page.get_by_label("An alert was raised").check()
    assert axe_violations() == []
    page.get_by_role("button", name="Save endpoint").click()
    expect(page.get_by_role("heading", name="http://127.0.0.1:9/isohold")).to_be_visible()

    endpoint = WebhookEndpoint.objects.get()
    assert page.locator("#webhook-secret").input_value() == endpoint.secret
    assert axe_violations() == []

    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    row = page.locator("tbody tr").first
    assert "ping" in row.inner_text()
    assert re.search(r"Waiting to send|Gave up", row.inner_text())
    assert "Try again now" in row.inner_text()

    old_secret = endpoint.secret
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Make a new secret").click()
    endpoint.refresh_from_db()
    assert endpoint.secret == old_secret  # dismissed: nothing changed

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Make a new secret").click()
    expect(page.get_by_text("New secret made")).to_be_visible()
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert page.locator("#webhook-secret").input_value() == endpoint.secret
