"""Everything Isohold holds about one patient, as one JSON document (the right of access).

A plain function so that the clinician's download, the patient's download and the tests
all build the same document. It costs a fixed number of queries however long the
patient's history is.
"""

from django.db.models import Prefetch
from django.utils import timezone

from .models import (
    Alert,
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    Decision,
    Patient,
    PsfsRating,
    Session,
)

EXPORT_FORMAT = "isohold-patient-export"
EXPORT_VERSION = 1


def _when(moment):
    return moment.isoformat() if moment is not None else None


def _user(user):
    if user is None:
        return None
    return {"id": user.pk, "name": str(user)}


def _level(level, number):
    return {
        "id": level.pk,
        "number": number,
        "exercise": level.exercise.name,
        "position": level.position,
        "sets": level.sets,
        "hold_seconds": level.hold_seconds,
        "reps": level.reps,
        "rest_seconds": level.rest_seconds,
        "effort_target": level.effort_target,
        "resistance": level.resistance,
        "cues": level.cues,
    }


def _item(item):
    levels = list(item.levels.all())
    current = next(
        (n for n, level in enumerate(levels, start=1) if level.pk == item.current_level_id), None
    )
    return {
        "id": item.pk,
        "order": item.order,
        "title": item.title,
        "current_level": current,
        "level_since": _when(item.level_since),
        "paused": item.paused,
        "ready_to_progress": item.awaiting_approval_id is not None,
        "levels": [_level(level, n) for n, level in enumerate(levels, start=1)],
    }


def _assignment(assignment):
    activities = list(assignment.psfs_activities.all())
    return {
        "id": assignment.pk,
        "name": assignment.name,
        "status": assignment.status,
        "start_date": assignment.start_date.isoformat(),
        "sessions_per_week": assignment.sessions_per_week,
        "rule_profile": assignment.rule_profile,
        "rule_numbers": assignment.rule_numbers,
        "auto_advance": assignment.auto_advance,
        "status_changed_at": _when(assignment.status_changed_at),
        "created_at": _when(assignment.created_at),
        "created_by": _user(assignment.created_by),
        "items": [_item(item) for item in assignment.items.all()],
        "psfs": {
            "activities": [{"id": a.pk, "name": a.name} for a in activities],
            "ratings": [
                {
                    "rated_at": _when(rating.rated_at),
                    "score": str(rating.score),
                    "scores": rating.scores,
                }
                for rating in assignment.psfs_ratings.all()
            ],
        },
    }


def _entry(entry):
    return {
        "item": entry.item_id,
        "exercise": entry.exercise_name,
        "level": entry.level_number,
        "prescribed": {
            "sets": entry.prescribed_sets,
            "hold_seconds": entry.prescribed_hold_seconds,
            "reps": entry.prescribed_reps,
            "effort_target": entry.effort_target,
        },
        "sets_done": entry.sets_done,
        "per_set": entry.per_set,
        "effort": entry.effort,
        "pain_before": entry.pain_before,
        "pain_during": entry.pain_during,
        "pain_after": entry.pain_after,
        "held_breath": entry.held_breath,
        "braced_too_hard": entry.braced_too_hard,
        "increased_pain": entry.increased_pain,
        "comment": entry.comment,
        "response": entry.response,
        "response_reasons": entry.response_reasons,
    }


def _session(session):
    check_in = getattr(session, "check_in", None)
    return {
        "id": session.pk,
        "assignment": session.assignment_id,
        "performed_at": _when(session.performed_at),
        "notes": session.notes,
        "entries": [_entry(entry) for entry in session.entries.all()],
        "check_in": check_in
        and {
            "pain_now": check_in.pain_now,
            "worse_than_usual": check_in.worse_than_usual,
            "answered_at": _when(check_in.created_at),
        },
        "correction_notes": [
            {"text": note.text, "added_at": _when(note.created_at)}
            for note in session.correction_notes.all()
        ],
    }


def _decision(decision):
    return {
        "id": decision.pk,
        "item": decision.item_id,
        "assignment": decision.item.assignment_id,
        "action": decision.action,
        "from_level": decision.from_level,
        "to_level": decision.to_level,
        "reasons": decision.reasons,
        "profile": decision.profile,
        "numbers": decision.numbers,
        "rule_version": decision.rule_version,
        "sessions_used": decision.sessions_used,
        "by": "rules engine" if decision.actor_id is None else _user(decision.actor),
        "decided_at": _when(decision.created_at),
    }


def _alert(alert):
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "message": alert.message,
        "decision": alert.decision_id,
        "raised_at": _when(alert.created_at),
        "acknowledged_at": _when(alert.acknowledged_at),
        "acknowledged_by": _user(alert.acknowledged_by),
    }


def export_patient(patient: Patient, *, now=None) -> dict:
    """The whole record of `patient`, oldest first within each list."""
    patient = Patient.objects.select_related("clinic", "clinician", "user").get(pk=patient.pk)
    assignments = (
        Assignment.objects.filter(patient=patient)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=AssignmentItem.objects.prefetch_related(
                    Prefetch(
                        "levels",
                        queryset=AssignmentLevel.objects.select_related("exercise").order_by(
                            "order", "id"
                        ),
                    )
                ),
            ),
            "psfs_activities",
            Prefetch("psfs_ratings", queryset=PsfsRating.objects.order_by("rated_at", "id")),
        )
        .order_by("created_at", "id")
    )
    sessions = (
        Session.objects.filter(patient=patient)
        .select_related("check_in")
        .prefetch_related("entries", "correction_notes")
        .order_by("performed_at", "id")
    )
    decisions = (
        Decision.objects.filter(item__assignment__patient=patient)
        .select_related("actor", "item")
        .order_by("created_at", "id")
    )
    alerts = (
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by")
        .order_by("created_at", "id")
    )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _when(now or timezone.now()),
        "patient": {
            "id": patient.pk,
            "clinic": patient.clinic.name,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "email": patient.email,
            "date_of_birth": patient.date_of_birth and patient.date_of_birth.isoformat(),
            "responsible_clinician": _user(patient.clinician),
            "baseline_pain": patient.baseline_pain,
            "status": patient.status,
            "notes": patient.notes,
            "username": patient.user.username if patient.user else None,
            "created_at": _when(patient.created_at),
            "updated_at": _when(patient.updated_at),
            "erased_at": _when(patient.erased_at),
        },
        "assignments": [_assignment(assignment) for assignment in assignments],
        "sessions": [_session(session) for session in sessions],
        "decisions": [_decision(decision) for decision in decisions],
        "alerts": [_alert(alert) for alert in alerts],
    }


def export_filename(patient: Patient, *, now=None) -> str:
    # The internal id, not the name: file names end up in download folders and logs.
    day = timezone.localdate(now or timezone.now()).isoformat()
    return f"isohold-patient-{patient.pk}-{day}.json"
