"""Webhooks: events become signed deliveries that are retried, given up on, and logged."""

import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from patients import services
from physio import webhooks
from physio.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.factories import programme_with_ladders

NOW = timezone.now()
ALL_EVENTS = [event.value for event in WebhookEvent]


# --- Signing, without a database -------------------------------------------------------


def test_a_signature_made_with_the_secret_verifies():
    body = b'{"type":"session.created"}'
    header = webhooks.signature_header("s3cret", int(NOW.timestamp()), body)
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    assert webhooks.verify("s3cret", header, body, now=NOW)


@pytest.mark.parametrize(
    "secret, body, age",
    [
        ("wrong", b"{}", timedelta(0)),
        ("s3cret", b'{"tampered":true}', timedelta(0)),
        ("s3cret", b"{}", timedelta(minutes=6)),
    ],
    ids=["wrong secret", "changed body", "too old"],
)
def test_a_signature_is_refused_when_anything_differs(secret, body, age):
    header = webhooks.signature_header("s3cret", int((NOW - age).timestamp()), b"{}")
    assert not webhooks.verify(secret, header, body, now=NOW)


def test_a_garbled_signature_header_is_refused():
    assert not webhooks.verify("s3cret", "nonsense", b"{}", now=NOW)


def test_waits_between_tries_double(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


# --- A real receiver on 127.0.0.1 ------------------------------------------------------


class Receiver:
    """A small HTTP server that answers with the statuses it is given, then 200."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/isohold"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def endpoint(clinician, receiver):
    return WebhookEndpoint.objects.create(
        clinic=clinician.clinic, url=receiver.url, events=ALL_EVENTS, secret="whsec_test"
    )


@pytest.fixture
def assignment(clinician, patient):
    programme = programme_with_ladders(clinic=clinician.clinic, items=1, levels=3)
    assignment = services.assign_programme(
        patient=patient.patient_record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    assignment.items.update(level_since=timezone.now() - timedelta(days=2))
    return assignment


def log_painful_session(assignment):
    item = assignment.items.get()
    return services.log_session(
        assignment=assignment,
        submission_key=uuid.uuid4(),
        entries=[
            services.EntryInput(
                item_id=item.pk,
                sets_done=3,
                per_set=(10, 10, 10),
                effort=5,
                pain_before=3,
                pain_during=4,
                pain_after=4,
                increased_pain=True,
            )
        ],
    ).session


def test_a_logged_session_is_announced_signed_to_the_clinics_receiver(
    endpoint, assignment, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = log_painful_session(assignment)

    by_event = {r["headers"]["Isohold-Event"]: r for r in receiver.requests}
    # The pain increase is red: at level 1 the item pauses and an alert is raised too.
    assert set(by_event) == {"session.created", "decision.created", "alert.raised"}
    sent = by_event["session.created"]
    assert webhooks.verify(
        "whsec_test", sent["headers"]["Isohold-Signature"], sent["body"], now=timezone.now()
    )
    envelope = json.loads(sent["body"])
    assert envelope["type"] == "session.created"
    assert envelope["id"] == sent["headers"]["Isohold-Delivery"]
    assert envelope["data"]["id"] == session.pk
    assert envelope["data"]["entries"][0]["increased_pain"] is True
    decision = json.loads(by_event["decision.created"]["body"])["data"]
    assert decision["action"] == "pause"
    assert decision["patient"] == assignment.patient_id
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_only_the_events_an_endpoint_picked_reach_it(
    endpoint, assignment, receiver, django_capture_on_commit_callbacks
):
    endpoint.events = [WebhookEvent.ALERT_RAISED]
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        log_painful_session(assignment)
    assert [r["headers"]["Isohold-Event"] for r in receiver.requests] == ["alert.raised"]


def test_a_check_in_is_announced(
    endpoint, assignment, receiver, django_capture_on_commit_callbacks
):
    session = log_painful_session(assignment)
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_check_in(session=session, pain_now=2, worse_than_usual=False)
    events = [r["headers"]["Isohold-Event"] for r in receiver.requests]
    assert "checkin.created" in events
    body = json.loads(receiver.requests[events.index("checkin.created")]["body"])
    assert body["data"]["session"] == session.pk


def test_a_clinician_decision_is_announced(
    endpoint, assignment, clinician, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.move_level(
            item=assignment.items.get(), to_level=2, by=clinician, reason="Doing well"
        )
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "decision.created"
    assert body["data"]["actor"] == str(clinician)
    assert body["data"]["to_level"] == 2


def test_other_clinics_and_inactive_endpoints_hear_nothing(
    endpoint, assignment, other_clinic, receiver, django_capture_on_commit_callbacks
):
    endpoint.is_active = False
    endpoint.save()
    WebhookEndpoint.objects.create(
        clinic=other_clinic, url=receiver.url, events=ALL_EVENTS, secret="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        log_painful_session(assignment)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_change_that_is_rolled_back_is_never_announced(endpoint, assignment, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_painful_session(assignment)
        raise RuntimeError("the request failed after logging")
    assert not WebhookDelivery.objects.exists()


def test_a_failed_delivery_is_retried_after_the_wait_and_then_delivered(
    settings, endpoint, receiver
):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    receiver.statuses = [500]
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)

    first = webhooks.attempt(delivery.pk, now=NOW)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.next_attempt_at == NOW + timedelta(seconds=30)
    assert "500" in first.last_error

    assert webhooks.send_due(now=NOW + timedelta(seconds=29)) == 0  # not yet
    assert webhooks.send_due(now=NOW + timedelta(seconds=30)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert delivery.last_error == ""
    assert len(receiver.requests) == 2
    # Every try sends the same body, signed afresh.
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]


def test_it_gives_up_after_the_last_try_and_records_why(settings, endpoint, receiver):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_BACKOFF_SECONDS = 1
    receiver.statuses = [500] * 10
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)
    when = NOW
    for _ in range(10):
        webhooks.send_due(now=when)
        when += timedelta(minutes=10)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert delivery.next_attempt_at is None
    assert delivery.last_status_code == 500
    assert len(receiver.requests) == 4


def test_an_unreachable_receiver_is_a_failed_try_not_a_crash(settings, clinician):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    endpoint = WebhookEndpoint.objects.create(
        clinic=clinician.clinic, url="http://127.0.0.1:9/nothing", events=ALL_EVENTS, secret="x"
    )
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)
    tried = webhooks.attempt(delivery.pk, now=NOW)
    assert tried.status == "pending"
    assert tried.last_status_code is None
    assert tried.last_error


def test_a_try_is_sent_once_even_when_two_workers_reach_it(endpoint, receiver):
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)
    assert webhooks.attempt(delivery.pk, now=NOW) is not None
    assert webhooks.attempt(delivery.pk, now=NOW) is None  # delivered already
    assert len(receiver.requests) == 1


def test_the_scheduler_command_sends_what_is_due(endpoint, receiver):
    webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)
    call_command("send_webhooks")
    assert len(receiver.requests) == 1


# --- The clinician's pages ------------------------------------------------------------


def test_a_clinician_adds_an_endpoint_and_sees_its_secret(clinician_client, clinician):
    response = clinician_client.post(
        reverse("webhook-create"),
        {
            "url": "https://records.example/isohold",
            "description": "Clinic records",
            "events": ["session.created", "alert.raised"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("webhook-detail", args=[endpoint.pk])
    assert endpoint.clinic == clinician.clinic
    assert endpoint.events == ["session.created", "alert.raised"]
    assert endpoint.secret.startswith("whsec_")
    page = clinician_client.get(response.url)
    assert endpoint.secret in page.content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"url": "https://a.example/", "events": []}, "events", "Pick at least one event"),
        ({"url": "ftp://a.example/", "events": ["alert.raised"]}, "url", "valid URL"),
        ({"url": "", "events": ["alert.raised"]}, "url", "required"),
    ],
    ids=["no events", "not http", "no url"],
)
def test_a_bad_endpoint_form_says_what_is_wrong_and_keeps_the_rest(
    clinician_client, data, field, message
):
    response = clinician_client.post(reverse("webhook-create"), {**data, "description": "Kept"})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Kept" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_status_tries_and_the_last_error(
    clinician_client, endpoint, receiver
):
    receiver.statuses = [503]
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)
    webhooks.attempt(delivery.pk, now=NOW)
    page = clinician_client.get(reverse("webhook-detail", args=[endpoint.pk])).content.decode()
    assert "alert.raised" in page
    assert "Waiting to send" in page
    assert "HTTP 503" in page
    assert "Try again now" in page


def test_send_a_test_rotate_the_secret_and_try_again(
    clinician_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    action = lambda name, **data: clinician_client.post(  # noqa: E731
        reverse("webhook-action", args=[endpoint.pk, name]), data
    )
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        assert action("test").status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.attempts) == ("ping", "pending", 1)

    old_secret = endpoint.secret
    action("rotate")
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret

    with django_capture_on_commit_callbacks(execute=True):
        action("retry", delivery=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert webhooks.verify(
        endpoint.secret,
        receiver.requests[-1]["headers"]["Isohold-Signature"],
        receiver.requests[-1]["body"],
        now=timezone.now(),
    )
    assert action("explode").status_code == 404


def test_removing_an_endpoint_asks_first(clinician_client, endpoint):
    url = reverse("webhook-delete", args=[endpoint.pk])
    assert "cannot be undone" in clinician_client.get(url).content.decode()
    assert WebhookEndpoint.objects.exists()
    assert clinician_client.post(url).status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_the_list_shows_counts_and_an_empty_state(clinician_client, endpoint, receiver):
    receiver.statuses = [500]
    [delivery] = webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={})
    webhooks.attempt(delivery.pk)
    page = clinician_client.get(reverse("webhook-list")).content.decode()
    assert endpoint.url in page
    assert '<td class="text-end">1</td>' in page  # one waiting to retry
    WebhookEndpoint.objects.all().delete()
    page = clinician_client.get(reverse("webhook-list")).content.decode()
    assert "No webhook endpoints yet" in page


def test_the_list_costs_the_same_queries_for_3_or_30_endpoints(
    clinician_client, clinician, django_assert_num_queries
):
    def make(count):
        WebhookEndpoint.objects.bulk_create(
            WebhookEndpoint(
                clinic=clinician.clinic, url=f"https://r{n}.example/", events=ALL_EVENTS, secret="x"
            )
            for n in range(count)
        )

    make(3)
    with django_assert_num_queries(4) as captured:
        clinician_client.get(reverse("webhook-list"))
    make(27)
    with django_assert_num_queries(len(captured)):
        clinician_client.get(reverse("webhook-list"))


WEBHOOK_PAGES = [
    ("get", "webhook-list", False),
    ("get", "webhook-create", False),
    ("get", "webhook-detail", True),
    ("get", "webhook-edit", True),
    ("get", "webhook-delete", True),
    ("post", "webhook-delete", True),
]


@pytest.mark.parametrize("method, name, needs_pk", WEBHOOK_PAGES)
def test_only_the_clinics_clinicians_reach_its_webhooks(
    client, login, endpoint, colleague, outsider, patient, method, name, needs_pk
):
    url = reverse(name, args=[endpoint.pk] if needs_pk else [])
    assert getattr(client, method)(url).status_code == 302  # to sign in
    login(patient)
    assert getattr(client, method)(url).status_code == 403
    if needs_pk:
        login(outsider)
        assert getattr(client, method)(url).status_code == 404
    login(colleague)
    assert getattr(client, method)(url).status_code in (200, 302)


def test_another_clinic_cannot_press_the_buttons(client, login, endpoint, outsider, patient):
    for user, status in ((outsider, 404), (patient, 403)):
        login(user)
        for action in ("test", "rotate", "retry"):
            url = reverse("webhook-action", args=[endpoint.pk, action])
            assert client.post(url).status_code == status
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_costs_the_same_queries_for_3_or_30_deliveries(
    clinician_client, endpoint, django_assert_num_queries
):
    url = reverse("webhook-detail", args=[endpoint.pk])

    def make(count):
        for _ in range(count):
            webhooks.emit(clinic_id=endpoint.clinic_id, event="alert.raised", data={}, now=NOW)

    make(3)
    with django_assert_num_queries(5) as captured:
        clinician_client.get(url)
    make(27)
    with django_assert_num_queries(len(captured)):
        clinician_client.get(url)
