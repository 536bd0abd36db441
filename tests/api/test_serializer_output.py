"""The read serializers' direct output is byte for byte what DRF's fields would give."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from patients import services
from patients.api.serializers import (
    CheckInSerializer,
    DecisionSerializer,
    EntrySerializer,
    SessionSerializer,
)
from patients.models import Decision, Session
from tests.factories import programme_with_ladders

pytestmark = pytest.mark.django_db

DIRECT = [CheckInSerializer, DecisionSerializer, EntrySerializer, SessionSerializer]


@pytest.fixture
def history(patient, clinician):
    """Sessions with and without a check-in, entries with empty fields, engine and
    clinician decisions."""
    programme = programme_with_ladders(clinic=clinician.clinic, items=2, levels=3)
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    first, second = assignment.items.order_by("order")
    yesterday = timezone.now() - timedelta(hours=20)
    entries = [
        services.EntryInput(
            item_id=first.pk,
            sets_done=3,
            per_set=(10, 10, 10),
            effort=5,
            pain_before=3,
            pain_during=3,
            pain_after=2,
        ),
        services.EntryInput(
            item_id=second.pk,
            sets_done=2,
            per_set=(8, 6),
            effort=7,
            pain_before=3,
            pain_during=5,
            pain_after=4,
            held_breath=True,
            comment='Sore & "tight" <b>',
        ),
    ]
    for when in (yesterday, timezone.now()):
        services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            entries=entries,
            notes="Felt fine" if when == yesterday else "",
            now=when,
        )
    services.record_check_in(
        session=Session.objects.order_by("performed_at").first(),
        pain_now=2,
        worse_than_usual=False,
    )
    services.move_level(item=first, to_level=2, by=clinician, reason="Doing well")
    return assignment


def drf_output(serializer_class, rows, monkeypatch):
    """What DRF's own field-by-field to_representation gives, nested ones included."""
    with monkeypatch.context() as patched:
        for cls in DIRECT:
            patched.setattr(cls, "to_representation", serializers.Serializer.to_representation)
        return JSONRenderer().render(serializer_class(rows, many=True).data)


@pytest.mark.parametrize(
    ("serializer_class", "rows"),
    [
        (SessionSerializer, lambda: Session.objects.select_related("check_in")),
        (DecisionSerializer, lambda: Decision.objects.select_related("actor")),
    ],
    ids=["sessions", "decisions"],
)
def test_direct_output_matches_drf(history, serializer_class, rows, monkeypatch):
    rows = list(rows())
    expected = drf_output(serializer_class, rows, monkeypatch)
    assert JSONRenderer().render(serializer_class(rows, many=True).data) == expected
    assert b'"check_in":null' in expected or serializer_class is DecisionSerializer
    assert b'"actor":"engine"' in expected or serializer_class is SessionSerializer


@pytest.mark.parametrize("serializer_class", DIRECT)
def test_direct_output_lists_the_declared_fields(history, serializer_class):
    rows = {
        CheckInSerializer: lambda: Session.objects.exclude(check_in=None).first().check_in,
        DecisionSerializer: lambda: Decision.objects.first(),
        EntrySerializer: lambda: Session.objects.first().entries.first(),
        SessionSerializer: lambda: Session.objects.first(),
    }[serializer_class]()
    assert list(serializer_class(rows).data) == serializer_class.Meta.fields
