"""manage.py bench_agreements [--slug demo] [--renders 5] [--count 1000]

Measures, against a demo seeded with ``seed_demo`` (which signs agreements), the time to
render one signed agreement's PDF, and the time and peak memory of an HR export of
``--count`` PDFs into one ZIP through the export's own code (``reviews.tasks.write_export``:
the agreements in force are taken in turn until there are ``--count``). The PDF cache is
switched off for the run, so every PDF is really rendered. See docs/PERFORMANCE.md.
"""

from __future__ import annotations

import itertools
import resource
import statistics
import tempfile
import threading
import time
import warnings
from pathlib import Path

from django.core.cache.backends.dummy import DummyCache
from django.core.management.base import BaseCommand, CommandError

from kra_platform import rls
from orgs.models import Organization
from reviews import pdf as pdf_module
from reviews import tasks
from reviews.models import Agreement, AgreementStatus


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


class _PeakMemory:
    """The process's resident memory, sampled every 50 ms while the block runs."""

    def __init__(self):
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


class Command(BaseCommand):
    help = "Time one signed PDF and an export of many into a ZIP, with its peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--renders", type=int, default=5, help="Timed renders of one PDF.")
        parser.add_argument("--count", type=int, default=1000, help="PDFs in the export.")

    def handle(self, *args, slug, renders, count, **options):
        org_id = (
            Organization.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if rls.connection_bypasses_rls()
            else None
        )
        if org_id is None:
            raise CommandError(
                f"No organisation “{slug}” to read: seed it with seed_demo and run this with "
                "KRA_DB_AS_MAINTENANCE=1."
            )
        # Every PDF really rendered: no cache for this run.
        pdf_module.cache = DummyCache("bench", {})
        with rls.tenant_context(org_id=org_id):
            agreements = list(
                Agreement.objects.filter(org_id=org_id, status=AgreementStatus.ACTIVE)
                .select_related(
                    "org", "employee__user", "employee__department", "role", "current_version"
                )
                .order_by("id")
            )
            if not agreements:
                raise CommandError(f"“{slug}” has no agreement in force.")
            pdf_module.agreement_pdf(agreement=agreements[0])  # fonts and templates loaded
            times = []
            for _ in range(max(1, renders)):
                started = time.perf_counter()
                pdf = pdf_module.agreement_pdf(agreement=agreements[0])
                times.append(time.perf_counter() - started)
            self.stdout.write(
                f"one signed PDF: median {statistics.median(times) * 1000:.0f} ms over "
                f"{len(times)} renders, {len(pdf) / 1024:.0f} KB"
            )
            chosen = list(itertools.islice(itertools.cycle(agreements), count))
            before = _rss_mb()
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / "export.zip"
                with _PeakMemory() as memory, warnings.catch_warnings():
                    # The same agreement comes back under the same file name.
                    warnings.simplefilter("ignore", UserWarning)
                    started = time.perf_counter()
                    done, errors = tasks.write_export(chosen, target)
                    seconds = time.perf_counter() - started
                size = target.stat().st_size
        self.stdout.write(
            f"export of {done} PDFs ({len(agreements)} distinct agreements): {seconds:.1f} s, "
            f"{seconds / max(done, 1) * 1000:.0f} ms a PDF, ZIP {size / 1024 / 1024:.1f} MB, "
            f"{len(errors)} errors; resident memory {before:.0f} MB before, "
            f"{memory.peak:.0f} MB at the peak"
        )
