import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients import services
from programmes.models import Exercise
from tests.conftest import PASSWORD
from tests.factories import ExerciseFactory, programme_with_ladders

pytestmark = pytest.mark.django_db

LIST = "/api/v1/exercises/"


def api_for(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def own(clinician):
    return ExerciseFactory(clinic=clinician.clinic, name="Towel squeeze hold")


def test_token_from_username_and_password(clinician):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "clare", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    body = me.get("/api/v1/me/").json()
    assert body["role"] == "clinician" and body["clinic"]["name"] == "Harbour Physio"


def test_wrong_password_is_a_400_with_a_message(clinician):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "clare", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_anonymous_gets_401(db):
    assert APIClient().get(LIST).status_code == 401


def test_list_is_paginated_and_filterable(clinician, own):
    body = api_for(clinician).get(LIST, {"kind": "dynamic", "position": "task_specific"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1
    assert all(row["kind"] == "dynamic" for row in body["results"])
    search = api_for(clinician).get(LIST, {"search": "towel"}).json()
    assert [row["name"] for row in search["results"]] == ["Towel squeeze hold"]


def test_bad_filter_value_is_a_400(clinician):
    response = api_for(clinician).get(LIST, {"kind": "flying"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_create_update_delete_own(clinician):
    client = api_for(clinician)
    created = client.post(
        LIST,
        {
            "name": "Wall lean hold",
            "kind": "isometric",
            "position": "standing",
            "body_region": "trunk",
            "equipment": "wall",
            "instructions": "Lean gently into the wall.",
            "what_to_feel": "Tummy working.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    exercise = Exercise.objects.get(pk=created.json()["id"])
    assert exercise.clinic == clinician.clinic
    url = f"{LIST}{exercise.pk}/"
    assert client.patch(url, {"name": "Wall lean (long)"}, format="json").status_code == 200
    assert client.delete(url).status_code == 204


def test_invalid_create_lists_errors_per_field(clinician):
    response = api_for(clinician).post(LIST, {"name": "", "kind": "sideways"}, format="json")
    assert response.status_code == 400
    assert {"name", "kind", "instructions"} <= set(response.json())


def test_built_in_is_read_only(clinician):
    built_in = Exercise.objects.built_in().first()
    response = api_for(clinician).patch(f"{LIST}{built_in.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_other_clinic_gets_404(outsider, own):
    client = api_for(outsider)
    assert client.get(f"{LIST}{own.pk}/").status_code == 404
    assert client.patch(f"{LIST}{own.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.delete(f"{LIST}{own.pk}/").status_code == 404
    assert Exercise.objects.filter(pk=own.pk, name="Towel squeeze hold").exists()


def test_patient_reads_only_their_programmes_exercises_and_cannot_write(patient, clinician, own):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    used = programme.items.get().levels.first().exercise
    client = api_for(patient)
    names = [row["name"] for row in client.get(LIST).json()["results"]]
    assert names == [used.name]
    assert client.get(f"{LIST}{own.pk}/").status_code == 404
    assert client.post(LIST, {"name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(clinician, django_assert_num_queries, rows):
    ExerciseFactory.create_batch(rows, clinic=clinician.clinic)
    client = api_for(clinician)
    # token + user, count, page
    with django_assert_num_queries(3):
        response = client.get(LIST)
    assert response.status_code == 200


def test_schema_and_docs_are_served_locally(client):
    schema = client.get(reverse("schema"))
    assert schema.status_code == 200
    assert b"/api/v1/exercises/" in schema.content
    docs = client.get(reverse("swagger-ui")).content.decode()
    assert "drf_spectacular_sidecar" in docs or "/static/" in docs
    assert "cdn" not in docs.lower()
