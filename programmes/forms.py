import django_filters
from django import forms
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from physio.forms import BootstrapBoundField, PageMemo, bound_numbers_by_model
from physio.renderers import FastWidgetRenderer

from .ladders import fit_dose
from .models import (
    DEFAULT_EFFORT_TARGET,
    DEFAULT_HOLD_SECONDS,
    BodyRegion,
    Equipment,
    Exercise,
    Item,
    Kind,
    Level,
    Position,
    Programme,
)


class ExerciseForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = [
            "name",
            "kind",
            "position",
            "body_region",
            "equipment",
            "instructions",
            "what_to_feel",
            "breathing_cue",
            "image",
        ]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 4}),
            "what_to_feel": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clashes = Exercise.objects.filter(clinic=self.clinic, name__iexact=name)
        if self.instance.pk:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise forms.ValidationError(
                _("Your clinic already has an exercise called “%(name)s”. Choose another name."),
                params={"name": name},
                code="duplicate_name",
            )
        if Exercise.objects.built_in().filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("“%(name)s” is a built-in exercise. Choose another name for your own version."),
                params={"name": name},
                code="duplicate_name",
            )
        return name


class SourceChoices:
    BUILT_IN = "built_in"
    CLINIC = "clinic"
    choices = [(BUILT_IN, _("Built-in library")), (CLINIC, _("My clinic's own"))]


class ExerciseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=_("Any kind")
    )
    position = django_filters.ChoiceFilter(
        label=_("Position"), choices=Position.choices, empty_label=_("Any position")
    )
    body_region = django_filters.ChoiceFilter(
        label=_("Body region"), choices=BodyRegion.choices, empty_label=_("Any region")
    )
    equipment = django_filters.ChoiceFilter(
        label=_("Equipment"), choices=Equipment.choices, empty_label=_("Any equipment")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"),
        choices=SourceChoices.choices,
        empty_label=_("All exercises"),
        method="filter_source",
    )

    class Meta:
        model = Exercise
        fields = ["q", "kind", "position", "body_region", "equipment", "source"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_source(self, queryset, name, value):
        if value == SourceChoices.BUILT_IN:
            return queryset.filter(clinic__isnull=True)
        return queryset.filter(clinic__isnull=False)


class ExerciseCatalogue:
    """The exercises one clinician may pick, loaded once per request.

    Level forms look exercises up here by name instead of one query per form,
    so a long ladder costs the same as a short one. The editor's page needs
    only names (the datalist, each level's exercise), read as plain rows;
    model instances are made from the same rows when a posted ladder is
    checked, as `.only(*FIELDS)` would make them.
    """

    # In the model's field order, as Model.from_db expects them.
    FIELDS = ("id", "clinic_id", "name", "kind", "position")

    def __init__(self, user):
        queryset = Exercise.objects.visible_to(user)
        self._db = queryset.db
        self.rows = list(queryset.values_list(*self.FIELDS))
        self.names_by_id = {row[0]: row[2] for row in self.rows}

    @cached_property
    def exercises(self):
        return [Exercise.from_db(self._db, self.FIELDS, row) for row in self.rows]

    @cached_property
    def by_id(self):
        return {exercise.pk: exercise for exercise in self.exercises}

    @cached_property
    def by_name(self):
        # A clinic's own entry wins over a built-in of the same name.
        by_name = {}
        for exercise in sorted(self.exercises, key=lambda e: e.clinic_id is not None):
            by_name[exercise.name.casefold()] = exercise
        return by_name

    def suggestions(self):
        """(name, "kind · position") for the picker's datalist, each label translated once."""
        kinds = {value: str(label) for value, label in Kind.choices}
        positions = {value: str(label) for value, label in Position.choices}
        return [
            (name, f"{kinds.get(kind, kind)} · {positions.get(position, position)}")
            for _id, _clinic, name, kind, position in self.rows
        ]

    def datalist_options(self):
        """The datalist's <option>s: one per exercise, a few hundred in a large library."""
        return mark_safe(
            "".join(
                f'<option value="{escape(name)}">{escape(description)}</option>'
                for name, description in self.suggestions()
            )
        )


class ExercisePickerField(forms.Field):
    """A search box over the library (an HTML datalist), answered by exercise name."""

    widget = forms.TextInput(attrs={"list": "exercise-names", "autocomplete": "off"})
    default_error_messages = {
        "unknown": _("“%(name)s” is not in your library. Pick an exercise from the list."),
    }

    def __init__(self, *, catalogue: ExerciseCatalogue | None = None, **kwargs):
        super().__init__(**kwargs)
        self.catalogue = catalogue

    def prepare_value(self, value):
        if isinstance(value, Exercise):
            return value.name
        if isinstance(value, int) and self.catalogue and value in self.catalogue.names_by_id:
            return self.catalogue.names_by_id[value]
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Exercise):
            return value
        name = str(value).strip()
        exercise = self.catalogue.by_name.get(name.casefold()) if self.catalogue else None
        if exercise is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"name": name}
            )
        return exercise

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != (data or "")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    archived = forms.BooleanField(label=_("Show archived programmes"), required=False)


