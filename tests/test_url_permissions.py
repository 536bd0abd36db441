"""Every URL pattern of the site, pages and API, against six kinds of caller.

The patterns come from Django's URL resolver, so a new pattern without a row in
EXPECTED fails `test_every_url_pattern_has_an_expectation` (and its own case) with
its name. DRF's format-suffix variants (`/api/v1/sessions.json`) are patterns of
their own: they are requested with `.json` and must answer exactly like the route
they extend. Django admin patterns are covered by one rule (ADMIN_RULES): none of
the six callers is staff, so every admin page sends them to the admin sign-in.

Each caller meets the same fresh world: their request runs in a savepoint that is
rolled back, so the clinician's successful delete does not turn the colleague's
into a 404. Callers are signed in with a browser session (the API's token
variant is tests/api/test_permission_matrix.py).

Expected outcomes: a status code, LOGIN (302 to the sign-in page), ADMIN_LOGIN
(302 to the admin sign-in) or REDIRECT (302 anywhere else: a form that saved, a
button that did its job). A 500 is never expected.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from patients import services
from patients.models import Alert, AlertKind, CheckIn
from physio import webhooks
from physio.models import WebhookDelivery, WebhookEndpoint
from tests.factories import ExerciseFactory, PatientFactory, programme_with_ladders

CALLERS = ("anonymous", "clinician", "colleague", "outsider", "patient", "other_patient")

LOGIN = "302 to sign-in"
ADMIN_LOGIN = "302 to admin sign-in"
REDIRECT = "302 elsewhere"

# One tuple per caller, in CALLERS order.
EVERYONE_200 = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
CLINIC_PAGE = (LOGIN, 200, 200, 200, 403, 403)  # a clinician's own-clinic list or form
CLINIC_OBJECT = (LOGIN, 200, 200, 404, 403, 403)  # one object of the clinician's clinic
CLINIC_ACTION = (LOGIN, REDIRECT, REDIRECT, 404, 403, 403)  # a POST button on such an object
PATIENT_PAGE = (LOGIN, 403, 403, 403, 200, 200)  # reads the signed-in patient's own record
PATIENT_OBJECT = (LOGIN, 403, 403, 403, 200, 404)  # one of the patient's own rows
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)
API_CLINIC_LIST = (401, 200, 200, 200, 403, 403)
API_CLINIC_OBJECT = (401, 200, 200, 404, 403, 403)
API_OWN_OBJECT = (401, 200, 200, 404, 200, 404)  # the clinic and the patient it belongs to
API_FHIR = API_CLINIC_OBJECT
# The API's anonymous caller gets 401 with a `WWW-Authenticate: Token` challenge.


@dataclass(frozen=True)
class Check:
    method: str
    expected: tuple
    # URL parameter -> key of the world (or a callable taking the world) that fills it
    params: dict = field(default_factory=dict)
    data: dict | None = None
    query: str = ""


def GET(expected, query="", **params):
    return Check("get", expected, params, query=query)


def POST(expected, data=None, **params):
    return Check("post", expected, params, data)


def DELETE(expected, **params):
    return Check("delete", expected, params)


EXPECTED = {
    # --- accounts -------------------------------------------------------------------
    "home": [GET((LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT))],
    # The load balancer's probe: no sign-in, no database.
    "healthz": [GET(EVERYONE_200)],
    "login": [GET(EVERYONE_200), POST(EVERYONE_200)],  # an empty form is re-shown
    # Signing out is a POST only (a link cannot sign anyone out); anyone may do it.
    "logout": [GET((405,) * 6), POST((LOGIN,) * 6)],
    "password_change": [GET(SIGNED_IN)],
    "password_change_done": [GET(SIGNED_IN)],
    "password_reset": [GET(EVERYONE_200)],
    "password_reset_done": [GET(EVERYONE_200)],
    # A made-up link shows "this link is invalid" to everyone.
    "password_reset_confirm": [GET(EVERYONE_200, uidb64="MQ", token="set-password")],
    "password_reset_complete": [GET(EVERYONE_200)],
    # --- webhooks (clinic settings) -------------------------------------------------
    "webhook-list": [GET(CLINIC_PAGE)],
    "webhook-create": [GET(CLINIC_PAGE), POST(CLINIC_PAGE)],  # empty form: errors, 200
    "webhook-detail": [GET(CLINIC_OBJECT, pk="webhook")],
    "webhook-edit": [GET(CLINIC_OBJECT, pk="webhook")],
    "webhook-delete": [GET(CLINIC_OBJECT, pk="webhook"), POST(CLINIC_ACTION, pk="webhook")],
    "webhook-action": [
        GET((LOGIN, 405, 405, 405, 403, 403), pk="webhook", action="rotate"),
        POST(CLINIC_ACTION, pk="webhook", action="rotate"),
        # An unknown button, or retrying a delivery that is not the endpoint's: 404.
        POST((LOGIN, 404, 404, 404, 403, 403), pk="webhook", action="explode"),
        POST(
            (LOGIN, 404, 404, 404, 403, 403),
            {"delivery": "not-a-number"},
            pk="webhook",
            action="retry",
        ),
        POST(CLINIC_ACTION, {"delivery": "{delivery}"}, pk="webhook", action="retry"),
    ],
    # --- exercise library -----------------------------------------------------------
    "programmes:exercise-list": [GET(CLINIC_PAGE)],
    "programmes:exercise-create": [GET(CLINIC_PAGE), POST(CLINIC_PAGE)],
    "programmes:exercise-detail": [
        GET(CLINIC_OBJECT, pk="exercise"),
        # Built-in exercises are every clinic's to read ...
        GET(CLINIC_PAGE, pk="built_in"),
    ],
    "programmes:exercise-update": [
        GET(CLINIC_OBJECT, pk="exercise"),
        # ... and nobody's to change.
        GET((LOGIN, 403, 403, 403, 403, 403), pk="built_in"),
    ],
    "programmes:exercise-delete": [
        GET(CLINIC_OBJECT, pk="exercise"),
        POST(CLINIC_ACTION, pk="exercise"),
    ],
    "programmes:exercise-duplicate": [
        GET((LOGIN, 405, 405, 405, 403, 403), pk="exercise"),
        POST(CLINIC_ACTION, pk="exercise"),
        POST((LOGIN, REDIRECT, REDIRECT, REDIRECT, 403, 403), pk="built_in"),
    ],
    # --- programmes -----------------------------------------------------------------
    "programmes:programme-list": [GET(CLINIC_PAGE)],
    "programmes:programme-create": [GET(CLINIC_PAGE), POST(CLINIC_PAGE)],
    "programmes:programme-detail": [GET(CLINIC_OBJECT, pk="programme")],
    "programmes:programme-update": [
        GET(CLINIC_OBJECT, pk="programme"),
        POST(CLINIC_OBJECT, pk="programme"),  # empty form: errors, 200
    ],
    "programmes:programme-duplicate": [POST(CLINIC_ACTION, pk="programme")],
    "programmes:programme-archive": [
        GET(CLINIC_OBJECT, pk="programme"),
        POST(CLINIC_ACTION, pk="programme"),
    ],
    "programmes:item-create": [
        GET(CLINIC_OBJECT, pk="programme"),
        POST(CLINIC_OBJECT, pk="programme"),  # an empty ladder is refused: errors, 200
    ],
    "programmes:item-update": [
        GET(CLINIC_OBJECT, pk="programme", item_pk="programme_item"),
        POST(CLINIC_OBJECT, pk="programme", item_pk="programme_item"),
    ],
    "programmes:item-delete": [
        GET(CLINIC_OBJECT, pk="programme", item_pk="programme_item"),
        POST(CLINIC_ACTION, pk="programme", item_pk="programme_item"),
    ],
    "programmes:item-move": [POST(CLINIC_ACTION, pk="programme", item_pk="programme_item")],
    # --- clinician: patients --------------------------------------------------------
    "patients:dashboard": [GET(CLINIC_PAGE)],
    # Each kind of the dashboard's "needs attention" in full; an unknown kind is 404.
    "patients:attention-list": [
        GET(CLINIC_PAGE, kind="ready"),
        GET(CLINIC_PAGE, kind="quiet"),
        GET(CLINIC_PAGE, kind="missed"),
        GET((LOGIN, 404, 404, 404, 403, 403), kind="everything"),
    ],
    "patients:alert-list": [GET(CLINIC_PAGE), GET(CLINIC_PAGE, query="all=1")],
    "patients:alert-ack": [POST(CLINIC_ACTION, pk="alert")],
    "patients:patient-list": [GET(CLINIC_PAGE)],
    "patients:patient-create": [GET(CLINIC_PAGE), POST(CLINIC_PAGE)],
    "patients:patient-detail": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:patient-update": [
        GET(CLINIC_OBJECT, pk="patient"),
        POST(CLINIC_OBJECT, pk="patient"),
    ],
    "patients:patient-archive": [
        GET(CLINIC_OBJECT, pk="patient"),
        POST(CLINIC_ACTION, pk="patient"),
    ],
    "patients:invitation-reissue": [POST(CLINIC_ACTION, pk="invited")],
    "patients:assign": [
        # The world's patient already has a programme: the form says to finish it first.
        GET(CLINIC_OBJECT, pk="patient"),
        POST(CLINIC_OBJECT, pk="patient"),
        GET(CLINIC_OBJECT, query="programme={programme}", pk="invited"),
    ],
    "patients:print": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:assignment-status": [
        GET(CLINIC_OBJECT, pk="patient", assignment_pk="assignment"),
        POST(CLINIC_ACTION, {"action": "pause"}, pk="patient", assignment_pk="assignment"),
    ],
    "patients:assignment-item": [
        GET(CLINIC_OBJECT, pk="patient", assignment_pk="assignment", item_pk="item"),
        POST(CLINIC_OBJECT, pk="patient", assignment_pk="assignment", item_pk="item"),
    ],
    "patients:item-decision": [
        POST(CLINIC_ACTION, pk="patient", assignment_pk="assignment", item_pk="item", action=a)
        for a in ("approve", "decline", "move")
    ]
    + [
        POST(
            (LOGIN, 404, 404, 404, 403, 403),
            pk="patient",
            assignment_pk="assignment",
            item_pk="item",
            action="explode",
        )
    ],
    "patients:patient-changes": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:patient-sessions": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:patient-decisions": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:patient-programmes": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:export": [GET(CLINIC_OBJECT, pk="patient")],
    "patients:erase": [
        GET(CLINIC_OBJECT, pk="patient"),
        # Without the patient's name typed in, nothing is erased.
        POST((LOGIN, 400, 400, 404, 403, 403), pk="patient"),
    ],
    # --- patient pages --------------------------------------------------------------
    "patients:portal": [GET(PATIENT_PAGE)],
    "patients:my-print": [GET(PATIENT_PAGE)],
    "patients:my-export": [GET(PATIENT_PAGE)],
    "patients:history": [GET(PATIENT_PAGE)],
    # The other patient has no programme: sent back to their today page.
    "patients:session-log": [
        GET((LOGIN, 403, 403, 403, 200, REDIRECT)),
        POST((LOGIN, 403, 403, 403, 200, REDIRECT)),
    ],
    "patients:session-detail": [
        GET(PATIENT_OBJECT, pk="session"),
        POST(PATIENT_OBJECT, pk="session"),
    ],
    "patients:check-in": [
        GET(PATIENT_OBJECT, pk="session"),
        POST(PATIENT_OBJECT, pk="session"),
        # Already checked in: the patient is told so on their today page.
        GET(PATIENT_OBJECT, pk="checked_in_session"),
        POST((LOGIN, 403, 403, 403, 200, 404), {"pain_now": 2}, pk="checked_in_session"),
    ],
    "patients:psfs": [
        GET((LOGIN, 403, 403, 403, 200, 404)),
        POST((LOGIN, 403, 403, 403, 200, 404)),
    ],
    # Public: the link itself is the credential.
    "patients:accept-invitation": [
        GET(EVERYONE_200, token="invitation_token"),
        POST(EVERYONE_200, token="invitation_token"),  # no password chosen: errors, 200
        GET((404,) * 6, token="not-a-real-token"),
    ],
    # --- API v1 (signed in with the browser session) --------------------------------
    "api:api-root": [GET(API_SIGNED_IN)],
    # Anyone may ask for a token; an empty body is a 400 with a reason per field.
    "api:token": [POST((400,) * 6)],
    "api:me": [GET(API_SIGNED_IN)],
    "api:exercise-list": [
        GET(API_SIGNED_IN),
        POST((401, 400, 400, 400, 403, 403)),
    ],
    "api:exercise-detail": [
        GET((401, 200, 200, 404, 404, 404), pk="exercise"),
        DELETE((401, 204, 204, 404, 403, 403), pk="exercise"),
    ],
    "api:programme-list": [GET(API_CLINIC_LIST), POST((401, 400, 400, 400, 403, 403))],
    "api:programme-detail": [
        GET(API_CLINIC_OBJECT, pk="programme"),
        DELETE((401, 204, 204, 404, 403, 403), pk="programme"),
    ],
    "api:programme-duplicate": [POST((401, 201, 201, 404, 403, 403), pk="programme")],
    "api:patient-list": [GET(API_CLINIC_LIST), POST((401, 400, 400, 400, 403, 403))],
    "api:patient-detail": [GET(API_CLINIC_OBJECT, pk="patient")],
    "api:patient-invite": [POST((401, 201, 201, 404, 403, 403), pk="patient")],
    "api:assignment-list": [GET(API_SIGNED_IN), POST((401, 400, 400, 400, 403, 403))],
    "api:assignment-detail": [GET(API_OWN_OBJECT, pk="assignment")],
    "api:assignment-set-level": [
        POST((401, 400, 400, 404, 403, 403), pk="assignment", item="item"),
        POST(
            (401, 201, 201, 404, 403, 403),
            {"level": 1, "reason": "matrix"},
            pk="assignment",
            item="item",
        ),
    ],
    # Nothing awaits approval: a clear 400 for the clinic, as if absent for anyone else.
    "api:assignment-approve": [
        POST((401, 400, 400, 404, 403, 403), pk="assignment", decision="decision")
    ],
    "api:assignment-decline": [
        POST((401, 400, 400, 404, 403, 403), pk="assignment", decision="decision")
    ],
    "api:session-list": [GET(API_SIGNED_IN), POST((401, 403, 403, 403, 400, 400))],
    "api:session-detail": [GET(API_OWN_OBJECT, pk="session")],
    "api:check-in-list": [GET(API_SIGNED_IN), POST((401, 403, 403, 403, 400, 400))],
    "api:decision-list": [GET(API_SIGNED_IN)],
    "api:decision-detail": [GET(API_OWN_OBJECT, pk="decision")],
    "api:fhir-patient": [GET(API_FHIR, id="patient")],
    "api:fhir-careplan": [GET(API_FHIR, id="assignment")],
    "api:fhir-observation": [GET(API_FHIR, query="patient={patient}")],
    "api:fhir-observation-read": [
        GET(API_FHIR, id="checkin-{check_in}"),
        GET(API_FHIR, id="pain-{entry}-after"),
        GET((401, 404, 404, 404, 403, 403), id="nonsense"),
    ],
    # The schema and its viewer are public documentation of the contract, not data.
    "schema": [GET(EVERYONE_200)],
    "swagger-ui": [GET(EVERYONE_200)],
}

# Every admin page: the six callers are not staff. The sign-in and sign-out pages
# are the admin's own doors.
ADMIN_RULES = {
    "admin:login": [GET(EVERYONE_200)],
    # Back to the admin's front page, which then asks for a staff sign-in.
    "admin:logout": [GET((REDIRECT,) * 6), POST((REDIRECT,) * 6)],
}
ADMIN_DEFAULT = [GET((ADMIN_LOGIN,) * 6)]

# Left out, each for a reason:
SKIPPED_ROUTES = {
    # Uploaded pictures, served by Django only with DEBUG on (production's web server
    # serves MEDIA_ROOT); a file server, not a view with callers.
    r"^media/(?P<path>.*)$": "static file serving in DEBUG only",
}


# --- The patterns, from the resolver -------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    params: tuple[str, ...]
    format_suffix: bool

    @property
    def is_admin(self):
        return (self.name or "").startswith("admin:") or self.route.startswith("admin/")

    def __str__(self):
        return self.route


def _params(pattern) -> tuple[str, ...]:
    if hasattr(pattern, "converters") and pattern.converters:
        return tuple(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def join(prefix, pattern) -> str:
    # As Django's ResolverMatch.route spells it: an inner regex's "^" is dropped.
    return prefix + str(pattern).removeprefix("^") if prefix else str(pattern)


def walk(patterns, prefix="", namespace=None, params=()):
    for entry in patterns:
        found = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, join(prefix, entry.pattern), inner, found)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Pattern(
                route=join(prefix, entry.pattern),
                name=name,
                params=found,
                format_suffix="format" in found,
            )


def all_patterns() -> list[Pattern]:
    return list(walk(get_resolver().url_patterns))


PATTERNS = [p for p in all_patterns() if p.route not in SKIPPED_ROUTES]


def checks_for(pattern: Pattern):
    if pattern.is_admin:
        return ADMIN_RULES.get(pattern.name, ADMIN_DEFAULT)
    return EXPECTED.get(pattern.name)


def cases():
    for pattern in PATTERNS:
        checks = checks_for(pattern) or [None]
        for index, check in enumerate(checks):
            label = f"{pattern.route} {check.method.upper() if check else '?'}"
            yield pytest.param(pattern, check, id=f"{label} #{index}" if index else label)


# --- One world, owned by the clinician's clinic and the patient ----------------------


@pytest.fixture
def world(clinician, colleague, outsider, patient, other_patient, built_in_exercise):
    clinic = clinician.clinic
    programme = programme_with_ladders(clinic=clinic, items=1, levels=3)
    record = patient.patient_record
    assignment = services.assign_programme(
        patient=record,
        programme=programme,
        by=clinician,
        start_date=timezone.localdate(),
        rule_profile="strict",
    )
    assignment.items.update(level_since=timezone.now() - timedelta(days=2))
    item = assignment.items.get()

    def log(**readings):
        return services.log_session(
            assignment=assignment,
            submission_key=uuid.uuid4(),
            entries=[
                services.EntryInput(
                    item_id=item.pk,
                    sets_done=3,
                    per_set=(10, 10, 10),
                    effort=4,
                    pain_before=3,
                    pain_during=3,
                    pain_after=3,
                    **readings,
                )
            ],
        ).session

    checked_in = log()
    services.record_check_in(session=checked_in, pain_now=3, worse_than_usual=False)
    session = log(increased_pain=True)  # red: the item is paused and the clinic alerted
    invited = PatientFactory(clinic=clinic, clinician=clinician)
    issued = services.issue_invitation(patient=invited, by=clinician)
    endpoint = WebhookEndpoint.objects.create(
        clinic=clinic,
        url="http://127.0.0.1:9/hook",
        events=["session.created"],
        secret=webhooks.new_secret(),
        created_by=clinician,
    )
    delivery = webhooks.emit(
        clinic_id=clinic.pk, event="session.created", data={"id": session.pk}, only=endpoint
    )[0]
    return {
        "users": {
            "clinician": clinician,
            "colleague": colleague,
            "outsider": outsider,
            "patient": patient,
            "other_patient": other_patient,
        },
        "exercise": ExerciseFactory(clinic=clinic),
        "built_in": built_in_exercise,
        "programme": programme,
        "programme_item": programme.items.get(),
        "patient": record,
        "invited": invited,
        "invitation_token": issued.token,
        "assignment": assignment,
        "item": item,
        "session": session,
        "checked_in_session": checked_in,
        "check_in": CheckIn.objects.get(session=checked_in),
        "entry": session.entries.get(),
        "decision": item.decisions.order_by("-id").first(),
        "alert": Alert.objects.get(patient=record, kind=AlertKind.PAUSED),
        "webhook": endpoint,
        "delivery": WebhookDelivery.objects.get(pk=delivery.pk),
    }


@pytest.fixture
def built_in_exercise(db):
    from programmes.models import Exercise

    return Exercise.objects.filter(clinic__isnull=True).order_by("id").first()


def fill(value, world):
    """A world key becomes that object's pk (or the value itself); `{key}` is formatted."""
    if value in world:
        found = world[value]
        return getattr(found, "pk", found)
    if isinstance(value, str) and "{" in value:
        return value.format(**{k: getattr(v, "pk", v) for k, v in world.items() if k != "users"})
    return value


