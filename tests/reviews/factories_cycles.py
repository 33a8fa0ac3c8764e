"""Factories of the review cycle tests: a cycle with valid settings, and agreements in force
made directly as rows (their content as an active agreement holds it, a version naming it),
so that a launch over many people needs no password hashing per signature."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kpis.models import KPI, Direction, Frequency, MeasureType
from kra_platform.canonical import canonical_text, sha256_hex
from kras.models import KRA, KRALevel
from reviews.models import (
    Agreement,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    ItemSource,
)
from reviews.services.cycles import cycle_create
from roles.models import Role

YEAR = datetime.date.today().year
WINDOW = (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))


def cycle_settings(**overrides) -> dict:
    """Valid settings for ``cycle_create``; ``overrides`` replace any of them."""
    start, end = WINDOW
    settings = {
        "name": "Annual review",
        "window_start": start,
        "window_end": end,
        "self_assessment_due": end + datetime.timedelta(days=10),
        "manager_review_due": end + datetime.timedelta(days=20),
        "acknowledgement_due": end + datetime.timedelta(days=30),
    }
    settings.update(overrides)
    return settings


def make_cycle(org, actor, **overrides):
    return cycle_create(org=org, actor=actor, **cycle_settings(**overrides))


def simple_role(org, *, title="Account Manager", department=None) -> Role:
    """A role with two KRAs (60 and 40), one monthly KPI each (target 100, increase)."""
    role = Role.objects.create(org=org, title=title, department=department)
    for position, (kra_title, weight) in enumerate((("Revenue", 60), ("Retention", 40)), 1):
        kra = KRA.objects.create(
            org=org,
            level=KRALevel.ROLE,
            role=role,
            department=department,
            title=kra_title,
            weight=weight,
            position=position,
        )
        KPI.objects.create(
            org=org,
            kra=kra,
            name=f"{kra_title} index",
            measure_type=MeasureType.NUMBER,
            direction=Direction.INCREASE,
            target=Decimal(100),
            frequency=Frequency.MONTHLY,
            weight=100,
        )
    return role


def agreement_in_force(member, role, *, manager=None, status=AgreementStatus.ACTIVE, period=None):
    """An agreement of ``member`` for ``role`` in ``status`` (active by default) over
    ``period`` (the test window by default): the role's KRAs and KPIs copied, one growth
    goal, and a version naming it."""
    org = member.org
    start, end = period or WINDOW
    agreement = Agreement.objects.create(
        org=org,
        employee=member,
        manager=manager,
        role=role,
        period_start=start,
        period_end=end,
        status=status,
    )
    for kra in KRA.objects.filter(org=org, role=role).order_by("position"):
        item = AgreementItem.objects.create(
            org=org,
            agreement=agreement,
            source=ItemSource.ROLE,
            source_kra=kra,
            title=kra.title,
            weight=kra.weight,
            position=kra.position,
        )
        for kpi in KPI.objects.filter(org=org, kra=kra):
            AgreementKPI.objects.create(
                org=org,
                agreement=agreement,
                item=item,
                source=ItemSource.ROLE,
                source_kpi=kpi,
                name=kpi.name,
                measure_type=kpi.measure_type,
                direction=kpi.direction,
                target=kpi.target,
                frequency=kpi.frequency,
                weight=kpi.weight,
            )
    GrowthGoal.objects.create(
        org=org,
        agreement=agreement,
        goal="Negotiation skills",
        measurable_target="Three deals above list price",
        due_date=end,
        measured_by="Deal reviews",
    )
    if status != AgreementStatus.DRAFT:
        document = {"agreement": agreement.pk, "person": member.pk}
        version = AgreementVersion.objects.create(
            org=org,
            agreement=agreement,
            number=1,
            canonical_json=canonical_text(document),
            content_hash=sha256_hex(canonical_text(document).encode()),
        )
        agreement.current_version = version
        agreement.save(update_fields=["current_version"])
    return agreement
