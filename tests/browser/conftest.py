import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ISOHOLD_CHROMIUM", "/usr/bin/chromium")
AXE_URL = "/static/vendor/axe-core/axe.min.js"


def _unavailable(reason: str):
    # CI sets ISOHOLD_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping.
    if os.environ.get("ISOHOLD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _library(built_in_library):
    """Browser tests commit for real: they need the library reloaded after each flush."""


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the lock installs it
        _unavailable(f"playwright is not installed ({error})")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM}; `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.js_errors = errors
    yield page
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def sign_in(page):
    from tests.conftest import PASSWORD

    def sign_in_as(user):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in_as


def serious_axe_violations(page):
    """Run axe-core (vendored) on the current page; returns serious or critical violations."""
    # By URL from our own static files: the Content-Security-Policy blocks an inline copy.
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes) e.g. {v['nodes'][0]['html'][:120]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def axe_for():
    return serious_axe_violations


@pytest.fixture
def axe_violations(page):
    def run():
        return serious_axe_violations(page)

    return run