class LevelForm(forms.ModelForm):
    """One rung of a ladder; used for template ladders and patients' copies alike."""

    bound_field_class = BootstrapBoundField

    exercise = ExercisePickerField(label=_("Exercise"))
    position = forms.ChoiceField(
        label=_("Position"),
        choices=[("", _("Same as the exercise"))] + Position.choices,
        required=False,
    )
    confirm_high_effort = forms.BooleanField(
        label=_("I confirm an effort target above 6/10"),
        required=False,
        help_text=_("The source advice keeps effort at 6 out of 10 or less."),
    )

    class Meta:
        model = Level
        fields = [
            "exercise",
            "position",
            "sets",
            "hold_seconds",
            "reps",
            "rest_seconds",
            "effort_target",
            "resistance",
            "cues",
        ]
        widgets = {
            "cues": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, catalogue: ExerciseCatalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].catalogue = catalogue
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("hold_seconds", DEFAULT_HOLD_SECONDS)
            self.initial.setdefault("reps", None)
        numbers = ("sets", "hold_seconds", "reps", "rest_seconds", "effort_target")
        for name in numbers:
            self.fields[name].widget.attrs.setdefault("inputmode", "numeric")
        bound_numbers_by_model(self, numbers)

    def clean(self):
        data = super().clean()
        exercise = data.get("exercise")
        if exercise is not None and not data.get("position"):
            data["position"] = exercise.position
            self.instance.position = exercise.position
        if exercise is not None:
            sets, hold, reps = fit_dose(
                kind=exercise.kind,
                sets=data.get("sets"),
                hold_seconds=data.get("hold_seconds"),
                reps=data.get("reps"),
            )
            data["sets"], data["hold_seconds"], data["reps"] = sets, hold, reps
            self.instance.sets, self.instance.hold_seconds, self.instance.reps = sets, hold, reps
        effort = data.get("effort_target")
        if (
            effort is not None
            and DEFAULT_EFFORT_TARGET < effort <= 10
            and not data.get("confirm_high_effort")
        ):
            self.add_error(
                "effort_target",
                _(
                    "An effort target above 6/10 goes beyond the source advice. "
                    "Tick the confirmation box to keep %(effort)s."
                )
                % {"effort": effort},
            )
        return data


# One lazy text for every level, so the page translates each once (PageMemo).
ORDER_LABEL = _("Place in the ladder")
ORDER_HELP_TEXT = _("Change the numbers to reorder levels.")
DELETE_LABEL = _("Remove this level")


class BaseLadderFormSet(forms.BaseInlineFormSet):
    """A ladder: at least one level, ordered by the ORDER field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The levels' fields share their labels and choices: written once for the page.
        self.page_memo = PageMemo()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.page_memo = self.page_memo
        self.page_memo.translate_fields(form)
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = ORDER_LABEL
        if index is not None and "ORDER" not in form.initial:
            form.fields["ORDER"].initial = index + 1
        form.fields["ORDER"].help_text = ORDER_HELP_TEXT
        form.fields["DELETE"].label = DELETE_LABEL

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.forms_to_keep():
            raise forms.ValidationError(_("A ladder needs at least one level."), code="no_levels")

    def forms_to_keep(self):
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]

    def ordered_forms_to_keep(self):
        def position(form):
            # A cleared box keeps the level where it stands on the page.
            index = self.forms.index(form)
            order = form.cleaned_data.get("ORDER")
            return (index + 1 if order is None else order, index)

        return sorted(self.forms_to_keep(), key=position)

    def with_extra_level(self):
        """The same data plus one level copied from the last: ladders climb by small steps."""
        data = self.data.copy()
        try:
            total = min(int(data.get(f"{self.prefix}-TOTAL_FORMS", 0)), self.max_num)
        except (TypeError, ValueError):
            total = 0
        if total:
            last = f"{self.prefix}-{total - 1}-"
            for key in list(data.keys()):
                if key.startswith(last) and not key.endswith(("-id", "-DELETE", "-ORDER")):
                    data[f"{self.prefix}-{total}-{key[len(last) :]}"] = data[key]
        data[f"{self.prefix}-{total}-ORDER"] = str(total + 1)
        data[f"{self.prefix}-TOTAL_FORMS"] = str(total + 1)
        return data


def ladder_formset_for(parent_model, level_model, form=LevelForm):
    level_form = type(
        f"{level_model.__name__}Form",
        (form,),
        {"Meta": type("Meta", (form.Meta,), {"model": level_model})},
    )
    return forms.inlineformset_factory(
        parent_model,
        level_model,
        form=level_form,
        formset=BaseLadderFormSet,
        fields=LevelForm.Meta.fields,
        extra=0,
        can_delete=True,
        can_order=True,
        max_num=12,
        validate_max=True,
        # A ladder is up to 12 × 14 widgets: render them without a template each.
        renderer=FastWidgetRenderer(),
    )


class ItemForm(forms.ModelForm):
    bound_field_class = BootstrapBoundField

    class Meta:
        model = Item
        fields = ["title"]
