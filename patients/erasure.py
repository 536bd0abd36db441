"""Erasing a patient's personal data on request, keeping the clinical rows for the clinic.

What goes: names, email, date of birth, notes, every free-text field the patient wrote
(session notes, comments, correction notes, PSFS activity names), the invitation rows,
the login (deactivated, its names scrubbed, its API tokens deleted), and the same
values in the change history and in the webhook delivery log. Clinician-written text
that stays (decision reasons, alert messages, titles, cues) keeps its clinical meaning
but loses any mention of the patient's name or email. What stays: sessions with their
numbers, check-ins, PSFS scores, decisions and alerts, under "Erased patient #id".
An Erasure row records who erased which patient id, and when.
"""

import json
import re

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from physio.models import IdempotencyRecord, WebhookDelivery

from .audit import ERASED, act_as
from .changes import history_querysets
from .models import (
    Alert,
    Assignment,
    AssignmentItem,
    AssignmentLevel,
    AssignmentStatus,
    Decision,
    Erasure,
    Patient,
    PatientStatus,
    PsfsActivity,
    Session,
    SessionEntry,
    SessionNote,
)

REDACTED = "[erased]"
# Login-attempt logs of django-axes keep usernames; cleared when the app is installed.
LOGIN_LOG_MODELS = ["axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"]


class ErasureError(Exception):
    pass


def erased_names(patient_id: int) -> tuple[str, str]:
    return "Erased", f"patient #{patient_id}"


class Redactor:
    """Replaces whole-word mentions of the patient's names and email, in any case."""

    def __init__(self, terms):
        terms = sorted({t.strip() for t in terms if t and len(t.strip()) >= 2}, key=len)
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(t) for t in reversed(terms)) + r")(?!\w)",
                re.IGNORECASE,
            )
            if terms
            else None
        )

    def text(self, value):
        if self.pattern is None or not isinstance(value, str):
            return value
        return self.pattern.sub(REDACTED, value)

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value


def _redact_rows(queryset, fields, redactor, json_fields=()):
    """Rewrite `fields` of every row in place; only the rows that change are written."""
    changed = []
    for row in queryset.only("pk", *fields):
        dirty = False
        for name in fields:
            value = getattr(row, name)
            new = redactor.json(value) if name in json_fields else redactor.text(value)
            if new != value:
                setattr(row, name, new)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        queryset.model._default_manager.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def _scrub_webhook_log(patient, redactor):
    """Event bodies kept for retries carry the session notes and the alert messages."""
    mentions = WebhookDelivery.objects.filter(endpoint__clinic_id=patient.clinic_id).filter(
        body__contains=f'"patient":{patient.pk},'
    ) | WebhookDelivery.objects.filter(endpoint__clinic_id=patient.clinic_id).filter(
        body__contains=f'"patient":{patient.pk}}}'
    )

    def clean(value):
        if isinstance(value, dict):
            return {
                k: "" if k in ("notes", "comment") and isinstance(v, str) else clean(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [clean(v) for v in value]
        return redactor.json(value)

    changed = []
    for delivery in mentions.distinct():
        body = json.loads(delivery.body)
        new = json.dumps(clean(body), cls=DjangoJSONEncoder, separators=(",", ":"))
        if new != delivery.body:
            delivery.body = new
            changed.append(delivery)
    WebhookDelivery.objects.bulk_update(changed, ["body"], batch_size=500)


def _scrub_login(user):
    old_username = user.username
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    IdempotencyRecord.objects.filter(user=user).delete()
    for label in LOGIN_LOG_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model.objects.filter(username__iexact=old_username).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).update(object_repr=user.username)


@transaction.atomic
def erase_patient(*, patient: Patient, by, now=None) -> Erasure:
    now = now or timezone.now()
    # A key-preserving lock: a session upload in flight (it locks the assignment first,
    # then only references this row) finishes before us instead of deadlocking.
    patient = Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)
    if patient.erased_at is not None:
        raise ErasureError(_("This patient's personal data was already erased."))
    list(Assignment.objects.select_for_update().filter(patient=patient).order_by("pk"))
    user = patient.user
    redactor = Redactor(
        [
            patient.first_name,
            patient.last_name,
            patient.full_name,
            patient.email,
            *(
                [user.username, user.first_name, user.last_name, user.get_full_name(), user.email]
                if user
                else []
            ),
        ]
    )
    first, last = erased_names(patient.pk)

    for assignment in Assignment.objects.filter(patient=patient).current():
        assignment.status, assignment.status_changed_at = AssignmentStatus.FINISHED, now
        act_as(assignment, user=by, reason=ERASED).save(
            update_fields=["status", "status_changed_at"]
        )
    patient.first_name, patient.last_name = first, last
    patient.email, patient.date_of_birth, patient.notes = "", None, ""
    patient.status, patient.erased_at = PatientStatus.ARCHIVED, now
    act_as(patient, user=by, reason=ERASED).save()
    patient.invitations.all().delete()
    if user is not None:
        _scrub_login(user)

    # What the patient wrote in their own words.
    sessions = Session.objects.filter(patient=patient)
    sessions.exclude(notes="").update(notes="")
    SessionEntry.objects.filter(session__patient=patient).exclude(comment="").update(comment="")
    SessionNote.objects.filter(session__patient=patient).delete()
    activities = PsfsActivity.objects.filter(assignment__patient=patient).order_by(
        "assignment_id", "order", "id"
    )
    renamed = []
    for activity in activities:
        activity.name = _("Activity %(number)s") % {"number": activity.order + 1}
        renamed.append(activity)
    PsfsActivity.objects.bulk_update(renamed, ["name"])

    # What clinicians wrote keeps its meaning without the patient's name.
    _redact_rows(
        Decision.objects.filter(item__assignment__patient=patient),
        ["reasons"],
        redactor,
        json_fields={"reasons"},
    )
    _redact_rows(Alert.objects.filter(patient=patient), ["message"], redactor)
    _redact_rows(Assignment.objects.filter(patient=patient), ["name"], redactor)
    _redact_rows(AssignmentItem.objects.filter(assignment__patient=patient), ["title"], redactor)
    _redact_rows(
        AssignmentLevel.objects.filter(item__assignment__patient=patient),
        ["resistance", "cues"],
        redactor,
    )

    # The history must not keep what the record no longer does.
    history = history_querysets(patient.pk)
    history["patient"].update(
        first_name=first, last_name=last, email="", date_of_birth=None, notes=""
    )
    _redact_rows(history["assignment"], ["name"], redactor)
    _redact_rows(history["item"], ["title"], redactor)
    _redact_rows(history["level"], ["resistance", "cues"], redactor)
    _redact_rows(
        Decision.history.filter(item__assignment__patient_id=patient.pk),
        ["reasons"],
        redactor,
        json_fields={"reasons"},
    )
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Patient), object_id=str(patient.pk)
    ).update(object_repr=patient.full_name)
    _scrub_webhook_log(patient, redactor)

    return Erasure.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        patient_number=patient.pk,
        erased_by=by,
        erased_by_name=f"{by.get_full_name()} ({by.username})".strip(),
        erased_at=now,
    )
