"""schemathesis against a live server: generated requests, for a clinician and a patient.

It fuzzes every operation of the OpenAPI schema from outside, as an integration
would call it, and fails on any server error or any response the schema does
not describe.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from physio.models import User

pytestmark = pytest.mark.usefixtures("built_in_library")

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def fuzz(live_server, token: str, workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/schema/",
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            "15",
            "--seed",
            "20261128",
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--no-color",
        ],
        cwd=workdir,  # its cache and reports stay out of the project
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_generated_requests_never_break_the_api(live_server, tmp_path, settings):
    call_command("load_demo_data", verbosity=0)
    tokens = {
        username: Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
        for username in ("demo-patient", "demo-clinician")
    }
    # The patient goes first: the clinician's run may archive the demo patient.
    for username, token in tokens.items():
        result = fuzz(live_server, token, tmp_path)
        report = result.stdout[-6000:] + result.stderr[-2000:]
        assert result.returncode == 0, f"schemathesis as {username}:\n{report}"
        assert "passed" in result.stdout, report
