"""manage.py bench [--slug scale] [--employees 10000] [--clients 2] [--requests 60]

The benchmark of DESIGN's section 10 budgets, in one run (``make bench``):

1. builds the scale tenant with ``seed_demo`` (everyone with a role of their own, a year of
   results) unless an organisation with ``--slug`` exists, which is reused as it is;
2. times the rollup of the whole tenant (``kpis.rollups.rollup_organization``, as the
   nightly task runs it: a tenant transaction as the application role) beside the floor: the
   bare SQL ``GROUP BY`` over the same measurements (person, KPI, period), materialised the
   same way. Four kinds of run: after a day's values (one person in ``DAY_SHARE`` has a new
   value, rolled back after; the budget: 2× the floor), with nothing changed, recomputing
   everyone (as on the first night of a month), and a tenant's first (no score or digest
   stored, every score written); the median of ``--rollups`` runs of the first two;
3. starts gunicorn with the production settings (``demo/bench_settings.py``: static files
   without the hashed manifest) as the application role, signs the demo
   personas in through the login page (and the API's token endpoint), and requests each page
   from ``--clients`` concurrent clients: the median and 95th percentile (budget: 150 ms),
   and each page's database queries (counted once in this process, as the same persona).

It prints the machine, the tenant's size, the figures and where to record them
(docs/PERFORMANCE.md), and writes them as JSON to ``--output``. Runs as the maintenance
role (``KRA_DB_AS_MAINTENANCE=1``): it may create the tenant and read it for the floor.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.agreements import DEFAULT_AGREEMENTS
from demo.logins import DEMO_PASSWORD, fixed_logins
from kpis.rollups import rollup_organization, rollup_parameters
from kra_platform import rls
from orgs.models import Membership, Organization

ROLLUP_BUDGET = 2.0
PAGE_BUDGET_MS = 150
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / ".data" / "bench" / "latest.json"

#: The share of people with a new value in the benchmark's "day" (see ``A_DAYS_VALUES_SQL``).
DAY_SHARE = 20

#: A working day's values: the newest value of one person in ``share`` changed (their
#: membership id divisible by it), as the application role in a tenant transaction.
A_DAYS_VALUES_SQL = """
UPDATE kpis_measurement SET value = value + 1
WHERE id IN (
  SELECT DISTINCT ON (person_id) id FROM kpis_measurement
  WHERE org_id = %(org)s AND status = 'counted' AND person_id %% %(share)s = 0
    AND period_start BETWEEN %(fy_start)s AND %(as_of)s
  ORDER BY person_id, period_start DESC, id DESC
)
"""

#: The floor: what any rollup must at least do, one pass grouping the year's counted values
#: by person, KPI and period, written to a table as the rollup writes its scores.
FLOOR_SQL = """
CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
SELECT m.person_id, m.kpi_id, m.period_start, count(*) AS n, sum(m.value) AS total
FROM kpis_measurement m
WHERE m.org_id = %(org)s AND m.status = 'counted'
  AND m.period_start BETWEEN %(fy_start)s AND %(as_of)s
