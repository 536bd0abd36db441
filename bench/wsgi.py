"""The app as `make bench` serves it: every response carries its server time and the number
of SQL queries it ran, so the driver can report both without a debug toolbar in the way."""

import time

from django.db import connection

from physio.wsgi import application as django_application  # sets Django up first

TIME_HEADER = "X-Bench-Server-Ms"
QUERIES_HEADER = "X-Bench-Queries"


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def application(environ, start_response):
    counter = QueryCounter()
    started = time.perf_counter()

    # Django calls start_response once the view and middleware are done, so the time
    # taken here is the whole server-side work but for writing the body out.
    def timed_start_response(status, headers, exc_info=None):
        elapsed = (time.perf_counter() - started) * 1000
        headers = [*headers, (TIME_HEADER, f"{elapsed:.2f}"), (QUERIES_HEADER, str(counter.count))]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(counter):
        return django_application(environ, timed_start_response)
