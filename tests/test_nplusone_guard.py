"""The N+1 detector (django-zeal, tests/zeal_support.py) really is on, in both its scopes."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from zeal import NPlusOneError

from physio.nplusone import deliberate_loop
from programmes.models import Item, Level
from tests.factories import programme_with_ladders
from tests.zeal_support import REQUEST_MIDDLEWARE, strict_request_middleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(clinic):
    return programme_with_ladders(clinic=clinic, items=3, levels=2)


def test_a_relation_read_row_by_row_in_a_test_raises(programme):
    with pytest.raises(NPlusOneError, match="programmes.Item.levels"):
        for item in Item.objects.filter(programme=programme):
            list(item.levels.all())


def test_prefetching_the_relation_passes(programme):
    for item in Item.objects.filter(programme=programme).prefetch_related("levels"):
        list(item.levels.all())


def test_a_deliberate_loop_is_allowed_only_for_what_it_names(programme):
    with deliberate_loop("programmes.Item.levels"):
        for item in Item.objects.filter(programme=programme):
            list(item.levels.all())
    with pytest.raises(NPlusOneError, match="programmes.Level.exercise"):
        with deliberate_loop("programmes.Item.levels"):
            for level in Level.objects.filter(item__programme=programme):
                level.exercise.name  # noqa: B018 - the read is the point


def test_every_request_goes_through_the_strict_middleware():
    assert settings.MIDDLEWARE[0] == REQUEST_MIDDLEWARE


def test_one_by_one_lookups_in_a_request_raise_though_the_test_allows_them(programme):
    ids = list(Item.objects.filter(programme=programme).values_list("pk", flat=True))
    for pk in ids:  # the test itself may repeat a single-object look-up ...
        Item.objects.get(pk=pk)

    def view(request):
        for pk in ids:  # ... a request may not
            Item.objects.get(pk=pk)
        return HttpResponse("ok")

    with pytest.raises(NPlusOneError, match=r"programmes.Item.get\(\)"):
        strict_request_middleware(view)(RequestFactory().get("/"))
