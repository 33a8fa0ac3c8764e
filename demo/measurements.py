"""The demo's results: a year of believable measurements, then one rollup so scores exist.

For every KPI a demo person holds through their role, one value per period of the KPI's
frequency, from the start of the fiscal year up to today, inside the KPI's dates and the
time the person holds the role. Each person has a standing drawn once (ahead, on track, at
risk, off track) and a habit of recording (most record every period, some skip a few, a
few record nothing); each value is the standing's achievement, with some noise, turned back
into a value the KPI's kind allows (higher or lower is better from the baseline to the
target, within a range, done / not done, percentages within 0 to 100). A period still
running gets, for a summed KPI, the share of the period elapsed so far.

Everything is drawn from generators seeded by the person and the KPI, so the same
organisation gets the same values whatever runs first. Every value carries a source
reference (``demo:<period start>``), and values already there are never sent again: a second
run on the same day writes nothing, one a month later adds that month's values.

The values go through ``kpis.measurements.measurement_bulk_upsert`` (every row checked, one
audit row per batch of ``BULK_LIMIT``). They are made one person after another and
sent ``BULK_LIMIT`` at a time, so a large demo is never all in memory; beyond
``MAX_PEOPLE`` people only the first (in the order they were created) get results, so any
demo finishes in minutes (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from kpis.measurements import BULK_LIMIT, fiscal_year, measurement_bulk_upsert, period_containing
from kpis.models import KPI, Aggregation, Direction, Measurement, MeasureType
from kpis.rollups import rollup_organization
from kras.models import KRALevel
from orgs.models import Organization
from roles.models import RoleAssignment

#: How many people get results, at most (see the module's docstring).
MAX_PEOPLE = 10_000
#: The prefix of every demo value's source reference.
SOURCE_PREFIX = "demo:"
#: People whose existing values are read at once (a top-up skips those).
PEOPLE_PER_ROUND = 500
#: What the values are drawn from: a KPI's kind, target and dates.
KPI_FIELDS = (
    "id", "measure_type", "direction", "baseline", "target", "target_low", "target_high",
    "frequency", "aggregation", "start_date", "due_date",
)  # fmt: skip
#: How often ``measurements_seed`` reports progress, in values.
PROGRESS_EVERY = 100_000

#: Standings, drawn once per person: (share of people, lowest and highest achievement).
STANDINGS = (
    (0.20, 1.05, 1.25),  # ahead
    (0.40, 0.92, 1.04),  # on track
    (0.25, 0.72, 0.88),  # at risk
    (0.15, 0.35, 0.65),  # off track
)
#: Recording habits, drawn once per person: (share of people, chance of skipping a period).
HABITS = (
    (0.70, 0.0),  # records every period
    (0.22, 0.25),  # skips some
    (0.08, 1.0),  # records nothing
)


@dataclass
class MeasurementSeed:
    created: int = 0
    people: int = 0
    scored: bool = False


def _pick(rng: random.Random, table: tuple) -> tuple:
    draw, total = rng.random(), 0.0
    for row in table:
        total += row[0]
        if draw < total:
            return row
    return table[-1]


def _periods(kpi: KPI, start: datetime.date, today: datetime.date, fiscal_month: int):
    """The KPI's periods that have started by ``today``, from ``start``."""
    step = datetime.timedelta(days=1)
    day = start
    while day <= today:
        period_start, period_end = period_containing(kpi.frequency, day, fiscal_month)
        yield period_start, period_end
        day = period_end + step


def _number(value: float, kpi: KPI) -> Decimal:
    if kpi.measure_type == MeasureType.PERCENT:
        value = min(100.0, value)
    value = max(0.0, value)
    reference = max(abs(float(kpi.target or 0)), abs(float(kpi.target_high or 0)))
    places = 0 if reference >= 50 or kpi.measure_type == MeasureType.CURRENCY else 1
    if reference and reference < 5:
        places = 2
    return Decimal(str(round(value, places)))


def value_for(kpi: KPI, achievement: float, rng: random.Random) -> Decimal | None:
    """A value of ``kpi`` that scores about ``achievement``, as its kind allows; None when
    the KPI has no target to aim at."""
    if kpi.direction == Direction.BOOLEAN or kpi.measure_type == MeasureType.BOOLEAN:
        return Decimal(1 if rng.random() < min(0.97, achievement * 0.9) else 0)
    if kpi.direction == Direction.RANGE:
        if kpi.target_low is None or kpi.target_high is None:
            return None
        low, high = float(kpi.target_low), float(kpi.target_high)
        if achievement >= 1:
            return _number(rng.uniform(low, high), kpi)
        miss = (1 - achievement) * (high - low or 1)
        return _number(low - miss if rng.random() < 0.5 else high + miss, kpi)
    if kpi.target is None:
        return None
    target = float(kpi.target)
    baseline = None if kpi.baseline is None else float(kpi.baseline)
    if kpi.direction == Direction.DECREASE:
        if baseline is not None and baseline > target:
            return _number(baseline - achievement * (baseline - target), kpi)
        return _number(target / max(achievement, 0.05), kpi)
    if baseline is not None and baseline < target:
        return _number(baseline + achievement * (target - baseline), kpi)
    return _number(achievement * target, kpi)


@dataclass(frozen=True)
class _Standing:
    low: float
    high: float
    skip: float


