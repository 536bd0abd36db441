"""Swagger UI at /api/docs/ works under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Recorded from the first script that runs in the page, before any of ours.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_swagger_ui_lists_operations_and_runs_one(page, sign_in, clinician):
    page.add_init_script(WATCH_CSP)
    sign_in(clinician)
    page.goto("/api/docs/")

    expect(page.get_by_role("heading", name="Isohold API")).to_be_visible()
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/v1/exercises/").first).to_be_visible()
    assert operations.count() > 20

    # Run GET me/ from the page: Swagger's own fetch is allowed by connect-src 'self'
    # and the signed-in session authenticates it.
    me = page.locator(".opblock").filter(has=page.locator('[data-path="/api/v1/me/"]'))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(me.locator(".live-responses-table")).to_contain_text('"username": "clare"')

    assert page.evaluate("window.cspViolations") == []


def test_the_browser_enforces_the_policy(page, sign_in, clinician):
    """A control: inline code injected into a page is blocked, and reported."""
    page.add_init_script(WATCH_CSP)
    sign_in(clinician)
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("window.cspViolations")[0].startswith("script-src")
    assert any("Content Security Policy" in error for error in page.js_errors)
    page.js_errors.clear()  # the violation was the point of this test
