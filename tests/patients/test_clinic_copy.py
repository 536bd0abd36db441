"""Sessions and decisions carry their patient's clinic, so a clinic's lists are one index
range whatever else the tables hold; the copy must always match the patient's."""

import pytest
from django.utils import timezone
from zeal import zeal_ignore

from patients import services
from patients.models import AssignmentItem, Decision, Session
from tests.factories import PatientFactory
from tests.patients.test_gating import START, log, make_assignment, the_item


@pytest.fixture
def record(patient):
    return patient.patient_record


def test_a_logged_session_and_the_engines_decision_carry_the_patients_clinic(record, clinician):
    assignment = make_assignment(record, clinician)
    # A red session: the engine lowers the level at once.
    session = log(assignment, START, pain_during=8)
    assert Session.objects.get(pk=session.pk).clinic_id == record.clinic_id
    decision = Decision.objects.get(item__assignment=assignment)
    assert decision.clinic_id == record.clinic_id


def test_a_clinicians_move_carries_the_clinic_even_when_the_patient_was_not_read(record, clinician):
    assignment = make_assignment(record, clinician)
    # Only the item, as a page might hold it: its assignment's patient is not loaded.
    item = AssignmentItem.objects.get(pk=the_item(assignment).pk)
    decision = services.move_level(item=item, to_level=1, by=clinician, reason="Easier")
    assert Decision.objects.get(pk=decision.pk).clinic_id == record.clinic_id


def test_another_clinics_rows_stay_out_of_a_clinicians_lists(
    record, clinician, outsider, other_clinic
):
    elsewhere = PatientFactory(clinic=other_clinic, clinician=outsider)
    # Two programmes set up the same way: the same lines run twice, by design.
    with zeal_ignore():
        ours, theirs = make_assignment(record, clinician), make_assignment(elsewhere, outsider)
    log(ours, timezone.now(), pain_during=8)
    log(theirs, timezone.now(), pain_during=8)
    assert set(Session.objects.visible_to(clinician).values_list("clinic_id", flat=True)) == {
        record.clinic_id
    }
    assert set(Decision.objects.visible_to(outsider).values_list("clinic_id", flat=True)) == {
        other_clinic.pk
    }
