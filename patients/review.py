"""What a clinician reviews: who needs attention, and where each item stands.

Reads only; every query here is scoped to the clinician's clinic and runs a
fixed number of times whatever the number of patients or sessions.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

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
# "No session in 7 days" and "missed check-ins" move on the scale of days: the dashboard
# keeps each clinic's first rows and count of them for a few minutes instead of reading
# them on every load (ready-to-progress and alerts, which clinicians act on, stay live).
SLOW_KINDS = ("quiet", "missed")
SLOW_KINDS_KEPT = timedelta(minutes=5)
# Rows of each kind on the dashboard; each kind links to its full list, page by page.
DASHBOARD_ROWS = 5
# A row names and links the patient: nothing else of the patient is read.
PATIENT_FIELDS = ("patient__id", "patient__first_name", "patient__last_name")


# Each kind of row: its badge's words and colour.
BADGES = {
    "red": (_("Red: level lowered"), "text-bg-danger"),
    "two-reds": (_("Two reds in a row"), "text-bg-danger"),
    "paused": (_("Paused after red"), "text-bg-danger"),
    "ready": (_("Ready to progress"), "text-bg-success"),
    "quiet": (_("No session in 7 days"), "text-bg-secondary"),
    "missed-check-in": (_("Missed check-in"), "text-bg-secondary"),
}
DETAIL_CHARS = 160


@dataclass(frozen=True)
class AttentionRow:
    patient: object
    kind: str
    detail: str
    since: object

    @property
    def badge(self) -> tuple:
        return BADGES.get(self.kind, BADGES["missed-check-in"])

    @property
    def short_detail(self) -> str:
        if len(self.detail) <= DETAIL_CHARS:
            return self.detail
        return Truncator(self.detail).chars(DETAIL_CHARS)


@dataclass(frozen=True)
class AttentionKind:
    key: str  # in the URL of the full list and in the counts
    heading: str
    empty: str


ATTENTION_KINDS = {
    "alerts": AttentionKind("alerts", _("Open alerts"), _("No open alerts.")),
    "ready": AttentionKind(
        "ready", _("Ready to progress"), _("No exercise is waiting for your approval.")
    ),
    "quiet": AttentionKind(
        "quiet",
        _("No session in 7 days"),
        _("Every active programme had a session in the last 7 days."),
    ),
    "missed": AttentionKind(
        "missed",
        _("Missed check-ins"),
        _("No morning check-in was missed in the last 7 days."),
    ),
}


@dataclass(frozen=True)
class AttentionSection:
    kind: AttentionKind
    rows: list
    total: int
    as_of: object = None  # when it was read, if it is a kept copy

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def open_alerts(user):
    """Open alerts, newest first."""
    return (
        Alert.objects.visible_to(user)
        .open()
        .select_related("patient")
        .only("kind", "message", "created_at", *PATIENT_FIELDS)
        .order_by("-created_at", "-id")
    )


def active_assignment_ids(user):
    """The ids of the clinic's active programmes, as a subquery: one index probe per
    patient (a patient has at most one). Joined instead, PostgreSQL hashed every active
    programme of every clinic to find one clinic's."""
    return (
        Patient.objects.visible_to(user)
        .annotate(
            active=Subquery(
                Assignment.objects.filter(patient=OuterRef("pk"), status=AssignmentStatus.ACTIVE)
                .order_by()
                .values("pk")[:1]
            )
        )
        .values("active")
    )


class _OneOf(Expression):
    """`column = ANY(ARRAY(subquery))`: PostgreSQL runs the subquery once, first, and then
    probes an index with its rows. Written as `IN (subquery)` it was planned as a
    semi-join that read every row of the index it joined against."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, subquery):
        super().__init__()
        self.column, self.subquery = F(column), Subquery(subquery)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, expressions):
        self.column, self.subquery = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)


def in_active_programmes(user) -> Q:
    """Rows whose `assignment_id` is one of the clinic's active programmes."""
    ids = active_assignment_ids(user)
    if connection.vendor == "postgresql":
        return Q(_OneOf("assignment_id", ids))
    return Q(assignment_id__in=ids)


def ready_items(user):
    """Items waiting for a clinician to approve their next level, longest waiting first."""
    return (
        AssignmentItem.objects.filter(in_active_programmes(user), awaiting_approval__isnull=False)
        .select_related("assignment__patient", "awaiting_approval", "current_level__exercise")
        .only(
            "title",
            "assignment__id",
            *(f"assignment__{name}" for name in PATIENT_FIELDS),
            "awaiting_approval__reasons",
            "awaiting_approval__created_at",
            "current_level__id",
            "current_level__exercise__name",
        )
        .order_by("awaiting_approval__created_at", "id")
    )


