import html

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import WebhookEndpoint, WebhookEvent
from .renderers import render_attrs, render_option, render_text, render_value


def bound_numbers_by_model(form: forms.ModelForm, names) -> None:
    """Give the number inputs `names` the model's own bounds as `min` and `max`.

    A positive model field makes its form field say min 0, which replaces whatever the
    widget said, so the browser would accept a 0 that the model then refuses."""
    for name in names:
        attrs = form.fields[name].widget.attrs
        for validator in form._meta.model._meta.get_field(name).validators:
            if isinstance(validator, MinValueValidator):
                attrs["min"] = max(validator.limit_value, attrs.get("min", validator.limit_value))
            elif isinstance(validator, MaxValueValidator):
                attrs["max"] = min(validator.limit_value, attrs.get("max", validator.limit_value))


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where Isohold sends each event as a signed JSON POST (http or https)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one event to send.")},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]
        help_texts = {"description": _("For your colleagues: what receives these events.")}


class PageMemo:
    """What the forms of one page share while they are rendered: translated
    labels and help texts, attribute strings, `<option>` lists.

    A formset's forms hold deep copies of the same fields, whose lazy labels
    would each be translated again, field after field and form after form.
    Entries are keyed by the identity of the lazy text (kept alive here) or by
    the attributes' values, so a form whose fields differ gets its own entry.
    One memo lives for one request's forms; nothing here outlives the page.
    """

    def __init__(self):
        self._texts = {}
        self._attrs = {}
        self._options = {}

    def translated(self, text):
        """A lazy text as a string, translated once per page; anything else as it is."""
        if not isinstance(text, Promise):
            return text
        if (entry := self._texts.get(id(text))) is None:
            entry = self._texts[id(text)] = (text, str(text))
        return entry[1]

    def escaped(self, text):
        """conditional_escape(text), translating each lazy text once."""
        text = self.translated(text)
        return html.escape(text) if type(text) is str else conditional_escape(text)

    def translate_fields(self, form):
        """Give the form's fields their labels and help texts translated (once per page).

        Django's BoundField reads a lazy help text's truth, and templates its
        label, field after field: each read translates the text again.
        """
        for field in form.fields.values():
            field.label = self.translated(field.label)
            field.help_text = self.translated(field.help_text)

    def attrs(self, attrs):
        """The widget's own attributes as attrs.html writes them."""
        try:  # type too: 1 and True are equal keys but different attributes
            key = tuple((name, type(value), value) for name, value in attrs.items())
            cached = self._attrs.get(key)
        except TypeError:  # an unhashable value
            return render_attrs(attrs)
        if cached is None:
            cached = self._attrs[key] = render_attrs(attrs)
        return cached

    def options(self, choices):
        """Each choice as (value as a string, <option> unselected, <option> selected)."""
        try:
            key = tuple((type(value), value, id(label)) for value, label in choices)
            entry = self._options.get(key)
        except TypeError:  # an unhashable value
            key, entry = None, None
        if entry is None:
            rendered = []
            for value, label in choices:
                value = "" if value is None else value
                rendered.append(
                    (
                        str(value),
                        "\n  " + render_option(value, label, False),
                        "\n  " + render_option(value, label, True),
                    )
                )
            entry = (choices, rendered)
            if key is not None:
                self._options[key] = entry
        return entry[1]


# Widgets written here directly, each as (markup, Bootstrap class); any other
# widget (or a subclass, which may change the context) takes Django's as_widget.
FAST_WIDGETS = {
    forms.TextInput: ("input", "form-control"),
    forms.NumberInput: ("input", "form-control"),
    forms.EmailInput: ("input", "form-control"),
    forms.URLInput: ("input", "form-control"),
    forms.HiddenInput: ("input", None),
    forms.CheckboxInput: ("input", "form-check-input"),
    forms.Textarea: ("textarea", "form-control"),
    forms.Select: ("select", "form-select"),
}
# Attributes the BoundField sets: set on the widget too, Django's merge would
# keep them in the widget's place, so such widgets take Django's route.
BOUND_FIELD_ATTRS = frozenset(["class", "id", "required", "disabled", "aria-invalid", "checked"])


