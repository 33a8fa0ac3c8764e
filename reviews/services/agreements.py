"""Writes of agreements: drafting, proposing, asking for changes, voiding and amending
(docs/DOMAIN.md rules R29, R30 and R32). Signing is in ``signing.py``.

The life of an agreement::

    draft ──propose──► proposed ──person signs──► employee_signed ──manager countersigns──►
      ▲                   │                       active, or awaiting_hr ──HR acknowledges──► active
      └─request changes───┘
    amend (an active one): a new draft that supersedes it once fully signed
    void: HR, with a reason, any agreement not yet ended

Only a draft's content changes, and only by the person's management line or HR (never the
person themselves: ``orgs.policy`` ``Action.MANAGE_AGREEMENT``). The role's KRAs and KPIs
are copied as they are; what is this person's alone is added beside them and marked
(``ItemSource``): a personal KRA or KPI, another weight for a role KRA, another target for
a role KPI. Only what is personal can be removed: a role KRA that does not fit is the
role's to change.

An amendment is a new ``Agreement`` (``supersedes`` the one in force), drafted from the
active agreement's content. The active one stays in force until the amendment is fully
signed; then, in the same transaction, it becomes superseded and the amendment active.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import KPI, Direction, MeasureType
from kpis.readiness import readiness_summary, role_readiness  # the one import of readiness
from kra_platform.canonical import canonical_text, sha256_hex
from kras import selectors as kra_selectors
from kras.models import KRA, KRAStatus, ObjectiveStatus, StrategicObjective
from orgs import audit, policy
from orgs.models import Membership, Organization, OrgRole
from orgs.notifications import notify
from orgs.policy import Action
from orgs.selectors import fiscal_year_bounds
from roles.models import Role, RoleAssignment

from ..document import agreement_document, draft_items, item_of, virtual_kras
from ..models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    Agreement,
    AgreementComment,
    AgreementEvent,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    CommentKind,
    EventKind,
    GrowthGoal,
    ItemSource,
)

AGREEMENT_FIELDS = ("employee", "manager", "role", "period_start", "period_end", "status")
ITEM_FIELDS = ("source", "title", "definition", "weight", "priority", "parent", "objective")
KPI_FIELDS = (
    "source",
    "name",
    "description",
    "measure_type",
    "currency_code",
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
PERSONAL_KPI_FIELDS = tuple(name for name in KPI_FIELDS if name != "source")
OVERRIDE_FIELDS = (
    "source",
    "override_target",
    "override_target_low",
    "override_target_high",
    "override_reason",
)
GOAL_FIELDS = ("goal", "measurable_target", "due_date", "measured_by")


# --- shared steps ---------------------------------------------------------------------------


def _member_required(actor) -> Membership:
    if not isinstance(actor, Membership):
        raise PermissionDenied("agreements are changed by members of the organisation")
    return actor


def _require(actor, action: Action, obj) -> Membership:
    actor = _member_required(actor)
    policy.require(actor, action, obj)
    return actor


def lock(agreement: Agreement) -> Agreement:
    """The agreement's row, locked until the transaction ends, with what services read."""
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("org", "employee__user", "manager__user", "role")
        .get(org_id=agreement.org_id, pk=agreement.pk)
    )


def _require_draft(agreement: Agreement) -> None:
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(
            _("This agreement is %(status)s; only a draft can be changed.")
            % {"status": agreement.get_status_display().lower()}
        )


def _name(member: Membership | None) -> str:
    return member.user.get_full_name() if member is not None else ""


def record_event(
    agreement: Agreement,
    kind: str,
    actor: Membership | None,
    *,
    version: AgreementVersion | None = None,
    note: str = "",
) -> AgreementEvent:
    return AgreementEvent.objects.create(
        org_id=agreement.org_id,
        agreement=agreement,
        kind=kind,
        actor=actor,
        actor_name=_name(actor),
        version=version,
        note=note,
    )


def set_status(agreement: Agreement, status: str, **fields) -> None:
    now = timezone.now()
    agreement.status = status
    agreement.status_changed_at = now
    agreement.updated_at = now
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save(update_fields=["status", "status_changed_at", "updated_at", *fields])


