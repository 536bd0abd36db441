"""`make bench`: Isohold under gunicorn on PostgreSQL with a generated clinic chain.

Steps: migrate, generate the data if it is not there yet, collect static files, start
gunicorn on a free loopback port, then for each route send a bounded number of requests
(count and time) from a few client threads and write the table to bench/RESULTS.md.

Server time and queries come from headers that bench/wsgi.py adds; requests per second
are counted at the client. Only 127.0.0.1 is ever contacted.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/isohold_bench"
HOST = "127.0.0.1"

SIZE = {"clinics": 20, "patients": 5000, "sessions": 1_000_000, "seed": 1}

# DESIGN section 6.
TARGET_P50_MS = 30
TARGET_P99_MS = 150
TARGET_POST_SHARE = 0.5


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def manage(*args, env, check=True):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=check
    )


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        log(f"creating database {name}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- Fixtures: who signs in, and what they ask for ----------------------------------


def prepare(size: dict) -> dict:
    """Run inside Django (same database as the server): logins and ids for the routes."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from patients.demo_load import clinic_names, clinician_username
    from patients.models import Assignment, AssignmentStatus, Patient
    from physio.models import User
    from programmes.models import Programme

    backend = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ClinicUserBackend")),
        settings.AUTHENTICATION_BACKENDS[-1],
    )

    def session_cookie(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    clinician = User.objects.get(username=clinician_username(0, 1))
    clinic_patients = Patient.objects.filter(clinic=clinician.clinic)
    longest = (
        clinic_patients.annotate(n=Count("sessions")).order_by("-n", "pk").values("pk", "n").first()
    )
    typical = list(
        clinic_patients.filter(sessions__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:40]
    )
    programme = Programme.objects.filter(clinic=clinician.clinic).order_by("pk").first()
    item = programme.items.order_by("order").first()

    # Patients who sign in: active programme, at least one item not paused.
    posters = []
    assignments = (
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            patient__user__is_active=True,
            patient__clinic__name__in=clinic_names(size["clinics"]),
        )
        .select_related("patient__user")
        .prefetch_related("items__current_level")
        .order_by("pk")[:60]
    )
    for assignment in assignments:
        entries = []
        for item_ in assignment.items.all():
            level = item_.current_level
            if item_.paused or level is None:
                continue
            per_set = [level.hold_seconds or level.reps] * level.sets
            entries.append(
                {
                    "item": item_.pk,
                    "sets_done": level.sets,
                    "per_set": per_set,
                    "effort": 4,
                    "pain_before": 3,
                    "pain_during": 2,
                    "pain_after": 2,
                }
            )
        if not entries:
            continue
        user = assignment.patient.user
        token, _ = Token.objects.get_or_create(user=user)
        posters.append(
            {
                "cookie": session_cookie(user),
                "token": token.key,
                "body": {"assignment": assignment.pk, "notes": "", "entries": entries},
            }
        )
    clinician_token, _ = Token.objects.get_or_create(user=clinician)
    # One clinician of each clinic: the dashboard keeps slow sections per clinic for a few
    # minutes, and a round of every clinic shows what the first look of each costs.
    first_clinicians = User.objects.filter(
        username__in=[clinician_username(c, 1) for c in range(size["clinics"])]
    ).order_by("pk")
    return {
        "clinician_cookie": session_cookie(clinician),
        "clinic_cookies": [session_cookie(user) for user in first_clinicians],
        "clinician_token": clinician_token.key,
        "longest_patient": longest["pk"],
        "longest_sessions": longest["n"],
        "typical_patients": typical,
        "programme": programme.pk,
        "item": item.pk,
        "posters": posters,
    }


