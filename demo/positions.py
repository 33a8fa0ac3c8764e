"""The scale tenant's roles: everyone holds a role of their own (a position), a variation of
their job title's library template, so that 10,000 people hold about 50,000 KRAs and 120,000
KPIs (DESIGN's section 10 tenant) instead of sharing a few dozen roles.

A person's role is named after the job title and the employee id ("Account Executive
(E01234)") and built from the title's template (``data/roles.py``) with these variations,
drawn from a generator seeded by the employee id, so the same size gives the same roles:

- a template with fewer than ``KRAS_PER_ROLE`` KRAs gets one more from a sibling template
  (the same family, else the same theme), with its area of focus;
- each KRA is topped up to two or three KPIs with KPIs of the same theme from elsewhere in
  the library, measured more often than the library's mix (``ADDED_KPI_FREQUENCIES``);
- every target moves by up to ``TARGET_SPREAD``, in the direction that keeps it achievable.

Weights are spread again so that each role's KRAs, and each KRA's KPIs, total 100: the
result passes the same readiness rules as any role (``kpis.readiness``). Everything is
bulk-inserted ``CHUNK`` people at a time, so memory stays flat and progress is printed.
"""

from __future__ import annotations

import copy
import datetime
import functools
import random
from collections.abc import Callable
from decimal import Decimal

from kpis.models import KPI
from kras import library
from kras.models import KRA
from orgs.models import Membership, Organization
from roles.models import AreaOfFocus, Role, RoleAssignment

from .data.positions import (
    ADDED_KPI_FREQUENCIES,
    ADDED_KPI_WEIGHT,
    ADDED_KRA_WEIGHT,
    CHUNK,
    KPI_COUNTS,
    KRAS_PER_ROLE,
    TARGET_SPREAD,
)
from .data.roles import template_key
from .kras import Ladder, department_kras_create, library_kpi, org_kras_create
from .roles import RoleSeed, role_from_template, role_kra

Progress = Callable[[str], None]


@functools.cache
def _pools() -> tuple[dict[str, list[dict]], dict[str, list[dict]], dict[str, list[dict]]]:
    """The library's KRAs by family and by theme, and its KPIs by theme."""
    by_family: dict[str, list[dict]] = {}
    by_theme: dict[str, list[dict]] = {}
    kpis_by_theme: dict[str, list[dict]] = {}
    for template in library.templates():
        for kra in template.kras:
            by_family.setdefault(template.family, []).append(kra)
            by_theme.setdefault(kra.get("theme", ""), []).append(kra)
            for kpi in kra["kpis"]:
                kpis_by_theme.setdefault(kra.get("theme", ""), []).append(kpi)
    return by_family, by_theme, kpis_by_theme


def spread(weights: list[Decimal], total: int) -> list[Decimal]:
    """``weights`` scaled to whole numbers that add up to ``total`` exactly (the largest
    takes the rounding)."""
    whole = sum(weights) or Decimal(1)
    scaled = [int((w * total / whole).to_integral_value()) for w in weights]
    largest = max(range(len(scaled)), key=scaled.__getitem__)
    scaled[largest] += total - sum(scaled)
    return [Decimal(s) for s in scaled]


def _kpi_count(rng: random.Random) -> int:
    draw, running = rng.random(), 0.0
    for share, count in KPI_COUNTS:
        running += share
        if draw < running:
            return count
    return KPI_COUNTS[-1][1]


def _vary_target(kpi: dict, rng: random.Random) -> None:
    """Move a higher- or lower-is-better target by up to TARGET_SPREAD, away from the
    baseline, keeping percentages within 0 to 100."""
    target = kpi.get("target")
    if kpi["direction"] not in ("increase", "decrease") or not target:
        return
    step = 1 + rng.uniform(0, TARGET_SPREAD)
    value = float(target) * (step if kpi["direction"] == "increase" else 1 / step)
    if kpi["measure_type"] == "percent":
        value = min(100.0, value)
    places = 0 if abs(float(target)) >= 50 else (1 if abs(float(target)) >= 5 else 2)
    value = round(value, places)
    baseline = kpi.get("baseline")
    if baseline is not None and value == float(baseline):
        return
    kpi["target"] = value


def _added_kra(template: library.RoleTemplate, titles: set[str], rng) -> dict | None:
    by_family, by_theme, _kpis = _pools()
    candidates = [k for k in by_family.get(template.family, []) if k["title"] not in titles]
    if not candidates:
        themes = {k.get("theme", "") for k in template.kras}
        candidates = [
            k for theme in sorted(themes) for k in by_theme[theme] if k["title"] not in titles
        ]
    return copy.deepcopy(rng.choice(candidates)) if candidates else None


