"""Background work, queued in the database (`manage.py db_worker` runs it)."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Alert


@task()
def email_alert(alert_id: int) -> None:
    alert = Alert.objects.select_related("patient__clinician", "patient__clinic").get(pk=alert_id)
    if alert.emailed_at is not None:
        return  # a retried task must not send twice
    clinician = alert.patient.clinician
    if clinician.email:
        send_mail(
            subject=_("Isohold alert: %(patient)s") % {"patient": alert.patient},
            message=render_to_string("patients/alert_email.txt", {"alert": alert}),
            from_email=None,
            recipient_list=[clinician.email],
        )
    Alert.objects.filter(pk=alert.pk).update(emailed_at=timezone.now())


@task()
def expire_check_ins() -> int:
    from .services import expire_pending_check_ins

    return expire_pending_check_ins()