def analyse() -> None:
    """What autovacuum would do some time after a bulk load: statistics for the planner and
    the visibility map that lets counts read indexes only. Quick when already done."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def make_reference_table() -> None:
    """An empty table for the reference INSERT route (bench/urls.py)."""
    from django.db import connection

    from bench.urls import REFERENCE_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
        cursor.execute(
            f"CREATE TABLE {REFERENCE_TABLE} (id bigserial PRIMARY KEY, user_id bigint NOT NULL, "
            "entries integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )


def data_counts() -> dict:
    from django.db import connection

    tables = {
        "clinics": "physio_clinic",
        "users": "physio_user",
        "patients": "patients_patient",
        "assignments": "patients_assignment",
        "sessions": "patients_session",
        "session entries": "patients_sessionentry",
        "check-ins": "patients_checkin",
        "decisions": "patients_decision",
        "alerts": "patients_alert",
    }
    with connection.cursor() as cursor:
        counts = {}
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    return counts


# --- The driver -----------------------------------------------------------------------


@dataclass
class Route:
    name: str
    method: str
    target: str  # what DESIGN section 6 asks of it
    make: object  # (n) -> (path, headers, body)
    results: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    wall: float = 0.0
    # The same route again, one request at a time: the server's own time for it, without
    # the other requests and the client competing for the same two cores.
    alone: "Route | None" = None


def request(port, method, path, headers, body):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        client_ms = (time.perf_counter() - started) * 1000
        return (
            response.status,
            float(response.getheader("X-Bench-Server-Ms") or "nan"),
            int(response.getheader("X-Bench-Queries") or -1),
            client_ms,
        )
    finally:
        conn.close()


def drive(route: Route, port: int, *, requests: int, seconds: float, threads: int, warmup: int):
    for n in range(warmup):
        request(port, route.method, *route.make(-1 - n))
    counter = iter(range(requests))
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            path, headers, body = route.make(n)
            status, server_ms, queries, client_ms = request(port, route.method, path, headers, body)
            with lock:
                if 200 <= status < 300:
                    route.results.append((server_ms, queries, client_ms))
                else:
                    route.errors[status] = route.errors.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    route.wall = time.perf_counter() - started


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def build_routes(fx: dict) -> list[Route]:
    clinician = {"Cookie": fx["clinician_cookie"]}
    api = {"Authorization": f"Token {fx['clinician_token']}", "Accept": "application/json"}
    posters = fx["posters"]
    typical = fx["typical_patients"]
    clinics = fx["clinic_cookies"]

    def get(path, headers):
        return lambda n: (path(n) if callable(path) else path, headers, None)

    def session_post(n):
        poster = posters[n % len(posters)]
        body = json.dumps(poster["body"])
        return (
            "/api/v1/sessions/",
            {
                "Authorization": f"Token {poster['token']}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            },
            body,
        )

    return [
        Route("framework floor: GET /healthz", "GET", "floor", get("/healthz", {})),
        Route("clinician dashboard", "GET", "page", get("/dashboard/", clinician)),
        Route(
            f"clinician dashboard, the {len(clinics)} clinics in turn",
            "GET",
            "page",
            lambda n: ("/dashboard/", {"Cookie": clinics[n % len(clinics)]}, None),
        ),
        Route(
            f"patient detail, longest history ({fx['longest_sessions']} sessions)",
            "GET",
            "page",
            get(f"/patients/{fx['longest_patient']}/", clinician),
        ),
        Route(
            "patient detail, clinic's patients in turn",
            "GET",
            "page",
            get(lambda n: f"/patients/{typical[n % len(typical)]}/", clinician),
        ),
        Route(
            "programme builder (programme page)",
            "GET",
            "page",
            get(f"/programmes/{fx['programme']}/", clinician),
        ),
        Route(
            "programme builder (ladder editor)",
            "GET",
            "page",
            get(f"/programmes/{fx['programme']}/items/{fx['item']}/", clinician),
        ),
        Route(
            "patient today page",
            "GET",
            "page",
            lambda n: ("/me/", {"Cookie": posters[n % len(posters)]["cookie"]}, None),
        ),
        Route("session POST (API, Idempotency-Key)", "POST", "post", session_post),
        Route(
            "reference: same POST, token and validation only",
            "POST",
            "reference",
            lambda n: ("/bench/reference/validate/", *session_post(n)[1:]),
        ),
        Route(
            "reference: same POST, token, validation and one INSERT",
            "POST",
            "reference",
            lambda n: ("/bench/reference/insert/", *session_post(n)[1:]),
        ),
        Route("API sessions list", "GET", "page", get("/api/v1/sessions/", api)),
        Route("API decisions list", "GET", "page", get("/api/v1/decisions/", api)),
    ]


# --- The report -------------------------------------------------------------------------


def cpu_check_ms() -> float:
    """How long this machine takes for a fixed piece of pure Python (3,000,000 additions),
    best of three: shared machines vary in speed from hour to hour, and this says how fast
    it was while the table was made."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(3_000_000):
            total += n
        best = min(best, time.perf_counter() - started)
    return best * 1000


