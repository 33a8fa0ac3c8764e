"""Reads of agreements; each takes the organisation explicitly and keeps a constant number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import KPI
from kras.models import KRA, KRALevel, KRAStatus
from orgs.models import Department, Membership, Organization, OrgRole
from orgs.selectors import fiscal_year_bounds

from .models import (
    OPEN_STATUSES,
    Agreement,
    AgreementComment,
    AgreementEvent,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    Signature,
)

_AGREEMENT_RELATED = (
    "org",
    "employee__user",
    "employee__department",
    "manager__user",
    "role__department",
    "current_version",
)


def agreements_for_person(*, org: Organization, member: Membership) -> QuerySet[Agreement]:
    """The member's own agreements, latest period first (one query)."""
    return (
        Agreement.objects.filter(org=org, employee=member)
        .select_related(*_AGREEMENT_RELATED)
        .order_by("-period_start", "-created_at", "-id")
    )


def agreement_signatures(*, agreement: Agreement) -> list[Signature]:
    return list(
        Signature.objects.filter(org_id=agreement.org_id, agreement=agreement)
        .select_related("version")
        .order_by("sequence")
    )


def agreement_timeline(*, agreement: Agreement) -> list[AgreementEvent]:
    return list(
        AgreementEvent.objects.filter(org_id=agreement.org_id, agreement=agreement)
        .select_related("version")
        .order_by("created_at", "id")
    )


def agreement_comments(*, agreement: Agreement) -> list[AgreementComment]:
    return list(
        AgreementComment.objects.filter(org_id=agreement.org_id, agreement=agreement)
        .select_related("author__user", "version")
        .order_by("created_at", "id")
    )


def agreement_growth_plan(*, agreement: Agreement) -> list[GrowthGoal]:
    return list(
        GrowthGoal.objects.filter(org_id=agreement.org_id, agreement=agreement).order_by(
            "position", "id"
        )
    )


# --- the team ---------------------------------------------------------------------------------


class TeamStatus:
    NONE = "none"
    DRAFT = "draft"
    AWAITING_EMPLOYEE = "awaiting_employee"
    AWAITING_MANAGER = "awaiting_manager"
    AWAITING_HR = "awaiting_hr"
    ACTIVE = "active"
    NEEDS_AMENDMENT = "needs_amendment"

    LABELS = {
        NONE: _("No agreement"),
        DRAFT: _("Draft"),
        AWAITING_EMPLOYEE: _("Awaiting the employee"),
        AWAITING_MANAGER: _("Awaiting the manager"),
        AWAITING_HR: _("Awaiting HR"),
        ACTIVE: _("Active"),
        NEEDS_AMENDMENT: _("Needs amendment"),
    }


_BY_STATUS = {
    AgreementStatus.DRAFT: TeamStatus.DRAFT,
    AgreementStatus.PROPOSED: TeamStatus.AWAITING_EMPLOYEE,
    AgreementStatus.EMPLOYEE_SIGNED: TeamStatus.AWAITING_MANAGER,
    AgreementStatus.AWAITING_HR: TeamStatus.AWAITING_HR,
    AgreementStatus.ACTIVE: TeamStatus.ACTIVE,
}


@dataclass(frozen=True)
class TeamRow:
    """One person of the team: their agreement for the period (the one under way before
    the one in force), its status as the team page says it, and since when it has waited
    in that status (None without an agreement)."""

    member: Membership
    agreement: Agreement | None
    status: str
    since: datetime.datetime | None
    waited: datetime.timedelta | None
    # How the role differs today from what the agreement in force froze (``role_changes``).
    changes: object = None

    @property
    def status_label(self) -> str:
        return str(TeamStatus.LABELS[self.status])


def role_changed_since_signing():
    """Annotation: the agreement's role changed after its version was frozen (a KRA or KPI
    added, edited or retired, or a KRA flagged by the cascade): it needs an amendment
    (docs/DOMAIN.md rule R29)."""
    frozen = OuterRef("current_version__created_at")
    role = OuterRef("role_id")
    kra_changed = KRA.objects.filter(org_id=OuterRef("org_id"), role_id=role).filter(
        Q(updated_at__gt=frozen) | Q(created_at__gt=frozen) | Q(status=KRAStatus.NEEDS_REVIEW)
    )
    kpi_changed = KPI.objects.filter(org_id=OuterRef("org_id"), kra__role_id=role).filter(
        Q(updated_at__gt=frozen) | Q(created_at__gt=frozen)
    )
    return Exists(kra_changed) | Exists(kpi_changed)


