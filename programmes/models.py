from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ISOMETRIC = "isometric", _("Isometric hold")
    DYNAMIC = "dynamic", _("Dynamic reps")


class Position(models.TextChoices):
    # Ordered as a ladder climbs them: supported first, task-specific last.
    SUPPORTED = "supported", _("Supported (lying or on hands and knees)")
    SITTING = "sitting", _("Sitting")
    STANDING = "standing", _("Standing")
    TASK_SPECIFIC = "task_specific", _("Task-specific (lifting, carrying)")


class BodyRegion(models.TextChoices):
    LOWER_BACK = "lower_back", _("Lower back")
    TRUNK = "trunk", _("Trunk and abdominals")
    HIPS = "hips", _("Hips and pelvis")
    UPPER_BACK = "upper_back", _("Upper back")
    WHOLE_BODY = "whole_body", _("Whole body")


class Equipment(models.TextChoices):
    NONE = "none", _("No equipment")
    MAT = "mat", _("Mat")
    CHAIR = "chair", _("Chair")
    WALL = "wall", _("Wall")
    BAND = "band", _("Resistance band")
    CABLE = "cable", _("Cable machine")
    WEIGHT = "weight", _("Dumbbell or kettlebell")
    BALL = "ball", _("Exercise ball")
    BENCH = "bench", _("Bench or step")


def validate_image_size(image):
    if image and image.size > settings.EXERCISE_IMAGE_MAX_BYTES:
        limit_mb = settings.EXERCISE_IMAGE_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            _("The picture is too large; please upload one of at most %(limit)s MB."),
            params={"limit": limit_mb},
            code="image_too_large",
        )


class ExerciseQuerySet(models.QuerySet):
    def built_in(self):
        return self.filter(clinic__isnull=True)

    def visible_to(self, user):
        """The library a clinician may read: built-ins plus their own clinic's."""
        if not getattr(user, "is_clinician", False):
            return self.none()
        return self.filter(Q(clinic__isnull=True) | Q(clinic_id=user.clinic_id))

    def editable_by(self, user):
        if not getattr(user, "is_clinician", False):
            return self.none()
        return self.filter(clinic_id=user.clinic_id)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(instructions__icontains=text)
            | Q(what_to_feel__icontains=text)
        )


