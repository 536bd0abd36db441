"""The numbers behind the history charts, shaped for Chart.js (patient and clinician)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PsfsRating, Session

CHART_SESSIONS = 60
CHART_WEEKS = 12
# What the charts and the session table read of an entry.
ENTRY_FIELDS = (
    "exercise_name",
    "per_set",
    "prescribed_sets",
    "prescribed_hold_seconds",
    "prescribed_reps",
    "level_number",
    "sets_done",
    "effort",
    "pain_before",
    "pain_during",
    "pain_after",
    "held_breath",
    "braced_too_hard",
    "increased_pain",
)
# ... and, for the charts' labels and the items' streaks, of its item and level.
ENTRY_KEYS = (*ENTRY_FIELDS, "item__title", "item__order", "item_id", "level_id", "response")


def _mean(values):
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def _label(moment, tz) -> str:
    return moment.astimezone(tz).strftime("%d %b")


@dataclass
class SessionRow:
    """A session as the history shows it: plain values, its entries as dicts."""

    id: int
    performed_at: datetime
    assignment_id: int
    morning_pain: int | None  # None: no check-in
    worse_than_usual: bool | None
    entries: list = field(default_factory=list)

    @property
    def has_check_in(self) -> bool:
        return self.morning_pain is not None

    @property
    def responses(self) -> set:
        return {entry["response"] for entry in self.entries}


def entry_line(entry) -> str:
    """'Dead bug · L2 · 3/3 · 5/10 · 2/3/2': exercise, level, sets done of prescribed, effort,
    pain before/during/after. For an entry as a dict (a `SessionRow`'s) or a model."""
    get = entry.__getitem__ if isinstance(entry, dict) else entry.__getattribute__
    return (
        f"{get('exercise_name')} · L{get('level_number')} · "
        f"{get('sets_done')}/{get('prescribed_sets')} · {get('effort')}/10 · "
        f"{get('pain_before')}/{get('pain_during')}/{get('pain_after')}"
    )


def with_entry_lines(sessions):
    """The sessions, each entry given its `line` (see `entry_line`) for a table."""
    for session in sessions:
        entries = session.entries if isinstance(session, SessionRow) else session.entries.all()
        for entry in entries:
            line = entry_line(entry)
            if isinstance(entry, dict):
                entry["line"] = line
            else:
                entry.line = line
    return sessions


def recent_sessions(patient, count: int = CHART_SESSIONS) -> list[SessionRow]:
    """The patient's newest `count` sessions, oldest first, with their entries: one query.

    Plain values, not model instances: a chart needs a few numbers per row, and building
    a few hundred objects was most of the patient page's time.
    """
    newest = Session.objects.filter(patient=patient).order_by("-performed_at", "-id")
    rows = (
        Session.objects.filter(pk__in=newest.values("pk")[:count])
        .order_by("performed_at", "id", "entries__item__order", "entries__id")
        .values_list(
            "id",
            "performed_at",
            "assignment_id",
            "check_in__pain_now",
            "check_in__worse_than_usual",
            "entries__id",
            *(f"entries__{name}" for name in ENTRY_KEYS),
        )
    )
    sessions: list[SessionRow] = []
    for session_id, performed_at, assignment_id, morning_pain, worse, entry_id, *values in rows:
        if not sessions or sessions[-1].id != session_id:
            sessions.append(
                SessionRow(session_id, performed_at, assignment_id, morning_pain, worse)
            )
        if entry_id is not None:
            sessions[-1].entries.append(dict(zip(ENTRY_KEYS, values, strict=True)))
    return sessions


def history_chart_data(
    patient, *, sessions_per_week: int | None = None, sessions: list[SessionRow] | None = None
) -> dict:
    """The last sessions, oldest first: pain, effort, seconds held and level per item,
    mornings against usual pain, sessions per week against the plan, and the PSFS.

    `sessions`: what `recent_sessions` returned, if the page has read it already."""
    if sessions is None:
        sessions = recent_sessions(patient)
    holds: dict[str, list] = {}
    levels: dict[str, list] = {}
    for index, session in enumerate(sessions):
        for entry in session.entries:
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
    per_session = [session.entries for session in sessions]
    ratings = list(
        PsfsRating.objects.filter(assignment__patient=patient)
        .order_by("rated_at")
        .values_list("rated_at", "score")
    )
    tz = timezone.get_current_timezone()
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
        "labels": [_label(s.performed_at, tz) for s in sessions],
        "pain_before": [_mean(e["pain_before"] for e in es) for es in per_session],
        "pain_during": [max((e["pain_during"] for e in es), default=None) for es in per_session],
        "pain_after": [_mean(e["pain_after"] for e in es) for es in per_session],
        "effort": [_mean(e["effort"] for e in es) for es in per_session],
        "morning_pain": [s.morning_pain for s in sessions],
        "baseline": patient.baseline_pain,
        "holds": [{"label": name, "data": data} for name, data in holds.items()],
        "levels": [{"label": name, "data": data} for name, data in levels.items()],
        "weeks": _weekly_sessions(patient, sessions_per_week, sessions, tz),
        "psfs": {
            "labels": [_label(rated_at, tz) for rated_at, _score in ratings],
            "data": [float(score) for _rated_at, score in ratings],
        },
    }


def _weekly_sessions(patient, planned, sessions: list[SessionRow], tz) -> dict:
    """Sessions per week for the last weeks, against the plan's sessions per week.

    Counted from `sessions` (the newest, oldest first) when they reach back past the
    first week, else (more sessions in those weeks than the charts show) in the database.
    """
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in reversed(range(CHART_WEEKS))]
    if len(sessions) < CHART_SESSIONS or (
        sessions and sessions[0].performed_at.astimezone(tz).date() < weeks[0]
    ):
        counts: dict = {}
        for session in sessions:
            day = session.performed_at.astimezone(tz).date()
            week = day - timedelta(days=day.weekday())
            counts[week] = counts.get(week, 0) + 1
    else:
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