def _top_up_kpis(kra: dict, rng: random.Random, turn: int) -> int:
    """Add KPIs of the KRA's theme until it has its drawn count; answer how many."""
    _f, _t, kpis_by_theme = _pools()
    want = _kpi_count(rng)
    names = {k["name"] for k in kra["kpis"]}
    pool = [k for k in kpis_by_theme.get(kra.get("theme", ""), []) if k["name"] not in names]
    added = []
    while len(kra["kpis"]) + len(added) < want and pool:
        kpi = copy.deepcopy(pool.pop(rng.randrange(len(pool))))
        if kpi["name"] in names:
            continue
        names.add(kpi["name"])
        kpi["frequency"] = ADDED_KPI_FREQUENCIES[(turn + len(added)) % len(ADDED_KPI_FREQUENCIES)]
        added.append(kpi)
    if added:
        own = spread(
            [Decimal(str(k["weight"])) for k in kra["kpis"]],
            100 - ADDED_KPI_WEIGHT * len(added),
        )
        for kpi, weight in zip(kra["kpis"], own, strict=True):
            kpi["weight"] = weight
        for kpi in added:
            kpi["weight"] = Decimal(ADDED_KPI_WEIGHT)
        kra["kpis"] += added
    return len(added)


def position_content(template: library.RoleTemplate, seed: str) -> tuple[list[str], list[dict]]:
    """A person's variation of ``template``: (areas of focus, KRAs with their KPIs)."""
    rng = random.Random(f"demo-position:{seed}")  # noqa: S311 - repeatable demo data
    kras = copy.deepcopy(template.kras)
    areas = list(template.areas_of_focus)
    titles = {k["title"] for k in kras}
    while len(kras) < KRAS_PER_ROLE:
        extra = _added_kra(template, titles, rng)
        if extra is None:
            break
        titles.add(extra["title"])
        own = spread([Decimal(str(k["weight"])) for k in kras], 100 - ADDED_KRA_WEIGHT)
        for kra, weight in zip(kras, own, strict=True):
            kra["weight"] = weight
        extra["weight"] = Decimal(ADDED_KRA_WEIGHT)
        kras.append(extra)
        if extra.get("area") and extra["area"] not in areas:
            areas.append(extra["area"])
    turn = rng.randrange(len(ADDED_KPI_FREQUENCIES))
    for kra in kras:
        turn += _top_up_kpis(kra, rng, turn)
        for kpi in kra["kpis"]:
            _vary_target(kpi, rng)
    return areas, kras


def _chunk_create(ladder: Ladder, members: list[tuple], seed: RoleSeed) -> None:
    """Roles, areas, KRAs, KPIs and assignments for a few hundred people: five bulk inserts."""
    org = ladder.org
    roles, contents = [], []
    for _pk, title, department_id, _start, employee_id in members:
        template = library.get(template_key(title))
        role = role_from_template(ladder, department_id, title, template)
        role.title = f"{title} ({employee_id})"
        roles.append(role)
        contents.append(position_content(template, employee_id))
    Role.objects.bulk_create(roles)
    areas = [
        AreaOfFocus(org=org, role=role, title=area, position=position)
        for role, (titles, _kras) in zip(roles, contents, strict=True)
        for position, area in enumerate(titles, start=1)
    ]
    AreaOfFocus.objects.bulk_create(areas)
    area_of = {(a.role_id, a.title): a for a in areas}
    kras, items = [], []
    for role, (_areas, role_kras) in zip(roles, contents, strict=True):
        for position, item in enumerate(role_kras, start=1):
            kras.append(role_kra(ladder, role, area_of, position, item))
            items.append(item)
    KRA.objects.bulk_create(kras, batch_size=2000)
    kpis = [
        library_kpi(org, kra, kpi, position)
        for kra, item in zip(kras, items, strict=True)
        for position, kpi in enumerate(item["kpis"], start=1)
    ]
    KPI.objects.bulk_create(kpis, batch_size=2000)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                org=org,
                role=role,
                member_id=pk,
                start_date=start or datetime.date(2016, 1, 4),
            )
            for role, (pk, _t, _d, start, _e) in zip(roles, members, strict=True)
        ],
        batch_size=2000,
    )
    seed.roles += len(roles)
    seed.kras += len(kras)
    seed.kpis += len(kpis)
    seed.assignments += len(members)


def positions_seed(
    org: Organization, admin: Membership, *, progress: Progress | None = None
) -> RoleSeed:
    """Organisation and department KRAs with their KPIs, then a role of their own for every
    member with a job title, built ``CHUNK`` people at a time."""
    ladder = Ladder.load(org)
    members = list(
        Membership.objects.filter(org=org, is_active=True)
        .exclude(job_title="")
        .values_list("pk", "job_title", "department_id", "start_date", "employee_id")
        .order_by("pk")
    )
    org_kras_create(ladder, admin)
    department_kras_create(ladder)
    KPI.objects.bulk_create(ladder.kpis)
    seed = RoleSeed(kras=ladder.kras, kpis=len(ladder.kpis))
    for start in range(0, len(members), CHUNK):
        _chunk_create(ladder, members[start : start + CHUNK], seed)
        if progress:
            progress(
                f"  roles: {seed.roles:,} of {len(members):,} people, {seed.kras:,} KRAs, "
                f"{seed.kpis:,} KPIs"
            )
    return seed
