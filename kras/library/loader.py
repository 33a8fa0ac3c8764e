"""The loader of the KRA template library shipped with the product: one JSON file per
department or job family beside it in ``kras/library/``, each with one to three role
templates (a purpose, areas of focus, and KRAs with their KPIs).

Files are validated when first loaded, so a bad edit fails loudly (and in the test suite)
instead of producing half-built roles. Organisations' own templates (``KRATemplate``) use
the same ``content`` shape and the same validation, minus the counts and totals: a role
saved while still being drafted may not add up yet. The counts and totals are decided by
the drafting rules' own functions (``kras.rules``: ``count_within``, ``weights_complete``),
the ones a role's readiness and an agreement's proposal use; shipped templates hold
themselves to the organisation settings' default ranges.

This module knows the KPI vocabulary as plain strings, because kras sits to the left of
kpis; a test holds them equal to the choices of ``kpis.models``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .. import rules
from ..org_settings import COUNT_DEFAULTS

LIBRARY_DIR = Path(__file__).resolve().parent

MEASURE_TYPES = ("number", "percent", "currency", "boolean")
DIRECTIONS = ("increase", "decrease", "range", "boolean")
FREQUENCIES = ("weekly", "monthly", "quarterly", "annual")
AGGREGATIONS = ("sum", "avg", "last", "min", "max")
#: Which kind of strategic objective a KRA usually serves; a hint for laddering.
THEMES = ("growth", "customers", "operations", "people", "technology", "compliance", "finance")

#: What a shipped template holds itself to: the default ranges of the count settings.
KRA_RANGE = (COUNT_DEFAULTS["kra_min"], COUNT_DEFAULTS["kra_max"])
KPI_RANGE = (COUNT_DEFAULTS["kpi_min"], COUNT_DEFAULTS["kpi_max"])
ROLES_PER_FAMILY = (1, 3)

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class LibraryError(ValueError):
    """A template file or a template's content is not valid; ``problems`` lists each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RoleTemplate:
    """One role template: ``key`` is "<family>.<role>", e.g. "sales.sales-executive"."""

    key: str
    family: str
    category: str
    title: str
    purpose: str
    content: dict = field(repr=False, hash=False, compare=False)

    @property
    def kras(self) -> list[dict]:
        return self.content["kras"]

    @property
    def areas_of_focus(self) -> list[str]:
        return self.content.get("areas_of_focus", [])

    @property
    def kpi_count(self) -> int:
        return sum(len(k["kpis"]) for k in self.kras)

    def matches(self, query: str) -> bool:
        """Case-insensitive search over the title, purpose, category, KRAs and KPIs."""
        query = query.strip().lower()
        if not query:
            return True
        texts = [self.title, self.purpose, self.category, *self.areas_of_focus]
        for kra in self.kras:
            texts += [kra["title"], kra.get("definition", "")]
            texts += [kpi["name"] for kpi in kra["kpis"]]
        return any(query in text.lower() for text in texts)


