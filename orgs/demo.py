"""A believable demo organisation, of any size, for trying the product and for benchmarks.

It composes several apps (objectives live in kras), which is why it sits beside the
``seed_demo`` command rather than in the orgs services. The organisation, its profile, its
objectives and its departments go through the services (so they are audited like any other
write); people are bulk-inserted, because a demo of 10,000 employees must not take minutes.

Everything is deterministic: the same size gives the same people with the same names.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import Department, Membership, Organization, OrgRole, User
from .services import (
    department_create,
    department_update,
    membership_update,
    organization_create,
    organization_update_profile,
)

DEMO_PASSWORD = "demo-pass-2026"
DEFAULT_EMPLOYEES = 40
MIN_EMPLOYEES = 10
# Direct reports per manager inside a team before another level of team leads is added.
SPAN_OF_CONTROL = 8
_SEED = 2026

PROFILE = {
    "name": "Brightline Distribution",
    "mission": (
        "Keep every workplace we serve stocked, safe and running, so our customers can spend "
        "their time on their own work."
    ),
    "vision": (
        "By 2028, the supplier mid-sized businesses never have to think about: the right "
        "goods, on time and in full, every time."
    ),
    "values": (
        "Clarity: everyone knows what winning looks like in their role.\n"
        "Ownership: we own outcomes, not just tasks.\n"
        "Customers first: we judge our work by their results.\n"
        "Fairness: we review on data, in the open.\n"
        "Growth: every person has a plan to grow, and we measure it."
    ),
    "strategy_summary": (
        "Grow revenue 20% a year by winning mid-sized accounts and deepening the ones we have. "
        "Lift on-time-in-full delivery to 98% through better forecasting and supplier "
        "compliance. Resolve customer issues at the first contact. Keep our systems available "
        "and secure. Fill every open role within 45 days and upskill our people."
    ),
}

OBJECTIVES = [
    (
        "Grow revenue 20% year over year",
        "Win new mid-sized accounts, increase our share of wallet with existing customers and "
        "grow channel sales by 25%.",
        3,
    ),
    (
        "Deliver 98% of orders on time and in full",
        "Keep the supply chain running, bring every vendor to full compliance and hold cost "
        "overruns under 5%.",
        2,
    ),
    (
        "Turn customers into promoters",
        "Cut detractors by 10% quarter on quarter, resolve 40% of issues at the first contact "
        "and 90% of complaints within the SLA.",
        2,
    ),
    (
        "Run reliable, secure systems",
        "99.9% uptime for every customer-facing system; priority-one incidents resolved "
        "within 60 minutes.",
        1,
    ),
    (
        "Hire and grow great people",
        "Fill open roles within 45 days of the request and upskill 30% of our people on the "
        "new tools their roles depend on.",
        3,
    ),
]


@dataclass(frozen=True)
class Team:
    name: str
    lead_title: str  # the team's head or lead
    middle_title: str  # someone inside the team with reports of their own
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Dept:
    team: Team
    weight: int
    sub_teams: tuple[Team, ...] = ()


DEPARTMENTS = (
    Dept(
        Team(
            "Sales",
            "Head of Sales",
            "Sales Team Lead",
            ("Sales Executive", "Account Executive", "Business Development Representative"),
        ),
        10,
        (
            Team(
                "Inside Sales",
                "Inside Sales Manager",
                "Inside Sales Team Lead",
                ("Inside Sales Representative", "Sales Development Representative"),
            ),
            Team(
                "Field Sales",
                "Regional Sales Manager",
                "Field Sales Team Lead",
                ("Field Sales Executive", "Key Account Manager"),
            ),
        ),
    ),
    Dept(
        Team(
            "Marketing",
            "Marketing Manager",
            "Marketing Team Lead",
            (
                "Content Marketer",
                "Digital Marketing Specialist",
                "Social Media Specialist",
                "Marketing Analyst",
            ),
        ),
        5,
    ),
    Dept(
        Team(
            "HR",
            "Head of HR",
            "HR Team Lead",
            ("HR Specialist", "Talent Acquisition Specialist", "Learning and Development Partner"),
        ),
        4,
    ),
    Dept(
        Team(
            "IT",
            "IT Manager",
            "IT Team Lead",
            (
                "System Administrator",
                "Software Developer",
                "IT Support Engineer",
                "Security Analyst",
            ),
        ),
        5,
    ),
    Dept(
        Team(
            "Finance",
            "Finance Manager",
            "Finance Team Lead",
            ("Accountant", "Financial Analyst", "Internal Auditor"),
        ),
        5,
        (Team("Payroll", "Payroll Manager", "Payroll Team Lead", ("Payroll Specialist",)),),
    ),
    Dept(
        Team(
            "Customer Support",
            "Head of Customer Support",
            "Customer Support Team Lead",
            (
                "Customer Service Representative",
                "Customer Support Specialist",
                "Customer Success Manager",
            ),
        ),
        6,
    ),
    Dept(
        Team(
            "Operations",
            "Operations Manager",
            "Operations Team Lead",
            ("Project Manager", "Business Analyst", "Logistics Coordinator"),
        ),
        4,
        (
            Team(
                "Procurement",
                "Procurement Manager",
                "Procurement Team Lead",
                ("Procurement Specialist", "Vendor Compliance Analyst"),
            ),
        ),
    ),
)

CEO_TITLE = "Chief Executive Officer"

FIRST_NAMES = (
    "Aisha Amara Ana Arjun Ben Carla Chen Chloe Daniel Diego Elena Emma Farah Felix Grace "
    "Hana Hugo Ibrahim Ines Isaac Jade James Jonas Julia Kai Kofi Laila Leo Lina Lucas Maya "
    "Mei Mila Nadia Noah Nora Omar Oscar Priya Rafael Rosa Ruby Sam Sara Sean Sofia Tariq "
    "Theo Uma Victor Wen Yara Yusuf Zoe Aaron Bianca Caleb Dara Ethan Freya"
).split()
LAST_NAMES = (
    "Abbott Adeyemi Alvarez Andersen Bauer Bell Brennan Castro Chowdhury Clarke Costa Dubois "
    "Ellis Fischer Fontaine Garcia Gupta Hansen Haddad Ito Jensen Kaur Kim Kowalski Larsen "
    "Lopez Mahmoud Martin Mensah Moreau Murphy Nakamura Nguyen Novak Okafor Olsen Park Patel "
    "Petrov Quinn Rahman Reyes Rossi Santos Schmidt Sato Silva Singh Sullivan Tanaka Torres "
    "Varga Walsh Weber Wright Yilmaz Young Zhang Ziegler Osei"
).split()


@dataclass(frozen=True)
class Login:
    email: str
    full_name: str
    what: str


def fixed_logins(slug: str) -> dict[str, Login]:
    domain = f"{slug}.kra"
    return {
        "admin": Login(f"admin@{domain}", "Dana Whitfield", _("org admin, the CEO")),
        "hr": Login(f"hr@{domain}", "Priya Raman", _("HR, head of the HR department")),
        "manager": Login(
            f"manager@{domain}", "Marcus Bell", _("manager, head of the Sales department")
        ),
        "employee": Login(
            f"employee@{domain}",
            "Sofia Alvarez",
            _("employee, reports to %(manager)s") % {"manager": f"manager@{domain}"},
        ),
    }


@dataclass
class Person:
    email: str
    full_name: str
    job_title: str
    department: tuple[str, ...]  # path of department names; () for none
    manager: int | None  # index of the manager in the plan
    role: str = OrgRole.MEMBER
    depth: int = 0


@dataclass
class SeedResult:
    org: Organization
    created: bool
    members: int = 0
    departments: int = 0
    objectives: int = 0
    logins: list[Login] = field(default_factory=list)


def _split(total: int, weights: list[int]) -> list[int]:
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


def _plan(slug: str, employees: int) -> list[Person]:
    """Who works where, reporting to whom: CEO → department heads → team leads → teams."""
    rng = random.Random(_SEED)  # noqa: S311 - repeatable demo names, not secrets
    domain = f"{slug}.kra"
    logins = fixed_logins(slug)
    used: set[str] = {login.email for login in logins.values()}

    def new_name() -> tuple[str, str]:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{domain}", 1
        while email in used:
            n += 1
            email = f"{local}{n}@{domain}"
        used.add(email)
        return email, f"{first} {last}"

    people = [
        Person(logins["admin"].email, logins["admin"].full_name, CEO_TITLE, (), None, OrgRole.ADMIN)
    ]

    def add(team: Team, path: tuple[str, ...], root: int, count: int) -> None:
        """Add ``count`` people under ``root`` as a tree with SPAN_OF_CONTROL reports each."""
        members = [root]
        for position in range(1, count + 1):
            manager = members[(position - 1) // SPAN_OF_CONTROL]
            has_reports = SPAN_OF_CONTROL * position + 1 <= count
            email, name = new_name()
            title = team.middle_title if has_reports else rng.choice(team.titles)
            people.append(Person(email, name, title, path, manager))
            members.append(len(people) - 1)

    counts = _split(employees - 1, [d.weight for d in DEPARTMENTS])
    for dept, count in zip(DEPARTMENTS, counts, strict=True):
        email, name = new_name()
        path = (dept.team.name,)
        people.append(Person(email, name, dept.team.lead_title, path, 0))
        head = len(people) - 1
        if dept.team.name == "Sales":
            people[head].email, people[head].full_name = (
                logins["manager"].email,
                logins["manager"].full_name,
            )
        elif dept.team.name == "HR":
            people[head].email, people[head].full_name = logins["hr"].email, logins["hr"].full_name
            people[head].role = OrgRole.HR
        rest = count - 1
        units = 1 + len(dept.sub_teams)
        shares = [rest // units + (1 if i < rest % units else 0) for i in range(units)]
        if dept.team.name == "Sales":
            # A plain team member with no reports, whatever the size of the demo.
            employee = logins["employee"]
            people.append(
                Person(employee.email, employee.full_name, dept.team.titles[0], path, head)
            )
            shares[0] -= 1
        add(dept.team, path, head, shares[0])
        for team, share in zip(dept.sub_teams, shares[1:], strict=True):
            if not share:
                continue
            email, name = new_name()
            people.append(Person(email, name, team.lead_title, (*path, team.name), head))
            add(team, (*path, team.name), len(people) - 1, share - 1)

    for person in people[1:]:
        person.depth = people[person.manager].depth + 1
    return people


def _start_date(rng: random.Random) -> datetime.date:
    return datetime.date(2016, 1, 4) + datetime.timedelta(days=rng.randrange(9 * 365))


@transaction.atomic
def demo_seed(*, slug: str = "demo", employees: int = DEFAULT_EMPLOYEES) -> SeedResult:
    """Create the demo organisation under ``slug`` with ``employees`` members. When it already
    exists, nothing is changed and ``created`` is False."""
    from kras.services import objective_create

    logins = list(fixed_logins(slug).values())
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        return SeedResult(
            org=existing,
            created=False,
            members=Membership.objects.filter(org=existing).count(),
            departments=Department.objects.filter(org=existing).count(),
            logins=logins,
        )
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"a demo needs at least {MIN_EMPLOYEES} employees")

    people = _plan(slug, employees)
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    org, admin = organization_create(
        name=PROFILE["name"],
        slug=slug,
        admin_email=people[0].email,
        admin_name=people[0].full_name,
        timezone="Europe/London",
    )
    if not admin.user.has_usable_password():
        admin.user.password = password
        admin.user.save(update_fields=["password"])
    organization_update_profile(
        org=org, actor=admin, **{k: v for k, v in PROFILE.items() if k != "name"}
    )
    for title, description, horizon in OBJECTIVES:
        objective_create(
            org=org, actor=admin, title=title, description=description, horizon_years=horizon
        )

    departments: dict[tuple[str, ...], Department] = {}
    for person in people:
        for depth in range(1, len(person.department) + 1):
            path = person.department[:depth]
            if path not in departments:
                departments[path] = department_create(
                    org=org, actor=admin, name=path[-1], parent=departments.get(path[:-1])
                )

    emails = [p.email for p in people[1:]]
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    new_users = [
        User(email=p.email, full_name=p.full_name, password=password)
        for p in people[1:]
        if p.email not in users
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    users.update({u.email: u for u in new_users})

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

    # Heads and team leads: the first person of each department path.
    for i, person in enumerate(people[1:], start=1):
        department = departments[person.department]
        manager_path = people[person.manager].department
        if department.head_id is None and manager_path != person.department:
            departments[person.department] = department_update(
                department=department, actor=admin, head=memberships[i]
            )

    audit.record(
        org=org,
        actor=admin,
        action="demo.seed",
        obj=org,
        changes={"members": len(people), "departments": len(departments)},
    )
    return SeedResult(
        org=org,
        created=True,
        members=len(people),
        departments=len(departments),
        objectives=len(OBJECTIVES),
        logins=logins,
    )
