"""Content-Security-Policy and the other security headers, and templates that keep to them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_policy(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_sign_in_page_has_a_strict_policy_and_security_headers(client):
    response = client.get(reverse("login"))
    assert_strict_policy(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_have_the_policy(clinician_client):
    assert_strict_policy(clinician_client.get(reverse("home"), follow=True))


def test_api_responses_have_the_policy(clinician_client):
    assert_strict_policy(clinician_client.get("/api/v1/me/"))


def test_api_docs_load_their_script_from_a_file(client):
    response = client.get(reverse("swagger-ui"))
    assert response.status_code == 200
    assert_strict_policy(response)
    html = response.content.decode()
    assert inline_scripts(html) == []
    assert "<style" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get(reverse("swagger-ui") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
NOT_EXECUTED = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """<script> tags that would run inline code: no src, and not a JSON data block."""
    return [
        match.group(0)
        for match in SCRIPT_TAG.finditer(html)
        if "src=" not in match.group(1) and not NOT_EXECUTED.search(match.group(1))
    ]


def project_templates() -> list[Path]:
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [ROOT / app / "templates" for app in ("physio", "programmes", "patients")]
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.html"))


def test_templates_are_found():
    names = {path.name for path in project_templates()}
    assert {"base.html", "login.html", "session_log.html"} <= names


@pytest.mark.parametrize("template", project_templates(), ids=lambda path: path.name)
def test_template_has_no_inline_script_or_handler(template):
    html = template.read_text()
    assert inline_scripts(html) == [], "move the code into a file under static/js/"
    assert not HANDLER_ATTRIBUTE.search(html), "bind events from a static/js file instead"
    assert "javascript:" not in html.lower()


@pytest.mark.parametrize(
    "html, inline",
    [
        ('<script src="/static/js/a.js"></script>', False),
        ('<script type="application/json" id="d">{"a": 1}</script>', False),
        ("<script>alert(1)</script>", True),
        ('<script type="module">import x from "./x.js"</script>', True),
    ],
)
def test_inline_script_detector(html, inline):
    assert bool(inline_scripts(html)) is inline
