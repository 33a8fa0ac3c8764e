"""The upper rungs of the demo's KRA ladder: organisation KRAs owned by leadership and
department KRAs, each serving a strategic objective or its parent department's KRA, and the
KPIs that measure them. Built in memory and bulk-inserted."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kpis.models import KPI
from kras.models import KRA, KRALevel, StrategicObjective
from orgs.models import Department, Membership, Organization
from orgs.selectors import fiscal_year_bounds

from .data.kras import DEPARTMENT_KRAS, ORG_KRAS, DemoKPI, DemoKRA
from .data.roles import THEME_OBJECTIVE


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _this_fiscal_year(org: Organization) -> dict:
    start, end = fiscal_year_bounds(org=org)
    return {"start_date": start, "due_date": end}


def demo_kpi(org: Organization, kra: KRA, kpi: DemoKPI) -> KPI:
    """The one KPI of an organisation or department KRA."""
    measure = {"%": "percent", "USD": "currency"}.get(kpi.unit, "number")
    return KPI(
        org=org,
        kra=kra,
        name=kpi.name,
        measure_type=measure,
        currency_code="USD" if measure == "currency" else "",
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=as_decimal(kpi.baseline),
        target=as_decimal(kpi.target),
        frequency=kpi.frequency,
        aggregation=kpi.aggregation,
        weight=Decimal(100),
        position=1,
        **_this_fiscal_year(org),
    )


def library_kpi(org: Organization, kra: KRA, item: dict, position: int) -> KPI:
    """A KPI of a role KRA, as the template library describes it."""
    return KPI(
        org=org,
        kra=kra,
        name=item["name"],
        description=item.get("description", ""),
        measure_type=item["measure_type"],
        currency_code=item.get("currency_code") or "",
        unit=item.get("unit") or "",
        direction=item["direction"],
        baseline=as_decimal(item.get("baseline")),
        target=as_decimal(item.get("target")),
        target_low=as_decimal(item.get("target_low")),
        target_high=as_decimal(item.get("target_high")),
        frequency=item["frequency"],
        aggregation=item["aggregation"],
        weight=as_decimal(item["weight"]),
        position=position,
        **_this_fiscal_year(org),
    )


@dataclass
class Ladder:
    """What the roles' KRAs hang from: the objectives, the departments and each
    department's KRAs by theme; plus the KPIs built so far, inserted together at the end."""

    org: Organization
    objectives: list[StrategicObjective]
    departments: dict[int, Department]
    themed: dict[int, list[tuple[str, KRA]]] = field(default_factory=dict)
    kpis: list[KPI] = field(default_factory=list)
    kras: int = 0

    @classmethod
    def load(cls, org: Organization) -> Ladder:
        return cls(
            org=org,
            objectives=list(StrategicObjective.objects.filter(org=org).order_by("position", "id")),
            departments={d.pk: d for d in Department.objects.filter(org=org).order_by("pk")},
        )

    def objective_for(self, theme: str) -> StrategicObjective:
        index = THEME_OBJECTIVE.get(theme, 0)
        return self.objectives[index] if index < len(self.objectives) else self.objectives[0]

    def chain(self, department_id: int | None) -> list[int]:
        """The department and those above it, nearest first."""
        chain, node = [], department_id
        while node is not None and node not in chain:
            chain.append(node)
            node = self.departments[node].parent_id
        return chain

    def parent_for(self, department_id: int | None, theme: str) -> KRA | None:
        """The department KRA a role KRA of ``theme`` serves: the same theme in the role's
        department or the nearest one above, else one serving the same objective, else the
        department's first KRA."""
        chain = self.chain(department_id)
        for dept in chain:
            for kra_theme, kra in self.themed.get(dept, []):
                if kra_theme == theme:
                    return kra
        objective = self.objective_for(theme)
        for dept in chain:
            for _theme, kra in self.themed.get(dept, []):
                if kra.objective_id == objective.pk:
                    return kra
        for dept in chain:
            if self.themed.get(dept):
                return self.themed[dept][0][1]
        return None


def org_kras_create(ladder: Ladder, admin: Membership) -> None:
    """Organisation KRAs, owned by leadership, each serving an objective."""
    org = ladder.org
    org_kras = [
        KRA(
            org=org,
            level=KRALevel.ORGANIZATION,
            title=item.title,
            definition=item.definition,
            owner=admin,
            weight=Decimal(item.weight),
            priority=position,
            objective=ladder.objective_for(item.theme),
            position=position,
        )
        for position, item in enumerate(ORG_KRAS, start=1)
    ]
    KRA.objects.bulk_create(org_kras)
    ladder.kpis += [
        demo_kpi(org, kra, item.kpi) for kra, item in zip(org_kras, ORG_KRAS, strict=True)
    ]
    ladder.kras += len(org_kras)


def _department_kra(ladder: Ladder, department: Department, position: int, item: DemoKRA) -> KRA:
    """A department KRA: it serves its parent department's KRA of the same theme (or one
    serving the same objective); a top department's serves the objective itself."""
    above = ladder.themed.get(department.parent_id, [])
    parent = next((k for t, k in above if t == item.theme), None) or next(
        (k for _t, k in above if k.objective_id == ladder.objective_for(item.theme).pk),
        None,
    )
    return KRA(
        org=ladder.org,
        level=KRALevel.DEPARTMENT,
        title=item.title,
        definition=item.definition,
        department=department,
        weight=Decimal(item.weight),
        priority=min(position, 5),
        parent=parent,
        objective=None if parent else ladder.objective_for(item.theme),
        position=position,
    )


def department_kras_create(ladder: Ladder) -> None:
    """Department KRAs: top departments ladder to the objectives, the teams inside them to
    their parent department's KRA of the same theme (so top departments go first)."""
    for top_level in (True, False):
        batch, items = [], []
        for department in ladder.departments.values():
            if (department.parent_id is None) != top_level:
                continue
            for position, item in enumerate(DEPARTMENT_KRAS.get(department.name, ()), start=1):
                kra = _department_kra(ladder, department, position, item)
                batch.append(kra)
                items.append(item)
                ladder.themed.setdefault(department.pk, []).append((item.theme, kra))
        KRA.objects.bulk_create(batch)
        ladder.kpis += [
            demo_kpi(ladder.org, kra, item.kpi) for kra, item in zip(batch, items, strict=True)
        ]
        ladder.kras += len(batch)
