"""A seeded, believable clinic chain for load tests (`manage.py generate_demo_load`).

Everything comes from one `random.Random(seed)` and a fixed end moment, so the same
arguments make the same clinics, patients and pain numbers every time. Rows are
written in batches (COPY on PostgreSQL, `bulk_create` elsewhere) with ids counted
here, because a million sessions cannot go through `save()` or the services one by one.

The clinical story is not invented separately from the product: every entry is
classified and every level decided by the real rule engine (`programmes.progression`),
in the order the app would have done it, and clinicians approve, decline or move
levels some days after the engine asks them to.
"""

import hashlib
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from physio.models import Clinic, Role, User
from programmes.models import Exercise, Item, Kind, Level, Programme
from programmes.progression import (
    ADVANCE,
    GREEN,
    LADDER_DONE,
    PAIN_MONITORING,
    PAUSE,
    PROFILES,
    PROGRESS,
    PROVISIONAL,
    RED,
    REGRESS,
    RULE_VERSION,
    STRICT,
    MorningCheckIn,
    Prescription,
    ScoredSession,
    SessionReadings,
    classify,
    decide,
)

from .management.commands.load_demo_data import STARTER_DESCRIPTION, STARTER_LADDERS
from .models import (
    Alert,
    AlertKind,
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    CheckIn,
    Decision,
    Invitation,
    Patient,
    PatientStatus,
    PsfsActivity,
    PsfsRating,
    Session,
    SessionEntry,
    SessionNote,
)

LOAD_PASSWORD = "isohold-load-2026"
CLINIC_SUFFIX = "(load test)"

TOWNS = [
    "Harbour", "Hilltop", "Riverside", "Northgate", "Millbrook", "Westfield", "Oakley",
    "Kingsmead", "Ashby", "Fernhill", "Southport", "Bramley", "Eastleigh", "Greenway",
    "Lakeside", "Marston", "Pinewood", "Rosedale", "Stonebridge", "Thornbury",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hamza", "Isla", "Jack",
    "Keira", "Liam", "Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samir", "Tara",
    "Umar", "Vera", "William", "Xin", "Yusuf", "Zoe", "Alex", "Bea", "Carlos", "Dina",
    "Ethan", "Fatima", "George", "Hannah", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nina",
]  # fmt: skip
LAST_NAMES = [
    "Adams", "Baker", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Quinn", "Roberts", "Singh",
    "Taylor", "Usman", "Vaughan", "Walker", "Xu", "Young", "Zielinski", "Ahmed", "Brown",
    "Clarke", "Dubois", "Ellis", "Fischer", "Garcia", "Hall", "Ito", "Jensen", "Kowalski",
    "Larsen", "Murphy", "Novak",
]  # fmt: skip
PSFS_ACTIVITIES = [
    "Sitting through a meeting", "Lifting a laundry basket", "Gardening", "Driving an hour",
    "Putting on socks", "Carrying shopping", "Playing with the children", "Walking the dog",
    "Getting out of bed", "Standing at the sink", "Cycling to work", "Vacuuming",
]  # fmt: skip
SESSION_NOTES = [
    "Stiff after a long day sitting.",
    "Felt easier than last time.",
    "Did it after a walk, back felt warm.",
    "Short on time, rushed a little.",
    "Good session, breathing felt natural.",
    "Slept badly, back a bit sore to start.",
]
DECLINE_REASONS = [
    "Wants another week at this level before a holiday.",
    "Reports a busy week at work; let's consolidate.",
    "Technique still wobbly on review.",
]
MOVE_REASONS = [
    "Restarting gently after the flare settled.",
    "Reviewed in clinic: back to the first rung.",
]