def quiet_assignments(user, now=None):
    """Active programmes started over a week ago with no session for a week, quietest first."""
    now = now or timezone.now()
    quiet_since = now - timedelta(days=QUIET_DAYS)
    return (
        Assignment.objects.visible_to(user)
        .filter(status=AssignmentStatus.ACTIVE, start_date__lte=quiet_since.date())
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
        .only("name", *PATIENT_FIELDS)
        .order_by("last_session", "id")
    )


def missed_check_ins(user, now=None):
    """Sessions of the last week whose next-morning check-in never came, newest first."""
    now = now or timezone.now()
    return (
        Session.objects.visible_to(user)
        .filter(
            check_in__isnull=True,
            performed_at__lt=now - CHECK_IN_WINDOW,
            performed_at__gte=now - timedelta(days=QUIET_DAYS),
        )
        .select_related("patient")
        .only("performed_at", *PATIENT_FIELDS)
        .order_by("-performed_at", "-id")
    )


def attention_rows(kind: str, objects) -> list[AttentionRow]:
    """Dashboard rows for the objects one of the querysets above returned."""
    if kind == "alerts":
        return [AttentionRow(a.patient, a.kind, a.message, a.created_at) for a in objects]
    if kind == "ready":
        rows = []
        for item in objects:
            name = item.title or item.current_level.exercise.name
            decision = item.awaiting_approval
            detail = f"{name}: {decision.reasons[0]}" if decision.reasons else name
            rows.append(AttentionRow(item.assignment.patient, "ready", detail, decision.created_at))
        return rows
    if kind == "quiet":
        return [AttentionRow(a.patient, "quiet", a.name, a.last_session) for a in objects]
    return [AttentionRow(s.patient, "missed-check-in", "", s.performed_at) for s in objects]


def attention_queryset(kind: str, user, now=None):
    if kind == "alerts":
        return open_alerts(user)
    if kind == "ready":
        return ready_items(user)
    if kind == "quiet":
        return quiet_assignments(user, now)
    return missed_check_ins(user, now)


def attention_section(key: str, user, now, limit: int) -> AttentionSection:
    """The first `limit` rows of one kind and how many there are, in one query: the total
    rides along on every row as a window count."""
    objects = list(attention_queryset(key, user, now).annotate(total=Window(Count("pk")))[:limit])
    total = objects[0].total if objects else 0
    return AttentionSection(ATTENTION_KINDS[key], attention_rows(key, objects), total)


def needs_attention(user, now=None, limit=DASHBOARD_ROWS) -> dict[str, AttentionSection]:
    """The first `limit` rows of each kind, most urgent first, and how many there are.

    One query per kind, except that the slow kinds come from the copy kept for the clinic
    when there is one (at most `SLOW_KINDS_KEPT` old, and saying when it was read). The
    copy is each server process's own: nothing needs telling when it goes out of date.
    """
    now = now or timezone.now()
    sections = {}
    for key in ATTENTION_KINDS:
        if key not in SLOW_KINDS:
            sections[key] = attention_section(key, user, now, limit)
            continue
        cache_key = f"attention:{user.clinic_id}:{key}:{limit}"
        kept = cache.get(cache_key)
        if kept is None:
            kept = replace(attention_section(key, user, now, limit), as_of=now)
            cache.set(cache_key, kept, SLOW_KINDS_KEPT.total_seconds())
        sections[key] = kept
    return sections


@dataclass
class RecentSession:
    """A session as the dashboard lists it."""

    id: int
    performed_at: object
    assignment_id: int
    patient_id: int
    patient_name: str
    entries: list = field(default_factory=list)  # (exercise name, response)

    @property
    def responses(self) -> set:
        return {response for _name, response in self.entries}


def recent_sessions(user, count: int) -> list[RecentSession]:
    """The clinic's newest sessions, newest first, each with its entries: one query."""
    newest = Session.objects.visible_to(user).order_by("-performed_at", "-id").values("pk")
    rows = (
        Session.objects.filter(pk__in=newest[:count])
        .order_by("-performed_at", "-id", "entries__item__order", "entries__id")
        .values_list(
            "id",
            "performed_at",
            "assignment_id",
            "patient_id",
            "patient__first_name",
            "patient__last_name",
            "entries__id",
            "entries__exercise_name",
            "entries__response",
        )
    )
    sessions: list[RecentSession] = []
    for pk, performed_at, assignment_id, patient_id, first, last, entry_id, *entry in rows:
        if not sessions or sessions[-1].id != pk:
            name = f"{first} {last}".strip()
            sessions.append(RecentSession(pk, performed_at, assignment_id, patient_id, name))
        if entry_id is not None:
            sessions[-1].entries.append(tuple(entry))
    return sessions


