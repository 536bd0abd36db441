import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programmes.models import LadderItem, LevelPrescription
from programmes.progression import PAIN_MONITORING, PROFILES, PROVISIONAL, STRICT

from .audit import ClinicalHistory

PAIN_HELP = _("0 = no pain, 10 = worst imaginable.")


def clinic_of_patient(row) -> None:
    """Fill in a row's copy of its patient's clinic, unless the caller already did."""
    if row.clinic_id is None:
        row.clinic_id = Patient.objects.values_list("clinic_id", flat=True).get(pk=row.patient_id)


def scoped_to(queryset, user, patient_path: str, *, clinic_field: str | None = None):
    """Rows a user may see: their clinic's for a clinician, their own for a patient.

    `patient_path` is the lookup from the model to its Patient, e.g. "item__assignment__patient".
    `clinic_field`: the model's own copy of its patient's clinic, where it keeps one.
    """
    if getattr(user, "is_clinician", False):
        if clinic_field:
            return queryset.filter(**{f"{clinic_field}_id": user.clinic_id})
        return queryset.filter(**{f"{patient_path}__clinic_id": user.clinic_id})
    if getattr(user, "is_patient", False):
        return queryset.filter(**{f"{patient_path}__user": user})
    return queryset.none()


INVITATION_LIFETIME = timedelta(days=7)


class PatientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The patients a clinician may see: all of their clinic's."""
        if not getattr(user, "is_clinician", False):
            return self.none()
        return self.filter(clinic_id=user.clinic_id)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        query = Q()
        for word in text.split():
            query &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return self.filter(query)


class Patient(models.Model):
    clinic = models.ForeignKey(
        "physio.Clinic", verbose_name=_("clinic"), on_delete=models.CASCADE, related_name="patients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text=_("Set when the patient accepts their invitation."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible clinician"),
        on_delete=models.PROTECT,
        related_name="patients",
    )
    baseline_pain = models.PositiveSmallIntegerField(
        _("baseline pain"),
        default=3,
        validators=[MaxValueValidator(10)],
        help_text=format_lazy("{} {}", _("The patient's usual back pain."), PAIN_HELP),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    erased_at = models.DateTimeField(
        _("personal data erased"),
        null=True,
        blank=True,
        help_text=_("Set when the patient's personal data was erased; the clinical rows stay."),
    )

    objects = PatientQuerySet.as_manager()
    history = ClinicalHistory(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["clinic", "status", "last_name"]),
            models.Index(fields=["clinic", "clinician"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use link for a patient to choose a password. Only its hash is stored."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return _("Invitation for %(patient)s") % {"patient": self.patient}

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")


class RuleProfileChoice(models.TextChoices):
    STRICT_PROFILE = STRICT, _("Strict (no pain increase)")
    PAIN_MONITORING_PROFILE = PAIN_MONITORING, _("Pain-monitoring (pain during ≤ 3 allowed)")


def default_rule_numbers():
    return PROFILES[STRICT].as_numbers()


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to(self, user, "patient")

    def current(self):
        return self.filter(status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED])

    def with_today_summary(self):
        """What the patient's Today page shows beside the exercises, in the same query:
        whether PSFS activities are named, when they were last scored, and the
        patient's last session."""
        return self.annotate(
            psfs_named=Exists(PsfsActivity.objects.filter(assignment=OuterRef("pk"))),
            psfs_rated_at=Subquery(
                PsfsRating.objects.filter(assignment=OuterRef("pk"))
                .order_by("-rated_at")
                .values("rated_at")[:1]
            ),
            last_session_at=Subquery(
                Session.objects.filter(patient=OuterRef("patient_id"))
                .order_by("-performed_at")
                .values("performed_at")[:1]
            ),
        )


class Assignment(models.Model):
    """A programme given to a patient: a copy, so later template edits don't reach it."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="assignments"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    name = models.CharField(_("name"), max_length=150)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions per week"), default=5, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    rule_profile = models.CharField(
        _("rule profile"),
        max_length=30,
        choices=RuleProfileChoice.choices,
        default=STRICT,
        help_text=_("How session responses are classified; see the progression rules."),
    )
    rule_numbers = models.JSONField(
        _("rule numbers"),
        default=default_rule_numbers,
        help_text=_("The profile's thresholds for this patient."),
    )
    auto_advance = models.BooleanField(
        _("advance automatically"),
        default=False,
        help_text=_("Off: a ready item waits for a clinician to approve the next level."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()
    history = ClinicalHistory()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One programme at a time: a second would split the patient's attention.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["active", "paused"]),
                name="one_current_assignment_per_patient",
            )
        ]

    def __str__(self):
        return f"{self.name} — {self.patient}"

    @property
    def is_current(self) -> bool:
        return self.status in (AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED)


class AssignmentItem(LadderItem):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="items"
    )
    current_level = models.ForeignKey(
        "AssignmentLevel",
        verbose_name=_("current level"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    level_since = models.DateTimeField(
        _("at this level since"),
        default=timezone.now,
        help_text=_("Only sessions after this count towards the next step."),
    )
    paused = models.BooleanField(
        _("paused"), default=False, help_text=_("Stopped after a flare at level 1.")
    )
    awaiting_approval = models.ForeignKey(
        "Decision",
        verbose_name=_("ready to progress"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = ClinicalHistory()

    class Meta(LadderItem.Meta):
        verbose_name = _("assignment item")
        verbose_name_plural = _("assignment items")
        indexes = [
            # The dashboard's "ready to progress": a clinic's few waiting items are found
            # from its active programmes without reading every waiting item of every clinic.
            models.Index(
                fields=["assignment"],
                condition=Q(awaiting_approval__isnull=False),
                name="item_awaiting_by_assignment",
            )
        ]


class AssignmentLevel(LevelPrescription):
    item = models.ForeignKey(
        AssignmentItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="levels"
    )

    history = ClinicalHistory()

    class Meta(LevelPrescription.Meta):
        verbose_name = _("assignment level")
        verbose_name_plural = _("assignment levels")


def pain_field(label, **kwargs):
    return models.PositiveSmallIntegerField(
        label, validators=[MaxValueValidator(10)], help_text=PAIN_HELP, **kwargs
    )


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to(self, user, "patient", clinic_field="clinic")


class Session(models.Model):
    """One time a patient did their programme. Append-only: corrections are notes."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="sessions"
    )
    # Denormalised from the assignment so scoping and per-patient history stay one index away
    # (`session_patient_newest`, which leads with it).
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,
    )
    # And the patient's clinic: a clinic's newest sessions are then one index range, however
    # many other clinics share the table. Indexed by `session_clinic_newest`, which leads
    # with it.
    clinic = models.ForeignKey(
        "physio.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )
    performed_at = models.DateTimeField(_("done at"), default=timezone.now, db_index=True)
    submission_key = models.UUIDField(
        _("submission key"),
        help_text=_("Sent with the form; a repeated submission with the same key is one session."),
    )
    notes = models.TextField(_("how it went"), blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-performed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "submission_key"], name="one_session_per_submission"
            )
        ]
        indexes = [
            # A patient's newest sessions (their page, charts, history) in the order shown,
            # so a page of them is read off the index without sorting the rest.
            models.Index(fields=["patient", "-performed_at", "-id"], name="session_patient_newest"),
            # "Last session of this programme" (the dashboard's quiet patients) in one probe.
            models.Index(fields=["assignment", "-performed_at"]),
            # The clinic's newest sessions (API list, dashboard): walk this, stop at a page.
            models.Index(fields=["clinic", "-performed_at", "-id"], name="session_clinic_newest"),
        ]

    def __str__(self):
        return _("Session of %(patient)s on %(date)s") % {
            "patient": self.patient,
            "date": timezone.localtime(self.performed_at).strftime("%d %b %Y %H:%M"),
        }

    def save(self, *args, **kwargs):
        clinic_of_patient(self)
        super().save(*args, **kwargs)


