from django import forms
from django.core.validators import URLValidator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import WebhookEndpoint, WebhookEvent


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


class BootstrapBoundField(forms.BoundField):
    """A form field in Bootstrap 5 markup: `{{ form.name.as_bootstrap }}`.

    crispy-forms writes the same markup through a dozen nested templates per
    field. The ladder editor shows over a hundred fields, where that cost most
    of the page's time, so its fields are written here instead. The widget gets
    Bootstrap's classes, and `is-invalid` when the field has errors (Bootstrap
    shows the `.invalid-feedback` after it); Django already adds `aria-invalid`
    and points `aria-describedby` at the help text and the errors.
    """

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        if existing := attrs.get("class", widget.attrs.get("class")):
            css = f"{existing} {css}"
        attrs["class"] = css
        return attrs

    def as_bootstrap(self):
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
            # Help text is trusted markup, as in Django's own form templates.
            help_text = format_html(
                '<div id="{}_helptext" class="form-text">{}</div>',
                self.auto_id,
                mark_safe(self.help_text),
            )
        if isinstance(self.field.widget, forms.CheckboxInput):
            return format_html(
                '<div class="form-check mb-3">{}<label for="{}" class="form-check-label">{}</label>'
                "{}{}</div>",
                self.as_widget(),
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
            self.as_widget(),
            errors,
            help_text,
        )


REQUIRED_MARK = mark_safe('<span class="asteriskField">*</span>')
