import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import LadderItem, LevelPrescription
from programmes.progression import PAIN_MONITORING, PROFILES, STRICT

PAIN_HELP = _("0 = no pain, 10 = worst imaginable.")
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
        help_text=_("The patient's usual back pain. ") + PAIN_HELP,
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PatientQuerySet.as_manager()

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
        if getattr(user, "is_clinician", False):
            return self.filter(patient__clinic_id=user.clinic_id)
        if getattr(user, "is_patient", False):
            return self.filter(patient__user=user)
        return self.none()

    def current(self):
        return self.filter(status__in=[AssignmentStatus.ACTIVE, AssignmentStatus.PAUSED])


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

    class Meta(LadderItem.Meta):
        verbose_name = _("assignment item")
        verbose_name_plural = _("assignment items")


class AssignmentLevel(LevelPrescription):
    item = models.ForeignKey(
        AssignmentItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="levels"
    )

    class Meta(LevelPrescription.Meta):
        verbose_name = _("assignment level")
        verbose_name_plural = _("assignment levels")
