"""Seeding a demo organisation, step by step, and topping up one seeded before roles,
agreements, results, review cycles or check-ins existed.

The organisation, its profile, objectives and departments go through the services
(``structure``); people, roles, KRAs and KPIs are bulk-inserted (``people``, ``roles``,
``kras``), because a demo of 10,000 employees must not take minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from kras.models import KRA
from orgs import audit
from orgs.models import Department, Membership, Organization, OrgRole
from roles.models import Role

from . import people as people_step
from .agreements import DEFAULT_AGREEMENTS, agreements_seed
from .checkins import checkins_seed
from .data.organisation import OBJECTIVES
from .data.positions import SCALE_FROM
from .logins import DEMO_PASSWORD, Login, fixed_logins
from .measurements import measurements_seed
from .positions import positions_seed
from .reviews import reviews_seed
from .roles import roles_and_kras_seed
from .structure import departments_create, heads_appoint, organisation_create

DEFAULT_EMPLOYEES = 40
MIN_EMPLOYEES = 10


@dataclass
class SeedResult:
    org: Organization
    created: bool
    members: int = 0
    departments: int = 0
    objectives: int = 0
    roles: int = 0
    kras: int = 0
    kpis: int = 0
    agreements_active: int = 0
    agreements_awaiting: int = 0
    measurements: int = 0
    reviews: int = 0
    check_ins: int = 0
    logins: list[Login] = field(default_factory=list)


@transaction.atomic
def demo_seed(
    *,
    slug: str = "demo",
    employees: int = DEFAULT_EMPLOYEES,
    agreements: int = DEFAULT_AGREEMENTS,
    measurements: bool = True,
    scale: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Create the demo organisation under ``slug`` with ``employees`` members, and KRA
    agreements for the first ``agreements`` people (``demo.agreements``). When it already
    exists, ``created`` is False and only what it lacks is added, once: roles, agreements,
    review cycles and check-ins for one seeded before they existed (each step adds nothing
    to an organisation that has any of its own). With ``measurements``, the year's results so far
    and their scores (``demo.measurements``; only the values not there yet).

    ``scale`` (default: from ``SCALE_FROM`` employees) builds the scale tenant: everyone
    holds a role of their own (``demo.positions``) instead of one role per job title.
    ``progress`` is told what each step has done."""
    say = progress or (lambda message: None)
    if scale is None:
        scale = employees >= SCALE_FROM
    logins = list(fixed_logins(slug).values())
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        result = SeedResult(
            org=existing,
            created=False,
            members=Membership.objects.filter(org=existing).count(),
            departments=Department.objects.filter(org=existing).count(),
            logins=logins,
        )
        _top_up_roles(result)
        _top_up_agreements(result, agreements)
        if measurements:
            result.measurements = measurements_seed(existing, progress=progress).created
        _top_up_reviews_and_check_ins(result, say)
        return result
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"a demo needs at least {MIN_EMPLOYEES} employees")

    people = people_step.plan(slug, employees)
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    org, admin = organisation_create(slug=slug, admin=people[0], password=password)
    departments = departments_create(org=org, admin=admin, people=people)
    users = people_step.users_create(people=people, password=password)
    memberships = people_step.memberships_create(
        org=org, admin=admin, people=people, users=users, departments=departments
    )
    heads_appoint(admin=admin, people=people, memberships=memberships, departments=departments)
    say(f"  people: {len(people):,} members in {len(departments)} departments")

    if scale:
        roles = positions_seed(org, admin, progress=progress)
    else:
        roles = roles_and_kras_seed(org, admin)
    signed = agreements_seed(org, limit=agreements)
    if agreements:
        say(f"  agreements: {signed.active} in force, {signed.awaiting} awaiting a signature")
    results = measurements_seed(org, progress=progress).created if measurements else 0
    reviewed = reviews_seed(org)
    check_ins = checkins_seed(org)
    say(f"  check-ins: {check_ins}")
    audit.record(
        org=org,
        actor=admin,
        action="demo.seed",
        obj=org,
        changes={
            "members": len(people),
            "departments": len(departments),
            "roles": roles.roles,
            "kras": roles.kras,
            "kpis": roles.kpis,
            "scale tenant": scale,
            "agreements in force": signed.active,
            "agreements awaiting a signature": signed.awaiting,
            "measurements": results,
        },
    )
    return SeedResult(
        org=org,
        created=True,
        members=len(people),
        departments=len(departments),
        objectives=len(OBJECTIVES),
        roles=roles.roles,
        kras=roles.kras,
        kpis=roles.kpis,
        agreements_active=signed.active,
        agreements_awaiting=signed.awaiting,
        measurements=results,
        reviews=reviewed.closed + reviewed.open,
        check_ins=check_ins,
        logins=logins,
    )


def _top_up_roles(result: SeedResult) -> None:
    """A demo organisation seeded before roles and KRAs existed gets them now; one that has
    any is left as it is, so running the command again changes nothing."""
    org = result.org
    # Anything built by hand is left alone: the demo's ladder only makes sense whole.
    if (
        Role.objects.filter(org=org).exists()
        or KRA.objects.filter(org=org).exists()
        or not org.objectives.exists()
    ):
        return
    admin = (
        Membership.objects.filter(org=org, role=OrgRole.ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return
    roles = roles_and_kras_seed(org, admin)
    audit.record(
        org=org,
        actor=admin,
        action="demo.seed_roles",
        obj=org,
        changes={"roles": roles.roles, "kras": roles.kras, "kpis": roles.kpis},
    )
    result.roles, result.kras = roles.roles, roles.kras


def _top_up_agreements(result: SeedResult, limit: int) -> None:
    """A demo organisation with roles but no agreement yet (seeded before agreements
    existed) gets them now; one with any agreement is left as it is."""
    if not Role.objects.filter(org=result.org).exists():
        return
    signed = agreements_seed(result.org, limit=limit)
    result.agreements_active, result.agreements_awaiting = signed.active, signed.awaiting


def _top_up_reviews_and_check_ins(result: SeedResult, say: Callable[[str], None]) -> None:
    """A demo organisation seeded before review cycles or check-ins existed gets them now,
    as a new one does (after its agreements and results); each step leaves an organisation
    that has any of its own as it is, so running the command again adds nothing."""
    reviewed = reviews_seed(result.org)
    result.reviews = reviewed.closed + reviewed.open
    result.check_ins = checkins_seed(result.org)
    if result.reviews:
        say(f"  reviews: {reviewed.closed} in a closed cycle, {reviewed.open} in an open one")
    if result.check_ins:
        say(f"  check-ins: {result.check_ins}")
