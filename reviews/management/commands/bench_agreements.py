"""manage.py bench_agreements [--slug demo] [--renders 30] [--count 1000] [--profile]

Measures, against a demo seeded with ``seed_demo`` (which signs agreements), the time to
render a signed agreement's PDF (``--renders`` times, the demo's agreements in force taken in
turn, after one untimed render that loads the fonts: median, 95th percentile and slowest,
wall clock and the process's CPU time), and the time and memory of an HR export of
``--count`` PDFs into one ZIP through the export's own code (``reviews.tasks.write_export``:
the agreements in force are taken in turn until there are ``--count``). The PDF cache is
switched off for the run, so every PDF is really rendered. ``--profile`` runs the timed
renders under cProfile and prints where their time went. See docs/PERFORMANCE.md.
"""

from __future__ import annotations

import cProfile
import io
import itertools
import math
import pstats
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
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.05):
            self.samples.append(_rss_mb())
            self.peak = max(self.peak, self.samples[-1])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank: no more than 5 % of the values are above it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Time one signed PDF and an export of many into a ZIP, with its peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--renders", type=int, default=30, help="Timed renders.")
        parser.add_argument("--count", type=int, default=1000, help="PDFs in the export.")
        parser.add_argument(
            "--profile", action="store_true", help="Profile the timed renders (cProfile)."
        )

    def handle(self, *args, slug, renders, count, profile=False, **options):
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
            started = time.perf_counter()
            pdf_module.agreement_pdf(agreement=agreements[0])  # fonts and templates loaded
            first = time.perf_counter() - started
            times, cpu, sizes = [], [], []
            profiler = cProfile.Profile() if profile else None
            for agreement in itertools.islice(itertools.cycle(agreements), max(1, renders)):
                started, cpu_started = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                pdf = pdf_module.agreement_pdf(agreement=agreement)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                sizes.append(len(pdf))
            self.stdout.write(
                f"one signed PDF: median {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {_p95(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over "
                f"{len(times)} renders of {min(len(agreements), len(times))} agreements "
                f"(CPU median {statistics.median(cpu) * 1000:.0f} ms; the first render "
                f"{first * 1000:.0f} ms), {statistics.median(sizes) / 1024:.0f} KB"
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
                self.stdout.write(out.getvalue())
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
        # The memory once the first tenth is exported, when whatever a renderer keeps for
        # good is there: what grows after it grows with the count.
        warm = memory.samples[len(memory.samples) // 10] if memory.samples else before
        self.stdout.write(
            f"export of {done} PDFs ({len(agreements)} distinct agreements): {seconds:.1f} s, "
            f"{seconds / max(done, 1) * 1000:.0f} ms a PDF, ZIP {size / 1024 / 1024:.1f} MB, "
            f"{len(errors)} errors; resident memory {before:.0f} MB before, {warm:.0f} MB "
            f"after a tenth, {memory.peak:.0f} MB at the peak"
        )
