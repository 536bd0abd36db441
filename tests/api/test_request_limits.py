"""Bounds on one API request (OWASP API4): body size and page size."""

import io
import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from programmes.models import Exercise
from tests.api.test_exercises_api import api_for
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def post_raw_json(client, url, body: bytes):
    return client.generic("POST", url, body, content_type="application/json")


def exercise_payload(**extra):
    return {
        "name": "Wall sit hold",
        "kind": "isometric",
        "position": "standing",
        "body_region": "hips",
        "equipment": "wall",
        "instructions": "Slide down the wall until your knees are gently bent, and hold.",
        "what_to_feel": "Warmth in the front of the thighs.",
        "breathing_cue": "Breathe out slowly through the hold.",
        **extra,
    }


def test_oversized_json_body_is_a_413_with_a_json_reason(clinician):
    body = json.dumps(exercise_payload(instructions="x" * (2 * MB))).encode()
    response = post_raw_json(api_for(clinician), "/api/v1/exercises/", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "the most this API accepts is 1048576 bytes" in response.json()["detail"]
    assert not Exercise.objects.filter(name="Wall sit hold").exists()


def test_oversized_token_request_is_a_413(clinician):
    body = json.dumps({"username": "clare", "password": "p" * (2 * MB)}).encode()
    response = post_raw_json(APIClient(), "/api/v1/auth/token/", body)
    assert response.status_code == 413
    assert "detail" in response.json()


def test_oversized_form_encoded_token_request_is_a_413(clinician):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "clare", "password": "p" * (2 * MB)},
        format="multipart",
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_body_under_the_limit_is_accepted(clinician):
    # Unknown keys are ignored, so this is a normal exercise padded to 0.9 MB.
    body = json.dumps(exercise_payload(padding="x" * (9 * MB // 10))).encode()
    response = post_raw_json(api_for(clinician), "/api/v1/exercises/", body)
    assert response.status_code == 201, response.content[:300]


def test_oversized_web_form_is_a_400_not_a_500(client, clinician):
    response = client.post(reverse("login"), {"username": "clare", "password": "p" * (2 * MB)})
    assert response.status_code == 400


def picture_bytes(target_bytes: int) -> bytes:
    """A PNG of random noise (incompressible), a little under target_bytes."""
    side = int((target_bytes / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_exercise_picture_larger_than_the_body_limit_still_uploads(clinician_client):
    picture = picture_bytes(int(1.6 * MB))
    assert MB < len(picture) < 2 * MB
    response = clinician_client.post(
        reverse("programmes:exercise-create"),
        {
            **exercise_payload(),
            "image": SimpleUploadedFile("wall-sit.png", picture, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Exercise.objects.get(name="Wall sit hold").image.size == len(picture)


# --- Page size ---------------------------------------------------------------------


@pytest.fixture
def many_exercises(clinician):
    ExerciseFactory.create_batch(110, clinic=clinician.clinic)


def test_page_size_can_be_asked_for(clinician, many_exercises):
    body = api_for(clinician).get("/api/v1/exercises/?page_size=5").json()
    assert len(body["results"]) == 5
    assert "page_size=5" in body["next"]


def test_page_size_above_the_cap_is_clamped_to_100(clinician, many_exercises):
    body = api_for(clinician).get("/api/v1/exercises/?page_size=100000").json()
    assert body["count"] > 100
    assert len(body["results"]) == 100


def test_default_page_size_is_25(clinician, many_exercises):
    assert len(api_for(clinician).get("/api/v1/exercises/").json()["results"]) == 25


@pytest.mark.parametrize("value", ["0", "-3", "lots"])
def test_nonsense_page_size_falls_back_to_the_default(clinician, many_exercises, value):
    response = api_for(clinician).get(f"/api/v1/exercises/?page_size={value}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


def test_schema_documents_page_size(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = schema["paths"]["/api/v1/exercises/"]["get"]["parameters"]
    assert "page_size" in {parameter["name"] for parameter in parameters}
