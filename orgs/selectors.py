"""Reads of the orgs app; each takes the organisation explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from .emails import normalize_email
from .models import (
    ApiToken,
    AuditEvent,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
)

#: The people list's status filter: who is listed.
MEMBER_STATUSES = ("active", "inactive", "all")


def member_list(
    *,
    org: Organization,
    search: str = "",
    include_inactive: bool = False,
    department: Department | None = None,
    status: str | None = None,
) -> QuerySet[Membership]:
    """Members by name. ``status`` ("active", "inactive" or "all") says who is listed;
    without it, active members, and deactivated ones too with ``include_inactive``."""
    qs = Membership.objects.filter(org=org).select_related("user", "department", "manager__user")
    if status is None:
        status = "all" if include_inactive else "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
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


def direct_reports(
    *, org: Organization, manager: Membership, include_inactive: bool = False
) -> QuerySet[Membership]:
    """The people who report to ``manager`` directly, by name."""
    return member_list(org=org, include_inactive=include_inactive).filter(manager=manager)


def api_tokens(
    *, org: Organization, user=None, include_revoked: bool = False
) -> QuerySet[ApiToken]:
    """The organisation's API tokens (of one person with ``user``), newest first, each with
    ``member_id``: the membership of its owner here."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    qs = ApiToken.objects.filter(org=org).select_related("user")
    if user is not None:
        qs = qs.filter(user=user)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    owner = Membership.objects.filter(org=org, user=OuterRef("user")).values("pk")[:1]
    return qs.annotate(member_id=Subquery(owner)).order_by("-created_at", "-id")


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

    return User.objects.filter(email=normalize_email(email)).exists()


def active_accounts_with_email(*, email: str):
    """The active account an email (in any spelling of its normal form) belongs to, as a
    queryset: at most one, matched exactly (orgs/emails.py)."""
    from .models import User

    return User.objects.filter(email=normalize_email(email), is_active=True)


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


def member_standing(*, org: Organization, member: Membership) -> list[str]:
    """What a person is in the organisation, as short phrases for an introduction: their org
    role when it is more than a member's, how many people they manage, the departments they
    head; "member" when none of these. Two queries."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from .models import OrgRole

    parts = []
    if member.role == OrgRole.ADMIN:
        parts.append(_("org admin"))
    elif member.role == OrgRole.HR:
        parts.append(_("HR"))
    reports = Membership.objects.filter(org=org, manager=member, is_active=True).count()
    if reports:
        parts.append(
            ngettext("manager of %(n)d person", "manager of %(n)d people", reports) % {"n": reports}
        )
    headed = list(
        Department.objects.filter(org=org, head=member)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if headed:
        parts.append(_("head of %(departments)s") % {"departments": ", ".join(headed)})
    return parts or [_("member")]


def member_search(*, org: Organization, text: str, limit: int) -> list[Membership]:
    """What a member picker offers for ``text``: active members found as the People page
    finds them, those whose name starts with it first, then names containing it, then the
    rest (email, job title, department), ``limit`` at most."""
    from django.db.models import Case, IntegerField, Value, When

    # Only the person is shown: none of the list's joins (manager, department) are loaded.
    found = member_list(org=org, search=text).select_related(None).select_related("user")
    ranked = found.annotate(
        rank=Case(
            When(user__full_name__istartswith=text, then=Value(0)),
            When(user__full_name__icontains=f" {text}", then=Value(1)),
            When(user__email__istartswith=text, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    )
    return list(ranked.order_by("rank", "user__full_name", "user__email", "pk")[:limit])
