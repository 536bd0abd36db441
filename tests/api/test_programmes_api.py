import pytest

from programmes.models import Exercise, Level, Programme
from tests.api.test_exercises_api import api_for
from tests.factories import ExerciseFactory, programme_with_ladders

pytestmark = pytest.mark.django_db

LIST = "/api/v1/programmes/"


def builtin(name):
    return Exercise.objects.built_in().get(name=name).pk


def programme_body(**changes):
    body = {
        "name": "Desk worker stability",
        "items": [
            {
                "title": "Abdominals",
                "levels": [
                    {"exercise": builtin("Abdominal Curl (isometric)"), "hold_seconds": 10},
                    {"exercise": builtin("Abdominal Curl (isometric)"), "hold_seconds": 20},
                    {"exercise": builtin("Angry Cat / Happy Cat")},
                ],
            }
        ],
    }
    body.update(changes)
    return body


def test_create_with_nested_ladders_and_seed_defaults(clinician):
    response = api_for(clinician).post(LIST, programme_body(), format="json")
    assert response.status_code == 201, response.json()
    programme = Programme.objects.get(name="Desk worker stability")
    assert programme.clinic == clinician.clinic
    levels = list(Level.objects.filter(item__programme=programme).order_by("order"))
    assert [(lv.sets, lv.hold_seconds, lv.reps) for lv in levels] == [
        (3, 10, None),
        (3, 20, None),
        (2, None, 6),
    ]
    assert levels[0].effort_target == 6 and levels[0].rest_seconds == 30


def test_high_effort_needs_confirmation(clinician):
    body = programme_body()
    body["items"][0]["levels"][0]["effort_target"] = 8
    response = api_for(clinician).post(LIST, body, format="json")
    assert response.status_code == 400
    body["items"][0]["levels"][0]["confirm_high_effort"] = True
    assert api_for(clinician).post(LIST, body, format="json").status_code == 201


def test_bounds_and_foreign_exercises_are_refused(clinician, other_clinic):
    secret = ExerciseFactory(clinic=other_clinic)
    body = programme_body()
    body["items"][0]["levels"][0]["hold_seconds"] = 121
    body["items"][0]["levels"][1]["exercise"] = secret.pk
    response = api_for(clinician).post(LIST, body, format="json")
    assert response.status_code == 400
    assert not Programme.objects.exists()


def test_update_replaces_items_and_delete_archives(clinician):
    client = api_for(clinician)
    programme_id = client.post(LIST, programme_body(), format="json").json()["id"]
    body = programme_body(name="Renamed")
    body["items"] = body["items"] + body["items"]
    assert client.put(f"{LIST}{programme_id}/", body, format="json").status_code == 200
    assert Programme.objects.get(pk=programme_id).items.count() == 2
    assert client.delete(f"{LIST}{programme_id}/").status_code == 204
    assert Programme.objects.get(pk=programme_id).is_archived
    assert client.get(LIST).json()["count"] == 0
    assert client.get(LIST, {"archived": "true"}).json()["count"] == 1


def test_duplicate(clinician):
    programme = programme_with_ladders(clinic=clinician.clinic)
    response = api_for(clinician).post(f"{LIST}{programme.pk}/duplicate/")
    assert response.status_code == 201
    assert len(response.json()["items"]) == 2


def test_outsider_404_patient_403(outsider, patient, clinician):
    programme = programme_with_ladders(clinic=clinician.clinic)
    assert api_for(outsider).get(f"{LIST}{programme.pk}/").status_code == 404
    assert api_for(outsider).delete(f"{LIST}{programme.pk}/").status_code == 404
    assert api_for(patient).get(LIST).status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(clinician, django_assert_num_queries, rows):
    for _ in range(rows):
        programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    client = api_for(clinician)
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize(
    "items, field",
    [
        ([{"title": "No ladder"}], "levels"),
        ([{"title": "Level without exercise", "levels": [{"hold_seconds": 10}]}], "exercise"),
    ],
    ids=["item without levels", "level without exercise"],
)
def test_a_patch_with_incomplete_items_is_refused_and_changes_nothing(clinician, items, field):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=2)
    response = api_for(clinician).patch(
        f"{LIST}{programme.pk}/", {"name": "Renamed", "items": items}, format="json"
    )
    assert response.status_code == 400
    assert field in str(response.json()["items"])
    programme.refresh_from_db()
    assert programme.name != "Renamed"
    assert Level.objects.filter(item__programme=programme).count() == 2
