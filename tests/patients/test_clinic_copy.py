"""Sessions and decisions carry their patient's clinic, so a clinic's lists are one index
range whatever else the tables hold; the copy must always match the patient's."""

import uuid

import pytest
from django.contrib import admin
from django.utils import timezone
from zeal import zeal_ignore

from patients import services
from patients.models import AssignmentItem, Decision, Patient, Session
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


def test_a_clinicians_move_carries_the_patients_clinic(record, clinician):
    assignment = make_assignment(record, clinician)
    item = AssignmentItem.objects.get(pk=the_item(assignment).pk)
    decision = services.move_level(item=item, to_level=1, by=clinician, reason="Easier")
    assert Decision.objects.get(pk=decision.pk).clinic_id == record.clinic_id


def test_a_row_saved_without_its_clinic_is_given_its_patients(record, clinician):
    assignment = make_assignment(record, clinician)
    item = the_item(assignment)
    decision = Decision(
        item=item, patient=record, action="hold", from_level=2, to_level=2, reasons=["Note"]
    )
    decision.save()
    assert decision.clinic_id == record.clinic_id
    session = Session(assignment=assignment, patient=record, submission_key=uuid.uuid4())
    session.save()
    assert Session.objects.get(pk=session.pk).clinic_id == record.clinic_id


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


def test_the_admin_cannot_move_a_patient_to_another_clinic(rf, admin_user, record):
    patient_admin = admin.site._registry[Patient]
    request = rf.get("/admin/")
    request.user = admin_user
    assert "clinic" in patient_admin.get_readonly_fields(request, record)
    # A new patient still needs one.
    assert "clinic" not in patient_admin.get_readonly_fields(request, None)
    assert "clinic" in patient_admin.get_form(request, None).base_fields