class BootstrapBoundField(forms.BoundField):
    """A form field in Bootstrap 5 markup: `{{ form.name.as_bootstrap }}`.

    crispy-forms writes the same markup through a dozen nested templates per
    field. The ladder editor shows over a hundred fields, where that cost most
    of the page's time, so its fields are written here instead. The widget gets
    Bootstrap's classes, and `is-invalid` when the field has errors (Bootstrap
    shows the `.invalid-feedback` after it); `aria-invalid` is set and
    `aria-describedby` points at the help text and the errors, as Django does.

    The common widgets (text, number, email, url, hidden, checkbox, textarea,
    select) are written in Python from the field, byte for byte as Django's
    widget templates would (tests/physio/test_renderers.py compares the two);
    the rest take Django's own route. Forms that share a `page_memo` (a
    formset's forms) translate and format their common pieces once.
    """

    def _css_class(self, widget):
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        return css + " is-invalid" if self.errors else css

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        css = self._css_class(widget)
        if existing := attrs.get("class", widget.attrs.get("class")):
            css = f"{existing} {css}"
        attrs["class"] = css
        return attrs

    @property
    def page_memo(self):
        memo = getattr(self.form, "page_memo", None)
        if memo is None:
            memo = self.form.page_memo = PageMemo()
        return memo

    def _help_html(self, memo):
        # Help text is trusted markup, as in Django's own form templates.
        return str(memo.translated(self.help_text))

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if widget is None and attrs is None and not only_initial:
            memo = self.page_memo
            errors = self.form.errors.get(self.name)
            fast = self._fast_widget(self.auto_id, errors, memo, self._help_html(memo))
            if fast is not None:
                return mark_safe(fast)
        return super().as_widget(widget, attrs, only_initial)

    def _fast_widget(self, auto_id, errors, memo, help_html):
        """The widget's HTML without its template, or None to take Django's route.

        `errors` is the field's error list (None or empty when it has none),
        `help_html` its help text as written on the page.
        """
        field = self.field
        widget = field.widget
        kind, css = FAST_WIDGETS.get(type(widget), (None, None))
        if (
            kind is None
            or not auto_id
            or field.localize
            or widget.is_localized
            or not BOUND_FIELD_ATTRS.isdisjoint(widget.attrs)
        ):
            return None
        if kind == "select" and (
            type(widget.choices) is not list
            or any(isinstance(label, (list, tuple)) for _value, label in widget.choices)
        ):
            return None
        # Django's order: the widget's attrs, then the BoundField's, then the id.
        extra = []
        if (
            self.form.use_required_attribute
            and field.required
            and widget.use_required_attribute(self.initial)
        ):
            extra.append(" required")
        if field.disabled:
            extra.append(" disabled")
        if not widget.is_hidden:
            if errors:
                extra.append(' aria-invalid="true"')
            if not widget.attrs.get("aria-describedby"):
                described_by = []
                if help_html:
                    described_by.append(f"{auto_id}_helptext")
                if errors:
                    described_by.append(f"{auto_id}_error")
                if described_by:
                    extra.append(f' aria-describedby="{html.escape(" ".join(described_by))}"')
            extra.append(f' class="{css} is-invalid"' if errors else f' class="{css}"')
        extra.append(f' id="{html.escape(auto_id)}"')
        value = self.value()
        name = html.escape(self.html_name)
        attrs = memo.attrs(widget.attrs)
        if kind == "input":
            if isinstance(widget, forms.CheckboxInput) and widget.check_test(value):
                extra.append(" checked")
            value = widget.format_value(value)
            value = "" if value is None else f' value="{render_value(value)}"'
            return (
                f'<input type="{html.escape(widget.input_type)}" name="{name}"'
                f"{value}{attrs}{''.join(extra)}>"
            )
        if kind == "textarea":
            value = widget.format_value(value)
            text = render_text(value) if value else ""
            return f'<textarea name="{name}"{attrs}{"".join(extra)}>\n{text}</textarea>'
        chosen = widget.format_value(value)
        parts = [f'<select name="{name}"{attrs}{"".join(extra)}>']
        selected = False
        for option_value, unselected, selected_html in memo.options(widget.choices):
            if not selected and option_value in chosen:
                selected = True
                parts.append(selected_html)
            else:
                parts.append(unselected)
        parts.append("\n</select>")
        return "".join(parts)

    def as_bootstrap(self):
        auto_id = self.auto_id
        if not auto_id:
            return self._as_bootstrap_generic()
        memo = self.page_memo
        field_errors = self.form.errors.get(self.name)
        help_html = self._help_html(memo)
        escaped_id = html.escape(auto_id)
        widget = self._fast_widget(auto_id, field_errors, memo, help_html)
        if widget is None:
            widget = super().as_widget()
            for_id = html.escape(self.id_for_label)
        else:  # the widgets written here are labelled by their id
            for_id = escaped_id
        errors = help_text = ""
        if field_errors:
            errors = "".join(
                [
                    f'<div id="{escaped_id}_error" class="invalid-feedback">',
                    *(
                        f'<span id="error_{number}_{escaped_id}"><strong>'
                        f"{conditional_escape(error)}</strong></span>"
                        for number, error in enumerate(field_errors, 1)
                    ),
                    "</div>",
                ]
            )
        if help_html:
            help_text = f'<div id="{escaped_id}_helptext" class="form-text">{help_html}</div>'
        label = memo.escaped(self.label)
        if isinstance(self.field.widget, forms.CheckboxInput):
            return mark_safe(
                f'<div class="form-check mb-3">{widget}'
                f'<label for="{for_id}" class="form-check-label">{label}</label>'
                f"{errors}{help_text}</div>"
            )
        return mark_safe(
            f'<div class="mb-3"><label for="{for_id}" class="form-label">{label}'
            f"{REQUIRED_MARK if self.field.required else ''}</label>"
            f"{widget}{errors}{help_text}</div>"
        )

    def _as_bootstrap_generic(self):
        """as_bootstrap through format_html and Django's as_widget (the reference)."""
        errors = help_text = ""
        if self.errors:
            errors = format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                self.auto_id,
                format_html_join(
                    "",
                    '<span id="error_{}_{}"><strong>{}</strong></span>',
                    ((number, self.auto_id, error) for number, error in enumerate(self.errors, 1)),
                ),
            )
        if self.help_text:
            help_text = format_html(
                '<div id="{}_helptext" class="form-text">{}</div>',
                self.auto_id,
                mark_safe(self.help_text),
            )
        widget = super().as_widget()
        if isinstance(self.field.widget, forms.CheckboxInput):
            return format_html(
                '<div class="form-check mb-3">{}<label for="{}" class="form-check-label">{}</label>'
                "{}{}</div>",
                widget,
                self.id_for_label,
                self.label,
                errors,
                help_text,
            )
        return format_html(
            '<div class="mb-3"><label for="{}" class="form-label">{}{}</label>{}{}{}</div>',
            self.id_for_label,
            self.label,
            REQUIRED_MARK if self.field.required else "",
            widget,
            errors,
            help_text,
        )


REQUIRED_MARK = mark_safe('<span class="asteriskField">*</span>')
