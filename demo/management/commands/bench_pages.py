"""manage.py bench_pages [--clients 2] [--requests 20] [--slug demo]

Requests the pages whose size could follow the headcount (every member picker, the role
page's holders, the roles list's holders, the cascade explorer, the people list and the
member search) as the demo organisation's personas, from concurrent clients, and prints
per page: the answer's size, its database queries, and the median and 95th-percentile time.

It runs in-process through Django's test client (no server needed): each client is a thread
with its own database connection, so two clients really do overlap in the database. Run it
against a demo seeded with ``seed_demo --employees N`` (see docs/PERFORMANCE.md).
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from demo.logins import DEMO_PASSWORD, fixed_logins
from kra_platform import rls
from orgs.models import Department, Membership, Organization


@dataclass
class Target:
    name: str
    persona: str
    url: str | None  # None: the page does not exist in this version


@dataclass
class Measure:
    status: set[int] = field(default_factory=set)
    sizes: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def _url(name: str, slug: str, query: str = "", **kwargs) -> str | None:
    try:
        return reverse(name, kwargs={"org_slug": slug, **kwargs}) + query
    except NoReverseMatch:
        return None


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = (
        "Measure size, queries and time of the pages that must not grow with headcount, as "
        "the demo personas, with concurrent clients."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=2, help="Concurrent clients (2).")
        parser.add_argument(
            "--requests", type=int, default=20, help="Timed requests per page, in all (20)."
        )
        parser.add_argument("--slug", default="demo", help="The demo organisation's slug.")
        parser.add_argument("--search", default="an", help="What the member search types.")

    def handle(self, *args, clients, requests, slug, search, **options):
        if clients < 1 or requests < 1:
            raise CommandError("--clients and --requests must be at least 1")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation “{slug}”: run seed_demo --slug {slug} first.")
        # Read as the organisation's own pages do: no cross-tenant role is needed.
        with rls.tenant_context(org_id=organization.pk):
            org, emails, targets = self._plan(organization, search)
        # Each client signs in as every persona through the login page, as a person would.
        sessions = [
            {persona: self._log_in(email) for persona, email in emails.items()}
            for _ in range(clients)
        ]
        headcount = org["members"]
        self.stdout.write(
            f"{org['name']} ({slug}): {headcount} active members; {clients} clients, "
            f"{requests} timed requests per page after one warm-up"
        )
        rows = []
        for target in targets:
            if target.url is None:
                rows.append((target.name, "n/a", "", "", "", ""))
                continue
            measure = self._run(target, [c[target.persona] for c in sessions], requests)
            status = "/".join(str(s) for s in sorted(measure.status))
            rows.append(
                (
                    target.name,
                    status,
                    f"{statistics.median(measure.sizes) / 1024:.1f}",
                    str(max(measure.queries)),
                    f"{_percentile(measure.seconds, 0.5) * 1000:.0f}",
                    f"{_percentile(measure.seconds, 0.95) * 1000:.0f}",
                )
            )
        header = ("page", "status", "KB", "queries", "p50 ms", "p95 ms")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            cells = [
                str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i])
                for i, cell in enumerate(row)
            ]
            self.stdout.write("  ".join(cells))

    def _plan(self, organization: Organization, search: str):
        slug = organization.slug
        logins = fixed_logins(slug)
        members = {
            key: Membership.objects.select_related("user")
            .filter(org=organization, user__email=login.email)
            .first()
            for key, login in logins.items()
        }
        missing = [key for key, m in members.items() if m is None]
        if missing:
            raise CommandError(f"The demo personas are missing: {', '.join(missing)}")
        kra_model = apps.get_model("kras", "KRA")
        role_model = apps.get_model("roles", "Role")
        sales = Department.objects.filter(org=organization, name="Sales").first()
        role = (
            role_model.objects.filter(org=organization)
            .annotate(n=Count("assignments"))
            .order_by("-n", "pk")
            .first()
        )
        kra = (
            kra_model.objects.filter(org=organization, level="role", role__department=sales)
            .order_by("pk")
            .first()
        )
        employee = members["employee"]
        targets = [
            Target("member edit", "admin", _url("member-edit", slug, pk=employee.pk)),
            Target(
                "department edit",
                "admin",
                _url("department-edit", slug, pk=sales.pk) if sales else None,
            ),
            Target("invitation form", "admin", _url("invitation-create", slug)),
            Target("KRA edit", "manager", _url("kra-edit", slug, pk=kra.pk) if kra else None),
            Target("role page", "admin", _url("role-detail", slug, pk=role.pk) if role else None),
            Target("roles list", "employee", _url("role-list", slug)),
            Target("cascade explorer", "employee", _url("cascade", slug)),
            Target("people list", "employee", _url("member-list", slug)),
            Target("member search", "employee", _url("member-search", slug, f"?q={search}")),
        ]
        personas = {target.persona for target in targets}
        emails = {key: logins[key].email for key in personas}
        summary = {
            "name": organization.name,
            "members": Membership.objects.filter(org=organization, is_active=True).count(),
        }
        return summary, emails, targets

    def _log_in(self, email: str) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        response = client.post(
            reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=False
        )
        if response.status_code != 302:
            raise CommandError(f"Could not sign in as {email} (answer {response.status_code}).")
        return client

    def _run(self, target: Target, clients: list[Client], requests: int) -> Measure:
        measure = Measure()
        lock = threading.Lock()
        base, extra = divmod(requests, len(clients))
        shares = [base + (1 if i < extra else 0) for i in range(len(clients))]
        errors: list[BaseException] = []

        def client_loop(client: Client, count: int) -> None:
            try:
                client.get(target.url)  # warm-up: session, caches, connection
                for _ in range(count):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(target.url)
                        elapsed = time.perf_counter() - started
                    with lock:
                        measure.status.add(response.status_code)
                        measure.sizes.append(len(response.content))
                        measure.queries.append(len(queries))
                        measure.seconds.append(elapsed)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=client_loop, args=(client, n))
            for client, n in zip(clients, shares, strict=True)
            if n
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise CommandError(f"{target.name}: {errors[0]!r}")
        return measure