def machine() -> dict:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory}


def describe_errors(errors: dict) -> str:
    """'0', or '3 (500×2, 502×1)'."""
    total = sum(errors.values())
    if not total:
        return "0"
    return f"{total} ({', '.join(f'{status}×{n}' for status, n in errors.items())})"


def report(routes, *, counts, config, generated, load, cpu) -> str:
    floor = next(r for r in routes if r.target == "floor")
    floor_rps = len(floor.results) / floor.wall if floor.wall else 0
    box = machine()
    lines = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (bench/run.py); numbers from one run, not averaged.",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {box['cpu']}, {box['cores']} cores, {box['memory']} RAM "
        f"(shared: load average {load[0]:.2f} / {load[1]:.2f} at start / end; CPU check "
        f"{cpu[0]:.0f} / {cpu[1]:.0f} ms at start / end, see `cpu_check_ms`)",
        f"- Server: {config}",
        f"- Data: {', '.join(f'{v:,} {k}' for k, v in counts.items())}",
        f"- Data generation: {generated}",
        "",
        "Server time is measured in the app (bench/wsgi.py: from the WSGI call to the "
        "response headers); requests/s at the client, with the threads shown; queries "
        "are per request (median, and the range). The two reference rows send the session "
        "POST's body, with its token, to routes only the benchmark serves (bench/urls.py): "
        "they authenticate and validate it like the real one, then stop, or write one row.",
        "",
        "Each route is measured twice. *Under load*: the client threads keep both workers "
        "busy, and the client, the workers and PostgreSQL share the machine's two cores, so "
        "a request's server time includes waiting for a core. *Alone*: then one request at "
        "a time, so server time is the work of that request only. DESIGN section 6 does not "
        "say at what load its p50 and p99 apply; both verdicts are shown. The POST's share "
        'of the floor is always the under-load one (the floor\'s rate, as "sustains" asks).',
        "",
        "The dashboard keeps its two slow-moving sections (no session in 7 days, missed "
        "check-ins) per clinic for five minutes in each server process "
        "(`patients.review.SLOW_KINDS`). Its first row is one clinician again and again, "
        "so those sections are nearly always kept; the second goes round one clinician of "
        "every clinic, so each worker's first look at each clinic reads them as well.",
        "",
        "| route | requests | errors | req/s | p50 ms under load | p99 ms under load | "
        "p50 ms alone | p99 ms alone | queries | target | met under load | met alone |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    verdicts = {"under load": [], "alone": []}
    for route in routes:
        server = [r[0] for r in route.results]
        queries = [r[1] for r in route.results]
        rps = len(route.results) / route.wall if route.wall else 0
        p50, p99 = percentile(server, 0.5), percentile(server, 0.99)
        alone = [r[0] for r in route.alone.results] if route.alone else []
        alone_p50, alone_p99 = percentile(alone, 0.5), percentile(alone, 0.99)
        alone_errors = sum(route.alone.errors.values()) if route.alone else 0
        q = f"{statistics.median(queries):.0f} ({min(queries)}–{max(queries)})" if queries else "–"
        error_text = describe_errors(route.errors)
        if alone_errors:
            error_text += f"; alone {describe_errors(route.alone.errors)}"
        if route.target == "floor":
            target, met, met_alone = "reference", "", ""
        elif route.target == "reference":
            share = rps / floor_rps if floor_rps else 0
            target, met, met_alone = f"reference ({share:.2f} × floor req/s)", "", ""
        else:
            target = f"p50 ≤ {TARGET_P50_MS}, p99 ≤ {TARGET_P99_MS}"
            # NaN (no successful request) compares false: a run with nothing measured fails.
            ok = p50 <= TARGET_P50_MS and p99 <= TARGET_P99_MS and not route.errors
            ok_alone = alone_p50 <= TARGET_P50_MS and alone_p99 <= TARGET_P99_MS
            ok_alone = ok_alone and not alone_errors
            if route.target == "post":
                share = rps / floor_rps if floor_rps else 0
                target += f"; ≥ {TARGET_POST_SHARE} × floor req/s (here {share:.2f} ×)"
                ok = ok and share >= TARGET_POST_SHARE
                ok_alone = ok_alone and share >= TARGET_POST_SHARE
            met = "yes" if ok else "**no**"
            verdicts["under load"].append(ok)
            if route.alone is None:
                met_alone = "–"
            else:
                met_alone = "yes" if ok_alone else "**no**"
                verdicts["alone"].append(ok_alone)
        lines.append(
            f"| {route.name} | {len(route.results)} | {error_text} | "
            f"{rps:.0f} | {p50:.1f} | {p99:.1f} | "
            f"{f'{alone_p50:.1f}' if route.alone else '–'} | "
            f"{f'{alone_p99:.1f}' if route.alone else '–'} | "
            f"{q} | {target} | {met} | {met_alone} |"
        )
    lines += [""]
    for label, oks in verdicts.items():
        if oks:
            lines.append(f"All targets met {label}: {'yes' if all(oks) else 'no'}.")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="per route, at most")
    parser.add_argument("--seconds", type=float, default=20, help="per route, at most")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument(
        "--alone-requests",
        type=int,
        default=100,
        help="per route, at most, sent one at a time after the threaded run (0: none)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per route")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="measure only routes whose name contains TEXT (the floor is always measured)",
    )
    for name, value in SIZE.items():
        parser.add_argument(f"--{name}", type=int, default=value, help="data size (trial runs)")
    options = parser.parse_args()
    size = {name: getattr(options, name) for name in SIZE}

    database = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not database.startswith("postgres"):
        log("the benchmark runs on PostgreSQL only; set DATABASE_URL=postgres://…")
        return 2
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "physio.settings",
    }
    ensure_database(database)
    log("migrating")
    manage("migrate", "--noinput", "-v", "0", env=env)

    # The driver signs its users in by writing their sessions itself, so it must sign
    # them with the server's key.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from patients.demo_load import DemoLoad
    from patients.models import Session

    expected = DemoLoad(
        clinics=size["clinics"], patients=1, sessions=0, seed=0, until=None
    ).existing_clinics()
    have = Session.objects.filter(patient__clinic__in=expected).count()
    generated = f"already there ({have:,} sessions in the generated clinics)"
    if have < size["sessions"]:
        log(f"generating {size['sessions']:,} sessions (found {have:,})")
        started = time.monotonic()
        args = [f"--{k}={v}" for k, v in size.items()]
        manage("generate_demo_load", *args, *(["--force"] if have else []), env=env)
        generated = f"{time.monotonic() - started:.0f} s in this run (`generate_demo_load`)"
    log("collecting static files")
    server_env = {
        **env,
        # The app's settings with two reference routes added (bench/urls.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: nothing here terminates TLS.
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
    }
    manage("collectstatic", "--noinput", "-v", "0", env=server_env)

    log("vacuuming and analysing")
    analyse()
    fixtures = prepare(size)
    make_reference_table()
    if not fixtures["posters"]:
        log("no patient with an active programme to post sessions for")
        return 1
    counts = data_counts()
    from django.db import connections

    connections.close_all()

    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn,
        "bench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(options.workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    config = (
        f"gunicorn {options.workers} sync workers on {HOST}, DEBUG=0, PostgreSQL; "
        f"{options.threads} client threads, ≤ {options.requests} requests or "
        f"≤ {options.seconds:.0f} s per route after {options.warmup} warm-up requests"
    )
    if options.alone_requests:
        config += f"; then ≤ {options.alone_requests} requests one at a time"
    log(f"starting gunicorn on port {port}")
    load_start = os.getloadavg()
    cpu_start = cpu_check_ms()
    server = subprocess.Popen(command, env=server_env, cwd=ROOT, start_new_session=True)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/healthz", {}, None)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            log("gunicorn did not answer")
            return 1
        routes = [
            route
            for route in build_routes(fixtures)
            if route.target == "floor"
            or not options.only
            or any(text in route.name for text in options.only)
        ]
        for route in routes:
            log(f"measuring {route.name}")
            drive(
                route,
                port,
                requests=options.requests,
                seconds=options.seconds,
                threads=options.threads,
                warmup=options.warmup,
            )
            if options.alone_requests:
                route.alone = Route(route.name, route.method, route.target, route.make)
                drive(
                    route.alone,
                    port,
                    requests=options.alone_requests,
                    seconds=options.seconds,
                    threads=1,
                    warmup=0,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    text = report(
        routes, counts=counts, config=config, generated=generated,
        load=(load_start[0], os.getloadavg()[0]), cpu=(cpu_start, cpu_check_ms()),
    )  # fmt: skip
    Path(options.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
