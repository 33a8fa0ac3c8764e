"""Reads of the kras app; each takes the organisation explicitly."""

from __future__ import annotations

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from orgs.models import Department, Organization
from roles.models import Role

from .models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective


def objective_list(*, org: Organization, include_retired: bool = False) -> QuerySet:
    qs = StrategicObjective.objects.filter(org=org)
    if not include_retired:
        qs = qs.filter(status=ObjectiveStatus.ACTIVE)
    return qs.order_by("position", "id")


# --- KRAs -----------------------------------------------------------------------------------

#: What a KRA row shows, and its ladder up to the top (an organisation KRA has no parent, so
#: a role KRA's chain is at most role → department → organisation → objective).
KRA_RELATED = (
    "org",
    "role",
    "department",
    "area_of_focus",
    "owner__user",
    "objective",
    "parent__objective",
    "parent__parent__objective",
)

#: Highest level first: organisation, department, role.
_LEVEL_ORDER = Case(
    When(level=KRALevel.ORGANIZATION, then=Value(0)),
    When(level=KRALevel.DEPARTMENT, then=Value(1)),
    default=Value(2),
)


def _with_kpis(queryset: QuerySet[KRA]) -> QuerySet[KRA]:
    # KPIs come through the reverse relation (ordered by KPI.Meta), so that kras need not
    # import kpis: the dependency points the other way.
    return queryset.select_related(*KRA_RELATED).prefetch_related("kpis")


def _active(queryset: QuerySet[KRA], include_retired: bool) -> QuerySet[KRA]:
    return queryset if include_retired else queryset.exclude(status=KRAStatus.RETIRED)


def role_kras(role: Role, *, include_retired: bool = False) -> list[KRA]:
    """A role's KRAs in order, each with its KPIs and its ladder: three queries whatever
    their number."""
    qs = KRA.objects.filter(org_id=role.org_id, level=KRALevel.ROLE, role_id=role.pk)
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def kra_with_related(kra: KRA) -> KRA:
    """``kra`` again, with its KPIs and ladder loaded (after a write)."""
    return _with_kpis(KRA.objects.filter(org_id=kra.org_id, pk=kra.pk)).get()


def department_kras(department: Department, *, include_retired: bool = False) -> list[KRA]:
    qs = KRA.objects.filter(
        org_id=department.org_id, level=KRALevel.DEPARTMENT, department_id=department.pk
    )
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def org_kras(org: Organization, *, include_retired: bool = False) -> list[KRA]:
    qs = KRA.objects.filter(org=org, level=KRALevel.ORGANIZATION)
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def kra_list(
    *,
    org: Organization,
    levels: tuple[str, ...] = (KRALevel.ORGANIZATION, KRALevel.DEPARTMENT),
    department: Department | None = None,
    role: Role | None = None,
    status: str | None = None,
) -> QuerySet[KRA]:
    """KRAs of ``levels``, filtered; retired ones only when ``status`` asks for them. A role
    KRA matches ``department`` through its role."""
    qs = KRA.objects.filter(org=org, level__in=levels)
    if department is not None:
        qs = qs.filter(Q(department=department) | Q(role__department=department))
    if role is not None:
        qs = qs.filter(role=role)
    qs = qs.filter(status=status) if status else qs.exclude(status=KRAStatus.RETIRED)
    return (
        qs.select_related(*KRA_RELATED)
        .annotate(kpi_count=Count("kpis", distinct=True))
        .order_by(_LEVEL_ORDER, "department__name", "role__title", "position", "id")
    )


def kra_children(kra: KRA) -> list[KRA]:
    """The KRAs directly below ``kra``, each with those below it (a ladder has at most
    three levels, so two levels down is everything)."""
    below = KRA.objects.exclude(status=KRAStatus.RETIRED).select_related("role", "department")
    return list(
        below.filter(org_id=kra.org_id, parent_id=kra.pk)
        .prefetch_related(Prefetch("children", queryset=below.order_by("position", "id")))
        .order_by("level", "position", "id")
    )


def ladder_up(kra: KRA) -> list:
    """The chain above ``kra``: its parent KRAs, nearest first, then the objectives they
    serve (highest last)."""
    steps: list = []
    objectives: list = []
    node, seen = kra, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.objective_id and node.objective not in objectives:
            objectives.append(node.objective)
        node = node.parent
        if node is not None:
            steps.append(node)
    return steps + objectives


def ladder_status(kra: KRA) -> tuple[bool, str]:
    """Does ``kra`` reach an active strategic objective, directly or through the KRAs above
    it? With a message saying where it reaches, or where the ladder breaks."""
    node, seen = kra, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        objective = node.objective if node.objective_id else None
        if objective is not None and objective.status == ObjectiveStatus.ACTIVE:
            if node is kra:
                return True, _("“%(kra)s” ladders up to “%(objective)s”.") % {
                    "kra": kra.title,
                    "objective": objective.title,
                }
            return True, _("“%(kra)s” ladders up to “%(objective)s” through “%(via)s”.") % {
                "kra": kra.title,
                "objective": objective.title,
                "via": node.title,
            }
        parent = node.parent if node.parent_id else None
        if parent is not None and parent.status == KRAStatus.RETIRED:
            return False, _(
                "“%(kra)s” supports no strategic objective: “%(parent)s” above it is retired."
            ) % {"kra": kra.title, "parent": parent.title}
        node = parent
    if kra.parent_id is None and not kra.objective_id:
        return False, _("“%(kra)s” supports no strategic objective.") % {"kra": kra.title}
    return False, _(
        "“%(kra)s” supports no strategic objective: nothing above it reaches an active one."
    ) % {"kra": kra.title}


# --- The cascade explorer -------------------------------------------------------------------
# Its reads live in cascade_selectors.py; callers keep importing them from here.

from .cascade_selectors import (  # noqa: E402, F401
    CASCADE_HOLDER_PREVIEW,
    CascadeBranch,
    CascadeNode,
    CascadeTree,
    attach_holders,
    cascade_below,
    cascade_overview,
    cascade_tree,
)
