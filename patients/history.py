"""The numbers behind the history charts, shaped for Chart.js (patient and clinician)."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PsfsRating, Session, SessionEntry

CHART_SESSIONS = 60
CHART_WEEKS = 12


def _mean(values):
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def _label(moment) -> str:
    return timezone.localtime(moment).strftime("%d %b")


def history_chart_data(patient, *, sessions_per_week: int | None = None) -> dict:
    """The last sessions, oldest first: pain, effort, seconds held and level per item,
    mornings against usual pain, sessions per week against the plan, and the PSFS."""
    # Plain values, not model instances: a chart needs a few numbers per row, and building
    # a few hundred objects was most of the patient page's time.
    sessions = list(
        Session.objects.filter(patient=patient)
        .order_by("-performed_at", "-id")
        .values("id", "performed_at", "check_in__pain_now")[:CHART_SESSIONS]
    )
    sessions.reverse()
    position = {session["id"]: index for index, session in enumerate(sessions)}
    entries_by_session: dict[int, list] = {session["id"]: [] for session in sessions}
    for entry in (
        SessionEntry.objects.filter(session_id__in=position)
        .order_by("item__order", "id")
        .values(
            "session_id",
            "exercise_name",
            "per_set",
            "prescribed_hold_seconds",
            "prescribed_reps",
            "level_number",
            "pain_before",
            "pain_during",
            "pain_after",
            "effort",
            "item__title",
            "item__order",
        )
    ):
        entries_by_session[entry["session_id"]].append(entry)
    holds: dict[str, list] = {}
    levels: dict[str, list] = {}
    for session in sessions:
        index = position[session["id"]]
        for entry in entries_by_session[session["id"]]:
            dynamic = (
                entry["prescribed_reps"] is not None and entry["prescribed_hold_seconds"] is None
            )
            if entry["per_set"] and not dynamic:
                holds.setdefault(entry["exercise_name"], [None] * len(sessions))[index] = _mean(
                    entry["per_set"]
                )
            item = entry["item__title"] or _("Item %(number)s") % {
                "number": entry["item__order"] + 1
            }
            levels.setdefault(item, [None] * len(sessions))[index] = entry["level_number"]
    per_session = [entries_by_session[session["id"]] for session in sessions]
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
            "sessions": _("sessions"),
            "planned": _("planned"),
        },
        "labels": [_label(s["performed_at"]) for s in sessions],
        "pain_before": [_mean(e["pain_before"] for e in es) for es in per_session],
        "pain_during": [max((e["pain_during"] for e in es), default=None) for es in per_session],
        "pain_after": [_mean(e["pain_after"] for e in es) for es in per_session],
        "effort": [_mean(e["effort"] for e in es) for es in per_session],
        "morning_pain": [s["check_in__pain_now"] for s in sessions],
        "baseline": patient.baseline_pain,
        "holds": [{"label": name, "data": data} for name, data in holds.items()],
        "levels": [{"label": name, "data": data} for name, data in levels.items()],
        "weeks": _weekly_sessions(patient, sessions_per_week),
        "psfs": {
            "labels": [_label(r.rated_at) for r in ratings],
            "data": [float(r.score) for r in ratings],
        },
    }


def _weekly_sessions(patient, planned) -> dict:
    """Sessions per week for the last weeks, against the plan's sessions per week."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in reversed(range(CHART_WEEKS))]
    counts = {
        row["week"].date() if hasattr(row["week"], "date") else row["week"]: row["sessions"]
        for row in Session.objects.filter(patient=patient, performed_at__date__gte=weeks[0])
        .annotate(week=TruncWeek("performed_at"))
        .values("week")
        .annotate(sessions=Count("id"))
    }
    return {
        "labels": [week.strftime("%d %b") for week in weeks],
        "data": [counts.get(week, 0) for week in weeks],
        "planned": planned,
    }