def url_for(pattern: Pattern, check: Check, world) -> str:
    kwargs = {name: fill(check.params.get(name, ""), world) for name in pattern.params}
    missing = [name for name in pattern.params if name not in check.params and name != "format"]
    if pattern.is_admin:
        return admin_url(pattern)
    assert not missing, f"{pattern.name}: the row gives no value for {missing}"
    if pattern.format_suffix:
        kwargs["format"] = "json"
    path = reverse(pattern.name, kwargs=kwargs)
    # reverse() picks among same-named patterns by their parameters: make sure it is this one.
    assert resolve(path).route == pattern.route, (pattern.route, path, resolve(path).route)
    return path + (f"?{fill(check.query, world)}" if check.query else "")


def admin_url(pattern: Pattern) -> str:
    """Admin patterns, named or not: any value fits, nobody here gets past the sign-in."""
    route = pattern.route
    if "(?P<" in route:
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "patients", route)
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "anything", route)
        route = route.replace("^", "").replace("$", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
    path = "/" + route
    assert resolve(path).route == pattern.route, (pattern.route, path, resolve(path).route)
    return path


def outcome(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse(settings.LOGIN_URL)):
            return LOGIN
        return REDIRECT
    return response.status_code


def request_as(caller, check, path, world):
    client = Client()
    if caller != "anonymous":
        client.force_login(world["users"][caller])
    data = {key: fill(value, world) for key, value in (check.data or {}).items()}
    if check.method == "post" and path.startswith("/api/"):
        return client.post(path, data, content_type="application/json")
    return getattr(client, check.method)(path, data)


# --- The tests --------------------------------------------------------------------------


def test_every_url_pattern_has_an_expectation():
    missing = [f"{p.name or '(unnamed)'}  {p.route}" for p in PATTERNS if not checks_for(p)]
    assert not missing, (
        "These URL patterns have no row in EXPECTED (tests/test_url_permissions.py); add one "
        "saying what each caller gets:\n  " + "\n  ".join(missing)
    )


def test_every_row_names_a_url_that_exists():
    names = {p.name for p in all_patterns()}
    stale = sorted(set(EXPECTED) - names) + sorted(set(ADMIN_RULES) - names)
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


def test_the_matrix_walks_pages_api_and_format_suffixes():
    routes = {p.route for p in PATTERNS}
    assert "patients/<int:pk>/" in routes
    assert "api/v1/sessions/$" in routes
    assert r"api/v1/sessions\.(?P<format>[a-z0-9]+)/?$" in routes
    assert any(p.is_admin for p in PATTERNS)


@pytest.mark.django_db
@pytest.mark.parametrize("pattern, check", list(cases()))
def test_url_permissions(request, pattern, check):
    if check is None:
        pytest.fail(
            f"URL {pattern.name or '(unnamed)'} ({pattern.route}) has no row in EXPECTED in "
            "tests/test_url_permissions.py: add one with each caller's expected outcome."
        )
    if pattern.is_admin:  # no objects needed: nobody gets past the admin sign-in
        world = {"users": {name: request.getfixturevalue(name) for name in CALLERS[1:]}}
    else:
        world = request.getfixturevalue("world")
    path = url_for(pattern, check, world)
    got = {}
    for caller in CALLERS:
        # Each caller meets the same world: whatever their request changed is rolled back.
        with transaction.atomic():
            response = request_as(caller, check, path, world)
            transaction.set_rollback(True)
        got[caller] = outcome(response)
        assert response.status_code < 500, (caller, check.method, path, response.content[:2000])
    expected = dict(zip(CALLERS, check.expected, strict=True))
    wrong = {
        caller: f"expected {expected[caller]}, got {got[caller]}"
        for caller in CALLERS
        if got[caller] != expected[caller]
    }
    assert not wrong, f"{check.method.upper()} {path}: {wrong}; all: {tuple(got.values())}"