def annotate_item_progress(assignment, recent=None, recent_all=False) -> None:
    """Per item: the green streak at the current level and the latest decision.

    Reads the items from `assignment.item_list` if set, else `assignment.items`. At most
    two queries, each reading a few rows per item however long the programme has run:
    the newest entries since the item's level changed (no more than the streak needed
    counts), and the newest decisions. A page that has read the patient's newest
    sessions already passes them as `recent` (`history.SessionRow`, oldest first;
    `recent_all`: all of them), and the first query runs only when they may not be
    enough.
    """
    items = getattr(assignment, "item_list", None)
    if items is None:
        items = list(assignment.items.all())
    profile = profile_for(assignment.rule_profile, assignment.rule_numbers)
    needed = profile.greens_to_progress
    by_item = _newest_entries_from(recent, recent_all, items, needed)
    if by_item is None:
        by_item = _newest_entries(assignment, needed)
    latest_decisions = _latest_decisions(assignment, items)
    for item in items:
        streak = 0
        # Newest first, since the level last changed: the streak is the run of greens
        # at the current level.
        for level_id, response in by_item.get(item.pk, []):
            if level_id != item.current_level_id or response != GREEN:
                break
            streak += 1
        # Past the number needed, the streak only matters as "enough".
        item.green_streak = min(streak, needed)
        item.greens_needed = needed
        item.latest_decision = latest_decisions.get(item.pk)


def latest_decision_id():
    """An item's newest decision, as an annotation."""
    return Subquery(
        Decision.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    )


def _latest_decisions(assignment, items) -> dict:
    """Each item's newest decision, in one query (none when no item has one yet).

    Items annotated with `latest_decision_id` (see `latest_decision_id`) are looked up by
    it; otherwise the newest of each of the assignment's items is found in the query.
    """
    if all(hasattr(item, "latest_decision_id") for item in items):
        wanted = [item.latest_decision_id for item in items if item.latest_decision_id]
        if not wanted:
            return {}
        latest = Decision.objects.filter(pk__in=wanted)
    else:
        latest = Decision.objects.filter(
            pk__in=AssignmentItem.objects.filter(assignment=assignment)
            .annotate(latest=latest_decision_id())
            .values("latest")
        )
    return {decision.item_id: decision for decision in latest.select_related("actor")}


def _newest_entries(assignment, needed) -> dict[int, list]:
    """Per item, (level, response) of its newest `needed` entries since its level changed,
    newest first."""
    newest_first = (
        SessionEntry.objects.filter(
            item__assignment=assignment, session__performed_at__gte=F("item__level_since")
        )
        .annotate(
            newness=Window(
                RowNumber(),
                partition_by=F("item_id"),
                order_by=[F("session__performed_at").desc(), F("id").desc()],
            )
        )
        .filter(newness__lte=needed)
        .order_by()
        .values_list("item_id", "newness", "level_id", "response")
    )
    by_item: dict[int, list] = {}
    for item_id, _newness, level_id, response in sorted(newest_first):
        by_item.setdefault(item_id, []).append((level_id, response))
    return by_item


def _newest_entries_from(recent, recent_all, items, needed) -> dict[int, list] | None:
    """What `_newest_entries` reads, from the newest sessions a page has read already;
    None when they may miss some (an item with fewer than `needed` entries in them whose
    level changed before the oldest of them)."""
    if recent is None:
        return None
    by_item: dict[int, list] = {item.pk: [] for item in items}
    since = {item.pk: item.level_since for item in items}
    for session in reversed(recent):
        for entry in session.entries:
            found = by_item.get(entry["item_id"])
            if (
                found is not None
                and len(found) < needed
                and session.performed_at >= since[entry["item_id"]]
            ):
                found.append((entry["level_id"], entry["response"]))
    for item in items:
        if not (
            recent_all
            or len(by_item[item.pk]) >= needed
            or (recent and recent[0].performed_at < item.level_since)
        ):
            return None
    return by_item


def open_alerts_for(patient):
    return patient.alerts.open()
