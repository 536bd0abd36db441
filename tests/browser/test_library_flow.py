import re

import pytest
from playwright.sync_api import expect

from programmes.models import Exercise

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_clinician_searches_opens_and_adds_an_exercise(page, sign_in, clinician):
    sign_in(clinician)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Exercise library").first.click()
    page.get_by_role("textbox", name="Search").fill("trunk rotation")
    page.get_by_label("Kind").select_option("isometric")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=trunk\+rotation"))
    results = page.get_by_role("list", name="Exercises").get_by_role("listitem")
    expect(results).to_have_count(1)

    page.get_by_role("link", name="Seated Trunk Rotation (isometric)").click()
    expect(page.get_by_role("heading", name="Seated Trunk Rotation (isometric)")).to_be_visible()
    expect(page.get_by_text("Built-in (read-only)")).to_be_visible()

    page.get_by_role("link", name="Exercise library").first.click()
    page.get_by_role("link", name="Add an exercise").click()
    page.get_by_label("Name").fill("Towel squeeze hold")
    page.get_by_label("Kind").select_option("isometric")
    page.get_by_label("Position").select_option("sitting")
    page.get_by_label("Body region").select_option("hips")
    page.get_by_label("Equipment").select_option("chair")
    page.get_by_label("Instructions").fill(
        "Sit tall with a rolled towel between your knees and squeeze it gently."
    )
    page.get_by_label("What you should feel").fill(
        "Your inner thighs and lower tummy working lightly."
    )
    page.get_by_role("button", name="Save exercise").click()

    expect(page.get_by_role("heading", name="Towel squeeze hold")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("was added to your clinic's library")
    assert Exercise.objects.get(name="Towel squeeze hold").clinic == clinician.clinic


def test_form_errors_are_shown_next_to_fields(page, sign_in, clinician):
    sign_in(clinician)
    page.goto("/library/new/")
    page.get_by_label("Name").fill("Half-finished entry")
    page.get_by_role("button", name="Save exercise").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Half-finished entry")


def test_main_pages_have_no_serious_accessibility_violations(  # noqa
    page, sign_in, clinician, axe_violations
):
    page.goto("/accounts/login/")
    assert axe_violations() == []
    sign_in(clinician)
    for path in ["/dashboard/", "/library/", "/library/new/"]:
        page.goto(path)
        assert axe_violations() == [], path
    page.get_by_role("link", name="Exercise library").first.click()
    page.get_by_role("link", name="Angry Cat / Happy Cat").click()
    assert axe_violations() == []
