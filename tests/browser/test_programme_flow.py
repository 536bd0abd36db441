import pytest
from playwright.sync_api import expect

from patients.models import Assignment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def fill_level(page, index, *, exercise, hold):
    card = page.locator(".level-card").nth(index)
    card.get_by_label("Exercise").fill(exercise)
    card.get_by_label("Hold (seconds)").fill(str(hold))


def build_item(page, *, title, exercise, holds):
    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Title").fill(title)
    fill_level(page, 0, exercise=exercise, hold=holds[0])
    for index, hold in enumerate(holds[1:], start=1):
        page.get_by_role("button", name="Add a level").click()
        fill_level(page, index, exercise=exercise, hold=hold)
    page.get_by_role("button", name="Save ladder").click()
    expect(page.get_by_role("status")).to_contain_text("The ladder was saved")


def test_clinician_builds_assigns_and_patient_signs_up(
    browser, live_server, page, sign_in, clinician
):
    sign_in(clinician)
    page.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Build the first programme").click()
    page.get_by_label("Name").fill("Desk worker stability")
    page.get_by_role("button", name="Create and add items").click()

    build_item(page, title="Abdominals", exercise="Abdominal Curl (isometric)", holds=[10, 20, 30])
    build_item(
        page,
        title="Rotation control",
        exercise="Seated Trunk Rotation (isometric)",
        holds=[10, 15, 20],
    )
    expect(page.get_by_text("3 × 10 s → 3 × 20 s → 3 × 30 s")).to_be_visible()
    expect(page.get_by_text("3 × 10 s → 3 × 15 s → 3 × 20 s")).to_be_visible()

    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Add the first patient").click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Hale")
    page.get_by_label("Baseline pain").fill("4")
    page.get_by_role("button", name="Add and create invitation").click()
    link = page.get_by_label("Invitation link").input_value()
    assert "/invite/" in link

    page.get_by_role("link", name="Assign a programme").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Assign programme").click()
    expect(page.get_by_role("status")).to_contain_text("was given to Robin Hale")
    expect(page.locator("[aria-current=step]")).to_have_count(2)

    patient_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = patient_context.new_page()
        phone.goto(link)
        expect(phone.get_by_text("robin.hale")).to_be_visible()
        phone.get_by_label("Choose a password").fill("steady-breathing-42")
        phone.get_by_label("Type it again").fill("steady-breathing-42")
        phone.get_by_role("button", name="Save my password and continue").click()
        expect(phone.get_by_role("heading", name="Desk worker stability")).to_be_visible()
        expect(phone.get_by_role("heading", name="Abdominal Curl (isometric)")).to_be_visible()
        expect(phone.get_by_text("Stop if it increases your pain.").first).to_be_visible()
        no_sideways_scroll = phone.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert no_sideways_scroll
    finally:
        patient_context.close()
    assert Assignment.objects.get().patient.user.username == "robin.hale"


def test_builder_pages_are_accessible(page, sign_in, clinician, axe_violations):
    from tests.factories import programme_with_ladders

    programme = programme_with_ladders(clinic=clinician.clinic)
    sign_in(clinician)
    for path in [
        "/programmes/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/items/new/",
        "/patients/",
        "/patients/new/",
    ]:
        page.goto(path)
        assert axe_violations() == [], path
