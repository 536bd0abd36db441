"""The fast widget renderer writes exactly what Django's widget templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from physio.forms import BootstrapBoundField
from physio.renderers import FastWidgetRenderer

AWKWARD = 'Tom & "Jerry" <b>it\'s</b>'

WIDGETS = [
    pytest.param(forms.TextInput(), "plain text", id="text"),
    pytest.param(forms.TextInput(), AWKWARD, id="text-escaped"),
    pytest.param(forms.TextInput(), mark_safe("<i>safe</i>"), id="text-safe-value"),
    pytest.param(forms.TextInput(), None, id="text-empty"),
    pytest.param(forms.TextInput(), "", id="text-blank"),
    pytest.param(
        forms.TextInput(attrs={"list": "names", "autocomplete": "off", "data-x": AWKWARD}),
        "x",
        id="text-attrs",
    ),
    pytest.param(
        forms.TextInput(attrs={"required": True, "disabled": False, "title": gettext_lazy("Sets")}),
        "x",
        id="text-boolean-and-lazy-attrs",
    ),
    pytest.param(forms.NumberInput(attrs={"min": 0, "max": 10, "step": 0.5}), 3, id="number"),
    pytest.param(forms.NumberInput(), 1234567, id="number-large"),
    pytest.param(forms.EmailInput(), "a@example.com", id="email"),
    pytest.param(forms.URLInput(), "https://example.com/?a=1&b=2", id="url"),
    pytest.param(forms.PasswordInput(render_value=True), "secret", id="password"),
    pytest.param(forms.HiddenInput(), 42, id="hidden"),
    pytest.param(forms.CheckboxInput(), True, id="checkbox-checked"),
    pytest.param(forms.CheckboxInput(), False, id="checkbox-unchecked"),
    pytest.param(forms.Textarea(attrs={"rows": 2}), "Line one\nLine <two> & more", id="textarea"),
    pytest.param(forms.Textarea(), "", id="textarea-empty"),
    pytest.param(forms.Textarea(), None, id="textarea-none"),
    pytest.param(
        forms.Select(choices=[("", "---"), ("a", "A & B"), (3, gettext_lazy("Three"))]),
        "a",
        id="select",
    ),
    pytest.param(forms.Select(choices=[(1, "One"), (2, "Two")]), 2, id="select-int-values"),
    pytest.param(forms.Select(choices=[("a", "A")]), None, id="select-nothing-chosen"),
    pytest.param(
        forms.Select(
            choices=[("", "Any"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")],
            attrs={"class": "form-select", "aria-describedby": "help"},
        ),
        "y",
        id="select-optgroups",
    ),
    pytest.param(forms.Select(choices=[]), "", id="select-no-choices"),
    pytest.param(forms.DateInput(), datetime.date(2024, 5, 6), id="date"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_fast_renderer_matches_django_templates(widget, value):
    attrs = {"id": "id_field", "class": "form-control"}
    expected = widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())
    assert widget.render("field", value, attrs=attrs, renderer=FastWidgetRenderer()) == expected


def test_other_widgets_fall_back_to_django_templates():
    widget = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    expected = widget.render("field", "a", renderer=DjangoTemplates())
    assert widget.render("field", "a", renderer=FastWidgetRenderer()) == expected


class BootstrapForm(forms.Form):
    bound_field_class = BootstrapBoundField

    name = forms.CharField(help_text="Who", widget=forms.TextInput(attrs={"class": "wide"}))
    kind = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField()
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def test_bootstrap_bound_field_adds_bootstrap_classes():
    form = BootstrapForm()
    assert 'class="wide form-control"' in str(form["name"])
    assert 'class="form-select"' in str(form["kind"])
    assert 'class="form-check-input"' in str(form["agree"])
    assert "class=" not in str(form["secret"])


def test_bootstrap_bound_field_marks_invalid_fields():
    form = BootstrapForm(data={"kind": "a"})
    assert not form.is_valid()
    html = str(form["name"])
    assert 'class="wide form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert "is-invalid" not in str(form["kind"])
