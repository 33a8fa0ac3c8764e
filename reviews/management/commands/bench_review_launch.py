"""manage.py bench_review_launch [--people 10000]

Measures a review cycle's launch over a large organisation (docs/DOMAIN.md rule R56): in one
transaction that is rolled back at the end (nothing stays), it makes a throwaway
organisation with ``--people`` members, each with an agreement in force (two KRAs, a KPI
each, a growth goal) and a year of stored monthly scores, then times the launch's own body
(``reviews.services.cycles.launch_run``: the reviews, their items and goals, the launch
result and the notices) and counts its queries. Run it as the maintenance role
(``KRA_DB_AS_MAINTENANCE=1``): it writes rows of an organisation it makes. See
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from kpis.models import KPI, Score
from kra_platform.canonical import canonical_text, sha256_hex
from kras.models import KRA, KRALevel
from orgs.models import Membership, Organization, OrgRole, User
from reviews.models import (
    Agreement,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    ItemSource,
    Review,
    ReviewCycle,
)
from reviews.services.cycles import launch_run
from roles.models import Role


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time a review cycle's launch over a throwaway organisation (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000)

    def handle(self, *args, people: int, **options):
        try:
            with transaction.atomic():
                self._run(people)
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, count: int) -> None:
        started = time.perf_counter()
        year = timezone.localdate().year
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        org = Organization.objects.create(name="Launch benchmark", slug=f"bench-{time.time_ns()}")
        users = User.objects.bulk_create(
            [User(email=f"p{n}@bench.test", full_name=f"Person {n:05d}") for n in range(count + 1)],
            batch_size=2000,
        )
        boss = Membership.objects.create(org=org, user=users[0], role=OrgRole.HR)
        people = Membership.objects.bulk_create(
            [Membership(org=org, user=u, manager=boss) for u in users[1:]], batch_size=2000
        )
        role = Role.objects.create(org=org, title="Benchmark role")
        kras, kpis = [], []
        for position, weight in ((1, 60), (2, 40)):
            kra = KRA.objects.create(
                org=org, level=KRALevel.ROLE, role=role, title=f"KRA {position}", weight=weight
            )
            kras.append(kra)
            kpis.append(
                KPI.objects.create(
                    org=org, kra=kra, name=f"KPI {position}", target=Decimal(100), weight=100
                )
            )
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(
                    org=org,
                    employee=p,
                    manager=boss,
                    role=role,
                    period_start=start,
                    period_end=end,
                    status=AgreementStatus.ACTIVE,
                )
                for p in people
            ],
            batch_size=2000,
        )
        items = AgreementItem.objects.bulk_create(
            [
                AgreementItem(
                    org=org,
                    agreement=a,
                    source=ItemSource.ROLE,
                    source_kra=kra,
                    title=kra.title,
                    weight=kra.weight,
                    position=i,
                )
                for a in agreements
                for i, kra in enumerate(kras, 1)
            ],
            batch_size=2000,
        )
        AgreementKPI.objects.bulk_create(
            [
                AgreementKPI(
                    org=org,
                    agreement_id=item.agreement_id,
                    item=item,
                    source=ItemSource.ROLE,
                    source_kpi=kpis[item.position - 1],
                    name=kpis[item.position - 1].name,
                    target=Decimal(100),
                    weight=100,
                )
                for item in items
            ],
            batch_size=2000,
        )
        GrowthGoal.objects.bulk_create(
            [
                GrowthGoal(
                    org=org,
                    agreement=a,
                    goal="Goal",
                    measurable_target="Target",
                    due_date=end,
                    measured_by="Review",
                )
                for a in agreements
            ],
            batch_size=2000,
        )
        text = canonical_text({"benchmark": True})
        versions = AgreementVersion.objects.bulk_create(
            [
                AgreementVersion(
                    org=org,
                    agreement=a,
                    number=1,
                    canonical_json=text,
                    content_hash=sha256_hex(text),
                )
                for a in agreements
            ],
            batch_size=2000,
        )
        for agreement, version in zip(agreements, versions, strict=True):
            agreement.current_version = version
        Agreement.objects.bulk_update(agreements, ["current_version"], batch_size=2000)
        now = timezone.now()
        Score.objects.bulk_create(
            [
                Score(
                    org=org,
                    scope="kpi",
                    scope_id=kpi.pk,
                    person=p,
                    window="period",
                    period_start=datetime.date(year, month, 1),
                    period_end=datetime.date(year, month, 28),
                    achievement=Decimal("0.9"),
                    periods_with_data=1,
                    periods_expected=1,
                    computed_at=now,
                )
                for p in people
                for kpi in kpis
                for month in range(1, 13)
            ],
            batch_size=5000,
        )
        cycle = ReviewCycle.objects.create(
            org=org,
            name="Benchmark cycle",
            window_start=start,
            window_end=end,
            self_assessment_due=end,
            manager_review_due=end,
            acknowledgement_due=end,
            weight_manager=60,
            weight_achievement=40,
            status="open",
            launch_status="queued",
        )
        self.stdout.write(f"set-up of {count} people: {time.perf_counter() - started:.1f} s")
        _patterns = get_resolver().url_patterns  # loaded once per worker, not per launch
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            report = launch_run(cycle.pk, org_id=org.pk)
            took = time.perf_counter() - began
        reviews = Review.objects.filter(org=org).count()
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
        for query in slowest:
            self.stdout.write(f"  {float(query['time']):.2f} s  {query['sql'][:110]}")
        self.stdout.write(
            f"launch: {took:.1f} s, {len(queries)} queries, {report['created']} reviews "
            f"({reviews} rows), {len(report['without_agreement'])} without an agreement"
        )
