"""Reads of the roles app; each takes the organisation explicitly."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from orgs.models import Department, Organization

from .models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment


def _overdue(today: datetime.date) -> Q:
    return Q(
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date__lt=today,
    )


def current_assignments(*, today: datetime.date) -> Q:
    """Assignments held on ``today``."""
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def department_with_descendants(*, org: Organization, department: Department) -> set[int]:
    rows = list(Department.objects.filter(org=org).values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    result: set[int] = set()
    stack = [department.pk]
    while stack:
        pk = stack.pop()
        if pk not in result:
            result.add(pk)
            stack.extend(children.get(pk, []))
    return result


def filter_roles(
    queryset: QuerySet[Role],
    *,
    org: Organization,
    search: str = "",
    department: Department | None = None,
) -> QuerySet[Role]:
    """Narrow roles by a search text and a department (with the departments below it)."""
    if department is not None:
        queryset = queryset.filter(
            department_id__in=department_with_descendants(org=org, department=department)
        )
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(purpose__icontains=search)
            | Q(job_description__icontains=search)
            | Q(department__name__icontains=search)
        )
    return queryset


def with_justification_overdue(queryset: QuerySet[Role], *, today: datetime.date):
    """Annotate ``justification_overdue``: "not yet justified" and past the target date."""
    return queryset.annotate(
        justification_overdue=ExpressionWrapper(_overdue(today), output_field=BooleanField())
    )


def role_list(
    *,
    org: Organization,
    today: datetime.date,
    search: str = "",
    department: Department | None = None,
) -> QuerySet[Role]:
    """Roles with their department, reports-to role and current holders
    (``role.current_assignments``), flagged ``justification_overdue``. A department filter
    includes the departments below it."""
    qs = with_justification_overdue(
        Role.objects.filter(org=org).select_related("department", "reports_to"), today=today
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.filter(org=org)
            .filter(current_assignments(today=today))
            .select_related("member__user")
            .order_by("member__user__full_name", "id"),
            to_attr="current_assignments",
        )
    )
    return filter_roles(qs, org=org, search=search, department=department).order_by("title", "id")


def role_detail_prefetches(*, org_id: int) -> list[Prefetch]:
    """Areas in order with their responsibilities in priority order, and every assignment
    with its member: three queries whatever their number."""
    return [
        Prefetch(
            "areas",
            queryset=AreaOfFocus.objects.filter(org_id=org_id)
            .order_by("position", "id")
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    queryset=Responsibility.objects.filter(org_id=org_id).order_by(
                        "position", "id"
                    ),
                )
            ),
        ),
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.filter(org_id=org_id)
            .select_related("member__user")
            .order_by("-start_date", "id"),
        ),
    ]


def role_detail(*, role: Role) -> Role:
    """Load what the role page shows in a fixed number of queries."""
    prefetch_related_objects([role], *role_detail_prefetches(org_id=role.org_id))
    return role


def role_areas(*, role: Role) -> list[AreaOfFocus]:
    """The role's areas in order with their responsibilities (two queries)."""
    return list(
        AreaOfFocus.objects.filter(org_id=role.org_id, role=role)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.filter(org_id=role.org_id).order_by(
                    "position", "id"
                ),
            )
        )
    )


def is_justification_overdue(role: Role, today: datetime.date) -> bool:
    return bool(
        role.justification_kind == JustificationKind.NOT_YET
        and role.justification_target_date
        and role.justification_target_date < today
    )


def roles_needing_justification(*, org: Organization, today: datetime.date) -> QuerySet[Role]:
    """Roles still "not yet justified" after their target date, most overdue first (the org
    admin's attention list)."""
    return (
        Role.objects.filter(org=org)
        .filter(_overdue(today))
        .select_related("department")
        .order_by("justification_target_date", "title", "id")
    )