# More template ladders in the STARTER_LADDERS shape:
# (title, [(exercise, sets, hold seconds, reps, resistance, cues), ...]).
EXTRA_PROGRAMMES = [
    (
        "Hip and glute control",
        "For back pain with hip stiffness: bridges to loaded squats, then sit to stand.",
        [
            (
                "Glute bridge",
                [
                    ("Glute Bridge Hold", 3, 10, None, "", "Squeeze your buttocks gently."),
                    ("Glute Bridge Hold", 3, 20, None, "", ""),
                    ("Wall Sit", 3, 15, None, "", "Knees over your feet."),
                    ("Goblet Squat Hold", 3, 15, None, "6 kg kettlebell", ""),
                    ("Sit to Stand", 2, None, 6, "", "Slow on the way down."),
                ],
            ),
            (
                "Side support",
                [
                    ("Side Plank on Knees", 3, 10, None, "", "Hips forward."),
                    ("Side Plank on Knees", 3, 20, None, "", ""),
                    ("Split Stance Brace", 3, 20, None, "", ""),
                    ("Suitcase Hold", 3, 20, None, "6 kg kettlebell", "Stand tall."),
                    ("Farmer's Carry", 2, None, 6, "Two 6 kg kettlebells", "Short steps."),
                ],
            ),
        ],
    ),
    (
        "Lifting confidence",
        "For people who fear bending and lifting: hinge holds up to a real lift.",
        [
            (
                "Back extensors",
                [
                    ("Prone Back Extension Hold", 3, 10, None, "", "Lift only a little."),
                    ("Prone Back Extension Hold", 3, 20, None, "", ""),
                    ("Standing Wall Press", 3, 20, None, "", ""),
                    ("Deadlift Hold at Mid-shin", 3, 10, None, "Light kettlebell", ""),
                    ("Deadlift Hold at Mid-shin", 3, 20, None, "8 kg kettlebell", ""),
                    ("Hip Hinge with Dowel", 2, None, 6, "", "Dowel touches head, back, tailbone."),
                    ("Box Lift from Chair Height", 2, None, 6, "Light box", "Box close."),
                ],
            ),
            (
                "Trunk stability",
                [
                    ("Dead Bug Hold", 3, 10, None, "", "Lower back stays heavy."),
                    ("Dead Bug Hold", 3, 20, None, "", ""),
                    ("Seated Pallof Press Hold", 3, 20, None, "Light band", ""),
                    ("Standing Pallof Press Hold", 3, 20, None, "Medium band", ""),
                ],
            ),
        ],
    ),
]
PROGRAMME_TEMPLATES = [
    ("Isometric back stability", STARTER_DESCRIPTION, STARTER_LADDERS),
    *EXTRA_PROGRAMMES,
]


def clinic_names(count: int) -> list[str]:
    names = []
    for index in range(count):
        town = TOWNS[index % len(TOWNS)]
        round_ = index // len(TOWNS)
        names.append(f"{town} Back Care{f' {round_ + 1}' if round_ else ''} {CLINIC_SUFFIX}")
    return names


def clinician_username(clinic_index: int, number: int) -> str:
    return f"load{clinic_index + 1:02d}.clinician{number}"


