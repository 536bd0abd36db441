"""The patient's change history as a clinician reads it: when, who, and what changed,
before → after, for the patient record, their programmes, exercise slots and levels.

Decisions have their own tab in the patient record, so they are recorded (see the
models) but not repeated here. The rows of one page cost a bounded number of queries,
whatever the length of the history: one to pick the page across the history tables,
one per table that has rows on the page for those rows and the versions just before
them, and, when exercise slots or levels are on the page, one for their names.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db.models import CharField as CharFieldType
from django.db.models import OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.models import Exercise, Position

from .audit import ASSIGNED, ENGINE, ERASED
from .forms import RULE_NUMBER_LABELS
from .models import (
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    Patient,
    PatientStatus,
    RuleProfileChoice,
)

# Changed fields shown, in this order, with their labels. Fields not listed (timestamps,
# links) are shown only when nothing listed changed, so no row reads as empty.
PATIENT_FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "clinician_id": gettext_lazy("Responsible clinician"),
    "baseline_pain": gettext_lazy("Baseline pain"),
    "notes": gettext_lazy("Notes"),
    "status": gettext_lazy("Status"),
    "user_id": gettext_lazy("Login"),
}
ASSIGNMENT_FIELDS = {
    "name": gettext_lazy("Name"),
    "status": gettext_lazy("Status"),
    "start_date": gettext_lazy("Start date"),
    "sessions_per_week": gettext_lazy("Sessions per week"),
    "rule_profile": gettext_lazy("Rule profile"),
    "rule_numbers": gettext_lazy("Rule numbers"),
    "auto_advance": gettext_lazy("Advance automatically"),
}
ITEM_FIELDS = {
    "current_level_id": gettext_lazy("Level"),
    "paused": gettext_lazy("Paused"),
    "awaiting_approval_id": gettext_lazy("Ready to progress"),
    "title": gettext_lazy("Title"),
    "order": gettext_lazy("Place in the programme"),
}
LEVEL_FIELDS = {
    "exercise_id": gettext_lazy("Exercise"),
    "position": gettext_lazy("Position"),
    "sets": gettext_lazy("Sets"),
    "hold_seconds": gettext_lazy("Hold seconds"),
    "reps": gettext_lazy("Reps"),
    "rest_seconds": gettext_lazy("Rest seconds"),
    "effort_target": gettext_lazy("Effort target"),
    "resistance": gettext_lazy("Resistance"),
    "cues": gettext_lazy("Cues"),
    "order": gettext_lazy("Place in the ladder"),
}
FALLBACK_FIELDS = {
    "level_since": gettext_lazy("At this level since"),
    "status_changed_at": gettext_lazy("Status changed"),
    "erased_at": gettext_lazy("Personal data erased"),
}
CHOICE_LABELS = {
    "status": {**dict(PatientStatus.choices), **dict(AssignmentStatus.choices)},
    "rule_profile": dict(RuleProfileChoice.choices),
    "position": dict(Position.choices),
}
KINDS = {
    "patient": Patient,
    "assignment": Assignment,
    "item": AssignmentItem,
    "level": AssignmentLevel,
}


@cache
def historical(model):
    """The model of `model`'s history table. Reading `Model.history` builds a new manager
    class every time (a fraction of a millisecond), so the pages ask this instead."""
    return model.history.model


def history_querysets(patient_id: int) -> dict:
    """Each tracked table's history rows that belong to the patient."""
    return {
        "patient": historical(Patient).objects.filter(id=patient_id),
        "assignment": historical(Assignment).objects.filter(patient_id=patient_id),
        "item": historical(AssignmentItem).objects.filter(assignment__patient_id=patient_id),
        "level": historical(AssignmentLevel).objects.filter(
            item__assignment__patient_id=patient_id
        ),
    }


@dataclass
class Change:
    when: datetime
    who: str
    by_person: bool
    subject: str
    lines: list[str] = field(default_factory=list)


