"""Background work of the physio app: webhook deliveries."""

from django_tasks import task

from . import webhooks
from .models import DeliveryStatus


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    delivery = webhooks.attempt(delivery_id)
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.PENDING and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
    # Backends that cannot wait (the immediate one) leave the retry to `send_webhooks`.
    return delivery.status


@task()
def send_due_webhooks() -> int:
    return webhooks.send_due()