@dataclass(frozen=True)
class Family:
    key: str
    category: str
    description: str
    roles: tuple[RoleTemplate, ...]


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_kpi(kpi, where: str, *, strict: bool = True) -> list[str]:
    """Problems with one KPI. What drafting only warns about (no target or unit yet, a weight
    of 0, a baseline on the wrong side of the target: the SMART check's "M" and "A" in
    ``kpis.readiness``) is refused in the shipped library (``strict``) alone: an
    organisation's template keeps a role as it was drafted."""
    if not isinstance(kpi, dict):
        return [f"{where}: a KPI must be an object"]
    problems = []
    if not _text(kpi.get("name")):
        problems.append(f"{where}: a KPI needs a name")
    where = f"{where}, KPI “{kpi.get('name', '?')}”"
    measure = kpi.get("measure_type")
    direction = kpi.get("direction")
    if measure not in MEASURE_TYPES:
        problems.append(f"{where}: measure_type must be one of {', '.join(MEASURE_TYPES)}")
    if direction not in DIRECTIONS:
        problems.append(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
    if kpi.get("frequency") not in FREQUENCIES:
        problems.append(f"{where}: frequency must be one of {', '.join(FREQUENCIES)}")
    if kpi.get("aggregation") not in AGGREGATIONS:
        problems.append(f"{where}: aggregation must be one of {', '.join(AGGREGATIONS)}")
    if (measure == "boolean") != (direction == "boolean"):
        problems.append(f"{where}: a done/not-done KPI is boolean in measure and direction")
    if measure == "currency" and not re.fullmatch(r"[A-Z]{3}", kpi.get("currency_code") or ""):
        problems.append(f"{where}: a currency KPI needs a three-letter currency_code")
    if strict and measure != "boolean" and not _text(kpi.get("unit")):
        problems.append(f"{where}: a KPI needs a unit (SMART: measurable)")
    weight = _number(kpi.get("weight"))
    if weight is None or not (0 < weight if strict else 0 <= weight) or weight > 100:
        problems.append(
            f"{where}: weight must be a number above 0 and at most 100"
            if strict
            else f"{where}: weight must be a number from 0 to 100"
        )
    baseline = _number(kpi.get("baseline"))
    if kpi.get("baseline") is not None and baseline is None:
        problems.append(f"{where}: baseline must be a number")
    if direction == "range":
        low, high = _number(kpi.get("target_low")), _number(kpi.get("target_high"))
        if kpi.get("target_low") is not None and low is None:
            problems.append(f"{where}: target_low must be a number")
        if kpi.get("target_high") is not None and high is None:
            problems.append(f"{where}: target_high must be a number")
        if low is not None and high is not None:
            if low >= high:
                problems.append(f"{where}: a range KPI needs target_low below target_high")
        elif strict or (low is None) != (high is None):
            problems.append(f"{where}: a range KPI needs target_low below target_high")
    elif direction in ("increase", "decrease"):
        target = _number(kpi.get("target"))
        if kpi.get("target") is not None and target is None:
            problems.append(f"{where}: target must be a number")
        elif target is None:
            if strict:
                problems.append(f"{where}: a KPI needs a numeric target (SMART: measurable)")
        elif (
            strict
            and baseline is not None
            and (
                (direction == "increase" and baseline >= target)
                or (direction == "decrease" and baseline <= target)
            )
        ):
            problems.append(f"{where}: the baseline must be on the far side of the target")
    return problems


def _total_problem(items: list[dict], what: str, where: str) -> str | None:
    total = rules.weight_sum(_number(i.get("weight")) for i in items)
    if not rules.weights_complete(total):
        return f"{where}: {what} weights total {total.normalize():f}, not 100"
    return None


def validate_content(content, *, strict: bool = True) -> list[str]:
    """Problems with one template's content (``{"purpose", "areas_of_focus", "kras"}``).
    ``strict`` adds the counts (``KRA_RANGE`` KRAs, ``KPI_RANGE`` KPIs each) and the weight
    totals of 100."""
    if not isinstance(content, dict) or not isinstance(content.get("kras"), list):
        return ["the template needs a list of KRAs"]
    problems = []
    areas = content.get("areas_of_focus", [])
    if not isinstance(areas, list) or not all(_text(a) for a in areas):
        problems.append("areas_of_focus must be a list of names")
        areas = []
    kras = content["kras"]
    if not kras:
        problems.append("the template has no KRAs")
    if strict and kras and not rules.count_within(len(kras), *KRA_RANGE):
        problems.append(f"{len(kras)} KRAs, not {KRA_RANGE[0]} to {KRA_RANGE[1]}")
    for number, kra in enumerate(kras, start=1):
        if not isinstance(kra, dict):
            problems.append(f"KRA {number}: must be an object")
            continue
        if not _text(kra.get("title")):
            problems.append(f"KRA {number}: needs a title")
        where = f"KRA “{kra.get('title', number)}”"
        weight = _number(kra.get("weight"))
        if weight is None or not 0 <= weight <= 100:
            problems.append(f"{where}: weight must be a number from 0 to 100")
        if kra.get("area") and kra["area"] not in areas:
            problems.append(f"{where}: area “{kra['area']}” is not among the areas of focus")
        if kra.get("theme") is not None and kra["theme"] not in THEMES:
            problems.append(f"{where}: theme must be one of {', '.join(THEMES)}")
        kpis = kra.get("kpis")
        if not isinstance(kpis, list):
            problems.append(f"{where}: needs a list of KPIs")
            continue
        if strict and not rules.count_within(len(kpis), *KPI_RANGE):
            problems.append(f"{where}: {len(kpis)} KPIs, not {KPI_RANGE[0]} to {KPI_RANGE[1]}")
        for kpi in kpis:
            problems += _check_kpi(kpi, where, strict=strict)
        if strict and kpis and (problem := _total_problem(kpis, "KPI", where)):
            problems.append(problem)
    if strict and kras and (problem := _total_problem(kras, "KRA", "the role")):
        problems.append(problem)
    return problems


def _load_family(path: Path) -> tuple[Family | None, list[str]]:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, [f"{name}: cannot be read as JSON ({exc})"]
    problems = []
    if data.get("family") != path.stem:
        problems.append(f"{name}: family must be “{path.stem}”, the file's name")
    if not _text(data.get("category")):
        problems.append(f"{name}: needs a category")
    roles_data = data.get("roles")
    if not isinstance(roles_data, list) or not (
        ROLES_PER_FAMILY[0] <= len(roles_data) <= ROLES_PER_FAMILY[1]
    ):
        problems.append(f"{name}: needs one to three roles")
        roles_data = []
    roles = []
    seen: set[str] = set()
    for role in roles_data:
        key = role.get("key", "")
        where = f"{name}, role “{key or '?'}”"
        if not _KEY.match(key) or key in seen:
            problems.append(f"{where}: key must be unique, lowercase words joined by hyphens")
        seen.add(key)
        if not _text(role.get("title")) or not _text(role.get("purpose")):
            problems.append(f"{where}: needs a title and a purpose")
        content = {
            "purpose": role.get("purpose", ""),
            "areas_of_focus": role.get("areas_of_focus", []),
            "kras": role.get("kras"),
        }
        problems += [f"{where}: {p}" for p in validate_content(content, strict=True)]
        roles.append(
            RoleTemplate(
                key=f"{path.stem}.{key}",
                family=path.stem,
                category=data.get("category", ""),
                title=role.get("title", ""),
                purpose=role.get("purpose", ""),
                content=content,
            )
        )
    family = Family(
        key=path.stem,
        category=data.get("category", ""),
        description=data.get("description", ""),
        roles=tuple(roles),
    )
    return family, problems


def check_library(directory: Path = LIBRARY_DIR) -> list[str]:
    """Every problem in every file of the library (empty when all is well)."""
    problems = []
    for path in sorted(directory.glob("*.json")):
        problems += _load_family(path)[1]
    return problems


@functools.cache
def families() -> tuple[Family, ...]:
    """The library, ordered by category; raises LibraryError if any file is invalid."""
    loaded, problems = [], []
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        family, file_problems = _load_family(path)
        problems += file_problems
        if family is not None:
            loaded.append(family)
    if problems:
        raise LibraryError(problems)
    return tuple(sorted(loaded, key=lambda f: f.category.lower()))


def templates() -> list[RoleTemplate]:
    return [role for family in families() for role in family.roles]


def get(key: str) -> RoleTemplate:
    """The role template with ``key`` ("<family>.<role>"); KeyError when there is none."""
    for role in templates():
        if role.key == key:
            return role
    raise KeyError(key)


def search(query: str = "", category: str = "") -> list[RoleTemplate]:
    return [
        role
        for role in templates()
        if (not category or role.family == category) and role.matches(query)
    ]
