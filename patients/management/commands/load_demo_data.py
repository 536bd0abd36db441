import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from patients.services import EntryInput, assign_programme, log_session, record_check_in
from physio.models import Clinic, Role, User
from programmes.models import Exercise, Item, Level, Programme

DEMO_CLINIC = "Riverside Physiotherapy (demo)"
DEMO_PASSWORD = "isohold-demo-2026"
DEMO_USERS = [
    {
        "username": "demo-clinician",
        "first_name": "Alex",
        "last_name": "Morgan",
        "email": "alex.morgan@example.org",
        "role": Role.CLINICIAN,
    },
    {
        "username": "demo-patient",
        "first_name": "Sam",
        "last_name": "Taylor",
        "email": "sam.taylor@example.org",
        "role": Role.PATIENT,
    },
]

STARTER_PROGRAMME = "Isometric back stability"
STARTER_DESCRIPTION = (
    "For people whose back pain makes movement feel risky. Each ladder first lengthens "
    "the hold, then adds resistance, then moves to a more functional position "
    "(supported → sitting → standing → task-specific) and ends with a dynamic exercise."
)
# Each rung: (exercise name, sets, hold seconds or None, reps or None, resistance, cues).
STARTER_LADDERS = [
    (
        "Abdominal control",
        [
            (
                "Abdominal Curl (isometric)",
                3,
                10,
                None,
                "",
                "Push your hands gently into your knees.",
            ),
            ("Abdominal Curl (isometric)", 3, 20, None, "", ""),
            ("Abdominal Curl (isometric)", 3, 20, None, "Firmer push, still 6/10 or less", ""),
            ("Seated Abdominal Brace", 3, 20, None, "", "Sit tall; ribs soft."),
            ("Standing Pallof Press Hold", 3, 20, None, "Light band", ""),
            ("Suitcase Hold", 3, 20, None, "4 kg kettlebell", "Stand tall; don't lean."),
            ("Box Lift from Chair Height", 2, None, 6, "Light box", "Hold the box close."),
        ],
    ),
    (
        "Rotation control",
        [
            ("Seated Trunk Rotation (isometric)", 3, 10, None, "", "Hips stay still."),
            ("Seated Trunk Rotation (isometric)", 3, 20, None, "", ""),
            (
                "Seated Trunk Rotation (isometric)",
                3,
                20,
                None,
                "Firmer push, still 6/10 or less",
                "",
            ),
            ("Standing Pallof Press Hold", 3, 20, None, "Medium band", ""),
            ("Seated Trunk Rotation (cable)", 2, None, 6, "Light cable", "Hips stay still."),
        ],
    ),
    (
        "Back extensors",
        [
            ("Bird Dog Hold", 3, 10, None, "", "Keep your back level, like a table top."),
            ("Bird Dog Hold", 3, 20, None, "", ""),
            (
                "Angry Cat / Happy Cat",
                2,
                None,
                6,
                "",
                "Move slowly, only as far as is comfortable.",
            ),
        ],
    ),
]


DEMO_HISTORY_DAYS = 6


def log_demo_history(assignment) -> None:
    """A week of tolerated evening sessions with their morning check-ins, so the charts
    and the "ready to progress" review have something to show."""
    start = timezone.now() - timedelta(days=DEMO_HISTORY_DAYS + 1)
    assignment.items.update(level_since=start)
    for days_ago in range(DEMO_HISTORY_DAYS, 0, -1):
        evening = (timezone.localtime() - timedelta(days=days_ago)).replace(
            hour=18, minute=30, second=0, microsecond=0
        )
        entries = []
        for item in assignment.items.select_related("current_level"):
            level = item.current_level
            per_set = (level.hold_seconds or level.reps,) * level.sets
            entries.append(
                EntryInput(
                    item_id=item.pk,
                    sets_done=level.sets,
                    per_set=per_set,
                    effort=4 + days_ago % 2,
                    pain_before=4,
                    pain_during=3 + (days_ago == 4),
                    pain_after=3,
                )
            )
        session = log_session(
            assignment=assignment, submission_key=uuid.uuid4(), entries=entries, now=evening
        ).session
        record_check_in(
            session=session,
            pain_now=3 + (days_ago == 4),
            worse_than_usual=False,
            now=min(evening + timedelta(hours=14), timezone.now()),
        )


def build_starter_programme(clinic, clinician) -> Programme:
    names = {name for _, rungs in STARTER_LADDERS for name, *_ in rungs}
    exercises = {e.name: e for e in Exercise.objects.built_in().filter(name__in=names)}
    missing = names - exercises.keys()
    if missing:
        raise CommandError(f"Built-in exercises missing for the demo: {sorted(missing)}")
    programme = Programme.objects.create(
        clinic=clinic, name=STARTER_PROGRAMME, description=STARTER_DESCRIPTION, created_by=clinician
    )
    for item_order, (title, rungs) in enumerate(STARTER_LADDERS):
        item = Item.objects.create(programme=programme, order=item_order, title=title)
        for level_order, (name, sets, hold, reps, resistance, cues) in enumerate(rungs, start=1):
            exercise = exercises[name]
            Level.objects.create(
                item=item,
                order=level_order,
                exercise=exercise,
                position=exercise.position,
                sets=sets,
                hold_seconds=hold,
                reps=reps,
                resistance=resistance,
                cues=cues,
            )
    return programme


class Command(BaseCommand):
    help = "Load the demo clinic, a clinician, a patient and a starter programme (safe to rerun)."

    @transaction.atomic
    def handle(self, *args, **options):
        clinic, _ = Clinic.objects.get_or_create(name=DEMO_CLINIC)
        users = {}
        for fields in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=fields["username"], defaults={**fields, "clinic": clinic}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users[fields["role"]] = user
        clinician, patient_user = users[Role.CLINICIAN], users[Role.PATIENT]

        programme = Programme.objects.filter(clinic=clinic, name=STARTER_PROGRAMME).first()
        if programme is None:
            programme = build_starter_programme(clinic, clinician)

        patient, _ = Patient.objects.get_or_create(
            user=patient_user,
            defaults={
                "clinic": clinic,
                "first_name": patient_user.first_name,
                "last_name": patient_user.last_name,
                "email": patient_user.email,
                "clinician": clinician,
                "baseline_pain": 4,
                "notes": "Demo patient: office worker, back pain after long meetings.",
            },
        )
        if not patient.assignments.exists():
            assignment = assign_programme(
                patient=patient,
                programme=programme,
                by=clinician,
                start_date=timezone.localdate() - timedelta(days=DEMO_HISTORY_DAYS + 1),
                rule_profile="strict",
            )
            log_demo_history(assignment)

        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000")
        )
        for fields in DEMO_USERS:
            self.stdout.write(
                f"  {fields['role'].label:<10} username: {fields['username']:<16} "
                f"password: {DEMO_PASSWORD}"
            )
