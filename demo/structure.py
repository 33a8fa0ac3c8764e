"""The demo organisation's frame: the organisation with its profile and strategic objectives,
its departments, and who heads them. Everything here goes through the services, so it is
audited like any other write (a few dozen rows, whatever the headcount)."""

from __future__ import annotations

from kras.services import objective_create
from orgs.models import Department, Membership, Organization
from orgs.services import (
    department_create,
    department_update,
    organization_create,
    organization_update_profile,
)

from .data.organisation import OBJECTIVES, PROFILE
from .people import Person


def organisation_create(
    *, slug: str, admin: Person, password: str
) -> tuple[Organization, Membership]:
    """The organisation, its admin (signing in with the demo password unless the account
    already had one), its profile and its strategic objectives."""
    org, membership = organization_create(
        name=PROFILE["name"],
        slug=slug,
        admin_email=admin.email,
        admin_name=admin.full_name,
        timezone="Europe/London",
    )
    if not membership.user.has_usable_password():
        membership.user.password = password
        membership.user.save(update_fields=["password"])
    organization_update_profile(
        org=org, actor=membership, **{k: v for k, v in PROFILE.items() if k != "name"}
    )
    for title, description, horizon in OBJECTIVES:
        objective_create(
            org=org, actor=membership, title=title, description=description, horizon_years=horizon
        )
    return org, membership


def departments_create(
    *, org: Organization, admin: Membership, people: list[Person]
) -> dict[tuple[str, ...], Department]:
    """Every department path someone works in, parents first."""
    departments: dict[tuple[str, ...], Department] = {}
    for person in people:
        for depth in range(1, len(person.department) + 1):
            path = person.department[:depth]
            if path not in departments:
                departments[path] = department_create(
                    org=org, actor=admin, name=path[-1], parent=departments.get(path[:-1])
                )
    return departments


def heads_appoint(
    *,
    admin: Membership,
    people: list[Person],
    memberships: list[Membership],
    departments: dict[tuple[str, ...], Department],
) -> None:
    """Heads and team leads: the first person of each department path whose manager works
    outside it."""
    for i, person in enumerate(people[1:], start=1):
        department = departments[person.department]
        manager_path = people[person.manager].department
        if department.head_id is None and manager_path != person.department:
            departments[person.department] = department_update(
                department=department, actor=admin, head=memberships[i]
            )
