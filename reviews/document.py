"""The agreement as a document: what a version freezes and signs (docs/DOMAIN.md rule R32).

``agreement_document`` turns an agreement's draft rows into one JSON document holding
everything the signed PDF shows: organisation, person, role, department, manager, period,
version, the role's purpose and alignment, every KRA with its definition, weight and ladder,
every KPI with its numbers, what is personal, and the growth plan. Numbers are strings in
their exact decimal form, dates ISO dates; ``kra_platform.canonical`` turns the document
into the bytes that are hashed.

``virtual_kras`` gives the same draft as unsaved KRA and KPI objects, so that the role's
readiness checks (docs/DOMAIN.md rule R9) run on the agreement's content: the role's KRAs
as copied, this person's additions and targets, and each KRA's ladder.
"""

from __future__ import annotations

import hashlib

from django.db.models import Prefetch

from kpis.models import KPI
from kra_platform.canonical import date_text, decimal_text
from kras.models import KRA, KRALevel, KRAStatus, StrategicObjective

from .models import Agreement, AgreementItem, AgreementKPI, ItemSource

SCHEMA = "kra-platform/agreement/1"

#: Each item's ladder, three levels up (a role KRA's chain is at most role → department →
#: organisation → objective).
_LADDER = (
    "objective",
    "parent__objective",
    "parent__parent__objective",
    "parent__parent__parent__objective",
)


def draft_items(agreement: Agreement) -> list[AgreementItem]:
    """The agreement's KRAs in order, each with its KPIs and its ladder (two queries)."""
    return list(
        AgreementItem.objects.filter(org_id=agreement.org_id, agreement_id=agreement.pk)
        .select_related(*_LADDER)
        .prefetch_related(
            Prefetch(
                "kpis",
                queryset=AgreementKPI.objects.filter(org_id=agreement.org_id).order_by(
                    "position", "id"
                ),
            )
        )
        .order_by("position", "id")
    )


def _virtual_kpi(kra: KRA, row: AgreementKPI) -> KPI:
    return KPI(
        pk=-row.pk,
        org_id=row.org_id,
        kra=kra,
        name=row.name,
        description=row.description,
        measure_type=row.measure_type,
        currency_code=row.currency_code,
        unit=row.unit,
        direction=row.direction,
        baseline=row.baseline,
        target=row.effective_target,
        target_low=row.effective_target_low,
        target_high=row.effective_target_high,
        frequency=row.frequency,
        aggregation=row.aggregation,
        weight=row.weight,
        start_date=row.start_date,
        due_date=row.due_date,
    )


def virtual_kras(agreement: Agreement, items: list[AgreementItem]) -> list[KRA]:
    """The draft as unsaved role KRAs with their KPIs. Their ids are the items' negated (so
    that a ladder walk never mistakes one for a real KRA); ``item_of`` maps them back."""
    kras = []
    for item in items:
        kra = KRA(
            pk=-item.pk,
            org_id=item.org_id,
            level=KRALevel.ROLE,
            role_id=agreement.role_id,
            title=item.title,
            definition=item.definition,
            weight=item.weight,
            priority=item.priority,
            parent=item.parent,
            objective=item.objective,
            status=KRAStatus.ACTIVE,
        )
        kra.org = agreement.org
        kra._prefetched_objects_cache = {
            "kpis": [_virtual_kpi(kra, row) for row in item.kpis.all()]
        }
        kras.append(kra)
    return kras


def item_of(check_id: int | None) -> int | None:
    """The agreement item (or agreement KPI) id behind a readiness check's ``kra_id`` or
    ``kpi_id``."""
    return -check_id if check_id is not None and check_id < 0 else None