def split(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights`, the remainder to the largest fractions."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    by_fraction = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return counts


MISSING = object()


class TableWriter:
    """Rows of one table, with ids counted here, flushed in batches."""

    def __init__(self, model: type[models.Model], *, batch_size: int, now: datetime):
        self.model = model
        self.batch_size = batch_size
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.json_positions = [
            i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]
        defaults = []
        for f in self.fields:
            if f.primary_key:
                defaults.append(MISSING)
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            elif f.has_default():
                defaults.append(f.get_default())
            elif f.null:
                defaults.append(None)
            elif f.blank and f.empty_strings_allowed:
                defaults.append("")
            else:
                defaults.append(MISSING)
        self.spec = list(zip(self.attnames, defaults, strict=True))
        self.rows: list[tuple] = []
        self.copy_positions: list[int] | None = None
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.written = 0
        self.seconds = 0.0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, values: dict) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        row = tuple(values[a] if a in values else d for a, d in self.spec)
        if not self.rows and MISSING in row:
            missing = [a for a, value in zip(self.attnames, row, strict=True) if value is MISSING]
            raise ValueError(f"{self.model.__name__}: no value for {missing}")
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()
        return values["id"]

    def flush(self) -> None:
        if not self.rows:
            return
        started = time.monotonic()
        if connection.vendor == "postgresql":
            self._copy()
        else:
            names = self.attnames
            objects = [self.model(**dict(zip(names, row, strict=True))) for row in self.rows]
            self.model.objects.bulk_create(objects, batch_size=500)
        self.written += len(self.rows)
        self.rows = []
        self.seconds += time.monotonic() - started

    def _copy(self) -> None:
        quote = connection.ops.quote_name
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if self.copy_positions is None:
                # Only the columns the table has: a field whose migration is not applied
                # yet would otherwise stop the whole load.
                present = {
                    column.name
                    for column in connection.introspection.get_table_description(cursor, table)
                }
                self.copy_positions = [i for i, f in enumerate(self.fields) if f.column in present]
            positions = self.copy_positions
            json_positions = [i for i in positions if i in self.json_positions]
            columns = ", ".join(quote(self.fields[i].column) for i in positions)
            sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
            # Shared values (a profile's numbers) are encoded once; ids are safe to key on
            # while the rows hold every value alive.
            encoded = {}
            with cursor.cursor.copy(sql) as copy:
                for row in self.rows:
                    if json_positions:
                        row = list(row)
                        for i in json_positions:
                            key = id(row[i])
                            text = encoded.get(key)
                            if text is None:
                                text = encoded[key] = json.dumps(row[i])
                            row[i] = text
                    copy.write_row([row[i] for i in positions])


@dataclass
class LevelSpec:
    exercise_id: int
    exercise_name: str
    position: str
    sets: int
    hold_seconds: int | None
    reps: int | None
    resistance: str
    cues: str
    rest_seconds: int = 30
    effort_target: int = 6

    def __post_init__(self):
        self.prescription = Prescription(
            sets=self.sets,
            effort_target=self.effort_target,
            hold_seconds=self.hold_seconds,
            reps=self.reps,
        )

    def copy_fields(self) -> dict:
        return {
            "exercise_id": self.exercise_id,
            "position": self.position,
            "sets": self.sets,
            "hold_seconds": self.hold_seconds,
            "reps": self.reps,
            "rest_seconds": self.rest_seconds,
            "effort_target": self.effort_target,
            "resistance": self.resistance,
            "cues": self.cues,
        }


@dataclass
class ProgrammeSpec:
    id: int
    name: str
    items: list[tuple[str, list[LevelSpec]]]


@dataclass
class ItemState:
    """One assignment item while its history is played forward."""

    id: int
    order: int
    title: str
    level_ids: list[int]
    levels: list[LevelSpec]
    index: int = 0
    level_since: datetime | None = None
    recent: list = field(default_factory=list)  # ScoredSessions at this level, newest last
    streak: int = 0
    awaiting: tuple | None = None  # (decision id, created_at, reasons, from_level, due)
    paused_until: datetime | None = None
    paused: bool = False
    done: bool = False  # top of the ladder reached and held
    previous_response: str | None = None

    def change_level(self, index: int, when: datetime) -> None:
        self.done = False
        self.index = index
        self.level_since = when
        self.recent = []
        self.streak = 0
        self.awaiting = None


@dataclass
class Summary:
    counts: dict[str, int]
    seconds: float


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, lines otherwise."""

    def __init__(self, total: int, stream=None):
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last_shown = -1.0
        self.last_percent = -1
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def show(self, done: int, label: str = "sessions") -> None:
        now = time.monotonic()
        percent = done * 100 // self.total
        if self.tty:
            if now - self.last_shown < 0.5 and done < self.total:
                return
        elif percent // 10 == self.last_percent // 10 and done < self.total:
            return
        self.last_shown, self.last_percent = now, percent
        filled = percent * 30 // 100
        elapsed = now - self.started
        line = (
            f"[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% "
            f"{done:,}/{self.total:,} {label}, {elapsed:.0f} s"
        )
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        if self.tty and done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


class DemoLoad:
    def __init__(
        self,
        *,
        clinics: int,
        patients: int,
        sessions: int,
        seed: int,
        until: datetime,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ):
        self.clinic_count = clinics
        self.patient_count = patients
        self.session_count = sessions
        self.rng = random.Random(seed)
        self.now = until
        self.tz = timezone.get_current_timezone()
        self.batch_size = batch_size
        self.progress = progress or (lambda done: None)
        self.sessions_done = 0

    # --- Existing data -----------------------------------------------------------

    def existing_clinics(self):
        return Clinic.objects.filter(name__in=clinic_names(self.clinic_count))

    @staticmethod
    @transaction.atomic
    def delete_clinics(clinics) -> None:
        """Remove generated clinics fast: the big tables with one DELETE each, the rest
        through the ORM so every cascade (and any later model) is honoured."""
        ids = list(clinics.values_list("pk", flat=True))
        if not ids:
            return
        patients = Patient.objects.filter(clinic_id__in=ids)
        sessions = Session.objects.filter(patient__in=patients)
        AssignmentItem.objects.filter(assignment__patient__in=patients).update(
            awaiting_approval=None, current_level=None
        )
        for rows in (
            Alert.objects.filter(patient__in=patients),
            CheckIn.objects.filter(session__in=sessions),
            SessionEntry.objects.filter(session__in=sessions),
            SessionNote.objects.filter(session__in=sessions),
            sessions,
            Decision.objects.filter(item__assignment__patient__in=patients),
            PsfsRating.objects.filter(assignment__patient__in=patients),
        ):
            # Private, but the plain DELETE Django itself uses where nothing cascades;
            # the ORM's collector would load a million sessions into memory first.
            rows._raw_delete(rows.db)
        patients.delete()
        User.objects.filter(clinic_id__in=ids).delete()
        Programme.objects.filter(clinic_id__in=ids).delete()
        Clinic.objects.filter(pk__in=ids).delete()

    # --- Writing -----------------------------------------------------------------

    def run(self) -> Summary:
        started = time.monotonic()
        self.password = make_password(LOAD_PASSWORD)
        self.writers = {
            model: TableWriter(model, batch_size=self.batch_size, now=self.now)
            for model in (
                Clinic,
                User,
                Programme,
                Item,
                Level,
                Patient,
                Invitation,
                Assignment,
                AssignmentItem,
                AssignmentLevel,
                Session,
                SessionEntry,
                CheckIn,
                Decision,
                Alert,
                PsfsActivity,
                PsfsRating,
            )
        }
        self.exercises = {
            e.name: e for e in Exercise.objects.built_in().only("id", "name", "kind", "position")
        }
        names = clinic_names(self.clinic_count)
        per_clinic = split(
            self.patient_count, [self.rng.uniform(0.6, 1.4) for _ in range(self.clinic_count)]
        )
        weights = [
            0.0 if self.rng.random() < 0.03 else self.rng.lognormvariate(0, 0.45)
            for _ in range(self.patient_count)
        ]
        sessions_each = split(self.session_count, weights)
        first = 0
        for index, name in enumerate(names):
            count = per_clinic[index]
            with transaction.atomic():
                self.make_clinic(index, name, sessions_each[first : first + count], first)
                for writer in self.writers.values():
                    writer.flush()
            first += count
        self.reset_sequences()
        counts = {model.__name__: writer.written for model, writer in self.writers.items()}
        return Summary(counts=counts, seconds=time.monotonic() - started)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.writers))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    def add(self, model, **values) -> int:
        return self.writers[model].add(values)

    def make_clinic(self, index: int, name: str, sessions_each: list[int], first: int) -> None:
        rng = self.rng
        opened = self.now - timedelta(days=rng.randint(400, 900))
        clinic_id = self.add(Clinic, name=name, created_at=opened)
        clinicians = []
        for number in range(1, rng.randint(2, 5) + 1):
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user_id = self.add(
                User,
                username=clinician_username(index, number),
                first_name=first_name,
                last_name=last_name,
                email=f"{clinician_username(index, number)}@example.org",
                password=self.password,
                role=Role.CLINICIAN.value,
                clinic_id=clinic_id,
                date_joined=opened,
            )
            clinicians.append((user_id, f"{first_name} {last_name}"))
        programmes = [
            self.make_programme(clinic_id, clinicians[0][0], template, opened)
            for template in PROGRAMME_TEMPLATES
        ]
        for offset, count in enumerate(sessions_each):
            self.make_patient(clinic_id, clinicians, programmes, first + offset, count)

    def make_programme(self, clinic_id, clinician_id, template, opened) -> ProgrammeSpec:
        name, description, ladders = template
        programme_id = self.add(
            Programme,
            clinic_id=clinic_id,
            name=name,
            description=description,
            created_by_id=clinician_id,
            created_at=opened,
            updated_at=opened,
        )
        items = []
        for order, (title, rungs) in enumerate(ladders):
            item_id = self.add(Item, programme_id=programme_id, order=order, title=title)
            levels = []
            for level_order, (exercise_name, sets, hold, reps, resistance, cues) in enumerate(
                rungs, start=1
            ):
                exercise = self.exercises[exercise_name]
                dynamic = exercise.kind == Kind.DYNAMIC
                spec = LevelSpec(
                    exercise_id=exercise.pk,
                    exercise_name=exercise.name,
                    position=exercise.position,
                    sets=sets,
                    hold_seconds=None if dynamic else hold or 10,
                    reps=(reps or 6) if dynamic else None,
                    resistance=resistance,
                    cues=cues,
                )
                self.add(Level, item_id=item_id, order=level_order, **spec.copy_fields())
                levels.append(spec)
            items.append((title, levels))
        return ProgrammeSpec(id=programme_id, name=name, items=items)

    # --- One patient's story ----------------------------------------------------

    def make_patient(self, clinic_id, clinicians, programmes, number, session_count) -> None:
        rng = self.rng
        clinician_id, clinician_name = rng.choice(clinicians)
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{first_name}.{last_name}.{number + 1}".lower().replace("'", "")
        baseline = rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6])
        archived = rng.random() < 0.05
        quiet = not archived and rng.random() < 0.08
        if archived:
            end = self.now - timedelta(days=rng.uniform(20, 200))
        elif quiet:
            end = self.now - timedelta(days=rng.uniform(8, 40))
        else:
            end = self.now - timedelta(hours=rng.uniform(1, 50))
        per_week = rng.choice([3, 4, 5, 5, 5, 7])
        moments = self.session_moments(end, session_count, per_week)
        start = moments[0] - timedelta(days=rng.randint(0, 3)) if moments else end
        start = min(start, self.now - timedelta(days=1))
        has_login = archived or rng.random() < 0.93
        user_id = None
        if has_login:
            user_id = self.add(
                User,
                username=handle,
                first_name=first_name,
                last_name=last_name,
                email=f"{handle}@example.org",
                password=self.password,
                role=Role.PATIENT.value,
                clinic_id=clinic_id,
                is_active=not archived,
                date_joined=start,
            )
        patient_id = self.add(
            Patient,
            clinic_id=clinic_id,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            email=f"{handle}@example.org",
            date_of_birth=(self.now - timedelta(days=rng.randint(20 * 365, 80 * 365))).date(),
            clinician_id=clinician_id,
            baseline_pain=baseline,
            status=(PatientStatus.ARCHIVED if archived else PatientStatus.ACTIVE).value,
            created_at=start,
            updated_at=start,
        )
        invited = start - timedelta(hours=rng.uniform(1, 48))
        self.add(
            Invitation,
            patient_id=patient_id,
            token_hash=hashlib.sha256(f"{number}:{rng.random()}".encode()).hexdigest(),
            created_by_id=clinician_id,
            created_at=invited,
            expires_at=invited + timedelta(days=7),
            used_at=invited + timedelta(hours=rng.uniform(1, 30)) if has_login else None,
        )
        auto_advance = rng.random() < 0.1
        profile = PROFILES[STRICT if rng.random() < 0.8 else PAIN_MONITORING]
        status, status_changed = AssignmentStatus.ACTIVE, start
        if archived:
            status, status_changed = AssignmentStatus.FINISHED, end + timedelta(days=1)
        elif quiet and rng.random() < 0.3:
            status, status_changed = AssignmentStatus.PAUSED, end + timedelta(days=1)
        story = Story(
            self,
            patient_id=patient_id,
            clinic_id=clinic_id,
            baseline=baseline,
            profile=profile,
            auto_advance=auto_advance,
            clinician=(clinician_id, clinician_name),
            start=start,
        )
        # One programme after another: when every ladder is done the clinician finishes
        # it and gives the next, so long histories span several assignments.
        order = rng.sample(programmes, len(programmes))
        begun, remaining, number = start, moments, 0
        while True:
            programme = order[number % len(order)]
            number += 1
            assignment_id = self.writers[Assignment].new_id()
            items = self.copy_items(programme, begun)
            story.assign(assignment_id, items, begun)
            played = story.play(remaining, live=status == AssignmentStatus.ACTIVE)
            finished = played < len(remaining)
            self.add(
                Assignment,
                id=assignment_id,
                patient_id=patient_id,
                programme_id=programme.id,
                name=programme.name,
                start_date=timezone.localtime(begun, self.tz).date(),
                sessions_per_week=per_week,
                rule_profile=profile.name,
                rule_numbers=story.numbers,
                auto_advance=auto_advance,
                status=(AssignmentStatus.FINISHED if finished else status).value,
                status_changed_at=story.finish_at if finished else max(status_changed, begun),
                created_by_id=clinician_id,
                created_at=begun,
            )
            for item in items:
                self.add(
                    AssignmentItem,
                    id=item.id,
                    assignment_id=assignment_id,
                    order=item.order,
                    title=item.title,
                    current_level_id=item.level_ids[item.index],
                    level_since=item.level_since,
                    paused=item.paused,
                    awaiting_approval_id=item.awaiting[0] if item.awaiting else None,
                )
            if not finished:
                break
            begun, remaining = story.finish_at, remaining[played:]

    def copy_items(self, programme, begun) -> list["ItemState"]:
        items = []
        for order, (title, levels) in enumerate(programme.items):
            item_id = self.writers[AssignmentItem].new_id()
            level_ids = [
                self.add(AssignmentLevel, item_id=item_id, order=n, **spec.copy_fields())
                for n, spec in enumerate(levels, start=1)
            ]
            items.append(ItemState(item_id, order, title, level_ids, levels, level_since=begun))
        return items

    def session_moments(self, end: datetime, count: int, per_week: int) -> list[datetime]:
        """`count` sessions ending at `end`, about `per_week` a week at the patient's hour."""
        rng = self.rng
        if count == 0:
            return []
        hour = rng.choice([7, 8, 12, 17, 18, 18, 19, 20, 21])
        mean_gap = 7 / per_week
        day = timezone.localtime(end, self.tz).date()
        moments = []
        for _ in range(count):
            minute = rng.randint(0, 59)
            moment = datetime.combine(day, clock(hour, minute), tzinfo=self.tz)
            moment = min(moment, self.now - timedelta(minutes=rng.randint(5, 90)))
            if moments and moment >= moments[-1]:
                moment = moments[-1] - timedelta(hours=rng.uniform(2, 6))
            moments.append(moment)
            day -= timedelta(days=max(1, round(rng.gauss(mean_gap, mean_gap * 0.35))))
        moments.reverse()
        return moments


class Story:
    """One assignment played forward session by session, as the app would have seen it."""

    def __init__(
        self, load, *, patient_id, clinic_id, baseline, profile, auto_advance, clinician, start
    ):
        rng = load.rng
        self.load = load
        self.rng = rng
        self.patient_id = patient_id
        self.clinic_id = clinic_id
        self.baseline = baseline
        self.profile = profile
        self.numbers = profile.as_numbers()
        self.auto_advance = auto_advance
        self.clinician = clinician
        self.start = start
        # Pain settles from about the usual level towards a lower one over weeks.
        self.pain_start = baseline + rng.uniform(-0.3, 1.0)
        self.pain_floor = max(0.3, baseline * rng.uniform(0.3, 0.8))
        self.settle_weeks = rng.uniform(3, 14)
        self.flare_chance = rng.uniform(0.002, 0.012)
        self.flare = 0
        self.flare_left = 0
        self.check_in_rate = rng.uniform(0.9, 0.99)
        self.technique = rng.uniform(0.01, 0.05)
        self.psfs_start = rng.uniform(2, 5)

    def assign(self, assignment_id, items, begun) -> None:
        self.assignment_id = assignment_id
        self.items = items
        self.finish_at = None
        self.psfs_ids: list[int] = []
        self.psfs_next = begun + timedelta(days=self.rng.uniform(0, 3))

    def pain_mean(self, moment) -> float:
        weeks = (moment - self.start).total_seconds() / (7 * 86400)
        return self.pain_floor + (self.pain_start - self.pain_floor) * math.exp(
            -weeks / self.settle_weeks
        )

    def play(self, moments, *, live: bool) -> int:
        """Sessions in order until the clinician finishes the programme; how many were done."""
        load = self.load
        for index, moment in enumerate(moments):
            self.clinician_acts(moment)
            if self.finish_at is not None and self.finish_at <= moment:
                return index
            self.session(moment)
            load.sessions_done += 1
            if load.sessions_done % 1000 == 0:
                load.progress(load.sessions_done)
        if live:
            self.clinician_acts(load.now)
        load.progress(load.sessions_done)
        return len(moments)

    # Clinicians answer the engine some days later: approve, sometimes decline,
    # and move a paused item back to level 1 once the flare has been talked through.
    def clinician_acts(self, moment) -> None:
        clinician_id, name = self.clinician
        for item in self.items:
            if item.awaiting and item.awaiting[4] <= moment:
                _, _, reasons, from_level, due = item.awaiting
                if self.rng.random() < 0.9:
                    self.decision(
                        item,
                        "approved",
                        from_level,
                        from_level + 1,
                        [f"Progression approved by {name}.", *reasons],
                        due,
                        actor=clinician_id,
                    )
                    item.change_level(min(from_level, len(item.levels) - 1), due)
                else:
                    reason = self.rng.choice(DECLINE_REASONS)
                    self.decision(
                        item,
                        "declined",
                        from_level,
                        from_level,
                        [f"Progression declined by {name}: {reason}"],
                        due,
                        actor=clinician_id,
                    )
                    item.change_level(item.index, due)
            if item.paused and item.paused_until <= moment:
                reason = self.rng.choice(MOVE_REASONS)
                self.decision(
                    item,
                    "moved",
                    item.index + 1,
                    1,
                    [f"Moved to level 1 by {name}: {reason}"],
                    item.paused_until,
                    actor=clinician_id,
                )
                item.paused = False
                item.change_level(0, item.paused_until)
        if all(item.paused for item in self.items):
            # Nothing left to do: the clinician is asked sooner.
            soonest = min(self.items, key=lambda it: it.paused_until)
            soonest.paused_until = moment - timedelta(minutes=30)
            self.clinician_acts(moment)

    def decision(self, item, action, from_level, to_level, reasons, when, *, actor=None,
                 sessions_used=(), profile=None, numbers=None) -> int:  # fmt: skip
        return self.load.add(
            Decision,
            item_id=item.id,
            patient_id=self.patient_id,
            clinic_id=self.clinic_id,
            action=action,
            from_level=from_level,
            to_level=to_level,
            reasons=list(reasons),
            profile=profile or self.profile.name,
            numbers=numbers or self.numbers,
            rule_version=RULE_VERSION,
            sessions_used=list(sessions_used),
            actor_id=actor,
            created_at=when,
        )

    def session(self, moment) -> None:
        rng = self.rng
        load = self.load
        if self.flare_left > 0:
            self.flare_left -= 1
            if self.flare_left == 0:
                self.flare = 0
        elif rng.random() < self.flare_chance:
            self.flare = rng.choice([2, 3, 3, 4])
            self.flare_left = rng.randint(1, 4)
        flaring = self.flare > 0
        mean = self.pain_mean(moment)
        felt = mean + self.flare + rng.gauss(0, 0.6)
        session_id = load.add(
            Session,
            assignment_id=self.assignment_id,
            patient_id=self.patient_id,
            clinic_id=self.clinic_id,
            performed_at=moment,
            submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            notes=rng.choice(SESSION_NOTES) if rng.random() < 0.04 else "",
            created_at=moment + timedelta(seconds=rng.randint(1, 20)),
        )
        check_in = None
        checked_at = moment.astimezone(self.load.tz).replace(hour=7, minute=0) + timedelta(
            days=1, minutes=rng.randint(0, 150)
        )
        if checked_at <= load.now and rng.random() < self.check_in_rate:
            morning = clamp(round(mean + self.flare * 0.6 + rng.gauss(0, 0.6)))
            worse = (flaring and rng.random() < 0.6) or (
                morning >= self.baseline + 2 and rng.random() < 0.5
            )
            load.add(
                CheckIn,
                session_id=session_id,
                pain_now=morning,
                worse_than_usual=worse,
                created_at=checked_at,
            )
            check_in = MorningCheckIn(morning, worse)
            decided_at = checked_at
        else:
            decided_at = min(moment + timedelta(hours=36), load.now)
        technique = self.technique * (0.3 + 0.7 * math.exp(-self.pain_weeks(moment) / 8))
        for item in self.items:
            if item.paused or (len(self.items) > 1 and rng.random() < 0.04):
                continue
            self.entry(item, session_id, moment, felt, flaring, technique, check_in, decided_at)
        if moment >= self.psfs_next:
            self.psfs(moment, mean)

    def pain_weeks(self, moment) -> float:
        return (moment - self.start).total_seconds() / (7 * 86400)

    def entry(self, item, session_id, moment, felt, flaring, technique, check_in, decided_at):
        rng = self.rng
        level = item.levels[item.index]
        before = clamp(round(felt) + (rng.choice([-1, 1]) if rng.random() < 0.15 else 0))
        if flaring:
            during = before + rng.choice([0, 1, 2, 3])
            after = before + rng.choice([0, 1, 1, 2])
        else:
            # Holds usually ease pain a little; a rise is the exception.
            r = rng.random()
            during = before + (-1 if r < 0.40 else 0 if r < 0.95 else 1 if r < 0.99 else 2)
            r = rng.random()
            after = before + (-2 if r < 0.08 else -1 if r < 0.48 else 0 if r < 0.96 else 1)
        during, after = clamp(during), clamp(after)
        target = level.hold_seconds or level.reps
        sets_done = level.sets if rng.random() > 0.015 else max(1, level.sets - 1)
        per_set = [target] * sets_done
        if rng.random() < 0.015:
            per_set[-1] = max(1, target - rng.randint(1, max(1, target // 3)))
        effort = level.effort_target - rng.choice([2, 1, 1, 0, 0])
        if rng.random() < 0.015:
            effort = level.effort_target + 1
        readings = SessionReadings(
            performed_at=moment,
            sets_done=sets_done,
            per_set=tuple(per_set),
            effort=effort,
            pain_before=before,
            pain_during=during,
            pain_after=after,
            held_breath=rng.random() < technique,
            braced_too_hard=rng.random() < technique * 0.6,
            increased_pain=flaring and rng.random() < 0.25,
        )
        classification = classify(
            prescription=level.prescription,
            readings=readings,
            check_in=check_in,
            baseline=self.baseline,
            profile=self.profile,
            now=self.load.now,
        )
        self.load.add(
            SessionEntry,
            session_id=session_id,
            item_id=item.id,
            level_id=item.level_ids[item.index],
            level_number=item.index + 1,
            exercise_name=level.exercise_name,
            prescribed_sets=level.sets,
            prescribed_hold_seconds=level.hold_seconds,
            prescribed_reps=level.reps,
            effort_target=level.effort_target,
            sets_done=sets_done,
            per_set=per_set,
            effort=effort,
            pain_before=before,
            pain_during=during,
            pain_after=after,
            held_breath=readings.held_breath,
            braced_too_hard=readings.braced_too_hard,
            increased_pain=readings.increased_pain,
            response=classification.response,
            response_reasons=list(classification.reasons),
        )
        self.decide(item, session_id, moment, readings, classification, decided_at)

    def decide(self, item, session_id, moment, readings, classification, decided_at) -> None:
        response = classification.response
        previous, item.previous_response = item.previous_response, response
        item.recent.append(ScoredSession(session_id, moment, classification))
        if len(item.recent) > self.profile.greens_to_progress:
            del item.recent[0]
        item.streak = item.streak + 1 if response == GREEN else 0
        needed = self.profile.greens_to_progress
        if response == PROVISIONAL or (response == GREEN and item.streak < needed):
            return  # wait, or keep going: nothing is stored
        if response == RED and self.red_at_once(readings):
            decided_at = moment  # a flare does not wait for the morning
        outcome = decide(
            sessions=item.recent[-needed:],
            level=item.index + 1,
            top_level=len(item.levels),
            auto_advance=self.auto_advance,
            profile=self.profile,
            previous_response=previous,
        )
        if outcome.action == PROGRESS and item.awaiting:
            return
        decision_id = self.decision(
            item,
            outcome.action,
            outcome.from_level,
            outcome.to_level,
            outcome.reasons,
            decided_at,
            sessions_used=outcome.sessions_used,
            profile=outcome.profile,
        )
        if outcome.action == PROGRESS:
            due = decided_at + timedelta(days=self.rng.uniform(0.3, 4))
            item.awaiting = (decision_id, decided_at, outcome.reasons, item.index + 1, due)
        elif outcome.action == PAUSE:
            item.paused, item.awaiting = True, None
            item.paused_until = decided_at + timedelta(days=self.rng.uniform(1, 6))
        elif outcome.action in (REGRESS, ADVANCE):
            item.change_level(outcome.to_level - 1, decided_at)
        elif outcome.action == LADDER_DONE:
            item.done = True
            if self.finish_at is None and all(other.done for other in self.items):
                self.finish_at = decided_at + timedelta(days=self.rng.uniform(2, 10))
        if outcome.alert:
            kind = AlertKind.PAUSED if outcome.action == PAUSE else AlertKind.RED
            self.alert(item, decision_id, kind, outcome.reasons, decided_at)
        if outcome.needs_attention and outcome.action != PAUSE:
            self.alert(item, decision_id, AlertKind.TWO_REDS, outcome.reasons, decided_at)

    def red_at_once(self, readings) -> bool:
        profile = self.profile
        worst = max(readings.pain_before, readings.pain_during, readings.pain_after)
        if readings.increased_pain or worst >= profile.red_any_pain:
            return True
        if profile.name == STRICT:
            rise = max(readings.pain_during, readings.pain_after) - readings.pain_before
            return rise >= profile.red_pain_rise
        return readings.pain_during > profile.red_pain_during_above

    def alert(self, item, decision_id, kind, reasons, when) -> None:
        rng = self.rng
        acknowledged = None
        if self.load.now - when > timedelta(days=3) or rng.random() < 0.3:
            acknowledged = min(when + timedelta(hours=rng.uniform(1, 60)), self.load.now)
        name = item.title or item.levels[item.index].exercise_name
        self.load.add(
            Alert,
            patient_id=self.patient_id,
            decision_id=decision_id,
            kind=kind.value,
            message=f"{name}: {kind.label}. {' '.join(reasons)}",
            created_at=when,
            emailed_at=when + timedelta(seconds=rng.randint(5, 90)),
            acknowledged_at=acknowledged,
            acknowledged_by_id=self.clinician[0] if acknowledged else None,
        )

    def psfs(self, moment, mean_pain) -> None:
        rng = self.rng
        load = self.load
        if not self.psfs_ids:
            names = rng.sample(PSFS_ACTIVITIES, rng.randint(3, 5))
            self.psfs_ids = [
                load.add(PsfsActivity, assignment_id=self.assignment_id, name=name, order=order)
                for order, name in enumerate(names)
            ]
        # Function improves as pain settles.
        relief = max(0.0, min(1.0, 1 - mean_pain / max(self.pain_start, 1)))
        scores = {
            str(activity): clamp(round(self.psfs_start + 6 * relief + rng.gauss(0, 0.8)))
            for activity in self.psfs_ids
        }
        mean = Decimal(sum(scores.values())) / Decimal(len(scores))
        load.add(
            PsfsRating,
            assignment_id=self.assignment_id,
            scores=scores,
            score=mean.quantize(Decimal("0.01")),
            rated_at=moment + timedelta(minutes=rng.randint(20, 40)),
        )
        self.psfs_next = moment + timedelta(days=14)


def clamp(value: int) -> int:
    return max(0, min(10, value))
