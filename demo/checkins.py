"""The demo's check-ins (1:1s): for each manager and report, a few check-ins spread from the
start of the fiscal year to today (so within both review cycles' windows, ``demo.reviews``),
each with KRAs of the person's agreement, wins, blockers and actions owned by one or the
other. The actions of earlier check-ins are done, but for one that stays open and carries to
the next check-in (docs/DOMAIN.md rule R72); the latest check-in's are open.

The rows are bulk-inserted (a handful of INSERTs whatever the size) for at most ``MAX_PAIRS``
people, the first created, so the scale tenant's build barely grows. An organisation that
already has check-ins is left as it is, so a second run adds nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from orgs import audit
from orgs.models import Membership, Organization
from orgs.selectors import fiscal_year_bounds
from reviews.models import CheckIn, CheckInAction, CheckInTopic
from reviews.selectors_checkins import agreed_kras_of
from reviews.services.checkins import local_today

from .data.checkins import ACTIONS, BLOCKERS, NOTES, WINS

#: The people (with an active manager) who get check-ins: the first created.
MAX_PAIRS = 60
#: Check-ins per person, spread from the start of the fiscal year to today.
PER_PERSON = 4
#: Days from a check-in to its actions' due date.
DUE_AFTER_DAYS = 14


@dataclass
class Planned:
    """One check-in to insert, with its KRAs and actions ((text, owner, done?) each)."""

    check_in: CheckIn
    kras: list
    actions: list


def _dates(start: datetime.date, today: datetime.date, index: int) -> list[datetime.date]:
    """``PER_PERSON`` dates from ``start`` to ``today``, evenly spread, a little later for
    each person so that the team's check-ins are not all on the same day."""
    span = max((today - start).days, 0)
    days = {
        min(span, span * (2 * k + 1) // (2 * PER_PERSON) + index % 5) for k in range(PER_PERSON)
    }
    return [start + datetime.timedelta(days=d) for d in sorted(days)]


def _moment(org: Organization, day: datetime.date, hour: int) -> datetime.datetime:
    """``day`` at ``hour`` in the organisation's time zone, never later than now."""
    zone = zoneinfo.ZoneInfo(org.timezone)
    when = datetime.datetime.combine(day, datetime.time(hour), zone)
    return min(when, timezone.now())


def _plan_person(org, person: Membership, items: list, index: int, start, today) -> list:
    dates = _dates(start, today, index)
    planned = []
    for k, held_on in enumerate(dates):
        n = index + k
        recorded_by = person.manager if n % 3 else person
        check_in = CheckIn(
            org=org,
            employee=person,
            manager=person.manager,
            held_on=held_on,
            wins=WINS[n % len(WINS)],
            blockers=BLOCKERS[n % len(BLOCKERS)],
            notes=NOTES[n % len(NOTES)],
            created_by=recorded_by,
            created_at=_moment(org, held_on, 17),
            updated_at=_moment(org, held_on, 17),
        )
        kras = [items[(n + j) % len(items)] for j in range(min(2, len(items)))]
        latest, carried = k == len(dates) - 1, k == len(dates) - 2
        actions = []
        for j in range(2):
            text, by_manager = ACTIONS[(2 * n + j) % len(ACTIONS)]
            owner = person.manager if by_manager else person
            done = not latest and not (carried and j == 1)
            actions.append((text, owner, done))
        planned.append(Planned(check_in, kras, actions))
    return planned


def _insert(org: Organization, planned: list[Planned]) -> None:
    CheckIn.objects.bulk_create([p.check_in for p in planned])
    topics, actions = [], []
    for p in planned:
        c = p.check_in
        topics += [
            CheckInTopic(org=org, check_in=c, agreement_item=item, title=item.title)
            for item in dict.fromkeys(p.kras)
        ]
        due = c.held_on + datetime.timedelta(days=DUE_AFTER_DAYS)
        for text, owner, done in p.actions:
            done_on = c.held_on + datetime.timedelta(days=DUE_AFTER_DAYS - 3)
            actions.append(
                CheckInAction(
                    org=org,
                    check_in=c,
                    employee=c.employee,
                    description=text,
                    owner=owner,
                    due_date=due,
                    done_at=_moment(org, done_on, 10) if done else None,
                    done_by=owner if done else None,
                    created_at=c.created_at,
                )
            )
    CheckInTopic.objects.bulk_create(topics)
    CheckInAction.objects.bulk_create(actions)


def checkins_seed(org: Organization) -> int:
    """Check-ins for the first ``MAX_PAIRS`` people with an active manager; how many were
    added (none when the organisation has some already)."""
    if CheckIn.objects.filter(org=org).exists():
        return 0
    people = list(
        Membership.objects.filter(
            org=org, is_active=True, manager__isnull=False, manager__is_active=True
        )
        .select_related("manager")
        .order_by("pk")[:MAX_PAIRS]
    )
    if not people:
        return 0
    start, _end = fiscal_year_bounds(org=org)
    today = local_today(org)
    planned = []
    agreed = agreed_kras_of(people)
    for index, person in enumerate(people):
        planned += _plan_person(org, person, agreed.get(person.pk, []), index, start, today)
    _insert(org, planned)
    audit.record(
        org=org,
        actor=None,
        action="demo.check_ins",
        obj=org,
        changes={"people": len(people), "check-ins": len(planned)},
    )
    return len(planned)