def _ladder(item: AgreementItem) -> list[dict]:
    """The item's ladder, nearest first: the KRAs above it, then the objectives they serve."""
    steps: list[dict] = []
    objectives: list[StrategicObjective] = []
    if item.objective_id:
        objectives.append(item.objective)
    node, seen = item.parent, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        steps.append(
            {
                "kind": "kra",
                "level": node.level,
                "title": node.title,
                "status": node.status,
            }
        )
        if node.objective_id and node.objective not in objectives:
            objectives.append(node.objective)
        node = node.parent if node.parent_id else None
    steps.extend(
        {"kind": "objective", "level": "objective", "title": o.title, "status": o.status}
        for o in objectives
    )
    return steps


def _kpi(row: AgreementKPI) -> dict:
    overridden = row.source == ItemSource.OVERRIDE
    return {
        "source": row.source,
        "name": row.name,
        "description": row.description,
        "measure": row.measure_type,
        "currency": row.currency_code,
        "unit": row.unit,
        "direction": row.direction,
        "baseline": decimal_text(row.baseline),
        "target": decimal_text(row.effective_target),
        "target_low": decimal_text(row.effective_target_low),
        "target_high": decimal_text(row.effective_target_high),
        "role_target": decimal_text(row.target) if overridden else None,
        "role_target_low": decimal_text(row.target_low) if overridden else None,
        "role_target_high": decimal_text(row.target_high) if overridden else None,
        "personal_reason": row.override_reason if overridden else "",
        "frequency": row.frequency,
        "aggregation": row.aggregation,
        "weight": decimal_text(row.weight),
        "start_date": date_text(row.start_date),
        "due_date": date_text(row.due_date),
    }


def _kra(item: AgreementItem) -> dict:
    return {
        "source": item.source,
        "title": item.title,
        "definition": item.definition,
        "area_of_focus": item.area_of_focus,
        "priority": item.priority,
        "weight": decimal_text(item.weight),
        "role_weight": decimal_text(item.role_weight) if item.weight_overridden else None,
        "ladder": _ladder(item),
        "kpis": [_kpi(row) for row in item.kpis.all()],
    }


def logo_digest(org) -> str | None:
    """The SHA-256 of the organisation's logo file, or None without one (or when the file
    is gone): the PDF shows a logo only when it is still the one that was signed."""
    if not org.logo:
        return None
    try:
        with org.logo.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (OSError, ValueError):
        return None


def _person(member) -> dict:
    return {
        "name": member.user.get_full_name(),
        "email": member.user.email,
        "employee_id": member.employee_id,
        "job_title": member.job_title,
        "department": member.department.name if member.department_id else None,
    }


def agreement_document(
    agreement: Agreement, *, number: int, items: list[AgreementItem] | None = None
) -> dict:
    """Everything version ``number`` of ``agreement`` shows, as plain JSON values."""
    org = agreement.org
    role = agreement.role
    if items is None:
        items = draft_items(agreement)
    goals = agreement.growth_goals.filter(org_id=agreement.org_id).order_by("position", "id")
    manager = agreement.manager
    return {
        "schema": SCHEMA,
        "organisation": {
            "name": org.name,
            "mission": org.mission,
            "vision": org.vision,
            "logo_sha256": logo_digest(org),
        },
        "agreement": {
            "id": agreement.pk,
            "version": number,
            "period_start": date_text(agreement.period_start),
            "period_end": date_text(agreement.period_end),
            "amends": agreement.supersedes_id,
        },
        "person": _person(agreement.employee),
        "manager": None
        if manager is None
        else {"name": manager.user.get_full_name(), "job_title": manager.job_title},
        "role": {
            "title": role.title,
            "department": role.department.name if role.department_id else None,
            "purpose": role.purpose,
            "mission_alignment": role.mission_alignment,
            "strategy_contribution": role.strategy_contribution,
        },
        "kras": [_kra(item) for item in items],
        "growth_plan": [
            {
                "goal": goal.goal,
                "measurable_target": goal.measurable_target,
                "due_date": date_text(goal.due_date),
                "measured_by": goal.measured_by,
            }
            for goal in goals
        ],
    }