class ChangeLog:
    """A patient's changes, newest first; sliceable and countable, so a Paginator takes it."""

    def __init__(self, patient):
        self.patient = patient

    def _index(self):
        parts = []
        for kind, rows in history_querysets(self.patient.pk).items():
            if kind in ("item", "level"):
                # Copies made by giving a programme show once, as the assignment.
                rows = rows.exclude(history_change_reason=ASSIGNED)
            # No ordering inside the parts: SQLite refuses it in a compound statement.
            parts.append(
                rows.order_by()
                .annotate(kind=Value(kind, output_field=CharFieldType()))
                .values_list("kind", "history_id", "history_date")
            )
        return parts[0].union(*parts[1:], all=True)

    def count(self) -> int:
        return self._index().count()

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice):
            raise TypeError("ChangeLog takes slices only")
        keys = list(self._index().order_by("-history_date", "-history_id")[window])
        return describe(self.patient, keys)


def _rows_with_previous(model, ids):
    """The history rows `ids` and, for each, the version of the same object just before it."""
    previous = (
        model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    previous_ids = model.objects.filter(history_id__in=ids).annotate(prev=Subquery(previous))
    rows = model.objects.filter(
        Q(history_id__in=ids) | Q(history_id__in=previous_ids.values("prev"))
    ).select_related("history_user")
    by_object: dict[int, list] = {}
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(row.id, []).append(row)
    pairs = {}
    for versions in by_object.values():
        for number, row in enumerate(versions):
            pairs[row.history_id] = (row, versions[number - 1] if number else None)
    return pairs


class Names:
    """Labels for items and levels, from the ladders of the given items in one query."""

    def __init__(self, item_ids):
        levels = (
            AssignmentLevel.objects.filter(item_id__in=item_ids)
            .select_related("exercise", "item")
            .only(
                "order", "item", "exercise", "item__title", "item__current_level", "exercise__name"
            )
            .order_by("item_id", "order", "id")
        )
        self.level_number: dict[int, int] = {}
        self.exercise: dict[int, str] = {}
        self.item_title: dict[int, str] = {}
        current: dict[int, int | None] = {}
        numbers: dict[int, int] = {}
        for level in levels:
            numbers[level.item_id] = numbers.get(level.item_id, 0) + 1
            self.level_number[level.pk] = numbers[level.item_id]
            self.exercise[level.exercise_id] = level.exercise.name
            self.item_title[level.item_id] = level.item.title
            current[level.item_id] = level.item.current_level_id
        self.level_exercise = {level.pk: level.exercise.name for level in levels}
        self.current = current

    def item(self, item_id, title: str = "") -> str:
        title = title or self.item_title.get(item_id, "")
        if title:
            return title
        level_id = self.current.get(item_id)
        if level_id in self.level_exercise:
            return self.level_exercise[level_id]
        return _("Exercise slot #%(id)s") % {"id": item_id}

    def level(self, level_id) -> str:
        if level_id is None:
            return _("none")
        number = self.level_number.get(level_id)
        return str(number) if number else _("a removed level")

    def more_exercises(self, ids):
        missing = {pk for pk in ids if pk is not None and pk not in self.exercise}
        if missing:
            self.exercise.update(Exercise.objects.filter(pk__in=missing).values_list("pk", "name"))


def _who(row) -> tuple[str, bool]:
    if row.history_user_id is not None and row.history_user is not None:
        return str(row.history_user), True
    if row.history_change_reason == ENGINE:
        return _("rules engine"), False
    return _("system"), False


def _show(name, value, names: Names, users: dict) -> str:
    if value is None or value == "":
        return "—"
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name].get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "clinician_id":
        return users.get(value, f"#{value}")
    if name == "user_id":
        return _("linked")
    if name == "exercise_id":
        return names.exercise.get(value, f"#{value}")
    if name == "awaiting_approval_id":
        return _("yes")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return Truncator(str(value)).chars(80)


