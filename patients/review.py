"""What a clinician reviews: who needs attention, and where each item stands.

Reads only; every query here is scoped to the clinician's clinic and runs a
fixed number of times whatever the number of patients or sessions.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from programmes.progression import GREEN, profile_for

from .models import (
    Alert,
    Assignment,
    AssignmentItem,
    AssignmentStatus,
    Decision,
    Patient,
    Session,
    SessionEntry,
)
from .services import CHECK_IN_WINDOW

QUIET_DAYS = 7


@dataclass(frozen=True)
class AttentionRow:
    patient: Patient
    kind: str
    detail: str
    since: object


def needs_attention(user, now=None, limit=50):
    """Rows for the dashboard, most urgent first, and counts per kind."""
    now = now or timezone.now()
    patients = Patient.objects.visible_to(user)
    alerts = list(
        Alert.objects.filter(patient__in=patients)
        .open()
        .select_related("patient")
        .order_by("-created_at")[:limit]
    )
    ready = list(
        AssignmentItem.objects.filter(
            assignment__patient__in=patients,
            assignment__status=AssignmentStatus.ACTIVE,
            awaiting_approval__isnull=False,
        )
        .select_related("assignment__patient", "awaiting_approval", "current_level__exercise")
        .order_by("awaiting_approval__created_at")[:limit]
    )
    quiet_since = now - timedelta(days=QUIET_DAYS)
    quiet = list(
        Assignment.objects.filter(
            patient__in=patients, status=AssignmentStatus.ACTIVE, start_date__lte=quiet_since.date()
        )
        # One index probe per assignment rather than aggregating every session it has.
        .annotate(
            last_session=Subquery(
                Session.objects.filter(assignment=OuterRef("pk"))
                .order_by("-performed_at")
                .values("performed_at")[:1]
            )
        )
        .filter(Q(last_session__lt=quiet_since) | Q(last_session__isnull=True))
        .select_related("patient")
        .order_by("last_session")[:limit]
    )
    missed = list(
        Session.objects.filter(
            patient__in=patients,
            check_in__isnull=True,
            performed_at__lt=now - CHECK_IN_WINDOW,
            performed_at__gte=now - timedelta(days=QUIET_DAYS),
        )
        .select_related("patient")
        .order_by("-performed_at")[:limit]
    )
    rows = [
        AttentionRow(alert.patient, alert.kind, alert.message, alert.created_at) for alert in alerts
    ]
    for item in ready:
        name = item.title or item.current_level.exercise.name
        reason = item.awaiting_approval.reasons[0]
        rows.append(
            AttentionRow(
                item.assignment.patient,
                "ready",
                f"{name}: {reason}",
                item.awaiting_approval.created_at,
            )
        )
    rows += [AttentionRow(a.patient, "quiet", a.name, a.last_session) for a in quiet]
    rows += [AttentionRow(s.patient, "missed-check-in", "", s.performed_at) for s in missed]
    counts = {
        "alerts": len(alerts),
        "ready": len(ready),
        "quiet": len(quiet),
        "missed": len(missed),
    }
    return rows, counts


def annotate_item_progress(assignment) -> None:
    """Per item: the green streak at the current level and the latest decisions.

    Expects `annotate_ladders` to have run (items with `level_list`).
    """
    items = list(assignment.items.all())
    profile = profile_for(assignment.rule_profile, assignment.rule_numbers)
    entries = (
        SessionEntry.objects.filter(item__assignment=assignment)
        .select_related("session")
        .order_by("session__performed_at", "id")
    )
    by_item = {}
    for entry in entries:
        by_item.setdefault(entry.item_id, []).append(entry)
    decisions = Decision.objects.filter(item__assignment=assignment).select_related("actor")
    latest_decisions = {}
    for decision in decisions.order_by("-created_at", "-id"):
        latest_decisions.setdefault(decision.item_id, decision)
    for item in items:
        streak = 0
        for entry in reversed(by_item.get(item.pk, [])):
            if (
                entry.level_id != item.current_level_id
                or entry.session.performed_at < item.level_since
            ):
                break
            if entry.response != GREEN:
                break
            streak += 1
        # Past the number needed, the streak only matters as "enough".
        item.green_streak = min(streak, profile.greens_to_progress)
        item.greens_needed = profile.greens_to_progress
        item.latest_decision = latest_decisions.get(item.pk)
        item.last_entries = by_item.get(item.pk, [])[-5:]


def open_alerts_for(patient):
    return patient.alerts.open().select_related("decision")
