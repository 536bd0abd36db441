"""Lists cost the same number of queries with 3 rows as with 30, so an N+1 shows.

The exercises, patients, programmes and sessions lists are pinned next to their other
tests; these are the lists of what the programme produces.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from patients import services
from patients.models import Assignment, CheckIn, Decision
from tests.api.test_exercises_api import api_for
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db

ROWS = [3, 30]


def assign(patient, clinician, **kwargs):
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=3)
    return services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
        **kwargs,
    )


def evening_with_check_in(assignment, when):
    entries = [
        services.EntryInput(
            item_id=item.pk,
            sets_done=3,
            per_set=(10, 10, 10),
            effort=5,
            pain_before=3,
            pain_during=3,
            pain_after=2,
        )
        for item in assignment.items.all()
    ]
    session = services.log_session(
        assignment=assignment, submission_key=uuid.uuid4(), entries=entries, now=when
    ).session
    services.record_check_in(
        session=session, pain_now=3, worse_than_usual=False, now=when + timedelta(hours=14)
    )


@pytest.fixture
def reader(request, clinician, patient):
    """Both sides read these lists: the clinician their clinic's, the patient their own."""
    return api_for({"clinician": clinician, "patient": patient}[request.param])


@pytest.mark.parametrize("reader", ["clinician", "patient"], indirect=True)
@pytest.mark.parametrize("rows", ROWS)
def test_assignment_list_query_count_is_constant(
    clinician, patient, reader, django_assert_num_queries, rows
):
    # One current programme at a time, so the earlier ones are finished.
    for _ in range(rows - 1):
        services.change_assignment_status(assignment=assign(patient, clinician), action="finish")
    assign(patient, clinician)
    assert Assignment.objects.count() == rows
    # token and user, count, page, items, levels with their exercises
    with django_assert_num_queries(5):
        response = reader.get("/api/v1/assignments/")
    assert response.status_code == 200
    assert response.json()["count"] == rows


@pytest.mark.parametrize("reader", ["clinician", "patient"], indirect=True)
@pytest.mark.parametrize("rows", ROWS)
def test_check_in_list_query_count_is_constant(
    clinician, patient, reader, django_assert_num_queries, rows
):
    assignment = assign(patient, clinician)
    first = timezone.now() - timedelta(days=rows + 1)
    assignment.items.update(level_since=first - timedelta(days=1))
    for day in range(rows):
        evening_with_check_in(assignment, first + timedelta(days=day))
    assert CheckIn.objects.count() == rows
    # token and user, count, page
    with django_assert_num_queries(3):
        response = reader.get("/api/v1/check-ins/")
    assert response.status_code == 200
    assert response.json()["count"] == rows


@pytest.mark.parametrize("reader", ["clinician", "patient"], indirect=True)
@pytest.mark.parametrize("rows", ROWS)
def test_decision_list_query_count_is_constant(
    clinician, colleague, patient, reader, django_assert_num_queries, rows
):
    item = assign(patient, clinician).items.first()
    # Clinicians' decisions, from two of them, so each row names its actor.
    for number in range(rows):
        services.move_level(
            item=item,
            to_level=number % 3 + 1,
            by=(clinician, colleague)[number % 2],
            reason="Adjusting after review",
        )
    assert Decision.objects.count() == rows
    # token and user, count, page with actors
    with django_assert_num_queries(3):
        response = reader.get("/api/v1/decisions/")
    assert response.status_code == 200
    assert response.json()["count"] == rows
