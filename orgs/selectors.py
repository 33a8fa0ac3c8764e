"""Reads of the orgs app; each takes the organisation explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .models import AuditEvent, Department, Invitation, Membership, Notification, Organization


def member_list(
    *,
    org: Organization,
    search: str = "",
    include_inactive: bool = False,
    department: Department | None = None,
) -> QuerySet[Membership]:
    qs = Membership.objects.filter(org=org).select_related("user", "department", "manager__user")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if department is not None:
        qs = qs.filter(department=department)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(user__full_name__icontains=search)
            | Q(user__email__icontains=search)
            | Q(job_title__icontains=search)
            | Q(employee_id__iexact=search)
            | Q(department__name__icontains=search)
        )
    return qs.order_by("user__full_name", "user__email")


@dataclass
class DepartmentNode:
    department: Department
    member_count: int
    children: list[DepartmentNode] = field(default_factory=list)
    depth: int = 0


def department_tree(*, org: Organization) -> list[DepartmentNode]:
    """The department tree in two queries, whatever its size."""
    rows = list(
        Department.objects.filter(org=org)
        .select_related("head__user")
        .annotate(n=Count("members", filter=Q(members__is_active=True)))
        .order_by("name")
    )
    nodes = {d.pk: DepartmentNode(department=d, member_count=d.n) for d in rows}
    roots = []
    for d in rows:
        node = nodes[d.pk]
        if d.parent_id and d.parent_id in nodes:
            nodes[d.parent_id].children.append(node)
        else:
            roots.append(node)

    def set_depth(items, depth):
        for item in items:
            item.depth = depth
            set_depth(item.children, depth + 1)

    set_depth(roots, 0)
    return roots


def flatten_tree(nodes: list[DepartmentNode]) -> list[DepartmentNode]:
    out: list[DepartmentNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten_tree(node.children))
    return out


def department_path(department: Department) -> str:
    parts = []
    node = department
    while node is not None:
        parts.append(node.name)
        node = node.parent
    return " / ".join(reversed(parts))


def org_home_figures(*, org: Organization) -> dict:
    return {
        "members": Membership.objects.filter(org=org, is_active=True).count(),
        "departments": Department.objects.filter(org=org).count(),
        "pending_invitations": Invitation.objects.filter(
            org=org, accepted_at__isnull=True, revoked_at__isnull=True
        ).count(),
    }


def audit_for_object(*, org: Organization, object_type: str, object_id) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        org=org, object_type=object_type, object_id=str(object_id)
    ).select_related("actor")


def audit_recent(*, org: Organization) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(org=org).select_related("actor")


def inbox(*, member: Membership) -> QuerySet[Notification]:
    return Notification.objects.filter(org=member.org, recipient=member)


def memberships_of_user(*, user) -> QuerySet[Membership]:
    """The organisations a person may pick from (their active memberships)."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("org")
        .order_by("org__name")
    )


def account_exists(*, email: str) -> bool:
    from .models import User

    return User.objects.filter(email__iexact=(email or "").strip()).exists()


def fiscal_year_bounds(*, org: Organization, today=None):
    """The first and last day of the organisation's fiscal year that contains ``today``
    (the organisation's local date by default)."""
    import datetime

    from django.utils import timezone as dj_timezone

    today = today or dj_timezone.localdate()
    month = org.fiscal_year_start_month or 1
    start_year = today.year if today.month >= month else today.year - 1
    start = datetime.date(start_year, month, 1)
    next_start = datetime.date(start_year + 1, month, 1)
    return start, next_start - datetime.timedelta(days=1)