class Exercise(models.Model):
    """A library entry. Built-ins (no clinic) are shared by all clinics and read-only."""

    clinic = models.ForeignKey(
        "physio.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.CASCADE,
        related_name="exercises",
        null=True,
        blank=True,
        help_text=_("Empty for the built-in library shared by every clinic."),
    )
    name = models.CharField(_("name"), max_length=120)
    instructions = models.TextField(
        _("instructions"), help_text=_("How to set up and do it, in words a patient follows.")
    )
    what_to_feel = models.TextField(
        _("what you should feel"),
        help_text=_(
            "Which muscles should work, lightly: the patient's check that they do it right."
        ),
    )
    breathing_cue = models.CharField(
        _("breathing cue"),
        max_length=200,
        default=_("Breathe slowly and steadily throughout; don't hold your breath."),
        help_text=_("Shown during holds: breath-holding is the most common mistake."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ISOMETRIC)
    body_region = models.CharField(
        _("body region"), max_length=20, choices=BodyRegion.choices, default=BodyRegion.TRUNK
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.SUPPORTED
    )
    equipment = models.CharField(
        _("equipment"), max_length=20, choices=Equipment.choices, default=Equipment.NONE
    )
    image = models.ImageField(
        _("picture"),
        upload_to="exercises/",
        blank=True,
        validators=[validate_image_size],
        help_text=_("Optional illustration, at most 2 MB (JPEG, PNG, GIF or WebP)."),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        help_text=_("The library entry this one was duplicated from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="exercise_unique_name_per_clinic"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(clinic__isnull=True),
                name="exercise_unique_builtin_name",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_built_in(self) -> bool:
        return self.clinic_id is None


# Starting dose from the source advice: 3 sets of 10-second holds, or 2 sets of
# 6 reps for a dynamic exercise; effort at most 6 out of 10.
DEFAULT_SETS = 3
DEFAULT_HOLD_SECONDS = 10
DEFAULT_DYNAMIC_SETS = 2
DEFAULT_REPS = 6
DEFAULT_REST_SECONDS = 30
DEFAULT_EFFORT_TARGET = 6
MAX_HOLD_SECONDS = 120
MAX_REST_SECONDS = 300
MAX_SETS = 10
MAX_REPS = 50


class LevelPrescription(models.Model):
    """What a level asks for. Shared by template ladders and patients' copies."""

    exercise = models.ForeignKey(
        Exercise, verbose_name=_("exercise"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(
        _("position"),
        max_length=20,
        choices=Position.choices,
        help_text=_("The context of this level: supported, sitting, standing or task-specific."),
    )
    sets = models.PositiveSmallIntegerField(
        _("sets"),
        default=DEFAULT_SETS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SETS)],
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOLD_SECONDS)],
        help_text=_("For an isometric hold: seconds per set."),
    )
    reps = models.PositiveSmallIntegerField(
        _("reps"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REPS)],
        help_text=_("For a dynamic exercise: repetitions per set."),
    )
    rest_seconds = models.PositiveSmallIntegerField(
        _("rest (seconds)"),
        default=DEFAULT_REST_SECONDS,
        validators=[MaxValueValidator(MAX_REST_SECONDS)],
    )
    effort_target = models.PositiveSmallIntegerField(
        _("effort target"),
        default=DEFAULT_EFFORT_TARGET,
        validators=[MaxValueValidator(10)],
        help_text=_("0 = no effort, 10 = maximum. The source advice keeps it at 6 or less."),
    )
    resistance = models.CharField(
        _("resistance or load"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'light band', '4 kg kettlebell', 'body weight'."),
    )
    cues = models.TextField(_("cues for the patient"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.exercise} {self.dose}"

    @property
    def is_dynamic(self) -> bool:
        return self.reps is not None and self.hold_seconds is None

    @property
    def dose(self) -> str:
        if self.is_dynamic:
            return _("%(sets)s × %(reps)s reps") % {"sets": self.sets, "reps": self.reps}
        return _("%(sets)s × %(hold)s s") % {"sets": self.sets, "hold": self.hold_seconds}

    def clean(self):
        super().clean()
        kind = self.exercise.kind if self.exercise_id else None
        if kind == Kind.DYNAMIC:
            self.hold_seconds = None
            if not self.reps:
                raise ValidationError(
                    {"reps": _("A dynamic exercise needs reps per set (e.g. 6).")}
                )
        elif kind == Kind.ISOMETRIC:
            self.reps = None
            if not self.hold_seconds:
                raise ValidationError(
                    {"hold_seconds": _("An isometric hold needs seconds per set (e.g. 10).")}
                )


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_clinician", False):
            return self.none()
        return self.filter(clinic_id=user.clinic_id)

    def active(self):
        return self.filter(archived_at__isnull=True)


class Programme(models.Model):
    """A clinic's template: ordered items, each with a progression ladder."""

    clinic = models.ForeignKey(
        "physio.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Who it is for and what it aims at.")
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["clinic", "archived_at", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class LadderItem(models.Model):
    """An exercise slot whose levels form a ladder: a template's item or a patient's copy."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(
        _("title"),
        max_length=120,
        blank=True,
        help_text=_("Optional, e.g. 'Trunk stability'. Empty: the first level's exercise."),
    )

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self):
        return self.title or _("Item %(number)s") % {"number": self.order + 1}


class Item(LadderItem):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="items"
    )

    class Meta(LadderItem.Meta):
        verbose_name = _("item")
        verbose_name_plural = _("items")


class Level(LevelPrescription):
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="levels"
    )

    class Meta(LevelPrescription.Meta):
        verbose_name = _("level")
        verbose_name_plural = _("levels")
