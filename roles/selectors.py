"""Reads of the roles app; each takes the organisation explicitly."""

from __future__ import annotations

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from orgs import people_rules
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
    return people_rules.department_subtree(org_id=org.pk, roots=[department.pk])


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
    """Roles with their department, reports-to role and current holders (counted, and the
    first few named: see ``with_holder_preview``), flagged ``justification_overdue``. A
    department filter includes the departments below it."""
    qs = with_justification_overdue(
        Role.objects.filter(org=org).select_related("department", "reports_to"), today=today
    )
    qs = with_holder_preview(qs, org=org, today=today)
    return filter_roles(qs, org=org, search=search, department=department).order_by("title", "id")


#: Holders named per role in the roles list; the rest are counted ("and 42 more").
HOLDER_PREVIEW = 3


def with_holder_preview(
    queryset: QuerySet[Role], *, org: Organization, today: datetime.date
) -> QuerySet[Role]:
    """Annotate ``holder_count`` (people holding the role today), ``holder_names`` (the first
    ``HOLDER_PREVIEW`` of them by name) and ``holders_more`` (the rest), in subqueries of
    the same query: a role held by thousands costs no more than one held by three."""
    held = (
        RoleAssignment.objects.filter(org=org, role=OuterRef("pk"))
        .filter(current_assignments(today=today))
        .order_by()
    )
    count = held.values("role").annotate(n=Count("id")).values("n")[:1]
    names = (
        held.annotate(
            name=Coalesce(
                NullIf(F("member__user__full_name"), Value("")),
                "member__user__email",
                output_field=CharField(),
            )
        )
        .order_by("name", "id")
        .values("name")[:HOLDER_PREVIEW]
    )
    return queryset.annotate(
        holder_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        holder_names=ArraySubquery(names),
    ).annotate(holders_more=Greatest(F("holder_count") - HOLDER_PREVIEW, Value(0)))


def _areas_prefetch(org_id: int) -> Prefetch:
    """Areas in order with their responsibilities in priority order (two queries)."""
    return Prefetch(
        "areas",
        queryset=AreaOfFocus.objects.filter(org_id=org_id)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.filter(org_id=org_id).order_by("position", "id"),
            )
        ),
    )


def role_detail_prefetches(*, org_id: int) -> list[Prefetch]:
    """Areas in order with their responsibilities in priority order, and every assignment
    with its member: three queries whatever their number."""
    return [
        _areas_prefetch(org_id),
        Prefetch(
            "assignments",
            queryset=RoleAssignment.objects.filter(org_id=org_id)
            .select_related("member__user")
            .order_by("-start_date", "id"),
        ),
    ]


def role_detail(*, role: Role) -> Role:
    """Load the role page's areas and responsibilities in a fixed number of queries (its
    holders come a page at a time from ``role_holders``)."""
    prefetch_related_objects([role], _areas_prefetch(role.org_id))
    return role


#: Holders shown per page of the role page.
HOLDERS_PER_PAGE = 20


def role_holders(*, role: Role, today: datetime.date) -> QuerySet[RoleAssignment]:
    """Everyone who holds, will hold or held the role, each with their member: current and
    upcoming assignments first, then ended ones, latest start first. Paginate it."""
    return (
        RoleAssignment.objects.filter(org_id=role.org_id, role=role)
        .select_related("member__user")
        .annotate(
            ended=Case(
                When(end_date__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("ended", "-start_date", "id")
    )


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


def assignments_of_member(
    *, org: Organization, member, today: datetime.date
) -> list[RoleAssignment]:
    """The roles a member holds today and will hold later (not the ended ones), each with
    its role and department, current ones first (one query)."""
    rows = list(
        RoleAssignment.objects.filter(org=org, member=member)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("role__department")
        .order_by("start_date", "role__title", "id")
    )
    for assignment in rows:
        assignment.is_current = assignment.start_date <= today
    return sorted(rows, key=lambda a: not a.is_current)
