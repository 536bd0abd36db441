"""Webhooks: tell a clinic's own systems what happened, signed, retried, logged.

An event becomes one delivery row per subscribed endpoint inside the same
transaction as the change it reports (an outbox), so a rolled-back change is
never announced and a committed one is never lost. Sending happens after
commit, in a background task; every try is recorded on the row for the
clinician to see.

Receivers check the `Isohold-Signature` header: `t=<unix time>,v1=<hex>`, where
the hex is HMAC-SHA256 with the endpoint's secret over `<t>.<body>`. Putting the
time inside the signature lets a receiver refuse old replays.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "Isohold-Signature"
# A receiver should refuse a signature older than this (README shows how).
SIGNATURE_TOLERANCE = timedelta(minutes=5)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: datetime) -> bool:
    """What a receiver does: the signature matches and is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > SIGNATURE_TOLERANCE.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))


def backoff(attempts_made: int) -> timedelta:
    """Wait before the next try: the base, doubled after every failure."""
    return timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts_made - 1))


def emit(*, clinic_id: int, event: str, data, now=None, only=None) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the clinic that listens for it.

    `data` may be a callable, so building the payload costs nothing when nobody listens.
    `only` sends to that one endpoint whatever it listens for (the "send a test" button).
    """
    if only is not None:
        endpoints = [only]
    else:
        # Few endpoints per clinic, and JSON "contains" is not portable: filter here.
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(clinic_id=clinic_id, is_active=True)
            if event in endpoint.events
        ]
    if not endpoints:
        return []
    now = now or timezone.now()
    payload = data() if callable(data) else data
    deliveries = []
    for endpoint in endpoints:
        event_id = uuid.uuid4()
        body = json.dumps(
            {"id": str(event_id), "type": event, "created": now, "data": payload},
            cls=DjangoJSONEncoder,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        deliveries.append(
            WebhookDelivery(
                endpoint=endpoint, event=event, event_id=event_id, body=body, next_attempt_at=now
            )
        )
    # Both databases return the new ids from a bulk insert.
    WebhookDelivery.objects.bulk_create(deliveries)

    def send_after_commit():
        from .tasks import deliver_webhook

        for delivery in deliveries:
            deliver_webhook.enqueue(delivery.pk)

    transaction.on_commit(send_after_commit)
    return deliveries


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body: count it as a failure.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery, now: datetime) -> tuple[int | None, str]:
    body = delivery.body.encode()
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Isohold-Webhooks/1",
            "Isohold-Event": delivery.event,
            "Isohold-Delivery": str(delivery.event_id),
            SIGNATURE_HEADER: signature_header(
                delivery.endpoint.secret, int(now.timestamp()), body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)[:500]


def attempt(delivery_id: int, *, now=None) -> WebhookDelivery | None:
    """Make the next try of a due delivery; None when another worker has it or it is done.

    The try is claimed by bumping the attempt count only if nobody else has, so a
    retry task and the sweeper arriving together cannot send the same try twice.
    """
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    if delivery.next_attempt_at and delivery.next_attempt_at > now:
        return None
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None)
    if not claimed:
        return None
    delivery.attempts += 1
    delivery.last_attempt_at = now
    status_code, error = _post(delivery, now)
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED,
            now,
            "",
        )
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error or f"HTTP {status_code}"
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "last_error",
            "last_status_code",
            "next_attempt_at",
        ]
    )
    return delivery


def due(now=None):
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")


def send_due(now=None) -> int:
    """Try every delivery whose time has come (the scheduler's and the retries' safety net)."""
    sent = 0
    for pk in due(now).values_list("pk", flat=True):
        if attempt(pk, now=now) is not None:
            sent += 1
    return sent


def retry_now(delivery: WebhookDelivery) -> None:
    """A clinician's "try again": a given-up delivery gets a fresh round of tries."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.DELIVERED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )

    def send_after_commit():
        from .tasks import deliver_webhook

        deliver_webhook.enqueue(delivery.pk)

    transaction.on_commit(send_after_commit)