def team_agreements(
    *,
    org: Organization,
    manager: Membership,
    period_start: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[TeamRow]:
    """The manager's active direct reports with their agreement for the period starting
    ``period_start`` (the current fiscal year by default): none, draft, awaiting the
    employee, awaiting the manager, awaiting HR, active, or active but needing an amendment
    because the role changed since (``role_changes``). Five queries, whatever the team's
    size."""
    if period_start is None:
        period_start, _end = fiscal_year_bounds(org=org)
    now = now or timezone.now()
    members = list(
        Membership.objects.filter(org=org, manager=manager, is_active=True)
        .select_related("user", "department")
        .order_by("user__full_name", "user__email", "id")
    )
    agreements = (
        Agreement.objects.filter(
            org=org,
            employee_id__in=[m.pk for m in members],
            period_start=period_start,
            status__in=[*OPEN_STATUSES, AgreementStatus.ACTIVE],
        )
        .select_related("role", "current_version")
        .annotate(role_changed=role_changed_since_signing())
        .order_by("employee_id", "created_at", "id")
    )
    # Per person: an agreement under way (a draft, an amendment) before the one in force.
    chosen: dict[int, Agreement] = {}
    for agreement in agreements:
        current = chosen.get(agreement.employee_id)
        if current is None or (
            current.status == AgreementStatus.ACTIVE and agreement.status != AgreementStatus.ACTIVE
        ):
            chosen[agreement.employee_id] = agreement
    changed = role_changes(org=org, agreements=chosen.values())
    rows = []
    for member in members:
        agreement = chosen.get(member.pk)
        if agreement is None:
            rows.append(TeamRow(member, None, TeamStatus.NONE, None, None))
            continue
        status = _BY_STATUS[agreement.status]
        changes = changed.get(agreement.pk)
        if status == TeamStatus.ACTIVE and (changes is not None or agreement.role_changed):
            status = TeamStatus.NEEDS_AMENDMENT
        since = agreement.status_changed_at
        rows.append(TeamRow(member, agreement, status, since, now - since, changes))
    return rows


# --- what awaits a signature --------------------------------------------------------------------


def pending_signatures(*, org: Organization, member: Membership) -> list[Agreement]:
    """The agreements awaiting ``member``'s signature: their own, proposed; those they
    countersign (as manager of record, or by a per-object grant), signed by the person; and,
    for HR, those awaiting HR's acknowledgement (not their own). Oldest waiting first; two
    query."""
    from guardian.shortcuts import get_objects_for_user

    delegated = get_objects_for_user(
        member.user,
        "reviews.sign_agreement",
        klass=Agreement.objects.filter(org=org),
        with_superuser=False,
        accept_global_perms=False,
    ).values("pk")
    due = Q(employee=member, status=AgreementStatus.PROPOSED) | Q(
        status=AgreementStatus.EMPLOYEE_SIGNED
    ) & (Q(manager=member) | Q(pk__in=delegated))
    if member.role in (OrgRole.ADMIN, OrgRole.HR):
        due |= Q(status=AgreementStatus.AWAITING_HR) & ~Q(employee=member)
    if not member.is_active:
        return []
    # A manager who is HR too has signed the version already: one signature per person.
    signed = Signature.objects.filter(
        org_id=OuterRef("org_id"),
        agreement_id=OuterRef("pk"),
        version_id=OuterRef("current_version_id"),
        signer_id=member.pk,
    )
    return list(
        Agreement.objects.filter(org=org)
        .filter(due)
        .exclude(Exists(signed))
        .select_related(*_AGREEMENT_RELATED)
        .order_by("status_changed_at", "id")
    )


# --- how many have signed ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignedShare:
    """People with an agreement in force among the active members of a department (or of
    the organisation, ``department`` None)."""

    department: Department | None
    name: str
    people: int
    signed: int

    @property
    def share(self) -> Decimal:
        if not self.people:
            return Decimal(0)
        return (Decimal(self.signed) / Decimal(self.people)).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def signed_share(*, org: Organization, on: datetime.date | None = None) -> dict:
    """Per department and for the whole organisation, how many active members have an
    agreement in force covering ``on`` (today, in the organisation's calendar, by default):
    ``{"organisation": SignedShare, "departments": [SignedShare, …]}``, departments by
    name, people in no department last as "No department". Two queries."""
    on = on or timezone.localdate()
    in_force = Agreement.objects.filter(
        org=org,
        employee_id=OuterRef("pk"),
        status=AgreementStatus.ACTIVE,
        period_start__lte=on,
        period_end__gte=on,
    )
    rows = (
        Membership.objects.filter(org=org, is_active=True)
        .annotate(has_agreement=Exists(in_force))
        .values("department_id")
        .annotate(people=Count("id"), signed=Count("id", filter=Q(has_agreement=True)))
        .order_by()
    )
    counts = {row["department_id"]: (row["people"], row["signed"]) for row in rows}
    departments = {
        d.pk: d
        for d in Department.objects.filter(org=org, pk__in=[k for k in counts if k is not None])
    }
    result = [
        SignedShare(departments[pk], departments[pk].name, *counts[pk])
        for pk in sorted(departments, key=lambda pk: (departments[pk].name.lower(), pk))
    ]
    if None in counts:
        result.append(SignedShare(None, str(_("No department")), *counts[None]))
    people = sum(c[0] for c in counts.values())
    signed = sum(c[1] for c in counts.values())
    return {
        "organisation": SignedShare(None, org.name, people, signed),
        "departments": result,
    }


# --- what a member may read -----------------------------------------------------------------


def agreements_visible_to(*, org: Organization, member: Membership) -> QuerySet[Agreement]:
    """The agreements ``member`` may read (docs/DOMAIN.md rule R40, as ``orgs.policy`` says
    it for one agreement): HR every one; anyone else their own and those of the people they
    manage (manager of record, anyone above in the reporting line, the head of the
    person's department or of one above it). Two queries to build, one to read."""
    from orgs.people_rules import children_of, headed_department_ids, subtree

    queryset = Agreement.objects.filter(org=org).select_related(*_AGREEMENT_RELATED)
    if not member.is_active:
        return queryset.none()
    if member.role in (OrgRole.ADMIN, OrgRole.HR):
        return queryset
    pairs = Membership.objects.filter(org=org).values_list("pk", "manager_id")
    below = subtree([member.pk], children_of(pairs)) - {member.pk}
    return queryset.filter(
        Q(employee=member)
        | Q(manager=member)
        | Q(employee_id__in=below)
        | Q(employee__department_id__in=headed_department_ids(member))
    )


# --- versions ------------------------------------------------------------------------------


def agreement_versions(*, agreement: Agreement) -> list[AgreementVersion]:
    """The agreement's frozen versions, first to last, with who froze each (one query)."""
    return list(
        AgreementVersion.objects.filter(org_id=agreement.org_id, agreement=agreement)
        .select_related("created_by__user")
        .order_by("number")
    )


def agreement_version(*, agreement: Agreement, number) -> AgreementVersion | None:
    """Version ``number`` of the agreement, or None."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return AgreementVersion.objects.filter(
        org_id=agreement.org_id, agreement=agreement, number=number
    ).first()


# --- the role changed since signing -----------------------------------------------------------

#: The fields of a role KRA and of a role KPI an agreement freezes and the role may change.
_ROLE_KRA_FIELDS = ("definition", "area_of_focus", "priority")
_ROLE_KPI_FIELDS = (
    "description",
    "measure",
    "currency",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_low",
    "target_high",
    "frequency",
    "aggregation",
    "weight",
    "start_date",
    "due_date",
)


def _frozen_role_part(canonical_json: str) -> dict:
    """The role's part of a frozen version: its role-sourced KRAs with the role's weight
    and their role KPIs with the role's targets (a personal target keeps the role's beside
    it), in the shape ``diff.version_diff`` reads."""
    import json

    try:
        document = json.loads(canonical_json)
    except (TypeError, ValueError):
        return {"kras": []}
    kras = []
    for kra in document.get("kras") or ():
        if not isinstance(kra, dict) or kra.get("source") != "role":
            continue
        kpis = []
        for kpi in kra.get("kpis") or ():
            if not isinstance(kpi, dict) or kpi.get("source") not in ("role", "override"):
                continue
            row = {"name": kpi.get("name")} | {f: kpi.get(f) for f in _ROLE_KPI_FIELDS}
            if kpi.get("source") == "override":
                for name in ("target", "target_low", "target_high"):
                    row[name] = kpi.get(f"role_{name}")
            kpis.append(row)
        weight = kra.get("role_weight") if kra.get("role_weight") is not None else kra.get("weight")
        kras.append(
            {"title": kra.get("title"), "weight": weight, "kpis": kpis}
            | {f: kra.get(f) for f in _ROLE_KRA_FIELDS}
        )
    return {"kras": kras}


def _current_role_part(kras: list[KRA]) -> dict:
    """The role's KRAs and KPIs as they are today, in the shape of ``_frozen_role_part``."""
    from kra_platform.canonical import date_text, decimal_text

    return {
        "kras": [
            {
                "title": kra.title,
                "definition": kra.definition,
                "area_of_focus": kra.area_of_focus.title if kra.area_of_focus_id else "",
                "priority": kra.priority,
                "weight": decimal_text(kra.weight),
                "kpis": [
                    {
                        "name": kpi.name,
                        "description": kpi.description,
                        "measure": kpi.measure_type,
                        "currency": kpi.currency_code,
                        "unit": kpi.unit,
                        "direction": kpi.direction,
                        "baseline": decimal_text(kpi.baseline),
                        "target": decimal_text(kpi.target),
                        "target_low": decimal_text(kpi.target_low),
                        "target_high": decimal_text(kpi.target_high),
                        "frequency": kpi.frequency,
                        "aggregation": kpi.aggregation,
                        "weight": decimal_text(kpi.weight),
                        "start_date": date_text(kpi.start_date),
                        "due_date": date_text(kpi.due_date),
                    }
                    for kpi in kra.kpis.all()
                ],
            }
            for kra in kras
        ]
    }


