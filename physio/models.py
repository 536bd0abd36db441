from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    """A practice: the tenant. Everything a clinician sees belongs to their clinic."""

    name = models.CharField(_("name"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    PATIENT = "patient", _("Patient")


class ClinicUserManager(UserManager):
    def clinicians_of(self, clinic):
        return self.filter(clinic=clinic, role=Role.CLINICIAN, is_active=True)


class User(AbstractUser):
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.CLINICIAN,
        help_text=_("Clinicians build programmes; patients follow them."),
    )
    clinic = models.ForeignKey(
        Clinic,
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("Only staff accounts that run the service have no clinic."),
    )

    objects = ClinicUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN and self.clinic_id is not None

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, kept for 24 hours."""

    user = models.ForeignKey("physio.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "path"], name="one_record_per_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.path})"
