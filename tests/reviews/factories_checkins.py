"""Check-ins for tests, recorded through the service (docs/DOMAIN.md rules R71 to R75)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from orgs.models import Membership
from reviews.models import CheckIn
from reviews.services.checkins import ActionInput, check_in_record


def record_check_in(
    employee: Membership,
    *,
    actor: Membership | None = None,
    held_on: datetime.date | None = None,
    actions: list[tuple[str, Membership]] = (),
    kras=(),
    wins: str = "Closed the Initech deal",
    blockers: str = "",
) -> CheckIn:
    """A check-in of ``employee`` with their manager, recorded by ``actor`` (the manager by
    default), with ``actions`` as (description, owner) pairs due in a week."""
    actor = actor or employee.manager
    held_on = held_on or timezone.localdate()
    return check_in_record(
        actor=actor,
        employee=employee,
        held_on=held_on,
        kras=kras,
        wins=wins,
        blockers=blockers,
        notes="",
        actions=[
            ActionInput(
                description=text, owner=owner, due_date=held_on + datetime.timedelta(days=7)
            )
            for text, owner in actions
        ],
    )
