import pytest
from django.core.management import call_command

from patients.management.commands.load_demo_data import DEMO_PASSWORD, STARTER_PROGRAMME
from patients.models import Assignment
from physio.models import Clinic, User
from programmes.models import Kind, Position, Programme

pytestmark = pytest.mark.django_db


def test_demo_data_loads_once_and_prints_logins(capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    out = capsys.readouterr().out
    assert Clinic.objects.count() == 1
    assert User.objects.filter(username__startswith="demo-").count() == 2
    assert Programme.objects.count() == 1
    assert Assignment.objects.count() == 1
    assert "demo-clinician" in out and DEMO_PASSWORD in out
    assert User.objects.get(username="demo-clinician").check_password(DEMO_PASSWORD)


def test_starter_ladders_climb_to_a_dynamic_exercise():
    call_command("load_demo_data")
    programme = Programme.objects.get(name=STARTER_PROGRAMME)
    order = list(Position.values)
    for item in programme.items.prefetch_related("levels__exercise"):
        levels = sorted(item.levels.all(), key=lambda level: level.order)
        assert levels[0].hold_seconds == 10 and levels[0].sets == 3
        assert levels[-1].exercise.kind == Kind.DYNAMIC
        # Holds climb the contexts; the dynamic finish may start easier again.
        holds = [order.index(level.position) for level in levels if level.hold_seconds]
        assert holds == sorted(holds), item.title
    first = programme.items.order_by("order").first()
    contexts = {level.position for level in first.levels.all()}
    assert contexts == set(Position.values)


def test_demo_patient_sees_the_starter_programme(client):
    call_command("load_demo_data")
    # Through the sign-in page: the lockout backend needs the request that
    # client.login() does not pass.
    client.post("/accounts/login/", {"username": "demo-patient", "password": DEMO_PASSWORD})
    assert STARTER_PROGRAMME in client.get("/me/").content.decode()


def test_demo_history_makes_the_review_worth_a_look():
    from patients.models import AssignmentItem, Session

    call_command("load_demo_data")
    assert Session.objects.count() == 6
    assert all(hasattr(session, "check_in") for session in Session.objects.all())
    assert AssignmentItem.objects.filter(awaiting_approval__isnull=False).exists()