def role_changes(*, org: Organization, agreements) -> dict:
    """For each agreement in force among ``agreements``: how its role's KRAs and KPIs
    differ today from what its current version froze for them (docs/DOMAIN.md rule R29),
    as a ``diff.VersionDiff`` (frozen → today), keyed by the agreement's id; agreements
    whose role has not changed are left out. Computed on read from the frozen JSON and the
    role's rows: a KPI saved unchanged is no change. Three queries, whatever the number of
    agreements."""
    import json

    from django.db.models import Prefetch

    from .diff import version_diff

    active = [
        a
        for a in agreements
        if a is not None and a.status == AgreementStatus.ACTIVE and a.current_version_id
    ]
    if not active:
        return {}
    role_ids = {a.role_id for a in active}
    by_role: dict[int, list[KRA]] = {pk: [] for pk in role_ids}
    kras = (
        KRA.objects.filter(org=org, level=KRALevel.ROLE, role_id__in=role_ids)
        .exclude(status=KRAStatus.RETIRED)
        .select_related("area_of_focus")
        .prefetch_related(
            Prefetch("kpis", queryset=KPI.objects.filter(org=org).order_by("position", "id"))
        )
        .order_by("position", "id")
    )
    for kra in kras:
        by_role[kra.role_id].append(kra)
    versions = dict(
        AgreementVersion.objects.filter(
            org=org, pk__in=[a.current_version_id for a in active]
        ).values_list("pk", "canonical_json")
    )
    current = {pk: json.dumps(_current_role_part(rows)) for pk, rows in by_role.items()}
    changes = {}
    for agreement in active:
        frozen = json.dumps(_frozen_role_part(versions.get(agreement.current_version_id, "")))
        diff = version_diff(frozen, current[agreement.role_id])
        if not diff.is_empty:
            changes[agreement.pk] = diff
    return changes


