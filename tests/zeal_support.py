"""django-zeal, the N+1 detector, switched on for the whole test suite.

Two scopes, because they are different units of work:

- every request (test client and the live server's thread alike) is checked strictly:
  the same query made twice from one line of code in one request raises;
- the test itself (fixtures, services and commands it calls directly) is checked for
  N+1s on relations, but a single-object `.get()` repeated by the test is allowed: a
  test that signs in six callers or calls a service once per scenario is many units of
  work, not one page looping over rows.
"""

from zeal.listeners import NPlusOneContext, _nplusone_context

REQUEST_MIDDLEWARE = "tests.zeal_support.strict_request_middleware"
TEST_LEVEL_ALLOWLIST = [{"model": "*", "field": "get()"}]
# Allowed everywhere, requests included (settings.ZEAL_ALLOWLIST), each for a reason:
ALLOWLIST = [
    # Django's database session store reads its one row to load the session and again to
    # delete or rotate it (sign-out, password change): two look-ups of one row, never a
    # loop over rows, and all in Django's own code.
    {"model": "sessions.Session", "field": "get()"},
]


def strict_request_middleware(get_response):
    def middleware(request):
        # zeal's own middleware inherits the surrounding allowlist (the test's); a request
        # must start from nothing allowed and nothing counted. zeal has no public call for
        # that, hence its context variable.
        token = _nplusone_context.set(NPlusOneContext(enabled=True))
        try:
            return get_response(request)
        finally:
            _nplusone_context.reset(token)

    return middleware