def _standing(person_id: int) -> _Standing:
    """A person's standing and recording habit, drawn once for all their KPIs."""
    rng = random.Random(f"demo-standing:{person_id}")  # noqa: S311
    low, high = _pick(rng, STANDINGS)[1:]
    return _Standing(low=low, high=high, skip=_pick(rng, HABITS)[1])


def _rows_for(standing: _Standing, kpi, held, fy_start, today, fiscal_month, rng):
    """One person's values of one KPI: (period start, value) pairs."""
    skip = standing.skip
    level = rng.uniform(standing.low, standing.high)
    drift = rng.uniform(-0.1, 0.15)  # over a whole year: some improve, some slip
    start = max(fy_start, kpi.start_date or fy_start)
    for period_start, period_end in _periods(kpi, start, today, fiscal_month):
        if kpi.due_date and period_start > kpi.due_date:
            break
        if not any(a <= period_end and (b is None or b >= period_start) for a, b in held):
            continue
        if rng.random() < skip:
            continue
        into_year = (period_start - fy_start).days / 365
        achievement = min(1.4, max(0.05, level + drift * into_year + rng.gauss(0, 0.05)))
        value = value_for(kpi, achievement, rng)
        if value is None:
            continue
        if kpi.aggregation == Aggregation.SUM and period_end > today:
            elapsed = ((today - period_start).days + 1) / ((period_end - period_start).days + 1)
            value = _number(float(value) * elapsed, kpi)
        yield period_start, value


def _person_rng(person_id: int, kpi_id: int) -> random.Random:
    # Seeded by the person and the KPI alone, so a top-up draws what the first run drew.
    return random.Random(f"demo-measurements:{person_id}:{kpi_id}")  # noqa: S311


def measurement_rows(org: Organization, *, today: datetime.date | None = None) -> Iterator[dict]:
    """Every demo value due by ``today`` that the organisation does not hold yet, one
    person after another (made as they are sent, so a large demo is never all in memory)."""
    today = today or timezone.localdate()
    fy_start, _fy_end = fiscal_year(org, today)
    fiscal_month = org.fiscal_year_start_month
    held: dict[tuple[int, int], list] = {}
    for member_id, role_id, start, end in (
        RoleAssignment.objects.filter(org=org, member__is_active=True, start_date__lte=today)
        .order_by("member_id", "id")
        .values_list("member_id", "role_id", "start_date", "end_date")
    ):
        held.setdefault((member_id, role_id), []).append((start, end))
    people = sorted({member_id for member_id, _role in held})[:MAX_PEOPLE]
    kpis_of: dict[int, list[KPI]] = {}
    role_kpis = (
        KPI.objects.filter(org=org, kra__level=KRALevel.ROLE, kra__role__isnull=False)
        .annotate(role_id=F("kra__role_id"))
        .only(*KPI_FIELDS)
        .order_by("id")
    )
    for kpi in role_kpis.iterator(chunk_size=5000):
        kpis_of.setdefault(kpi.role_id, []).append(kpi)
    roles_of: dict[int, list[tuple[int, list]]] = {}
    for (person_id, role_id), spans in sorted(held.items()):
        roles_of.setdefault(person_id, []).append((role_id, spans))
    for first in range(0, len(people), PEOPLE_PER_ROUND):
        chunk = people[first : first + PEOPLE_PER_ROUND]
        # What these people already hold, read a round at a time so memory stays flat.
        existing = set(
            Measurement.objects.filter(
                org=org, person_id__in=chunk, source_ref__startswith=SOURCE_PREFIX
            ).values_list("kpi_id", "person_id", "source_ref")
        )
        for person_id in chunk:
            yield from _person_rows(
                person_id, roles_of[person_id], kpis_of, existing, fy_start, today, fiscal_month
            )


def _person_rows(person_id, roles, kpis_of, existing, fy_start, today, fiscal_month):
    """One person's values not there yet, KPI after KPI of every role they hold."""
    standing = _standing(person_id)
    for role_id, spans in roles:
        for kpi in kpis_of.get(role_id, ()):
            rng = _person_rng(person_id, kpi.pk)
            for period_start, value in _rows_for(
                standing, kpi, spans, fy_start, today, fiscal_month, rng
            ):
                source_ref = f"{SOURCE_PREFIX}{period_start.isoformat()}"
                if (kpi.pk, person_id, source_ref) in existing:
                    continue
                yield {
                    "kpi": kpi.pk,
                    "person": person_id,
                    "period_start": period_start,
                    "value": value,
                    "source_ref": source_ref,
                }


def measurements_seed(
    org: Organization,
    *,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> MeasurementSeed:
    """The demo's values (those not there yet) in batches through the bulk service, then
    one rollup of the organisation. Nothing to add: nothing is written. ``progress`` is
    told every ``PROGRESS_EVERY`` values and when the rollup is done."""
    rows = measurement_rows(org, today=today)
    result, people, told = MeasurementSeed(), set(), 0
    while batch := list(itertools.islice(rows, BULK_LIMIT)):
        people.update(row["person"] for row in batch)
        result.created += measurement_bulk_upsert(
            org=org, actor=None, rows=batch, source="demo"
        ).created
        if progress and result.created >= told + PROGRESS_EVERY:
            told = result.created
            progress(f"  results: {result.created:,} values for {len(people):,} people")
    result.people = len(people)
    if result.created:
        rollup_organization(org.pk, as_of=today)
        result.scored = True
        if progress:
            progress(f"  results: {result.created:,} values recorded, scores computed")
    return result