@dataclass(frozen=True)
class RoleHolderRow:
    """A holder of a role with their agreement in force: whether an amendment of it is
    already under way, and how the role changed since it was signed (None: unchanged)."""

    agreement: Agreement
    under_way: bool
    changes: object = None


def role_agreements_in_force(*, org: Organization, role, member: Membership) -> list[RoleHolderRow]:
    """The agreements in force built on ``role`` that ``member`` may amend (those they may
    read, not their own), by person, each with its amendment under way and its role
    changes. A constant number of queries, whatever the number of holders."""
    agreements = list(
        agreements_visible_to(org=org, member=member)
        .filter(role_id=role.pk, status=AgreementStatus.ACTIVE)
        .exclude(employee_id=member.pk)
        .order_by("employee__user__full_name", "period_start", "id")
    )
    under_way = set(
        Agreement.objects.filter(
            org=org,
            role_id=role.pk,
            status__in=OPEN_STATUSES,
            employee_id__in=[a.employee_id for a in agreements],
        ).values_list("employee_id", "period_start")
    )
    changed = role_changes(org=org, agreements=agreements)
    return [
        RoleHolderRow(
            agreement,
            (agreement.employee_id, agreement.period_start) in under_way,
            changed.get(agreement.pk),
        )
        for agreement in agreements
    ]


