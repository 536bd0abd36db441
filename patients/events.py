"""What a clinic's webhooks hear: each event carries the API's own view of the object."""

from physio import webhooks
from physio.models import WebhookEvent

from .api.serializers import CheckInSerializer, DecisionSerializer, SessionSerializer
from .models import Alert, CheckIn, Decision, Session


def session_created(session: Session, *, clinic_id: int, now=None) -> None:
    """`session` as `log_session` made it: its entries are already at hand."""

    def payload():
        return SessionSerializer(session).data

    webhooks.emit(clinic_id=clinic_id, event=WebhookEvent.SESSION_CREATED, data=payload, now=now)


def check_in_created(check_in: CheckIn, *, clinic_id: int, now=None) -> None:
    webhooks.emit(
        clinic_id=clinic_id,
        event=WebhookEvent.CHECKIN_CREATED,
        data=lambda: CheckInSerializer(check_in).data,
        now=now,
    )


def decision_created(decision: Decision, *, clinic_id: int, now=None) -> None:
    def payload():
        return {
            **DecisionSerializer(decision).data,
            "assignment": decision.item.assignment_id,
            "patient": decision.item.assignment.patient_id,
        }

    webhooks.emit(clinic_id=clinic_id, event=WebhookEvent.DECISION_CREATED, data=payload, now=now)


def alert_raised(alert: Alert, *, clinic_id: int, now=None) -> None:
    def payload():
        return {
            "id": alert.pk,
            "kind": alert.kind,
            "patient": alert.patient_id,
            "decision": alert.decision_id,
            "message": alert.message,
            "created_at": alert.created_at,
        }

    webhooks.emit(clinic_id=clinic_id, event=WebhookEvent.ALERT_RAISED, data=payload, now=now)