class SessionEntry(models.Model):
    """What the patient did and felt for one item. The prescription is copied in, so later
    ladder edits cannot change what this session is judged against."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="entries"
    )
    item = models.ForeignKey(
        AssignmentItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="entries"
    )
    level = models.ForeignKey(
        AssignmentLevel,
        verbose_name=_("level"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="entries",
    )
    level_number = models.PositiveSmallIntegerField(_("level number"))
    exercise_name = models.CharField(_("exercise"), max_length=120)
    prescribed_sets = models.PositiveSmallIntegerField(_("prescribed sets"))
    prescribed_hold_seconds = models.PositiveSmallIntegerField(
        _("prescribed hold (seconds)"), null=True, blank=True
    )
    prescribed_reps = models.PositiveSmallIntegerField(_("prescribed reps"), null=True, blank=True)
    effort_target = models.PositiveSmallIntegerField(_("effort target"))
    sets_done = models.PositiveSmallIntegerField(_("sets done"))
    per_set = models.JSONField(
        _("seconds held or reps, per set"), default=list, help_text=_("One number per set done.")
    )
    effort = models.PositiveSmallIntegerField(
        _("effort"),
        validators=[MaxValueValidator(10)],
        help_text=_("0 = no effort, 10 = maximum."),
    )
    pain_before = pain_field(_("pain before"))
    pain_during = pain_field(_("worst pain during"))
    pain_after = pain_field(_("pain after"))
    held_breath = models.BooleanField(_("I held my breath"), default=False)
    braced_too_hard = models.BooleanField(_("I braced too hard"), default=False)
    increased_pain = models.BooleanField(_("This exercise increased my pain"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    # The engine's reading of the numbers above (they never change; this may, once,
    # when the morning check-in arrives or its wait runs out).
    response = models.CharField(_("response"), max_length=20, blank=True)
    response_reasons = models.JSONField(_("why"), default=list, blank=True)

    class Meta:
        verbose_name = _("session entry")
        verbose_name_plural = _("session entries")
        ordering = ["item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="one_entry_per_item")
        ]
        indexes = [
            # Pages look for entries still waiting for their check-in on every view; only
            # the last day or two's are, so a partial index keeps that look-up tiny.
            models.Index(
                fields=["session"],
                condition=Q(response=PROVISIONAL),
                name="entry_awaiting_check_in",
            )
        ]

    def __str__(self):
        return f"{self.exercise_name} — {self.session}"

    @property
    def is_dynamic(self) -> bool:
        return self.prescribed_reps is not None and self.prescribed_hold_seconds is None

    @property
    def is_flare(self) -> bool:
        """Tell the patient to stop at once; the full classification comes with the rules."""
        return self.increased_pain or max(self.pain_during, self.pain_after) >= 7


class SessionNote(models.Model):
    """A correction or remark added later; the session's numbers are never rewritten."""

    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="correction_notes",
    )
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class CheckIn(models.Model):
    """The next-morning report on a session."""

    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="check_in"
    )
    pain_now = pain_field(_("pain this morning"))
    worse_than_usual = models.BooleanField(_("my back is worse than usual"))
    created_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created_at"]

    def __str__(self):
        return _("Check-in for %(session)s") % {"session": self.session}


