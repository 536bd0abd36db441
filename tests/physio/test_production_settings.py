"""Production settings (DEBUG=0), checked in a fresh interpreter as a server would start."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHOW_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    name: getattr(settings, name)
    for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF",
    )
}))
"""


# Set by the test run itself (tests/conftest.py sets the last one for Playwright);
# a real server would not have them.
CONFIGURED_HERE = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run(args, **env):
    environment = {key: value for key, value in os.environ.items() if key not in CONFIGURED_HERE}
    environment.update({"DJANGO_SETTINGS_MODULE": "physio.settings", **env})
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**env):
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "isohold.example.org",
        **env,
    }


def test_check_deploy_reports_nothing():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run(["manage.py", "check"], DEBUG="0", ALLOWED_HOSTS="isohold.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set. Production (DEBUG=0) needs a long random SECRET_KEY" in (
        result.stderr
    )


def production_settings(**env):
    result = run(["-c", SHOW_SETTINGS], **production(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_values_behind_a_tls_proxy():
    values = production_settings()
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


def test_without_a_proxy_the_forwarded_proto_header_is_not_believed():
    values = production_settings(TRUSTED_PROXY_COUNT="0")
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_SSL_REDIRECT"] is True


def test_ssl_redirect_can_be_left_to_the_proxy():
    assert production_settings(SECURE_SSL_REDIRECT="0")["SECURE_SSL_REDIRECT"] is False


def test_health_check_is_not_redirected_to_https():
    values = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_REDIRECT_EXEMPT)",
        ],
        **production(),
    )
    assert values.stdout.strip() == "['^healthz$']"


def test_plain_http_is_redirected_except_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code == 200
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
