import io

import pytest
from django.core.management import CommandError, call_command

from patients.demo_load import clinician_username, split
from patients.models import Assignment, AssignmentStatus, Decision, Patient, Session, SessionEntry
from physio.models import Clinic, User

pytestmark = pytest.mark.django_db

SMALL = {"clinics": 2, "patients": 10, "sessions": 200, "seed": 7}
UNTIL = "2026-03-02T09:00:00+00:00"


def generate(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "generate_demo_load", **{**SMALL, "until": UNTIL, **options}, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def snapshot():
    """Counts and every pain number, in an order that does not depend on ids."""
    entries = SessionEntry.objects.order_by(
        "session__patient__email", "session__performed_at", "item__order"
    ).values_list("pain_before", "pain_during", "pain_after", "effort", "response")
    counts = {
        model.__name__: model.objects.count()
        for model in (Clinic, User, Patient, Assignment, Session, SessionEntry, Decision)
    }
    return counts, list(entries)


def test_the_same_seed_makes_the_same_data():
    out, err = generate()
    first = snapshot()
    generate(force=True)
    assert snapshot() == first
    counts, entries = first
    assert counts["Clinic"] == 2 and counts["Patient"] == 10 and counts["Session"] == 200
    assert len(entries) >= 200
    assert "Session" in out and "Generated in" in out
    assert "100%" in err  # the progress bar reached the end


def test_another_seed_makes_other_pain():
    generate()
    _, first = snapshot()
    generate(force=True, seed=8)
    _, second = snapshot()
    assert first != second


def test_refuses_to_overwrite_without_force():
    generate()
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert Session.objects.count() == 200


def test_history_reads_like_a_clinic():
    generate(sessions=600)
    responses = set(SessionEntry.objects.values_list("response", flat=True))
    assert {"green", "amber"} <= responses
    actions = set(Decision.objects.values_list("action", flat=True))
    assert {"hold", "progress"} <= actions
    # One current programme per patient at most, as the app enforces.
    for patient in Patient.objects.all():
        assert patient.assignments.current().count() <= 1
    assert Assignment.objects.filter(status=AssignmentStatus.ACTIVE).exists()
    # Pain settles: the last weeks hurt less than the first, across the clinic.
    ordered = list(
        SessionEntry.objects.order_by("session__performed_at").values_list("pain_before", flat=True)
    )
    tenth = len(ordered) // 10
    assert sum(ordered[-tenth:]) < sum(ordered[:tenth])


def test_generated_clinician_sees_dashboard_and_patient_page(client):
    generate()
    clinician = User.objects.get(username=clinician_username(0, 1))
    client.force_login(clinician)
    assert client.get("/dashboard/").status_code == 200
    patient = (
        Patient.objects.filter(clinic=clinician.clinic, sessions__isnull=False).distinct().first()
    )
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 200
    assert patient.full_name in response.content.decode()


def test_generated_patient_sees_today_page(client):
    generate()
    patient = Patient.objects.filter(
        user__isnull=False, user__is_active=True, assignments__status=AssignmentStatus.ACTIVE
    ).first()
    client.force_login(patient.user)
    assert client.get("/me/").status_code == 200


def test_split_shares_exactly():
    assert split(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split(1_000_000, [0.3, 2.5, 0, 1.1])) == 1_000_000
    assert split(5, [0, 0]) == [0, 0]
