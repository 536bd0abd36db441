from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from physio.models import Role
from programmes.models import Programme
from programmes.progression import PROFILE_NUMBERS, PROFILES, STRICT, RuleProfile

from .models import Assignment, AssignmentItem, Patient, PatientStatus

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
    class Meta:
        model = AssignmentItem
        fields = ["title"]


def describe_profile(profile: RuleProfile) -> list[tuple[str, int]]:
    return [
        (RULE_NUMBER_LABELS[name], getattr(profile, name)) for name in PROFILE_NUMBERS[profile.name]
    ]
