"""Builders shared by the measurement and rollup tests (no tests here)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from kras.models import KRALevel
from roles.models import RoleAssignment
from tests.kras.test_kras_support import make_kpi, make_kra, make_role

YEAR_START = datetime.date(2026, 1, 1)
_serial = itertools.count(1)


def holder_of(person, *, role=None, start=YEAR_START, end=None, **kpi_fields):
    """A role KRA with one monthly KPI (target 100, no baseline) whose role ``person``
    holds from ``start``: the KPI."""
    org = person.org
    role = role or make_role(org, title=f"Role {next(_serial)} of {person.pk}")
    kra = make_kra(org, level=KRALevel.ROLE, role=role, title="Sales growth", weight=Decimal(100))
    fields = {
        "name": "Monthly sales",
        "frequency": "monthly",
        "baseline": None,
        "target": Decimal(100),
        **kpi_fields,
    }
    kpi = make_kpi(kra, **fields)
    RoleAssignment.objects.get_or_create(
        org=org, role=role, member=person, start_date=start, defaults={"end_date": end}
    )
    return kpi
