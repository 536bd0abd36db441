"""A patient's three tolerated days, the clinician's approval, then a flare."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients import services
from patients.models import AssignmentItem, Session
from programmes.models import Exercise, Item, Level, Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_level_assignment(patient, clinician):
    programme = Programme.objects.create(clinic=clinician.clinic, name="Brace ladder")
    item = Item.objects.create(programme=programme, order=0, title="Brace")
    curl = Exercise.objects.built_in().get(name="Abdominal Curl (isometric)")
    seated = Exercise.objects.built_in().get(name="Seated Abdominal Brace")
    Level.objects.create(
        item=item,
        order=1,
        exercise=curl,
        position=curl.position,
        sets=1,
        hold_seconds=2,
        rest_seconds=5,
    )
    Level.objects.create(
        item=item,
        order=2,
        exercise=seated,
        position=seated.position,
        sets=1,
        hold_seconds=2,
        rest_seconds=5,
    )
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    assignment.items.update(level_since=timezone.now() - timedelta(days=5))
    return assignment


def sign_in(page, user):
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def log_in_browser(page, *, pain_during="2", increased=False):
    page.goto("/me/session/")
    page.get_by_label("Effort (0–10)").fill("4")
    page.get_by_label("Pain before").fill("2")
    page.get_by_label("Worst pain during").fill(pain_during)
    page.get_by_label("Pain after").fill("2")
    if increased:
        page.get_by_label("This exercise increased my pain").check()
    page.get_by_role("button", name="Save my session").click()
    expect(page.get_by_text("Your session was saved")).to_be_visible()


def test_three_green_days_approval_then_a_flare(
    browser, live_server, patient, clinician, two_level_assignment, axe_for
):
    phone_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    phone = phone_context.new_page()
    desk_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    desk = desk_context.new_page()
    try:
        sign_in(phone, patient)
        for hour in (16, 17, 18):
            log_in_browser(phone)
            # Move the session back in time, so the next morning has come.
            session = Session.objects.order_by("-id").first()
            done_at = (timezone.localtime() - timedelta(days=1)).replace(hour=hour)
            Session.objects.filter(pk=session.pk).update(performed_at=done_at)
            phone.goto("/me/")
            phone.get_by_role("link", name="Answer the morning check-in").click()
            phone.get_by_label("How much does your back hurt right now?").fill("2")
            phone.get_by_role("radio", name="No").check()
            phone.get_by_role("button", name="Save my check-in").click()
            expect(phone.get_by_text("morning check-in was saved")).to_be_visible()

        sign_in(desk, clinician)
        expect(desk.locator(".attention-ready")).to_contain_text("3 green sessions at level 1")
        desk.locator(".attention-ready").get_by_role("link").click()
        expect(desk.get_by_text("3 of 3 green")).to_be_visible()
        expect(
            desk.get_by_text("ready for level 2: waiting for a clinician to approve", exact=True)
        ).to_be_visible()
        desk.get_by_role("button", name="Approve level 2").click()
        expect(desk.get_by_text("Approved: the patient moves up a level.")).to_be_visible()

        phone.goto("/me/")
        expect(phone.get_by_text("you move up to level 2")).to_be_visible()
        expect(phone.get_by_role("heading", name="Seated Abdominal Brace")).to_be_visible()

        log_in_browser(phone, pain_during="6", increased=True)
        expect(phone.get_by_text("Stop these exercises for today")).to_be_visible()
        item = AssignmentItem.objects.get()
        assert services.level_number(item, item.current_level_id) == 1

        desk.goto("/dashboard/")
        expect(desk.locator(".attention-red")).to_contain_text(patient.patient_record.full_name)
        assert axe_for(desk) == []
        # The patient's overview, then each tab of their record, opened from the tabs.
        record = patient.patient_record
        desk.get_by_role("link", name=record.full_name).first.click()
        expect(desk.get_by_role("heading", name="Current programme")).to_be_visible()
        expect(desk.get_by_text("Latest decision:").first).to_be_visible()
        assert axe_for(desk) == []
        tabs = desk.get_by_role("navigation", name="Parts of the patient record")
        for tab in ("Sessions", "Decisions", "Programmes", "Change history", "Overview"):
            tabs.get_by_role("link", name=tab).click()
            expect(tabs.get_by_role("link", name=tab)).to_have_attribute("aria-current", "page")
            expect(desk.get_by_role("heading", level=1)).to_contain_text(record.full_name)
            assert axe_for(desk) == [], tab
        tabs.get_by_role("link", name="Decisions").click()
        expect(desk.get_by_text("level 2 → 1").first).to_be_visible()
        desk.goto("/dashboard/missed/")
        expect(desk.get_by_role("heading", name="Missed check-ins")).to_be_visible()
        assert axe_for(desk) == []
    finally:
        phone_context.close()
        desk_context.close()
