"""manage.py bench_reminders [--slug demo] [--day YYYY-MM-DD] [--batch-size 1000]

Runs the daily reminder pass of one organisation (a demo seeded with ``seed_demo
--employees 10000``) as its tenant task does, in one transaction as the application role, and
prints the time and queries of each batch and of the whole pass, then runs it a second time
in the same transaction (everything already claimed: what a repeated pass costs). The
transaction is rolled back at the end, so nothing is sent and the figures can be taken
again. See docs/PERFORMANCE.md (reminders)."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kra_platform import rls
from orgs.models import Membership, Organization, Reminder
from orgs.reminders import engine, registry


class Command(BaseCommand):
    help = "Time the daily reminder pass of one organisation, per batch, and roll it back."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="demo")
        parser.add_argument(
            "--day", default="", help="The pass's local date (default: today there)."
        )
        parser.add_argument("--batch-size", type=int, default=engine.BATCH_SIZE)

    def handle(self, *args, slug, day, batch_size, **options):
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation {slug!r}: run seed_demo first.")
        today = datetime.date.fromisoformat(day) if day else engine.local_today(org)
        with rls.tenant_context(org_id=org.pk):
            people = Membership.objects.filter(org=org, is_active=True).count()
            self.stdout.write(
                f"{org.name}: {people:,} active people, {len(registry.kinds())} kinds "
                f"({', '.join(k.name for k in registry.kinds())}), day {today}, "
                f"batches of {batch_size:,}"
            )
            with transaction.atomic():
                for label in ("first pass", "second pass (all claimed)"):
                    self._pass(org, today, batch_size, label)
                claims = Reminder.objects.filter(org=org).count()
                self.stdout.write(f"claims in the log after both passes: {claims:,}")
                transaction.set_rollback(True)
        self.stdout.write("rolled back: nothing was sent")

    def _pass(self, org, today, batch_size, label):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = engine.run_pass(org, today, batch_size=batch_size)
        seconds = time.perf_counter() - began
        self.stdout.write(f"\n{label}:")
        self.stdout.write("  batch (membership ids)     queries  notices   seconds")
        for batch in result.batches:
            self.stdout.write(
                f"  {batch.lo:>10}–{batch.hi:<12} {batch.queries:>8} {batch.claimed:>8} "
                f"{batch.seconds:>9.3f}"
            )
        self.stdout.write(
            f"  total: {seconds:.2f} s, {len(captured)} queries "
            f"({len(result.batches)} batches), {result.claimed:,} notices"
        )
        slowest = {}
        for batch in result.batches:
            for name, spent in batch.kinds.items():
                slowest[name] = max(slowest.get(name, 0.0), spent)
        self.stdout.write(
            "  slowest batch per kind: "
            + ", ".join(f"{name} {spent:.3f} s" for name, spent in slowest.items())
        )
