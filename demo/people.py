"""The demo's people: who works where and reports to whom (the plan), then their accounts and
memberships, bulk-inserted a reporting level at a time.

The plan is deterministic: the same size gives the same people with the same names.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from orgs.models import Department, Membership, Organization, OrgRole, User
from orgs.services import membership_update

from .data.organisation import CEO_TITLE, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, Dept, Team
from .logins import Login, fixed_logins

# Direct reports per manager inside a team before another level of team leads is added.
SPAN_OF_CONTROL = 8
_SEED = 2026


@dataclass
class Person:
    email: str
    full_name: str
    job_title: str
    department: tuple[str, ...]  # path of department names; () for none
    manager: int | None  # index of the manager in the plan
    role: str = OrgRole.MEMBER
    depth: int = 0


def split(total: int, weights: list[int]) -> list[int]:
    """Share ``total`` in proportion to ``weights`` (largest remainder), at least 1 each."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    for i, count in enumerate(counts):
        if count == 0:
            donor = max(range(len(counts)), key=counts.__getitem__)
            counts[donor] -= 1
            counts[i] = 1
    return counts


class _Planner:
    """Builds the plan in order; every random draw happens in the same sequence each time."""

    def __init__(self, slug: str):
        self.rng = random.Random(_SEED)  # noqa: S311 - repeatable demo names, not secrets
        self.domain = f"{slug}.kra"
        self.logins = fixed_logins(slug)
        self.used: set[str] = {login.email for login in self.logins.values()}
        admin = self.logins["admin"]
        self.people = [
            Person(admin.email, admin.full_name, CEO_TITLE, (), None, OrgRole.ADMIN),
        ]

    def new_name(self) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{self.domain}", 1
        while email in self.used:
            n += 1
            email = f"{local}{n}@{self.domain}"
        self.used.add(email)
        return email, f"{first} {last}"

    def add(self, person: Person) -> int:
        self.people.append(person)
        return len(self.people) - 1

    def team(self, team: Team, path: tuple[str, ...], root: int, count: int) -> None:
        """Add ``count`` people under ``root`` as a tree with SPAN_OF_CONTROL reports each."""
        members = [root]
        for position in range(1, count + 1):
            manager = members[(position - 1) // SPAN_OF_CONTROL]
            has_reports = SPAN_OF_CONTROL * position + 1 <= count
            email, name = self.new_name()
            title = team.middle_title if has_reports else self.rng.choice(team.titles)
            members.append(self.add(Person(email, name, title, path, manager)))

    def department(self, dept: Dept, count: int) -> None:
        """The department's head under the CEO, then its own team and its sub-teams."""
        email, name = self.new_name()
        path = (dept.team.name,)
        head = self.add(Person(email, name, dept.team.lead_title, path, 0))
        self._cast_persona(self.people[head], dept)
        rest = count - 1
        units = 1 + len(dept.sub_teams)
        shares = [rest // units + (1 if i < rest % units else 0) for i in range(units)]
        if dept.team.name == "Sales":
            # A plain team member with no reports, whatever the size of the demo.
            employee = self.logins["employee"]
            self.add(Person(employee.email, employee.full_name, dept.team.titles[0], path, head))
            shares[0] -= 1
        self.team(dept.team, path, head, shares[0])
        for team, share in zip(dept.sub_teams, shares[1:], strict=True):
            if not share:
                continue
            email, name = self.new_name()
            lead = self.add(Person(email, name, team.lead_title, (*path, team.name), head))
            self.team(team, (*path, team.name), lead, share - 1)

    def _cast_persona(self, head: Person, dept: Dept) -> None:
        """Sales is headed by the manager persona, HR by the HR persona."""
        persona: Login | None = {
            "Sales": self.logins["manager"],
            "HR": self.logins["hr"],
        }.get(dept.team.name)
        if persona is None:
            return
        head.email, head.full_name = persona.email, persona.full_name
        if dept.team.name == "HR":
            head.role = OrgRole.HR


def plan(slug: str, employees: int) -> list[Person]:
    """Who works where, reporting to whom: CEO → department heads → team leads → teams."""
    planner = _Planner(slug)
    counts = split(employees - 1, [d.weight for d in DEPARTMENTS])
    for dept, count in zip(DEPARTMENTS, counts, strict=True):
        planner.department(dept, count)
    people = planner.people
    for person in people[1:]:
        person.depth = people[person.manager].depth + 1
    return people


def _start_date(rng: random.Random) -> datetime.date:
    return datetime.date(2016, 1, 4) + datetime.timedelta(days=rng.randrange(9 * 365))


def users_create(*, people: list[Person], password: str) -> dict[str, User]:
    """Accounts for everyone but the admin (whom the organisation's creation made); an
    account that already exists is reused."""
    emails = [p.email for p in people[1:]]
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    new_users = [
        User(email=p.email, full_name=p.full_name, password=password)
        for p in people[1:]
        if p.email not in users
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    users.update({u.email: u for u in new_users})
    return users


def memberships_create(
    *,
    org: Organization,
    admin: Membership,
    people: list[Person],
    users: dict[str, User],
    departments: dict[tuple[str, ...], Department],
) -> list[Membership]:
    """One membership per person in the plan's order, a reporting level at a time so that
    each manager exists before their reports; the admin's own membership is completed."""
    rng = random.Random(_SEED + 1)  # noqa: S311 - repeatable demo data
    memberships: list[Membership | None] = [admin] + [None] * (len(people) - 1)
    for depth in range(1, max(p.depth for p in people) + 1):
        level = [i for i, p in enumerate(people) if p.depth == depth]
        batch = [
            Membership(
                org=org,
                user=users[people[i].email],
                role=people[i].role,
                employee_id=f"E{i + 1:05d}",
                job_title=people[i].job_title,
                department=departments[people[i].department],
                manager=memberships[people[i].manager],
                start_date=_start_date(rng),
            )
            for i in level
        ]
        Membership.objects.bulk_create(batch, batch_size=1000)
        for i, membership in zip(level, batch, strict=True):
            memberships[i] = membership
    membership_update(
        membership=admin,
        actor=admin,
        job_title=CEO_TITLE,
        employee_id="E00001",
        start_date=datetime.date(2015, 3, 2),
    )
    return memberships