def tell(recipients, *, agreement: Agreement, kind: str, title: str, body: str = "") -> None:
    """One notice (inbox now, email after commit) to each distinct active recipient."""
    seen: set[int] = set()
    for member in recipients:
        if member is None or member.pk in seen or not member.is_active:
            continue
        seen.add(member.pk)
        notify(
            recipient=member,
            kind=kind,
            title=title,
            body=body,
            url=agreement.get_absolute_url(),
        )


def _touch(agreement: Agreement) -> None:
    agreement.updated_at = timezone.now()
    agreement.save(update_fields=["updated_at"])


def _decimal(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")})
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def _weight(value, field: str = "weight") -> Decimal:
    number = _decimal(value, field)
    if number is None or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({field: _("A weight is a percentage from 0 to 100.")})
    return number


# --- creating -------------------------------------------------------------------------------


def _period(
    org: Organization, start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The organisation's fiscal year by default; otherwise a period inside this fiscal year
    or the next one."""
    this_start, this_end = fiscal_year_bounds(org=org)
    next_start, next_end = fiscal_year_bounds(org=org, today=this_end + datetime.timedelta(1))
    if start is None and end is None:
        return this_start, this_end
    if start is None or end is None:
        raise ValidationError(
            {"period_end" if end is None else "period_start": _("Give both dates of the period.")}
        )
    if end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if not any(
        low <= start and end <= high
        for low, high in ((this_start, this_end), (next_start, next_end))
    ):
        raise ValidationError(
            {
                "period_start": _(
                    "An agreement covers this fiscal year (%(this_start)s to %(this_end)s) or the "
                    "next (%(next_start)s to %(next_end)s), or part of one of them."
                )
                % {
                    "this_start": this_start.isoformat(),
                    "this_end": this_end.isoformat(),
                    "next_start": next_start.isoformat(),
                    "next_end": next_end.isoformat(),
                }
            }
        )
    return start, end


def _overlapping(employee: Membership, role: Role, start, end):
    return Agreement.objects.filter(
        org_id=employee.org_id,
        employee_id=employee.pk,
        role_id=role.pk,
        status__in=[*OPEN_STATUSES, AgreementStatus.ACTIVE],
        period_start__lte=end,
        period_end__gte=start,
    )


def _holds_role_during(employee: Membership, role: Role, start, end) -> bool:
    return (
        RoleAssignment.objects.filter(
            org_id=employee.org_id, member_id=employee.pk, role_id=role.pk, start_date__lte=end
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .exists()
    )


def _copy_role_content(agreement: Agreement) -> None:
    """The role's KRAs (not retired) and their KPIs, as they are today."""
    kpis: list[AgreementKPI] = []
    for position, kra in enumerate(kra_selectors.role_kras(agreement.role), start=1):
        item = AgreementItem.objects.create(
            org_id=agreement.org_id,
            agreement=agreement,
            source=ItemSource.ROLE,
            source_kra=kra,
            title=kra.title,
            definition=kra.definition,
            area_of_focus=kra.area_of_focus.title if kra.area_of_focus_id else "",
            weight=kra.weight,
            role_weight=kra.weight,
            priority=kra.priority,
            parent_id=kra.parent_id,
            objective_id=kra.objective_id,
            position=position,
        )
        for kpi_position, kpi in enumerate(kra.kpis.all(), start=1):
            kpis.append(
                AgreementKPI(
                    org_id=agreement.org_id,
                    agreement=agreement,
                    item=item,
                    source=ItemSource.ROLE,
                    source_kpi=kpi,
                    position=kpi_position,
                    **{name: getattr(kpi, name) for name in PERSONAL_KPI_FIELDS},
                )
            )
    AgreementKPI.objects.bulk_create(kpis)


@transaction.atomic
def agreement_create(
    *,
    org: Organization,
    actor: Membership,
    employee: Membership,
    role: Role,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> Agreement:
    """A draft agreement for ``employee`` in ``role``, filled with the role's current KRAs
    and KPIs. The period is the organisation's fiscal year unless given (inside this fiscal
    year or the next). The employee's manager today becomes the manager of record, the one
    who countersigns. Refused: another organisation's person or role, a person who does
    not hold the role during the period, and a second agreement for the same person, role
    and (overlapping) period while one is open or in force (amend that one instead)."""
    if employee.org_id != org.pk or role.org_id != org.pk:
        raise ValidationError(_("Choose a person and a role of this organisation."))
    actor = _require(actor, Action.MANAGE_AGREEMENT, employee)
    if not employee.is_active:
        raise ValidationError(
            {"employee": _("%(name)s has left the organisation.") % {"name": _name(employee)}}
        )
    start, end = _period(org, period_start, period_end)
    if not _holds_role_during(employee, role, start, end):
        raise ValidationError(
            {
                "role": _("%(name)s does not hold “%(role)s” during this period.")
                % {"name": _name(employee), "role": role.title}
            }
        )
    # One at a time per person: two managers creating at once would both pass the check.
    Membership.objects.select_for_update().filter(org_id=org.pk, pk=employee.pk).first()
    if _overlapping(employee, role, start, end).exists():
        raise ValidationError(
            _(
                "%(name)s already has an agreement for “%(role)s” in this period; amend it or "
                "finish the one under way."
            )
            % {"name": _name(employee), "role": role.title}
        )
    manager = employee.manager if employee.manager_id else None
    agreement = Agreement.objects.create(
        org=org,
        employee=employee,
        manager=manager,
        role=role,
        period_start=start,
        period_end=end,
        created_by=actor,
    )
    _copy_role_content(agreement)
    record_event(agreement, EventKind.CREATED, actor)
    audit.record_created(
        org=org, actor=actor, action="agreement.create", obj=agreement, fields=AGREEMENT_FIELDS
    )
    return agreement


# --- drafting -------------------------------------------------------------------------------


def _draft_for(agreement: Agreement, actor) -> tuple[Agreement, Membership]:
    agreement = lock(agreement)
    actor = _require(actor, Action.MANAGE_AGREEMENT, agreement)
    _require_draft(agreement)
    return agreement, actor


def _ladder_refs(org_id: int, parent: KRA | None, objective: StrategicObjective | None):
    if parent is not None and parent.org_id != org_id:
        raise ValidationError({"parent": _("Choose a KRA of this organisation.")})
    if parent is not None and parent.status == KRAStatus.RETIRED:
        raise ValidationError({"parent": _("“%(kra)s” is retired.") % {"kra": parent.title}})
    if objective is not None and objective.org_id != org_id:
        raise ValidationError({"objective": _("Choose an objective of this organisation.")})
    if objective is not None and objective.status != ObjectiveStatus.ACTIVE:
        raise ValidationError(
            {"objective": _("“%(objective)s” is retired.") % {"objective": objective.title}}
        )


def _validated_kpi(agreement: Agreement, item: AgreementItem, fields: dict) -> AgreementKPI:
    """A personal KPI checked as the KPI editor checks one (docs/DOMAIN.md rule R7's
    write-time consistency), then as an agreement row."""
    from kpis.services import _validate as validate_kpi

    unknown = set(fields) - set(PERSONAL_KPI_FIELDS)
    if unknown:
        raise ValueError(f"not KPI fields: {sorted(unknown)}")
    probe = KPI(org_id=agreement.org_id, **fields)
    validate_kpi(probe)
    return AgreementKPI(
        org_id=agreement.org_id,
        agreement=agreement,
        item=item,
        source=ItemSource.PERSONAL,
        **{name: getattr(probe, name) for name in PERSONAL_KPI_FIELDS},
    )


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def agreement_add_personal_kra(
    *,
    agreement: Agreement,
    actor: Membership,
    title: str,
    weight,
    definition: str = "",
    priority: int = 2,
    parent: KRA | None = None,
    objective: StrategicObjective | None = None,
    kpis: list[dict] | tuple = (),
) -> AgreementItem:
    """A KRA for this person alone, at the end of the agreement, with its KPIs (each a dict
    of KPI fields: name, measure_type, unit, direction, baseline, target, frequency,
    weight, due_date…). Its ladder is ``parent`` and/or ``objective``, as for any KRA."""
    agreement, actor = _draft_for(agreement, actor)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("A KRA needs a title.")})
    if not 1 <= int(priority) <= 5:
        raise ValidationError({"priority": _("Priority runs from 1 (highest) to 5.")})
    _ladder_refs(agreement.org_id, parent, objective)
    item = AgreementItem(
        org_id=agreement.org_id,
        agreement=agreement,
        source=ItemSource.PERSONAL,
        title=title[:200],
        definition=(definition or "").strip(),
        weight=_weight(weight),
        priority=int(priority),
        parent=parent,
        objective=objective,
        position=_next_position(AgreementItem.objects.filter(agreement=agreement)),
    )
    rows = [_validated_kpi(agreement, item, dict(fields)) for fields in kpis]
    item.save()
    for position, row in enumerate(rows, start=1):
        row.item = item
        row.position = position
    AgreementKPI.objects.bulk_create(rows)
    _touch(agreement)
    audit.record_created(
        org=agreement.org,
        actor=actor,
        action="agreement.add_kra",
        obj=item,
        fields=ITEM_FIELDS,
        extra={
            "agreement": {"old": None, "new": agreement.pk},
            "kpis": {"old": None, "new": len(rows)},
        },
    )
    return item


@transaction.atomic
def agreement_add_personal_kpi(
    *, item: AgreementItem, actor: Membership, name: str, **fields
) -> AgreementKPI:
    """A KPI for this person alone, under any KRA of the agreement (the role's or theirs)."""
    agreement, actor = _draft_for(item.agreement, actor)
    item = AgreementItem.objects.get(org_id=agreement.org_id, agreement=agreement, pk=item.pk)
    row = _validated_kpi(agreement, item, {"name": name, **fields})
    row.position = _next_position(AgreementKPI.objects.filter(item=item))
    row.save()
    _touch(agreement)
    audit.record_created(
        org=agreement.org,
        actor=actor,
        action="agreement.add_kpi",
        obj=row,
        fields=KPI_FIELDS,
        extra={"agreement": {"old": None, "new": agreement.pk}},
    )
    return row


@transaction.atomic
def agreement_set_kra_weight(*, item: AgreementItem, actor: Membership, weight) -> AgreementItem:
    """Another weight for a KRA in this agreement (a personal KRA takes its share from the
    role's). A role KRA keeps its role weight beside it and shows as changed for this
    person; setting the role's weight again undoes that."""
    agreement, actor = _draft_for(item.agreement, actor)
    item = AgreementItem.objects.select_for_update().get(
        org_id=agreement.org_id, agreement=agreement, pk=item.pk
    )
    with audit.tracked(
        item, ("weight",), actor=actor, action="agreement.set_weight", org=agreement.org
    ):
        item.weight = _weight(weight)
        item.save(update_fields=["weight"])
    _touch(agreement)
    return item


def _check_override(row: AgreementKPI, target, low, high) -> None:
    if row.direction == Direction.RANGE:
        if target is not None:
            raise ValidationError({"target": _("A range KPI has a range, not a single target.")})
        if low is None or high is None:
            raise ValidationError({"target_high": _("Give both ends of the range.")})
        if low >= high:
            raise ValidationError({"target_high": _("The range must end above where it starts.")})
        return
    if low is not None or high is not None:
        raise ValidationError(
            {"target_low": _("Only a KPI within a range has a range; give a target instead.")}
        )
    if target is None:
        raise ValidationError({"target": _("Give the target for this person.")})
    if row.direction == Direction.BOOLEAN and target not in (0, 1):
        raise ValidationError({"target": _("A done / not done KPI has no target but 1 (done).")})
    if row.measure_type == MeasureType.PERCENT and target < 0:
        raise ValidationError({"target": _("A percentage is not below 0.")})


@transaction.atomic
def agreement_override_kpi_target(
    *,
    kpi: AgreementKPI,
    actor: Membership,
    target=None,
    target_low=None,
    target_high=None,
    reason: str = "",
    clear: bool = False,
) -> AgreementKPI:
    """Another target (or range) for a role KPI, for this person: the role's stays beside
    it and the KPI shows as personal. ``clear`` goes back to the role's target. A personal
    KPI has no role target to differ from: change it by removing and adding it."""
    agreement, actor = _draft_for(kpi.agreement, actor)
    row = AgreementKPI.objects.select_for_update().get(
        org_id=agreement.org_id, agreement=agreement, pk=kpi.pk
    )
    if row.source == ItemSource.PERSONAL:
        raise ValidationError(
            _("“%(kpi)s” is this person's own KPI; it has no role target to differ from.")
            % {"kpi": row.name}
        )
    with audit.tracked(
        row, OVERRIDE_FIELDS, actor=actor, action="agreement.override_target", org=agreement.org
    ):
        if clear:
            row.source = ItemSource.ROLE
            row.override_target = row.override_target_low = row.override_target_high = None
            row.override_reason = ""
        else:
            target = _decimal(target, "target")
            low = _decimal(target_low, "target_low")
            high = _decimal(target_high, "target_high")
            _check_override(row, target, low, high)
            row.source = ItemSource.OVERRIDE
            row.override_target, row.override_target_low, row.override_target_high = (
                target,
                low,
                high,
            )
            row.override_reason = " ".join((reason or "").split())[:300]
        row.save(update_fields=list(OVERRIDE_FIELDS))
    _touch(agreement)
    return row


@transaction.atomic
def agreement_remove_item(*, item: AgreementItem | AgreementKPI, actor: Membership) -> None:
    """Remove a personal KRA (with its KPIs) or a personal KPI. What came from the role
    stays: it is the role's to change (or, here, to weigh or target differently)."""
    agreement, actor = _draft_for(item.agreement, actor)
    model = type(item)
    row = model.objects.select_for_update().get(
        org_id=agreement.org_id, agreement=agreement, pk=item.pk
    )
    if row.source != ItemSource.PERSONAL:
        raise ValidationError(
            _(
                "“%(name)s” comes from the role; change the role, or give it another weight or "
                "target here."
            )
            % {"name": row}
        )
    fields = ITEM_FIELDS if model is AgreementItem else KPI_FIELDS
    audit.record_deleted(
        org=agreement.org, actor=actor, action="agreement.remove_item", obj=row, fields=fields
    )
    row.delete()
    _touch(agreement)


# --- the growth plan ------------------------------------------------------------------------


def _goal_values(agreement: Agreement, values: dict) -> dict:
    cleaned = {}
    for name in ("goal", "measurable_target", "measured_by"):
        if name in values:
            text = " ".join(str(values[name] or "").split())
            if not text:
                raise ValidationError({name: _("This is needed for every growth goal.")})
            cleaned[name] = text[:300]
    if "due_date" in values:
        due = values["due_date"]
        if not isinstance(due, datetime.date):
            raise ValidationError({"due_date": _("Give the date it is due.")})
        if not agreement.period_start <= due <= agreement.period_end:
            raise ValidationError({"due_date": _("Choose a date within the agreement's period.")})
        cleaned["due_date"] = due
    return cleaned


@transaction.atomic
def growth_goal_add(
    *,
    agreement: Agreement,
    actor: Membership,
    goal: str,
    measurable_target: str,
    due_date: datetime.date,
    measured_by: str,
) -> GrowthGoal:
    """A development goal of the person's growth plan: what, the measurable target, by
    when (within the period), and how it will be measured."""
    agreement, actor = _draft_for(agreement, actor)
    values = _goal_values(
        agreement,
        {
            "goal": goal,
            "measurable_target": measurable_target,
            "due_date": due_date,
            "measured_by": measured_by,
        },
    )
    row = GrowthGoal.objects.create(
        org_id=agreement.org_id,
        agreement=agreement,
        position=_next_position(GrowthGoal.objects.filter(agreement=agreement)),
        **values,
    )
    _touch(agreement)
    audit.record_created(
        org=agreement.org, actor=actor, action="growth_goal.add", obj=row, fields=GOAL_FIELDS
    )
    return row


@transaction.atomic
def growth_goal_update(
    *, goal: GrowthGoal, actor: Membership, goal_text: str | None = None, **values
) -> GrowthGoal:
    """Change a growth goal's fields. ``goal`` is the row; its own text, the field also
    named ``goal``, comes as ``goal_text``."""
    if goal_text is not None:
        values["goal"] = goal_text
    unknown = set(values) - set(GOAL_FIELDS)
    if unknown:
        raise ValueError(f"not growth goal fields: {sorted(unknown)}")
    agreement, actor = _draft_for(goal.agreement, actor)
    row = GrowthGoal.objects.select_for_update().get(
        org_id=agreement.org_id, agreement=agreement, pk=goal.pk
    )
    cleaned = _goal_values(agreement, values)
    if not cleaned:
        return row
    with audit.tracked(
        row, GOAL_FIELDS, actor=actor, action="growth_goal.update", org=agreement.org
    ):
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.save(update_fields=list(cleaned))
    _touch(agreement)
    return row


@transaction.atomic
def growth_goal_remove(*, goal: GrowthGoal, actor: Membership) -> None:
    agreement, actor = _draft_for(goal.agreement, actor)
    row = GrowthGoal.objects.get(org_id=agreement.org_id, agreement=agreement, pk=goal.pk)
    audit.record_deleted(
        org=agreement.org, actor=actor, action="growth_goal.remove", obj=row, fields=GOAL_FIELDS
    )
    row.delete()
    _touch(agreement)


# --- proposing ------------------------------------------------------------------------------


def agreement_checks(
    agreement: Agreement, *, items: list[AgreementItem] | None = None
) -> list[dict]:
    """The role's readiness checks (docs/DOMAIN.md rule R9) run on the agreement's own
    content: KRA and KPI counts, weights totalling 100, each KRA's ladder, SMART KPIs. Each
    check also names the agreement item (``item_id``) and KPI (``agreement_kpi_id``) it is
    about."""
    if items is None:
        items = draft_items(agreement)
    checks = role_readiness(agreement.role, kras=virtual_kras(agreement, items))
    for check in checks:
        check["item_id"] = item_of(check.get("kra_id"))
        check["agreement_kpi_id"] = item_of(check.get("kpi_id"))
    return checks


@transaction.atomic
def agreement_propose(*, agreement: Agreement, actor: Membership) -> AgreementVersion:
    """Freeze the draft into the next ``AgreementVersion`` and ask the person to sign.

    Refused while any blocking readiness check fails, with every failing one listed (one
    message each, coded by the check). The version holds the canonical JSON (RFC 8785) of
    everything the document shows and its SHA-256 (docs/DOMAIN.md rule R32)."""
    agreement, actor = _draft_for(agreement, actor)
    if not agreement.employee.is_active:
        raise ValidationError(
            _("%(name)s has left the organisation.") % {"name": _name(agreement.employee)}
        )
    items = draft_items(agreement)
    summary = readiness_summary(agreement_checks(agreement, items=items))
    if summary["blocking"]:
        raise ValidationError(
            [ValidationError(check["message"], code=check["code"]) for check in summary["blocking"]]
        )
    number = (
        AgreementVersion.objects.filter(org_id=agreement.org_id, agreement=agreement).aggregate(
            top=Max("number")
        )["top"]
        or 0
    ) + 1
    text = canonical_text(agreement_document(agreement, number=number, items=items))
    version = AgreementVersion.objects.create(
        org_id=agreement.org_id,
        agreement=agreement,
        number=number,
        canonical_json=text,
        content_hash=sha256_hex(text),
        created_by=actor,
    )
    set_status(agreement, AgreementStatus.PROPOSED, current_version=version)
    record_event(agreement, EventKind.PROPOSED, actor, version=version)
    audit.record(
        org=agreement.org,
        actor=actor,
        action="agreement.propose",
        obj=agreement,
        changes={
            "status": {"old": AgreementStatus.DRAFT, "new": AgreementStatus.PROPOSED},
            "version": {"old": None, "new": number},
            "content_hash": {"old": None, "new": version.content_hash},
        },
    )
    tell(
        [agreement.employee],
        agreement=agreement,
        kind="agreement.proposed",
        title=_("Your KRA agreement for %(role)s is ready to sign")
        % {"role": agreement.role.title},
        body=_("%(manager)s proposed version %(number)d. Read it, then sign it or ask for changes.")
        % {"manager": _name(actor), "number": number},
    )
    return version


@transaction.atomic
def agreement_request_changes(
    *, agreement: Agreement, actor: Membership, comment: str
) -> AgreementComment:
    """The person asks for changes to the proposed version, saying what: the agreement
    goes back to draft, the comment stays with the version it is about."""
    agreement = lock(agreement)
    actor = _member_required(actor)
    if actor.pk != agreement.employee_id:
        raise PermissionDenied("only the person the agreement is for asks for changes")
    if agreement.status != AgreementStatus.PROPOSED:
        raise ValidationError(
            _("Changes can be asked for while the agreement awaits your signature.")
        )
    body = (comment or "").strip()
    if not body:
        raise ValidationError({"comment": _("Say what should change.")})
    version = agreement.current_version
    note = AgreementComment.objects.create(
        org_id=agreement.org_id,
        agreement=agreement,
        version=version,
        author=actor,
        kind=CommentKind.CHANGE_REQUEST,
        body=body,
    )
    set_status(agreement, AgreementStatus.DRAFT)
    record_event(agreement, EventKind.CHANGES_REQUESTED, actor, version=version, note=body)
    audit.record(
        org=agreement.org,
        actor=actor,
        action="agreement.request_changes",
        obj=agreement,
        changes={
            "status": {"old": AgreementStatus.PROPOSED, "new": AgreementStatus.DRAFT},
            "comment": {"old": None, "new": body},
        },
    )
    tell(
        [agreement.manager, version.created_by if version else None],
        agreement=agreement,
        kind="agreement.changes_requested",
        title=_("%(name)s asks for changes to their KRA agreement") % {"name": _name(actor)},
        body=body,
    )
    return note


@transaction.atomic
def agreement_comment(*, agreement: Agreement, actor: Membership, body: str) -> AgreementComment:
    """A comment by anyone who may read the agreement, on its current version."""
    agreement = lock(agreement)
    actor = _require(actor, Action.VIEW_AGREEMENT, agreement)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    note = AgreementComment.objects.create(
        org_id=agreement.org_id,
        agreement=agreement,
        version=agreement.current_version,
        author=actor,
        body=body,
    )
    audit.record_created(
        org=agreement.org, actor=actor, action="agreement.comment", obj=note, fields=("body",)
    )
    return note


# --- in force, and after ----------------------------------------------------------------------


def hr_members(org_id: int, *, besides: tuple[int | None, ...] = ()) -> list[Membership]:
    return list(
        Membership.objects.filter(
            org_id=org_id, is_active=True, role__in=[OrgRole.ADMIN, OrgRole.HR]
        )
        .exclude(pk__in=[pk for pk in besides if pk is not None])
        .select_related("user", "org")
    )


def activate(agreement: Agreement, actor: Membership) -> None:
    """Put a fully signed agreement in force; the agreement it amends, if still in force,
    is superseded first (at most one in force per person, role and period)."""
    now = timezone.now()
    previous = agreement.supersedes
    if previous is not None:
        previous = lock(previous)
        if previous.status == AgreementStatus.ACTIVE:
            set_status(previous, AgreementStatus.SUPERSEDED, ended_at=now)
            record_event(previous, EventKind.SUPERSEDED, actor, note=str(agreement.pk))
            audit.record(
                org=previous.org,
                actor=actor,
                action="agreement.supersede",
                obj=previous,
                changes={
                    "status": {"old": AgreementStatus.ACTIVE, "new": AgreementStatus.SUPERSEDED},
                    "superseded_by": {"old": None, "new": agreement.pk},
                },
            )
    old = agreement.status
    set_status(agreement, AgreementStatus.ACTIVE, activated_at=now)
    record_event(agreement, EventKind.ACTIVATED, actor, version=agreement.current_version)
    audit.record(
        org=agreement.org,
        actor=actor,
        action="agreement.activate",
        obj=agreement,
        changes={"status": {"old": old, "new": AgreementStatus.ACTIVE}},
    )
    tell(
        [agreement.employee, agreement.manager],
        agreement=agreement,
        kind="agreement.active",
        title=_("The KRA agreement of %(name)s is in force") % {"name": _name(agreement.employee)},
    )


@transaction.atomic
def agreement_void(*, agreement: Agreement, actor: Membership, reason: str) -> Agreement:
    """HR (or an org admin) ends an agreement that is not ended yet, saying why. Voiding an
    amendment leaves the agreement it would have replaced in force."""
    agreement = lock(agreement)
    actor = _require(actor, Action.VOID_AGREEMENT, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the agreement is voided.")})
    if agreement.status in ENDED_STATUSES:
        raise ValidationError(
            _("This agreement is already %(status)s.")
            % {"status": agreement.get_status_display().lower()}
        )
    old = agreement.status
    set_status(agreement, AgreementStatus.VOIDED, void_reason=reason, ended_at=timezone.now())
    record_event(agreement, EventKind.VOIDED, actor, version=agreement.current_version, note=reason)
    audit.record(
        org=agreement.org,
        actor=actor,
        action="agreement.void",
        obj=agreement,
        changes={
            "status": {"old": old, "new": AgreementStatus.VOIDED},
            "void_reason": {"old": "", "new": reason},
        },
    )
    tell(
        [agreement.employee, agreement.manager],
        agreement=agreement,
        kind="agreement.voided",
        title=_("The KRA agreement of %(name)s was voided") % {"name": _name(agreement.employee)},
        body=reason,
    )
    return agreement


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: Membership) -> Agreement:
    """A new draft from the agreement in force, with its content (role KRAs, personal
    additions and targets, growth plan) to change and sign again. The agreement in force
    stays so until the amendment is fully signed (``activate``). The amendment's manager of
    record is the person's manager today."""
    agreement = lock(agreement)
    actor = _require(actor, Action.MANAGE_AGREEMENT, agreement)
    if agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError(_("Only an agreement in force can be amended."))
    under_way = Agreement.objects.filter(
        org_id=agreement.org_id,
        employee_id=agreement.employee_id,
        role_id=agreement.role_id,
        status__in=OPEN_STATUSES,
        period_start__lte=agreement.period_end,
        period_end__gte=agreement.period_start,
    )
    if under_way.exists():
        raise ValidationError(_("An amendment of this agreement is already under way."))
    employee = agreement.employee
    manager = employee.manager if employee.manager_id else agreement.manager
    amendment = Agreement.objects.create(
        org_id=agreement.org_id,
        employee=employee,
        manager=manager,
        role=agreement.role,
        period_start=agreement.period_start,
        period_end=agreement.period_end,
        supersedes=agreement,
        created_by=actor,
    )
    _copy_agreement_content(agreement, amendment)
    record_event(agreement, EventKind.AMENDED, actor, note=str(amendment.pk))
    record_event(amendment, EventKind.CREATED, actor, note=str(agreement.pk))
    audit.record_created(
        org=agreement.org,
        actor=actor,
        action="agreement.amend",
        obj=amendment,
        fields=AGREEMENT_FIELDS,
        extra={"supersedes": {"old": None, "new": agreement.pk}},
    )
    return amendment


def _copy_agreement_content(source: Agreement, target: Agreement) -> None:
    kpis: list[AgreementKPI] = []
    copied = (
        "source",
        "source_kra_id",
        "title",
        "definition",
        "area_of_focus",
        "weight",
        "role_weight",
        "priority",
        "parent_id",
        "objective_id",
        "position",
    )
    kpi_copied = (
        "source",
        "source_kpi_id",
        *PERSONAL_KPI_FIELDS,
        "override_target",
        "override_target_low",
        "override_target_high",
        "override_reason",
        "position",
    )
    for item in draft_items(source):
        new = AgreementItem.objects.create(
            org_id=target.org_id,
            agreement=target,
            **{name: getattr(item, name) for name in copied},
        )
        kpis.extend(
            AgreementKPI(
                org_id=target.org_id,
                agreement=target,
                item=new,
                **{name: getattr(row, name) for name in kpi_copied},
            )
            for row in item.kpis.all()
        )
    AgreementKPI.objects.bulk_create(kpis)
    GrowthGoal.objects.bulk_create(
        GrowthGoal(
            org_id=target.org_id,
            agreement=target,
            goal=goal.goal,
            measurable_target=goal.measurable_target,
            due_date=goal.due_date,
            measured_by=goal.measured_by,
            position=goal.position,
        )
        for goal in source.growth_goals.filter(org_id=source.org_id).order_by("position", "id")
    )
