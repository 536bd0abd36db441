from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from physio.forms import BootstrapBoundField, bound_numbers_by_model
from physio.models import Role
from programmes.models import MAX_SETS, Programme
from programmes.progression import PROFILE_NUMBERS, PROFILES, STRICT, RuleProfile

from .models import Assignment, AssignmentItem, Patient, PatientStatus
from .services import EntryInput

RULE_NUMBER_LABELS = {
    "greens_to_progress": _("Green sessions in a row before progressing"),
    "red_any_pain": _("Red: any pain at or above"),
    "red_pain_rise": _("Red (strict): pain rises over 'before' by at least"),
    "red_morning_rise": _("Red: next-morning pain above baseline by"),
    "green_max_pain_during": _("Green (pain-monitoring): pain during at most"),
    "red_pain_during_above": _("Red (pain-monitoring): pain during above"),
    "check_in_wait_hours": _("Hours to wait for the morning check-in"),
}


def clinicians_of(clinic):
    return get_user_model().objects.clinicians_of(clinic).order_by("first_name", "last_name")


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "email",
            "date_of_birth",
            "clinician",
            "baseline_pain",
            "notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "baseline_pain": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "email": _("Optional. If given, the invitation link is emailed too."),
        }

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(clinic)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class PatientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), required=False)
    clinician = forms.ModelChoiceField(
        label=_("Responsible clinician"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Any clinician"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status"))] + PatientStatus.choices,
        required=False,
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(clinic)


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        if first:
            probe = get_user_model()(
                username=self.patient.full_name,
                first_name=self.patient.first_name,
                last_name=self.patient.last_name,
                email=self.patient.email,
                role=Role.PATIENT,
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AssignmentForm(forms.ModelForm):
    """Assign a programme; the profile's numbers may be changed per patient."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=None
    )

    class Meta:
        model = Assignment
        fields = ["programme", "start_date", "sessions_per_week", "rule_profile", "auto_advance"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        bound_numbers_by_model(self, ["sessions_per_week"])
        self.fields["programme"].queryset = (
            Programme.objects.visible_to(user).active().order_by("name")
        )
        if programme is not None:
            self.initial["programme"] = programme.pk
        self.fields["start_date"].initial = timezone.localdate()
        defaults = PROFILES[STRICT]
        for name, label in RULE_NUMBER_LABELS.items():
            self.fields[f"rule_{name}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=72 if name == "check_in_wait_hours" else 10,
                help_text=_("Empty: the profile's default (%(value)s for strict).")
                % {"value": getattr(defaults, name)},
            )
        self.starting_level_fields = []
        if programme is not None:
            for item in programme.items.all():
                levels = list(item.levels.all())
                if not levels:
                    continue
                name = f"start_{item.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("Start “%(item)s” at") % {"item": item.title or levels[0].exercise},
                    choices=[
                        (level.order, f"{number}. {level.exercise} {level.dose}")
                        for number, level in enumerate(levels, start=1)
                    ],
                    coerce=int,
                    initial=levels[0].order,
                )
                self.starting_level_fields.append((item, name, levels))

    @property
    def rule_number_fields(self):
        return [self[f"rule_{name}"] for name in RULE_NUMBER_LABELS]

    def clean(self):
        data = super().clean()
        profile = data.get("rule_profile") or STRICT
        changed = {
            name: data[f"rule_{name}"]
            for name in PROFILE_NUMBERS[profile]
            if data.get(f"rule_{name}") is not None
        }
        if changed.get("greens_to_progress") == 0:
            self.add_error("rule_greens_to_progress", _("At least one green session is needed."))
        self.rule_numbers = changed
        return data

    def starting_levels(self) -> dict[int, int]:
        """Template item id → 1-based level number."""
        starts = {}
        for item, name, levels in self.starting_level_fields:
            chosen = self.cleaned_data.get(name)
            orders = [level.order for level in levels]
            starts[item.pk] = orders.index(chosen) + 1 if chosen in orders else 1
        return starts


class AssignmentItemForm(forms.ModelForm):
    bound_field_class = BootstrapBoundField

    class Meta:
        model = AssignmentItem
        fields = ["title"]


def describe_profile(profile: RuleProfile) -> list[tuple[str, int]]:
    return [
        (RULE_NUMBER_LABELS[name], getattr(profile, name)) for name in PROFILE_NUMBERS[profile.name]
    ]


PAIN_CHOICES_HELP = _("0 = no pain, 10 = worst imaginable")


def scale_field(label, help_text=PAIN_CHOICES_HELP, initial=None):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
    )


class SessionEntryForm(forms.Form):
    """One exercise of a session. The hold timer fills sets done and the per-set numbers."""

    skipped = forms.BooleanField(label=_("I didn't do this exercise today"), required=False)
    sets_done = forms.IntegerField(
        label=_("Sets done"),
        min_value=0,
        max_value=MAX_SETS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    per_set = forms.CharField(
        label=_("Seconds held in each set"),
        required=False,
        max_length=100,
        help_text=_("Filled in by the timer, e.g. 10, 10, 8"),
    )
    effort = scale_field(_("Effort (0–10)"), _("0 = no effort, 10 = maximum"))
    pain_before = scale_field(_("Pain before"))
    pain_during = scale_field(_("Worst pain during"))
    pain_after = scale_field(_("Pain after"))
    held_breath = forms.BooleanField(label=_("I held my breath"), required=False)
    braced_too_hard = forms.BooleanField(label=_("I braced too hard"), required=False)
    increased_pain = forms.BooleanField(label=_("This exercise increased my pain"), required=False)
    comment = forms.CharField(
        label=_("Anything else?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item, level, **kwargs):
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)
        self.item, self.level = item, level
        if self.is_bound and self.data.get(self.add_prefix("skipped")):
            # A skipped exercise needs nothing else; what was typed is ignored.
            for field in self.fields.values():
                field.required = False
        self.fields["sets_done"].initial = level.sets
        if level.is_dynamic:
            self.fields["per_set"].label = _("Reps in each set")
            self.fields["per_set"].help_text = _("e.g. 6, 6")
        self.fields["sets_done"].widget.attrs["max"] = MAX_SETS

    def clean(self):
        data = super().clean()
        if data.get("skipped"):
            return data
        sets_done = data.get("sets_done")
        text = (data.get("per_set") or "").replace(";", ",")
        try:
            numbers = [int(part) for part in text.replace(" ", ",").split(",") if part.strip()]
        except ValueError:
            self.add_error("per_set", _("Use whole numbers separated by commas, e.g. 10, 10, 8."))
            return data
        limit = 50 if self.level.is_dynamic else 600
        if any(number < 0 or number > limit for number in numbers):
            self.add_error(
                "per_set", _("Each number must be between 0 and %(limit)s.") % {"limit": limit}
            )
        if sets_done is not None:
            if not numbers:
                prescribed = self.level.reps if self.level.is_dynamic else self.level.hold_seconds
                numbers = [prescribed or 0] * sets_done
            elif len(numbers) != sets_done:
                self.add_error(
                    "per_set",
                    _("You said %(sets)s sets but gave %(count)s numbers.")
                    % {"sets": sets_done, "count": len(numbers)},
                )
        data["per_set_numbers"] = tuple(numbers)
        return data

    def to_entry(self) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            item_id=self.item.pk,
            sets_done=data["sets_done"],
            per_set=data["per_set_numbers"],
            effort=data["effort"],
            pain_before=data["pain_before"],
            pain_during=data["pain_during"],
            pain_after=data["pain_after"],
            held_breath=data["held_breath"],
            braced_too_hard=data["braced_too_hard"],
            increased_pain=data["increased_pain"],
            comment=data["comment"],
        )


class SessionForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("How did the session go?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SessionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Add a correction or a note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your numbers stay as they were saved; the note is shown beside them."),
    )


class CheckInForm(forms.Form):
    pain_now = scale_field(_("How much does your back hurt right now?"))
    worse_than_usual = forms.TypedChoiceField(
        label=_("Is your back worse than usual this morning?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class PsfsForm(forms.Form):
    """Up to five activities with a 0–10 score; existing ones are scored, new ones named."""

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        if self.activities:
            for activity in self.activities:
                self.fields[f"score_{activity.pk}"] = scale_field(
                    activity.name, _("0 = unable to do it, 10 = as well as before the problem")
                )
        else:
            for number in range(1, 6):
                self.fields[f"name_{number}"] = forms.CharField(
                    label=_("Activity %(number)s") % {"number": number},
                    required=False,
                    max_length=120,
                )
                self.fields[f"score_new_{number}"] = forms.IntegerField(
                    label=_("Score for activity %(number)s") % {"number": number},
                    required=False,
                    min_value=0,
                    max_value=10,
                    help_text=_("0 = unable, 10 = as before"),
                    widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
                )

    def clean(self):
        data = super().clean()
        ratings = {}
        if self.activities:
            for activity in self.activities:
                if data.get(f"score_{activity.pk}") is not None:
                    ratings[activity.name] = data[f"score_{activity.pk}"]
        else:
            for number in range(1, 6):
                name = (data.get(f"name_{number}") or "").strip()
                score = data.get(f"score_new_{number}")
                if name and score is None:
                    self.add_error(f"score_new_{number}", _("Give this activity a score."))
                elif score is not None and not name:
                    self.add_error(f"name_{number}", _("Name the activity you scored."))
                elif name:
                    if name.casefold() in {n.casefold() for n in ratings}:
                        self.add_error(f"name_{number}", _("You named this activity already."))
                    ratings[name] = score
            if len(ratings) < 3 and not self.errors:
                raise forms.ValidationError(_("Name at least 3 activities."))
        self.ratings = ratings
        return data


class MoveLevelForm(forms.Form):
    level = forms.IntegerField(label=_("Move to level"), min_value=1, max_value=50)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not yet?"), max_length=500, initial=_("Not yet: review in clinic first.")
    )


def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


class EraseConfirmForm(forms.Form):
    """Erasing cannot be undone: the clinician types the patient's name to show they mean it."""

    name = forms.CharField(label=_("Type the patient's full name to confirm"), max_length=250)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["name"].help_text = _("Exactly as shown: %(name)s") % {
            "name": patient.full_name
        }

    def clean_name(self):
        typed = self.cleaned_data["name"]
        if not _same_name(typed, self.patient.full_name):
            raise forms.ValidationError(
                _("That is not this patient's name. Nothing was erased."), code="mismatch"
            )
        return typed