def _rule_number_lines(before, after) -> list[str]:
    before, after = before or {}, after or {}
    return [
        f"{RULE_NUMBER_LABELS.get(key, key)}: {before.get(key, '—')} → {after.get(key, '—')}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def _diff(row, previous, fields: dict, names: Names, users: dict, subject: str) -> list[str]:
    lines = []
    for name, label in fields.items():
        old, new = getattr(previous, name), getattr(row, name)
        if old == new:
            continue
        if name == "rule_numbers":
            lines += _rule_number_lines(old, new)
        elif name == "current_level_id":
            lines.append(
                _("Level of %(item)s: %(before)s → %(after)s")
                % {"item": subject, "before": names.level(old), "after": names.level(new)}
            )
        elif name == "awaiting_approval_id":
            lines.append(
                f"{label}: {_('yes') if old else _('no')} → {_('yes') if new else _('no')}"
            )
        else:
            before, after = _show(name, old, names, users), _show(name, new, names, users)
            lines.append(f"{label}: {before} → {after}")
    if not lines:
        for name, label in FALLBACK_FIELDS.items():
            old, new = getattr(previous, name, None), getattr(row, name, None)
            if old != new:
                before, after = _show(name, old, names, users), _show(name, new, names, users)
                lines.append(f"{label}: {before} → {after}")
    return lines


def describe(patient, keys) -> list[Change]:
    """Readable changes for (kind, history_id, history_date) keys, in their order."""
    ids: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for kind, history_id, _when in keys:
        ids[kind].append(history_id)
    # Only the tables with rows on this page are asked.
    pairs = {
        kind: _rows_with_previous(historical(KINDS[kind]), kind_ids) if kind_ids else {}
        for kind, kind_ids in ids.items()
    }
    names = None
    if pairs["item"] or pairs["level"]:
        item_ids = {r.id for pair in pairs["item"].values() for r in pair if r is not None}
        item_ids |= {r.item_id for pair in pairs["level"].values() for r in pair if r is not None}
        names = Names(item_ids)
    if pairs["level"]:
        names.more_exercises(
            {r.exercise_id for pair in pairs["level"].values() for r in pair if r is not None}
        )
    clinician_ids = {
        r.clinician_id for pair in pairs["patient"].values() for r in pair if r is not None
    }
    users = {}
    if len(clinician_ids) > 1:
        users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=clinician_ids)}
    changes = []
    for kind, history_id, _when in keys:
        row, previous = pairs[kind][history_id]
        who, by_person = _who(row)
        change = Change(when=row.history_date, who=who, by_person=by_person, subject="")
        _fill(change, kind, row, previous, names, users)
        changes.append(change)
    return changes


def _fill(change: Change, kind, row, previous, names, users) -> None:
    erased = row.history_change_reason == ERASED
    if kind == "patient":
        change.subject = _("Patient record")
        if erased:
            change.lines = [_("Personal data erased")]
        elif row.history_type == "+" or previous is None:
            change.lines = [_("Record created")]
        else:
            change.lines = _diff(row, previous, PATIENT_FIELDS, names, users, change.subject)
    elif kind == "assignment":
        change.subject = _("Programme %(name)s") % {"name": row.name}
        if row.history_type == "+" or previous is None:
            change.lines = [_("Assigned")]
        else:
            change.lines = _diff(row, previous, ASSIGNMENT_FIELDS, names, users, change.subject)
    elif kind == "item":
        change.subject = names.item(row.id, row.title)
        if row.history_type == "+" or previous is None:
            change.lines = [_("Exercise added to the programme")]
        elif row.history_type == "-":
            change.lines = [_("Exercise removed from the programme")]
        else:
            change.lines = _diff(row, previous, ITEM_FIELDS, names, users, change.subject)
    else:
        number = names.level_number.get(row.id, row.order)
        change.subject = _("%(item)s, level %(number)s") % {
            "item": names.item(row.item_id),
            "number": number,
        }
        dose = (
            _("%(sets)s × %(reps)s reps") % {"sets": row.sets, "reps": row.reps}
            if row.reps and not row.hold_seconds
            else _("%(sets)s × %(hold)s s") % {"sets": row.sets, "hold": row.hold_seconds}
        )
        if row.history_type == "+" or previous is None:
            change.lines = [_("Level added: %(dose)s") % {"dose": dose}]
        elif row.history_type == "-":
            change.subject = names.item(row.item_id)
            change.lines = [_("Level removed (it was %(dose)s)") % {"dose": dose}]
        else:
            change.lines = _diff(row, previous, LEVEL_FIELDS, names, users, change.subject)
