from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients import services
from patients.models import CheckIn, Session
from programmes.models import Exercise, Item, Level, Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def short_timer(settings):
    # Seconds, not minutes: 1 s to get ready, rests capped at 1 s.
    settings.TIMER_GET_READY_SECONDS = 1
    settings.TIMER_REST_CAP_SECONDS = 1


@pytest.fixture
def short_hold_assignment(patient, clinician):
    programme = Programme.objects.create(clinic=clinician.clinic, name="Quick check")
    item = Item.objects.create(programme=programme, order=0, title="Brace")
    exercise = Exercise.objects.built_in().get(name="Abdominal Curl (isometric)")
    Level.objects.create(
        item=item,
        order=1,
        exercise=exercise,
        position=exercise.position,
        sets=2,
        hold_seconds=2,
        rest_seconds=30,
    )
    return services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_patient_times_logs_and_checks_in_next_morning(
    phone, patient, short_timer, short_hold_assignment
):
    from tests.conftest import PASSWORD

    phone.goto("/accounts/login/")
    phone.get_by_label("Username").fill(patient.username)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    expect(phone.get_by_role("heading", name="Quick check")).to_be_visible()
    assert no_sideways_scroll(phone)
    phone.get_by_role("link", name="Start today's session").click()

    timer = phone.locator("[data-hold-timer]").first
    timer.get_by_role("button", name="Start").click()
    expect(timer.locator(".timer-breath")).to_be_visible(timeout=5_000)  # holding
    expect(timer).to_have_attribute("data-phase", "done", timeout=15_000)
    item_id = timer.get_attribute("data-item")
    expect(phone.locator(f"#id_item-{item_id}-sets_done")).to_have_value("2")
    expect(phone.locator(f"#id_item-{item_id}-per_set")).to_have_value("2, 2")

    phone.get_by_label("Effort (0–10)").fill("4")
    phone.get_by_label("Pain before").fill("3")
    phone.get_by_label("Worst pain during").fill("2")
    phone.get_by_label("Pain after").fill("2")
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "session-390x844.png"))
    assert no_sideways_scroll(phone)
    phone.get_by_role("button", name="Save my session").click()
    expect(phone.get_by_role("status").first).to_contain_text("Your session was saved")

    phone.get_by_role("link", name="My history").last.click()
    expect(phone.locator("canvas[data-chart=pain]")).to_be_visible()
    expect(phone.get_by_text("Abdominal Curl (isometric) 2/2")).to_be_visible()
    assert no_sideways_scroll(phone)

    # The next morning: the session moves to yesterday evening.
    session = Session.objects.get()
    evening = (timezone.localtime() - timedelta(days=1)).replace(hour=19, minute=0)
    Session.objects.filter(pk=session.pk).update(performed_at=evening)
    phone.goto("/me/")
    phone.get_by_role("link", name="Answer the morning check-in").click()
    phone.get_by_label("How much does your back hurt right now?").fill("2")
    phone.get_by_role("radio", name="No").check()
    phone.get_by_role("button", name="Save my check-in").click()
    expect(phone.get_by_role("status").first).to_contain_text("morning check-in was saved")
    phone.screenshot(path=str(SCREENSHOTS / "today-390x844.png"), full_page=True)
    assert no_sideways_scroll(phone)
    check_in = CheckIn.objects.get(session=session)
    assert (check_in.pain_now, check_in.worse_than_usual) == (2, False)
    entry = session.entries.get()
    assert entry.per_set == [2, 2] and entry.sets_done == 2


def test_timer_catches_up_after_the_screen_was_locked(
    phone, patient, short_timer, short_hold_assignment, sign_in_phone
):
    sign_in_phone(patient)
    phone.clock.install()
    phone.goto("/me/session/")
    timer = phone.locator("[data-hold-timer]").first
    timer.get_by_role("button", name="Start").click()
    # A locked phone: no timer fires for a while, then the clock has jumped 20 s.
    phone.clock.fast_forward(20_000)
    expect(timer).to_have_attribute("data-phase", "done")
    item_id = timer.get_attribute("data-item")
    expect(phone.locator(f"#id_item-{item_id}-per_set")).to_have_value("2, 2")


def test_pause_stops_the_count_and_skip_records_what_was_held(
    phone, patient, short_timer, short_hold_assignment, sign_in_phone
):
    sign_in_phone(patient)
    phone.clock.install()
    phone.goto("/me/session/")
    timer = phone.locator("[data-hold-timer]").first
    item_id = timer.get_attribute("data-item")
    timer.get_by_role("button", name="Start").click()
    phone.clock.run_for(1_200)  # past "get ready", into the first hold
    expect(timer).to_have_attribute("data-phase", "hold")
    timer.get_by_role("button", name="Pause").click()
    phone.clock.run_for(10_000)  # paused time does not count
    expect(timer).to_have_attribute("data-phase", "hold")
    timer.get_by_role("button", name="Resume").click()
    phone.clock.run_for(1_100)
    timer.get_by_role("button", name="Skip").click()  # cut the first hold short at 1 s
    expect(phone.locator(f"#id_item-{item_id}-per_set")).to_have_value("1")


@pytest.fixture
def sign_in_phone(phone):
    from tests.conftest import PASSWORD

    def sign_in(user):
        phone.goto("/accounts/login/")
        phone.get_by_label("Username").fill(user.username)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()

    return sign_in


def test_patient_pages_are_accessible(
    phone, patient, short_hold_assignment, sign_in_phone, axe_for
):
    sign_in_phone(patient)
    for path in ["/me/", "/me/session/", "/me/history/", "/me/psfs/", "/me/print/"]:
        phone.goto(path)
        assert axe_for(phone) == [], path
