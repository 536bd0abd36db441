"""A form renderer that writes Django's plainest widgets in Python.

Django renders every widget through its template engine: an `<input>` is three
nested templates, a `<select>` one more per option. That costs about 0.2 ms a
widget, which adds up on the ladder editor (a hundred widgets). This renderer
produces the same bytes for `<input>`, `<textarea>` and `<select>` straight from
the widget's context and hands every other template to Django's own renderer.
tests/physio/test_renderers.py compares the two outputs widget by widget.

Django's own widget templates are the source of truth: if a Django upgrade
changes them, that test fails and the functions below follow.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import stringformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"


def _var(value):
    """`{{ value }}` with autoescaping on."""
    if type(value) is str:  # the common case; not SafeString, which isn't escaped
        return html.escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _as_string(value):
    """`{{ value|stringformat:'s' }}`: the filter keeps safe input safe."""
    if type(value) is str or type(value) is int:
        return html.escape(str(value))
    formatted = stringformat(value, "s")
    return _var(mark_safe(formatted) if isinstance(value, SafeData) else formatted)


def _attrs(attrs):
    """attrs.html: True is a bare attribute, False leaves it out."""
    return "".join(
        f" {_var(name)}" if value is True else f' {_var(name)}="{_as_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_as_string(widget["value"])}"'
    return (
        f'<input type="{_var(widget["type"])}" name="{_var(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget):
    value = _var(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option):
    return (
        f'<option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_var(option['label'])}</option>\n"
    )


# For callers that write widgets without building Django's widget context
# (physio.forms.BootstrapBoundField): the same escaping, the same bytes.
render_attrs = _attrs
render_text = _var
render_value = _as_string


def render_option(value, label, selected):
    """One `<option>` as select_option.html writes it, newline included."""
    attrs = {"selected": True} if selected else {}
    return _option({"value": value, "label": label, "attrs": attrs})


def _select(widget):
    parts = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUT_TYPES = ("text", "number", "email", "url", "password", "hidden", "checkbox", "search", "tel")
FAST = {
    WIDGETS + "input.html": _input,
    **{f"{WIDGETS}{name}.html": _input for name in INPUT_TYPES},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets rendered without templates."""

    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        if fast is not None and (html := fast(context["widget"])) is not None:
            return html.strip()
        return super().render(template_name, context, request)
