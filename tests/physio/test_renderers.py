"""The fast widget renderer writes exactly what Django's widget templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from physio.forms import BootstrapBoundField, PageMemo
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


class EveryWidgetForm(forms.Form):
    """One field per widget BootstrapBoundField writes itself, and some it leaves to Django."""

    bound_field_class = BootstrapBoundField

    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=20, help_text="Short & <b>clear</b>"
    )
    count = forms.IntegerField(
        label="Count <n>",
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    email = forms.EmailField(required=False)
    link = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), ("a", "A & B"), (3, gettext_lazy("Three"))],
        required=False,
    )
    agree = forms.BooleanField(help_text=gettext_lazy("Tick to agree."))
    optional = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    locked = forms.CharField(disabled=True, required=False)
    # Left to Django: optgroups, a widget with its own class, a radio list.
    grouped = forms.ChoiceField(
        choices=[("", "-"), ("Group <1>", [("x", "X"), ("y", "Y")])], required=False
    )
    styled = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide"}))
    size = forms.ChoiceField(choices=[("s", "S"), ("m", "M")], widget=forms.RadioSelect)

    def clean(self):
        data = super().clean()
        if data.get("title") == "clash":
            self.add_error("title", 'Taken by "someone" <else>')
            self.add_error("title", "And a second error.")
        return data


FORM_STATES = [
    pytest.param({}, None, id="unbound"),
    pytest.param({"title": AWKWARD[:20], "count": 3, "kind": 3, "agree": True}, None, id="initial"),
    pytest.param(
        {},
        {
            "title": "Tom",
            "count": "4",
            "email": "a@example.com",
            "link": "https://example.com/?a=1&b=2",
            "notes": "Line one\nLine <two> & more",
            "kind": "a",
            "agree": "on",
            "secret": "42",
            "grouped": "y",
            "styled": "s",
            "size": "m",
        },
        id="bound-valid",
    ),
    pytest.param(
        {},
        {
            "title": "clash",
            "count": "11",
            "email": "not an email",
            "link": "ftp:// nope",
            "notes": "<script>",
            "kind": "nonsense",
            "secret": '"quoted"',
            "size": "x",
        },
        id="bound-invalid",
    ),
]


def prefixed(prefix, data):
    return None if data is None else {f"{prefix}-{name}": value for name, value in data.items()}


def generic_widget(bound_field):
    return forms.BoundField.as_widget(bound_field)


@pytest.mark.parametrize("use_required_attribute", [True, False])
@pytest.mark.parametrize(("initial", "data"), FORM_STATES)
def test_bootstrap_fields_match_djangos_route(initial, data, use_required_attribute):
    """Every field, in every state, is the markup format_html and Django's templates write."""
    data = prefixed("levels-0", data)
    form = EveryWidgetForm(data=data, initial=initial, prefix="levels-0")
    form.use_required_attribute = use_required_attribute
    reference = EveryWidgetForm(data=data, initial=initial, prefix="levels-0")
    reference.use_required_attribute = use_required_attribute
    for name in form.fields:
        assert form[name].as_bootstrap() == reference[name]._as_bootstrap_generic(), name
        assert str(form[name]) == generic_widget(reference[name]), name


def test_common_widgets_are_written_without_djangos_templates():
    form = EveryWidgetForm()
    memo = PageMemo()
    written = {
        name for name in form.fields if form[name]._fast_widget("id", None, memo, "") is not None
    }
    assert written == set(form.fields) - {"grouped", "styled", "size"}


def test_forms_sharing_a_page_memo_each_keep_their_own_values_and_errors():
    memo = PageMemo()
    forms_ = [
        EveryWidgetForm(
            data=prefixed("levels-0", {"title": "First", "kind": "a", "agree": "on"}),
            prefix="levels-0",
        ),
        EveryWidgetForm(
            data=prefixed("levels-1", {"title": "clash", "kind": "3"}), prefix="levels-1"
        ),
        EveryWidgetForm(prefix="levels-2", initial={"kind": ""}),
    ]
    for form in forms_:
        form.page_memo = memo
        memo.translate_fields(form)
    first, second, third = (
        {name: form[name].as_bootstrap() for name in form.fields} for form in forms_
    )
    assert 'value="First"' in first["title"]
    assert '<option value="a" selected>A &amp; B</option>' in first["kind"]
    assert '<option value="3" selected>Three</option>' in second["kind"]
    assert '<option value="" selected>Any</option>' in third["kind"]
    assert " checked" in first["agree"] and " checked" not in second["agree"]
    assert "invalid-feedback" not in first["title"]
    assert 'id="error_1_id_levels-1-title"' in second["title"]
    assert "Taken by &quot;someone&quot; &lt;else&gt;" in second["title"]
    assert 'id="error_2_id_levels-1-title"' in second["title"]
    # The shared pieces are the same for each form; ids and names are each form's own.
    assert first["notes"].replace("levels-0", "levels-2") == third["notes"]
    reference = EveryWidgetForm(
        data=prefixed("levels-1", {"title": "clash", "kind": "3"}), prefix="levels-1"
    )
    for name in reference.fields:
        assert second[name] == reference[name]._as_bootstrap_generic(), name


def test_bootstrap_field_ties_its_label_help_and_errors_to_the_widget():
    form = EveryWidgetForm(data={"title": "clash", "count": "11"})
    html = form["title"].as_bootstrap()
    assert '<label for="id_title" class="form-label">Title<span class="asteriskField">' in html
    assert 'value="clash"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'class="form-control is-invalid" id="id_title"' in html
    assert '<div id="id_title_helptext" class="form-text">Short & <b>clear</b></div>' in html
    assert '<div id="id_title_error" class="invalid-feedback">' in html
    count = form["count"].as_bootstrap()
    assert '<label for="id_count" class="form-label">Count &lt;n&gt;' in count
    assert 'value="11"' in count and "less than or equal to 10" in count
    agree = form["agree"].as_bootstrap()
    assert agree.startswith('<div class="form-check mb-3"><input type="checkbox" name="agree"')
    assert '<label for="id_agree" class="form-check-label">Agree</label>' in agree
