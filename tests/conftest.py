import importlib
import os

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls made from browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from tests.factories import (  # noqa: E402
    ClinicFactory,
    ClinicianFactory,
    PatientFactory,
    PatientUserFactory,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def _zeal_installed():
    """django-zeal is a test-only dependency, so production settings do not list it: patch
    the ORM here, once, and put its request middleware first so the live server's own
    thread (browser and schemathesis tests) raises on an N+1 too."""
    from django.apps import apps
    from django.conf import settings
    from django.test.utils import override_settings

    from tests.zeal_support import ALLOWLIST, REQUEST_MIDDLEWARE

    if not apps.is_installed("zeal"):
        from zeal.constants import initialize_app_registry
        from zeal.patch import patch

        initialize_app_registry()
        patch()
    middleware = [REQUEST_MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != REQUEST_MIDDLEWARE)]
    with override_settings(MIDDLEWARE=middleware, ZEAL_RAISE=True, ZEAL_ALLOWLIST=ALLOWLIST):
        yield


@pytest.fixture(autouse=True)
def _zeal_on(_zeal_installed):
    """An N+1 in a request, or on a relation anywhere in a test, raises `zeal.NPlusOneError`
    (tests/zeal_support.py says what counts)."""
    from zeal import zeal_context, zeal_ignore

    from tests.zeal_support import TEST_LEVEL_ALLOWLIST

    with zeal_context(), zeal_ignore(TEST_LEVEL_ALLOWLIST):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing kept from another (the dashboard keeps slow sections)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Harbour Physio")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Hilltop Back Clinic")


@pytest.fixture
def clinician(clinic):
    return ClinicianFactory(username="clare", first_name="Clare", clinic=clinic)


@pytest.fixture
def colleague(clinic):
    return ClinicianFactory(username="colin", first_name="Colin", clinic=clinic)


@pytest.fixture
def outsider(other_clinic):
    return ClinicianFactory(username="olga", first_name="Olga", clinic=other_clinic)


@pytest.fixture
def patient(clinic, clinician):
    """A patient login of the clinic, with their record (`patient.patient_record`)."""
    user = PatientUserFactory(username="pat", first_name="Pat", last_name="Quinn", clinic=clinic)
    PatientFactory(
        clinic=clinic, user=user, first_name="Pat", last_name="Quinn", clinician=clinician
    )
    return user


@pytest.fixture
def other_patient(other_clinic, outsider):
    user = PatientUserFactory(username="piers", first_name="Piers", clinic=other_clinic)
    PatientFactory(clinic=other_clinic, user=user, first_name="Piers", clinician=outsider)
    return user


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def clinician_client(client, clinician):
    return _client_for(client, clinician)


@pytest.fixture
def login(client):
    """Sign the test client in as any user of the cast: `login(outsider)`."""

    def sign_in(user):
        client.logout()
        return _client_for(client, user)

    return sign_in


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run in the test's own thread, so their effects can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def built_in_library(transactional_db):
    """Tests against a live server commit for real, and the flush between them empties
    every table, including the built-in library a data migration loaded: load it again."""
    from django.apps import apps

    migration = importlib.import_module("programmes.migrations.0002_builtin_exercises")
    migration.load_built_ins(apps, schema_editor=None)