GROUP BY m.person_id, m.kpi_id, m.period_start
"""


@dataclass
class Page:
    name: str
    persona: str
    path: str
    api: bool = False
    status: set[int] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    queries: int | None = None


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "postgresql": postgres,
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


class _Browser:
    """One client of the running server: its own connection and cookie jar (the production
    cookies are "Secure"; this client keeps them over plain HTTP to localhost)."""

    def __init__(self, port: int, token: str = ""):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed a kept-alive connection: once more
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def log_in(self, email: str) -> None:
        status, page = self.request("GET", reverse("login"))
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise CommandError(f"The login page answered {status}.")
        form = urlencode(
            {
                "username": email,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": match.group(1).decode(),
            }
        )
        status, _body = self.request(
            "POST",
            reverse("login"),
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise CommandError(f"Could not sign in as {email} (answer {status}).")

    def api_token(self, email: str, slug: str) -> str:
        body = json.dumps(
            {"email": email, "password": DEMO_PASSWORD, "organization": slug, "name": "bench"}
        )
        status, content = self.request(
            "POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"}
        )
        if status != 201:
            raise CommandError(f"No API token for {email} (answer {status}).")
        return json.loads(content)["key"]


def _same_database(url: str) -> str:
    """The application role's URL to the database this command is connected to."""
    name = connection.settings_dict["NAME"]
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Build or reuse the scale tenant, then time its full rollup against the bare SQL "
        "floor and its pages under concurrent clients against gunicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="scale", help="The scale tenant's slug (scale).")
        parser.add_argument(
            "--employees", type=int, default=10_000, help="Its size when built (10000)."
        )
        parser.add_argument(
            "--agreements",
            type=int,
            default=DEFAULT_AGREEMENTS,
            help=f"Signed agreements when built ({DEFAULT_AGREEMENTS}).",
        )
        parser.add_argument("--clients", type=int, default=2, help="Concurrent clients (2).")
        parser.add_argument(
            "--requests", type=int, default=60, help="Timed requests per page, in all (60)."
        )
        parser.add_argument("--rollups", type=int, default=3, help="Timed rollups (3).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2).")
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="The JSON report.")

    def handle(
        self, *args, slug, employees, agreements, clients, requests, rollups, workers, output, **o
    ):
        if min(clients, requests, rollups, workers) < 1:
            raise CommandError("--clients, --requests, --rollups and --workers must be >= 1")
        if not rls.connection_bypasses_rls():
            raise CommandError("Run it as the maintenance role: KRA_DB_AS_MAINTENANCE=1.")
        report: dict = {"machine": machine()}
        self._say("Machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()))
        report["tenant"] = self._tenant(slug, employees, agreements)
        org = Organization.objects.get(slug=slug)
        report["rollup"] = self._rollup(org, rollups)
        report["pages"] = self._pages(org, clients, requests, workers)
        self._print(report)
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str))
        self._say(
            f"\nFigures written to {path}. Record them, with the machine, in "
            'docs/PERFORMANCE.md ("The scale tenant and its benchmark").'
        )

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    # --- the tenant -------------------------------------------------------------------------

    def _tenant(self, slug: str, employees: int, agreements: int) -> dict:
        started = time.monotonic()
        built = not Organization.objects.filter(slug=slug).exists()
        if built:
            self._say(f"Building the scale tenant “{slug}” ({employees:,} employees) …")
            call_command(
                "seed_demo", "--employees", str(employees), "--slug", slug, "--scale",
                "--agreements", str(agreements), stdout=self.stdout,
            )  # fmt: skip
        else:
            self._say(f"Reusing the tenant “{slug}” (drop it to build it again).")
        org = Organization.objects.get(slug=slug)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT (SELECT count(*) FROM orgs_membership WHERE org_id = %(o)s AND is_active),
                       (SELECT count(*) FROM roles_role WHERE org_id = %(o)s),
                       (SELECT count(*) FROM kras_kra WHERE org_id = %(o)s),
                       (SELECT count(*) FROM kpis_kpi WHERE org_id = %(o)s),
                       (SELECT count(*) FROM kpis_measurement WHERE org_id = %(o)s),
                       (SELECT count(*) FROM kpis_score WHERE org_id = %(o)s)
                """,
                {"o": org.pk},
            )
            people, roles, kras, kpis, values, scores = cursor.fetchone()
        tenant = {
            "slug": slug,
            "people": people,
            "roles": roles,
            "kras": kras,
            "kpis": kpis,
            "measurements": values,
            "scores": scores,
            "built": built,
            "build_seconds": round(time.monotonic() - started, 1) if built else None,
        }
        self._say(
            f"Tenant: {people:,} people, {roles:,} roles, {kras:,} KRAs, {kpis:,} KPIs, "
            f"{values:,} measurements, {scores:,} scores"
            + (f" (built in {tenant['build_seconds']:.0f} s)" if built else "")
        )
        return tenant

    # --- the rollup against its floor -------------------------------------------------------

    def _timed(self, org_id: int, work) -> float:
        """One run of ``work`` in a tenant transaction as the application role."""
        with rls.tenant_context(org_id=org_id):
            started = time.perf_counter()
            work()
            return time.perf_counter() - started

    def _rollup(self, org: Organization, runs: int) -> dict:
        params = rollup_parameters(org)

        def floor():
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, params)
                cursor.execute("SELECT count(*) FROM bench_floor")
                floor.rows = cursor.fetchone()[0]
                cursor.execute("DROP TABLE bench_floor")

        floor.rows = 0
        self._say(f"Rollup: {runs} runs of the floor and of each kind of run, after a warm-up …")
        self._timed(org.pk, floor)  # warm-up: the measurements in the cache
        floors = [self._timed(org.pk, floor) for _ in range(runs)]
        median_floor = statistics.median(floors)
        rollup_organization(org.pk)  # the scores and digests as of today, untimed

        def kind(name: str, repeat: int, work) -> dict:
            seconds, outcomes = [], []
            for _ in range(repeat):
                with rls.tenant_context(org_id=org.pk):
                    run, elapsed = work()
                seconds.append(elapsed)
                outcomes.append(run)
                self._say(
                    f"  {name}: {elapsed:.1f} s, {run.recomputed:,} people recomputed, "
                    f"{run.removed + run.changed + run.added:,} scores written"
                )
            median = statistics.median(seconds)
            return {
                "seconds": [round(s, 4) for s in seconds],
                "median": round(median, 4),
                "ratio": round(median / median_floor, 2),
                "recomputed": [r.recomputed for r in outcomes],
                "written": [r.removed + r.changed + r.added for r in outcomes],
            }

        def timed(**options):
            started = time.perf_counter()
            run = rollup_organization(org.pk, **options)
            return run, time.perf_counter() - started

        def after_a_day():
            # One new value for one person in DAY_SHARE: the night after a working day. The
            # values and the run are rolled back, so the tenant is as it was.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(A_DAYS_VALUES_SQL, {**params, "share": DAY_SHARE})
                result = timed()
                transaction.set_rollback(True)
            return result

        def first_run():
            # As on a tenant's first run: no score or digest stored, every score written.
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM kpis_score WHERE org_id = %s", [org.pk])
                cursor.execute("DELETE FROM kpis_rollupinputs WHERE org_id = %s", [org.pk])
            return timed()

        report = {
            "groups": floor.rows,
            # Four decimals: a small tenant's floor is a few milliseconds.
            "floor_seconds": [round(s, 4) for s in floors],
            "floor_median": round(median_floor, 4),
            "budget": ROLLUP_BUDGET,
            "day_share": DAY_SHARE,
            "after_a_day": kind("after a day's values", runs, after_a_day),
            "unchanged": kind("nothing changed", runs, timed),
            "everyone": kind("everyone recomputed", 1, lambda: timed(full=True)),
            "first_run": kind("first run, every score written", 1, first_run),
        }
        # The budget is the nightly run's: after a day's values.
        report["ratio"] = report["after_a_day"]["ratio"]
        return report

    # --- the pages --------------------------------------------------------------------------

    def _plan(self, org: Organization) -> tuple[dict[str, str], list[Page]]:
        logins = fixed_logins(org.slug)
        emails = {key: logins[key].email for key in ("employee", "manager", "hr")}
        with rls.tenant_context(org_id=org.pk):
            members = {
                m.user.email: m
                for m in Membership.objects.filter(
                    org=org, user__email__in=emails.values()
                ).select_related("user")
            }
        missing = [k for k, email in emails.items() if email not in members]
        if missing:
            raise CommandError(f"The demo personas are missing: {', '.join(missing)}")
        employee = members[emails["employee"]]
        slug = org.slug
        pages = [
            Page(
                "person dashboard",
                "employee",
                reverse("person-results", args=[slug, employee.pk]),
            ),
            Page("team grid", "manager", reverse("team-results", args=[slug])),
            Page("person page", "manager", reverse("member-detail", args=[slug, employee.pk])),
            Page("My KPIs", "employee", reverse("my-kpis", args=[slug])),
            Page(
                "measurement API (employee)",
                "employee",
                f"/api/v1/orgs/{slug}/measurements/",
                api=True,
            ),
            Page("measurement API (HR)", "hr", f"/api/v1/orgs/{slug}/measurements/", api=True),
        ]
        return emails, pages

    def _count_queries(self, emails: dict, pages: list[Page]) -> None:
        """Each page's database queries, once, in this process (the server's are the same
        code; counting them here needs no change to it)."""
        clients = {}
        for persona, email in emails.items():
            client = Client(HTTP_HOST="127.0.0.1")
            answer = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
            if answer.status_code != 302:
                raise CommandError(f"Could not sign in as {email} (answer {answer.status_code}).")
            clients[persona] = client
        for page in pages:
            client = clients[page.persona]
            client.get(page.path)  # the session and the caches warm
            with CaptureQueriesContext(connection) as queries:
                client.get(page.path)
            page.queries = len(queries)

    def _server_env(self) -> dict[str, str]:
        """The production settings, the application role's database URL and nothing
        more: no owner, maintenance or administrator credentials."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {
                "DATABASE_ADMIN_URL",
                "DATABASE_OWNER_URL",
                "DATABASE_MAINTENANCE_URL",
                "KRA_DB_AS_MAINTENANCE",
                "KRA_DB_AS_OWNER",
                "DJANGO_DEBUG",
            }
        }
        env.update(
            DJANGO_SETTINGS_MODULE="demo.bench_settings",
            # The deployment's own key: the database checks the tenant context signed with it.
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DATABASE_URL=_same_database(os.environ["DATABASE_URL"]),
            REDIS_URL=settings.REDIS_URL,
            LOG_LEVEL="WARNING",
        )
        return env

    @contextlib.contextmanager
    def _gunicorn(self, workers: int):
        env = self._server_env()
        root = Path(settings.BASE_DIR)
        port = _free_port()
        argv = [
            sys.executable, "-m", "gunicorn", "kra_platform.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(argv, cwd=root, env=env, start_new_session=True)  # noqa: S603
        try:
            for _ in range(600):
                if server.poll() is not None:
                    raise CommandError(f"gunicorn exited with {server.returncode}.")
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                time.sleep(0.1)
            else:
                raise CommandError("gunicorn did not start within a minute.")
            self._say(f"gunicorn (production settings, application role): port {port}")
            yield port
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    def _pages(self, org: Organization, clients: int, requests: int, workers: int) -> list:
        emails, pages = self._plan(org)
        self._count_queries(emails, pages)
        with self._gunicorn(workers) as port:
            browsers = []
            for _ in range(clients):
                sessions = {}
                for persona, email in emails.items():
                    browser = _Browser(port)
                    browser.log_in(email)
                    sessions[persona] = browser
                    api = _Browser(port)
                    api.token = api.api_token(email, org.slug)
                    sessions[f"{persona}:api"] = api
                browsers.append(sessions)
            self._say(f"Pages: {clients} clients, {requests} timed requests each page …")
            for page in pages:
                key = f"{page.persona}:api" if page.api else page.persona
                self._run(page, [b[key] for b in browsers], requests)
        return [
            {
                "page": p.name,
                "persona": p.persona,
                "path": p.path,
                "status": sorted(p.status),
                "kb": round(statistics.median(p.sizes) / 1024, 1),
                "queries": p.queries,
                "p50_ms": round(percentile(p.seconds, 0.5) * 1000),
                "p95_ms": round(percentile(p.seconds, 0.95) * 1000),
                "requests": len(p.seconds),
                "budget_ms": PAGE_BUDGET_MS,
            }
            for p in pages
        ]

    def _run(self, page: Page, browsers: list[_Browser], requests: int) -> None:
        lock = threading.Lock()
        base, extra = divmod(requests, len(browsers))
        errors: list[BaseException] = []
        start = threading.Barrier(len(browsers))

        def loop(browser: _Browser, count: int) -> None:
            try:
                browser.request("GET", page.path)  # warm-up
                start.wait()
                for _ in range(count):
                    began = time.perf_counter()
                    status, content = browser.request("GET", page.path)
                    elapsed = time.perf_counter() - began
                    with lock:
                        page.status.add(status)
                        page.sizes.append(len(content))
                        page.seconds.append(elapsed)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                start.abort()

        threads = [
            threading.Thread(target=loop, args=(b, base + (1 if i < extra else 0)))
            for i, b in enumerate(browsers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise CommandError(f"{page.name}: {errors[0]!r}")

    # --- the report -------------------------------------------------------------------------

    def _print(self, report: dict) -> None:
        rollup = report["rollup"]
        verdict = "within" if rollup["ratio"] <= ROLLUP_BUDGET else "OVER"
        lines = [
            f"\nFloor (bare GROUP BY of {rollup['groups']:,} groups): median "
            f"{rollup['floor_median']:.2f} s"
        ]
        for key, label in (
            ("after_a_day", f"after a day's values (1 person in {rollup['day_share']})"),
            ("unchanged", "nothing changed"),
            ("everyone", "everyone recomputed (a new month)"),
            ("first_run", "first run, every score written"),
        ):
            kind = rollup[key]
            lines.append(
                f"Rollup {label}: median {kind['median']:.2f} s, {kind['ratio']:.2f}× the floor; "
                f"people recomputed {', '.join(f'{n:,}' for n in kind['recomputed'])}; "
                f"scores written {', '.join(f'{n:,}' for n in kind['written'])}"
            )
        lines.append(
            f"Budget: the nightly run after a day's values, {rollup['ratio']:.2f}× "
            f"({verdict} the {ROLLUP_BUDGET:.0f}× budget)"
        )
        self._say("\n".join(lines))
        header = ("page", "as", "status", "KB", "queries", "p50 ms", "p95 ms", "budget")
        rows = [
            (
                p["page"],
                p["persona"],
                "/".join(str(s) for s in p["status"]),
                f"{p['kb']:.1f}",
                str(p["queries"]),
                str(p["p50_ms"]),
                str(p["p95_ms"]),
                "ok" if p["p95_ms"] <= PAGE_BUDGET_MS and p["status"] == [200] else "MISSED",
            )
            for p in report["pages"]
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        self._say("")
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self._say(
                "  ".join(
                    c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(row)
                )
            )
        self._say(
            f"Budgets: the nightly rollup after a day's values within {ROLLUP_BUDGET:.0f}× the "
            f"floor; pages p95 <= {PAGE_BUDGET_MS} ms with a constant number of queries."
        )
