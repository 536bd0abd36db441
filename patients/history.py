"""The numbers behind the history charts, shaped for Chart.js (patient and clinician)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PsfsRating, Session

CHART_SESSIONS = 60


def _mean(values):
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def history_chart_data(patient) -> dict:
    """The last sessions, oldest first: pain, effort, seconds held per item, mornings, PSFS."""
    sessions = list(
        Session.objects.filter(patient=patient)
        .select_related("check_in")
        .prefetch_related("entries")
        .order_by("-performed_at", "-id")[:CHART_SESSIONS]
    )
    sessions.reverse()
    labels = [timezone.localtime(s.performed_at).strftime("%d %b") for s in sessions]
    holds: dict[str, list] = {}
    for index, session in enumerate(sessions):
        for entry in session.entries.all():
            series = holds.setdefault(entry.exercise_name, [None] * len(sessions))
            if entry.per_set and not entry.is_dynamic:
                series[index] = _mean(entry.per_set)
    ratings = PsfsRating.objects.filter(assignment__patient=patient).order_by("rated_at")
    return {
        "text": {
            "before": _("before"),
            "during": _("during (worst)"),
            "after": _("after"),
            "effort": _("effort"),
            "morning": _("morning pain"),
            "usual": _("usual pain"),
            "psfs": _("PSFS score"),
        },
        "labels": labels,
        "pain_before": [_mean(e.pain_before for e in s.entries.all()) for s in sessions],
        "pain_during": [
            max((e.pain_during for e in s.entries.all()), default=None) for s in sessions
        ],
        "pain_after": [_mean(e.pain_after for e in s.entries.all()) for s in sessions],
        "effort": [_mean(e.effort for e in s.entries.all()) for s in sessions],
        "morning_pain": [s.check_in.pain_now if hasattr(s, "check_in") else None for s in sessions],
        "baseline": patient.baseline_pain,
        "holds": [{"label": name, "data": data} for name, data in holds.items()],
        "psfs": {
            "labels": [timezone.localtime(r.rated_at).strftime("%d %b") for r in ratings],
            "data": [float(r.score) for r in ratings],
        },
    }