def agreement_delegates(*, agreement: Agreement) -> list[Membership]:
    """The members granted the countersignature of ``agreement`` (django-guardian's
    ``reviews.sign_agreement`` on it, given to their account), by name. Two queries."""
    from guardian.shortcuts import get_users_with_perms

    users = get_users_with_perms(
        agreement, only_with_perms_in=["sign_agreement"], with_group_users=False
    )
    return list(
        Membership.objects.filter(org_id=agreement.org_id, user__in=users)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


# --- figures for HR and managers ----------------------------------------------------------------


def figures_department_ids(*, org: Organization, member: Membership) -> set[int] | None:
    """The departments whose figures ``member`` sees: None for every one (HR, org admins),
    else those they head and every one below (one query)."""
    from orgs.people_rules import headed_department_ids

    if member.role in (OrgRole.ADMIN, OrgRole.HR):
        return None
    return headed_department_ids(member)


def agreement_figures(
    *, org: Organization, member: Membership, on: datetime.date | None = None
) -> dict:
    """The share of active members with an agreement in force covering ``on`` (today by
    default): ``{"everyone": bool, "total": SignedShare, "departments": [SignedShare, …]}``.
    HR and org admins see the organisation and every department (people in none
    included); a manager the departments they head and those below, ``total`` summing
    them. Three queries, whatever the number of people."""
    department_ids = figures_department_ids(org=org, member=member)
    share = signed_share(org=org, on=on)
    if department_ids is None:
        return {
            "everyone": True,
            "total": share["organisation"],
            "departments": share["departments"],
        }
    rows = [
        row
        for row in share["departments"]
        if row.department is not None and row.department.pk in department_ids
    ]
    total = SignedShare(
        None,
        str(_("Your departments")),
        sum(row.people for row in rows),
        sum(row.signed for row in rows),
    )
    return {"everyone": False, "total": total, "departments": rows}


def people_without_agreement(
    *,
    org: Organization,
    department_ids: set[int] | None,
    on: datetime.date | None = None,
) -> QuerySet[Membership]:
    """Active members (of ``department_ids``, or everyone for None) with no agreement in
    force covering ``on``, longest waiting first. Each carries ``open_status`` (the status of
    their agreement under way, or None) and ``waiting_since`` (when that agreement was
    started, else when they joined). One query a page (and one to count)."""
    from django.db.models import DateTimeField, Subquery
    from django.db.models.functions import Coalesce

    on = on or timezone.localdate()
    in_force = Agreement.objects.filter(
        org=org,
        employee_id=OuterRef("pk"),
        status=AgreementStatus.ACTIVE,
        period_start__lte=on,
        period_end__gte=on,
    )
    under_way = Agreement.objects.filter(
        org=org, employee_id=OuterRef("pk"), status__in=OPEN_STATUSES
    ).order_by("created_at", "id")
    queryset = (
        Membership.objects.filter(org=org, is_active=True)
        .exclude(Exists(in_force))
        .annotate(
            open_status=Subquery(under_way.values("status")[:1]),
            waiting_since=Coalesce(
                Subquery(under_way.values("created_at")[:1]),
                "created_at",
                output_field=DateTimeField(),
            ),
        )
        .select_related("user", "department")
        .order_by("waiting_since", "user__full_name", "id")
    )
    if department_ids is not None:
        queryset = queryset.filter(department_id__in=department_ids)
    return queryset
