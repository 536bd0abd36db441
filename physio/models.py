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
    """The first response to a POST carrying an Idempotency-Key, kept at least 24 hours."""

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


class WebhookEvent(models.TextChoices):
    SESSION_CREATED = "session.created", _("A patient logged a session")
    CHECKIN_CREATED = "checkin.created", _("A patient answered a morning check-in")
    DECISION_CREATED = "decision.created", _("A level decision was made (rules or clinician)")
    ALERT_RAISED = "alert.raised", _("An alert was raised")


# Sent only by the "send a test" button, so a clinic can check its receiver.
PING_EVENT = "ping"


class WebhookEndpointQuerySet(models.QuerySet):
    def visible_to(self, user):
        if getattr(user, "is_clinician", False):
            return self.filter(clinic_id=user.clinic_id)
        return self.none()


class WebhookEndpoint(models.Model):
    """A clinic's receiver: a URL that hears the events it picked, signed with its secret."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Where Isohold sends each event as a signed JSON POST."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive endpoints hear nothing.")
    )
    created_by = models.ForeignKey(
        "physio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "id"]

    def __str__(self):
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [labels.get(event, event) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        if getattr(user, "is_clinician", False):
            return self.filter(endpoint__clinic_id=user.clinic_id)
        return self.none()


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, with what happened on each try."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    event_id = models.UUIDField(_("delivery id"), unique=True, editable=False)
    # The exact bytes that are signed and sent, so every retry sends the same thing.
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
