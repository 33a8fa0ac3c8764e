"""The demo's roles, built from the KRA template library (one per job title and department,
held by everyone with that title there), their areas of focus and KRAs, and who holds them.

A fixed number of statements (bulk inserts) whatever the number of people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from kpis.models import KPI
from kras import library
from kras.models import KRA, KRALevel
from orgs.models import Membership, Organization
from roles.models import AreaOfFocus, JustificationKind, Role, RoleAssignment

from .data.roles import COMPLIANCE_TEMPLATES, NOT_YET_JUSTIFIED, REVENUE_TEMPLATES, template_key
from .kras import Ladder, as_decimal, department_kras_create, library_kpi, org_kras_create

RoleKey = tuple[int | None, str]  # (department id, job title)


@dataclass
class RoleSeed:
    roles: int = 0
    kras: int = 0
    kpis: int = 0
    assignments: int = 0


@dataclass
class _Roles:
    """The roles being built, by (department, title), with the template each comes from."""

    by_key: dict[RoleKey, Role] = field(default_factory=dict)
    templates: dict[RoleKey, library.RoleTemplate] = field(default_factory=dict)


def _justification(title: str, template: library.RoleTemplate) -> str:
    if title == NOT_YET_JUSTIFIED:
        return JustificationKind.NOT_YET
    if template.key.startswith(REVENUE_TEMPLATES):
        return JustificationKind.REVENUE
    if template.key.startswith(COMPLIANCE_TEMPLATES):
        return JustificationKind.COMPLIANCE
    return JustificationKind.FREES_CAPACITY


def role_from_template(ladder: Ladder, department_id: int | None, title: str, template) -> Role:
    department = ladder.departments.get(department_id)
    serves = sorted(
        {ladder.objective_for(kra["theme"]).title for kra in template.kras if kra.get("theme")}
    )
    return Role(
        org=ladder.org,
        department=department,
        title=title,
        purpose=template.purpose,
        mission_alignment=(
            "Keeps the workplaces we serve stocked, safe and running by owning "
            f"{template.kras[0]['title'].lower()}."
        ),
        strategy_contribution="Advances: " + "; ".join(serves) + ".",
        justification_kind=_justification(title, template),
        justification_target_date=(
            datetime.date(2025, 12, 31) if title == NOT_YET_JUSTIFIED else None
        ),
        job_description=(
            f"{title}{' in ' + department.name if department else ''}. {template.purpose}"
        ),
    )


def roles_create(ladder: Ladder, members: list[tuple]) -> _Roles:
    """One role per job title and department that someone holds, from the library."""
    titles = sorted(
        {(department_id, title) for _pk, title, department_id, _d in members},
        key=lambda item: (item[0] or 0, item[1]),
    )
    roles = _Roles()
    for department_id, title in titles:
        template = library.get(template_key(title))
        roles.by_key[(department_id, title)] = role_from_template(
            ladder, department_id, title, template
        )
        roles.templates[(department_id, title)] = template
    Role.objects.bulk_create(list(roles.by_key.values()))
    return roles


def areas_create(org: Organization, roles: _Roles) -> dict[tuple[int, str], AreaOfFocus]:
    """Each role's areas of focus from its template, by (role id, title)."""
    areas = []
    for key, role in roles.by_key.items():
        for position, area in enumerate(roles.templates[key].areas_of_focus, start=1):
            areas.append(AreaOfFocus(org=org, role=role, title=area, position=position))
    AreaOfFocus.objects.bulk_create(areas)
    return {(a.role_id, a.title): a for a in areas}


def role_kra(ladder: Ladder, role: Role, area_of: dict, position: int, item: dict) -> KRA:
    parent = ladder.parent_for(role.department_id, item.get("theme", ""))
    return KRA(
        org=ladder.org,
        level=KRALevel.ROLE,
        title=item["title"],
        definition=item.get("definition", ""),
        role=role,
        area_of_focus=area_of.get((role.pk, item.get("area"))),
        weight=as_decimal(item["weight"]),
        priority=min(position, 5),
        parent=parent,
        # Leadership roles outside any department serve the objectives directly.
        objective=None if parent else ladder.objective_for(item.get("theme", "")),
        position=position,
    )


def role_kras_create(ladder: Ladder, roles: _Roles, area_of: dict) -> None:
    """Each role's KRAs and their KPIs from its template, serving the department KRAs."""
    role_kras, role_items = [], []
    for key, role in roles.by_key.items():
        for position, item in enumerate(roles.templates[key].kras, start=1):
            role_kras.append(role_kra(ladder, role, area_of, position, item))
            role_items.append(item)
    KRA.objects.bulk_create(role_kras, batch_size=1000)
    for kra, item in zip(role_kras, role_items, strict=True):
        ladder.kpis += [
            library_kpi(ladder.org, kra, kpi, position)
            for position, kpi in enumerate(item["kpis"], start=1)
        ]
    ladder.kras += len(role_kras)


def assignments_create(org: Organization, roles: _Roles, members: list[tuple]) -> int:
    """Everyone holds the role of their job title in their department."""
    assignments = [
        RoleAssignment(
            org=org,
            role=roles.by_key[(department_id, title)],
            member_id=pk,
            start_date=start_date or datetime.date(2016, 1, 4),
        )
        for pk, title, department_id, start_date in members
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=2000)
    return len(assignments)


def roles_and_kras_seed(org: Organization, admin: Membership) -> RoleSeed:
    """Organisation, department and role KRAs with their KPIs, the roles of every job title
    in every department, and who holds them."""
    ladder = Ladder.load(org)
    members = list(
        Membership.objects.filter(org=org, is_active=True)
        .exclude(job_title="")
        .values_list("pk", "job_title", "department_id", "start_date")
        .order_by("pk")
    )
    org_kras_create(ladder, admin)
    department_kras_create(ladder)
    roles = roles_create(ladder, members)
    area_of = areas_create(org, roles)
    role_kras_create(ladder, roles, area_of)
    KPI.objects.bulk_create(ladder.kpis, batch_size=1000)
    assignments = assignments_create(org, roles, members)
    return RoleSeed(
        roles=len(roles.by_key),
        kras=ladder.kras,
        kpis=len(ladder.kpis),
        assignments=assignments,
    )
