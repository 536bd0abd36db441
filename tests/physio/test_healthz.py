import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_anyone_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_is_read_only(client):
    assert client.post("/healthz").status_code == 405