class PsfsActivity(models.Model):
    """One daily activity the patient named for the Patient-Specific Functional Scale."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="psfs_activities",
    )
    name = models.CharField(_("activity"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("PSFS activity")
        verbose_name_plural = _("PSFS activities")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class PsfsRating(models.Model):
    """One scoring of all activities; the PSFS score is the mean."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="psfs_ratings",
    )
    scores = models.JSONField(
        _("scores"), help_text=_("Activity id → 0 (unable) to 10 (as before the problem).")
    )
    score = models.DecimalField(_("PSFS score"), max_digits=4, decimal_places=2)
    rated_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("PSFS rating")
        verbose_name_plural = _("PSFS ratings")
        ordering = ["-rated_at", "-id"]

    def __str__(self):
        return f"PSFS {self.score}"


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scoped_to(self, user, "patient", clinic_field="clinic")


class Decision(models.Model):
    """What the engine or a clinician did to an item's level, and why. Append-only."""

    item = models.ForeignKey(
        AssignmentItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="decisions"
    )
    # Denormalised from the item's assignment, as on Session: a clinic's decisions are then
    # one join away from its patients instead of three, which the API list and its count
    # need at a million rows. Indexed by `decision_patient_newest`, which leads with it.
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="decisions",
        editable=False,
        db_index=False,
    )
    # And the patient's clinic, as on Session (indexed by `decision_clinic_newest`).
    clinic = models.ForeignKey(
        "physio.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=20)
    from_level = models.PositiveSmallIntegerField(_("from level"))
    to_level = models.PositiveSmallIntegerField(_("to level"))
    reasons = models.JSONField(_("reasons"), default=list)
    profile = models.CharField(_("rule profile"), max_length=30, blank=True)
    numbers = models.JSONField(_("rule numbers"), default=dict, blank=True)
    rule_version = models.CharField(_("rule version"), max_length=20, blank=True)
    sessions_used = models.JSONField(_("sessions used"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinician"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the rule engine decided."),
    )
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = DecisionQuerySet.as_manager()
    history = ClinicalHistory()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["item", "-created_at"]),
            # The clinic's newest decisions first (API list): walk this, stop at a page. (The
            # index it replaces spanned every clinic, so the walk grew with their number.)
            models.Index(fields=["clinic", "-created_at", "-id"], name="decision_clinic_newest"),
            # A patient's newest decisions (their page) in the order shown.
            models.Index(fields=["patient", "-created_at", "-id"], name="decision_patient_newest"),
        ]

    def __str__(self):
        return f"{self.action} {self.from_level}→{self.to_level} ({self.item})"

    def save(self, *args, **kwargs):
        clinic_of_patient(self)
        super().save(*args, **kwargs)

    @property
    def by_engine(self) -> bool:
        return self.actor_id is None


class AlertKind(models.TextChoices):
    RED = "red", _("Red session: level lowered")
    PAUSED = "paused", _("Red session at level 1: item paused")
    TWO_REDS = "two-reds", _("Two red sessions in a row")


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        if getattr(user, "is_clinician", False):
            return self.filter(patient__clinic_id=user.clinic_id)
        return self.none()

    def open(self):
        return self.filter(acknowledged_at__isnull=True)


class Alert(models.Model):
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="alerts"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "acknowledged_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.patient}"


class Erasure(models.Model):
    """Who erased which patient's personal data, and when. It names the clinician and the
    patient's internal id only: the patient's name is exactly what was erased."""

    clinic = models.ForeignKey(
        "physio.Clinic", verbose_name=_("clinic"), on_delete=models.CASCADE, related_name="+"
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="erasures",
    )
    patient_number = models.PositiveBigIntegerField(
        _("patient id"), help_text=_("The patient's internal id, kept if the row goes.")
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    erased_by_name = models.CharField(
        _("erased by (name)"),
        max_length=300,
        help_text=_("The clinician's name and username at the time, should the account go."),
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-id"]

    def __str__(self):
        return _("Patient #%(number)s erased by %(name)s") % {
            "number": self.patient_number,
            "name": self.erased_by_name,
        }
