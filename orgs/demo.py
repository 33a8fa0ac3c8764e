"""A believable demo organisation, of any size, for trying the product and for benchmarks.

It composes several apps (objectives and KRAs live in kras, roles in roles, KPIs in kpis),
which is why it sits beside the ``seed_demo`` command rather than in the orgs services. The
organisation, its profile, its objectives and its departments go through the services (so
they are audited like any other write); people, roles, KRAs and KPIs are bulk-inserted,
because a demo of 10,000 employees must not take minutes.

Roles are built from the KRA template library (``kras/library/``), one per job title and
department, held by everyone with that title. The ladder is complete: organisation and
department KRAs serve the strategic objectives, role KRAs serve their department's KRAs.

Everything is deterministic: the same size gives the same people with the same names.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import Department, Membership, Organization, OrgRole, User
from .selectors import fiscal_year_bounds
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
    roles: int = 0
    kras: int = 0
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


# --- Roles and KRAs ---------------------------------------------------------------------------

#: The library template each demo job title is built from.
ROLE_TEMPLATES = {
    CEO_TITLE: "leadership.chief-executive",
    "Head of Sales": "sales.sales-manager",
    "Inside Sales Manager": "sales.sales-manager",
    "Regional Sales Manager": "sales.sales-manager",
    "Sales Executive": "sales.sales-executive",
    "Account Executive": "sales.sales-executive",
    "Business Development Representative": "sales.sales-executive",
    "Inside Sales Representative": "sales.sales-executive",
    "Sales Development Representative": "sales.sales-executive",
    "Field Sales Executive": "sales.sales-executive",
    "Key Account Manager": "sales.key-account-manager",
    "Marketing Manager": "marketing.marketing-manager",
    "Content Marketer": "marketing.content-marketer",
    "Digital Marketing Specialist": "marketing.digital-marketing-specialist",
    "Social Media Specialist": "marketing.digital-marketing-specialist",
    "Marketing Analyst": "marketing.digital-marketing-specialist",
    "Head of HR": "hr.hr-manager",
    "HR Specialist": "hr.hr-specialist",
    "Talent Acquisition Specialist": "hr.talent-acquisition-specialist",
    "Learning and Development Partner": "hr.hr-specialist",
    "IT Manager": "it.it-manager",
    "System Administrator": "it.system-administrator",
    "Security Analyst": "it.system-administrator",
    "IT Support Engineer": "it.it-support-engineer",
    "Software Developer": "software-development.software-developer",
    "Finance Manager": "finance-legal.finance-manager",
    "Accountant": "finance-legal.accountant",
    "Financial Analyst": "finance-legal.accountant",
    "Internal Auditor": "internal-audit.internal-auditor",
    "Payroll Manager": "payroll.payroll-manager",
    "Payroll Specialist": "payroll.payroll-specialist",
    "Head of Customer Support": "customer-service.customer-support-manager",
    "Customer Service Representative": "customer-service.customer-service-representative",
    "Customer Support Specialist": "customer-service.customer-service-representative",
    "Customer Success Manager": "customer-service.customer-success-manager",
    "Operations Manager": "operations.operations-manager",
    "Project Manager": "project-management.project-manager",
    "Business Analyst": "product.business-analyst",
    "Logistics Coordinator": "operations.logistics-coordinator",
    "Procurement Manager": "procurement.procurement-manager",
    "Procurement Specialist": "procurement.procurement-specialist",
    "Vendor Compliance Analyst": "procurement.vendor-compliance-analyst",
}
#: Team leads everywhere are built from the leadership family's team lead.
TEAM_LEAD_TEMPLATE = "leadership.team-lead"
REVENUE_TEMPLATES = ("sales.", "customer-service.customer-success-manager")
COMPLIANCE_TEMPLATES = ("internal-audit.", "payroll.", "procurement.vendor-compliance-analyst")
#: A role the admin's attention list shows: not cost-justified, past its target date.
NOT_YET_JUSTIFIED = "Marketing Analyst"

#: Which objective (index in OBJECTIVES) a KRA theme of the library serves in this demo.
THEME_OBJECTIVE = {
    "growth": 0,
    "operations": 1,
    "finance": 1,
    "compliance": 1,
    "customers": 2,
    "technology": 3,
    "people": 4,
}


@dataclass(frozen=True)
class DemoKPI:
    name: str
    unit: str
    direction: str
    target: float
    frequency: str
    aggregation: str
    baseline: float | None = None


@dataclass(frozen=True)
class DemoKRA:
    title: str
    definition: str
    theme: str
    weight: int
    kpi: DemoKPI


def _capability(department: str) -> DemoKRA:
    return DemoKRA(
        f"{department} team capability",
        "Everyone in the team knows what winning looks like and has a plan to grow.",
        "people",
        15,
        DemoKPI(
            "Team members with an active growth plan", "%", "increase", 100, "quarterly", "last"
        ),
    )


ORG_KRAS = (
    DemoKRA(
        "Profitable growth",
        "Revenue grows 20% a year while margins hold.",
        "growth",
        40,
        DemoKPI("Revenue growth year over year", "%", "increase", 20, "annual", "last"),
    ),
    DemoKRA(
        "Customers who stay and recommend us",
        "More customers renew, buy more and promote us.",
        "customers",
        30,
        DemoKPI("Net promoter score", "NPS", "increase", 45, "quarterly", "last", 30),
    ),
    DemoKRA(
        "Operational excellence",
        "Orders arrive on time and in full from a compliant, reliable supply chain.",
        "operations",
        30,
        DemoKPI("Orders delivered on time and in full", "%", "increase", 98, "monthly", "avg", 91),
    ),
)

DEPARTMENT_KRAS: dict[str, tuple[DemoKRA, ...]] = {
    "Sales": (
        DemoKRA(
            "Revenue growth",
            "Grow revenue 20% a year from new mid-sized accounts and existing customers.",
            "growth",
            45,
            DemoKPI("Revenue growth year over year", "%", "increase", 20, "annual", "last"),
        ),
        DemoKRA(
            "Share of wallet and channel sales",
            "Existing customers and channel partners bring a growing share of revenue.",
            "growth",
            20,
            DemoKPI("Channel revenue growth", "%", "increase", 25, "annual", "last"),
        ),
        DemoKRA(
            "Customer retention",
            "Customers we win keep buying from us.",
            "customers",
            20,
            DemoKPI("Customer retention rate", "%", "increase", 90, "quarterly", "last", 84),
        ),
        DemoKRA(
            "Sales team capability",
            "Every representative has the coaching to reach quota.",
            "people",
            15,
            DemoKPI(
                "Representatives at or above quota", "%", "increase", 70, "quarterly", "last", 50
            ),
        ),
    ),
    "Inside Sales": (
        DemoKRA(
            "Inbound conversion",
            "Inbound interest becomes qualified opportunities.",
            "growth",
            60,
            DemoKPI("Lead-to-opportunity conversion", "%", "increase", 25, "monthly", "avg", 18),
        ),
        DemoKRA(
            "Pipeline generation",
            "Enough qualified meetings for the field team every month.",
            "growth",
            40,
            DemoKPI("Qualified meetings booked", "meetings", "increase", 300, "monthly", "sum"),
        ),
    ),
    "Field Sales": (
        DemoKRA(
            "Mid-sized account wins",
            "New mid-sized accounts won in every region.",
            "growth",
            60,
            DemoKPI("New mid-sized accounts won", "accounts", "increase", 30, "quarterly", "sum"),
        ),
        DemoKRA(
            "Key account growth",
            "Key accounts buy more from us every year.",
            "growth",
            40,
            DemoKPI("Revenue growth from key accounts", "%", "increase", 20, "annual", "last"),
        ),
    ),
    "Marketing": (
        DemoKRA(
            "Qualified demand",
            "Sales gets the qualified leads it needs to grow 20%.",
            "growth",
            40,
            DemoKPI("Marketing-qualified leads", "leads", "increase", 1000, "monthly", "sum"),
        ),
        DemoKRA(
            "Brand visibility",
            "Mid-sized businesses in our markets know who we are.",
            "growth",
            25,
            DemoKPI("Organic website sessions", "sessions", "increase", 50000, "monthly", "sum"),
        ),
        DemoKRA(
            "Efficient acquisition",
            "Each new customer costs less to win.",
            "finance",
            20,
            DemoKPI("Customer acquisition cost", "USD", "decrease", 500, "quarterly", "avg", 650),
        ),
        _capability("Marketing"),
    ),
    "HR": (
        DemoKRA(
            "Fast, fair hiring",
            "Open roles are filled within 45 days of the request.",
            "people",
            40,
            DemoKPI("Average time to fill", "days", "decrease", 45, "monthly", "avg", 60),
        ),
        DemoKRA(
            "Engagement and retention",
            "People would recommend us as a place to work, and stay.",
            "people",
            30,
            DemoKPI(
                "Employee net promoter score (eNPS)",
                "eNPS",
                "increase",
                50,
                "quarterly",
                "last",
                30,
            ),
        ),
        DemoKRA(
            "Upskilled workforce",
            "30% of our people are upskilled on the tools their roles now depend on.",
            "people",
            15,
            DemoKPI("Workforce upskilled on new tools", "%", "increase", 30, "annual", "last"),
        ),
        DemoKRA(
            "Employment compliance",
            "No breach of employment law or policy.",
            "compliance",
            15,
            DemoKPI("Compliance violations", "violations", "decrease", 0, "quarterly", "sum", 2),
        ),
    ),
    "IT": (
        DemoKRA(
            "Reliable systems",
            "Customer-facing systems are up 99.9% of the time.",
            "technology",
            40,
            DemoKPI("Uptime of customer-facing systems", "%", "increase", 99.9, "monthly", "avg"),
        ),
        DemoKRA(
            "Fast incident response",
            "Priority-one incidents are resolved within 60 minutes.",
            "technology",
            25,
            DemoKPI(
                "P1 incidents resolved within 60 minutes", "%", "increase", 95, "monthly", "avg"
            ),
        ),
        DemoKRA(
            "Secure systems",
            "Critical vulnerabilities are closed within 14 days.",
            "technology",
            20,
            DemoKPI(
                "Critical vulnerabilities closed within 14 days",
                "%",
                "increase",
                100,
                "monthly",
                "last",
            ),
        ),
        _capability("IT"),
    ),
    "Finance": (
        DemoKRA(
            "Healthy cash flow",
            "Customers pay on time and the business stays cash-flow positive.",
            "finance",
            30,
            DemoKPI("Days sales outstanding", "days", "decrease", 40, "monthly", "last", 55),
        ),
        DemoKRA(
            "Budget discipline",
            "Cost overruns stay under 5% across the business.",
            "finance",
            25,
            DemoKPI("Budget adherence", "%", "increase", 90, "quarterly", "last"),
        ),
        DemoKRA(
            "Regulatory compliance",
            "Every filing on time; no fines or penalties.",
            "compliance",
            30,
            DemoKPI("Filings submitted on time", "%", "increase", 100, "quarterly", "last"),
        ),
        _capability("Finance"),
    ),
    "Payroll": (
        DemoKRA(
            "Accurate, on-time pay",
            "Everyone is paid correctly and on the day.",
            "people",
            70,
            DemoKPI("Payroll items with errors", "%", "decrease", 2, "monthly", "avg", 4),
        ),
        DemoKRA(
            "Payroll compliance",
            "Payroll taxes and filings are always on time.",
            "compliance",
            30,
            DemoKPI("Payroll filings on time", "%", "increase", 100, "quarterly", "last"),
        ),
    ),
    "Customer Support": (
        DemoKRA(
            "First-contact resolution",
            "40% of issues are resolved at the first contact.",
            "customers",
            35,
            DemoKPI("First-contact resolution rate", "%", "increase", 40, "monthly", "avg", 30),
        ),
        DemoKRA(
            "Fewer detractors",
            "Detractors fall by 10% quarter on quarter.",
            "customers",
            30,
            DemoKPI("Share of detractors", "%", "decrease", 15, "quarterly", "last", 25),
        ),
        DemoKRA(
            "Service within SLA",
            "90% of complaints are resolved within the SLA.",
            "customers",
            20,
            DemoKPI("Complaints resolved within SLA", "%", "increase", 90, "monthly", "avg"),
        ),
        _capability("Customer Support"),
    ),
    "Operations": (
        DemoKRA(
            "On-time-in-full delivery",
            "98% of orders arrive on time and in full.",
            "operations",
            40,
            DemoKPI(
                "Orders delivered on time and in full", "%", "increase", 98, "monthly", "avg", 91
            ),
        ),
        DemoKRA(
            "Cost control",
            "Cost overruns stay under 5%.",
            "finance",
            25,
            DemoKPI("Cost overrun", "%", "decrease", 5, "monthly", "last", 9),
        ),
        DemoKRA(
            "Delivery quality",
            "Customers rarely need to return or have work redone.",
            "customers",
            20,
            DemoKPI("Returns and rework rate", "%", "decrease", 2, "monthly", "avg", 4),
        ),
        _capability("Operations"),
    ),
    "Procurement": (
        DemoKRA(
            "Supply continuity",
            "Production never waits for materials.",
            "operations",
            50,
            DemoKPI("Supply continuity", "%", "increase", 98, "monthly", "avg"),
        ),
        DemoKRA(
            "Vendor compliance",
            "Every vendor passes its compliance audit.",
            "compliance",
            50,
            DemoKPI(
                "Vendors with a completed compliance audit",
                "%",
                "increase",
                100,
                "quarterly",
                "last",
                80,
            ),
        ),
    ),
}


def _template_key(title: str) -> str:
    if title in ROLE_TEMPLATES:
        return ROLE_TEMPLATES[title]
    if title.endswith("Team Lead"):
        return TEAM_LEAD_TEMPLATE
    return "leadership.department-head"


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _this_fiscal_year(org: Organization) -> dict:
    start, end = fiscal_year_bounds(org=org)
    return {"start_date": start, "due_date": end}


def _demo_kpi(org: Organization, kra, kpi: DemoKPI):
    from kpis.models import KPI

    measure = {"%": "percent", "USD": "currency"}.get(kpi.unit, "number")
    return KPI(
        org=org,
        kra=kra,
        name=kpi.name,
        measure_type=measure,
        currency_code="USD" if measure == "currency" else "",
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=_decimal(kpi.baseline),
        target=_decimal(kpi.target),
        frequency=kpi.frequency,
        aggregation=kpi.aggregation,
        weight=Decimal(100),
        position=1,
        **_this_fiscal_year(org),
    )


def _library_kpi(org: Organization, kra, item: dict, position: int):
    from kpis.models import KPI

    return KPI(
        org=org,
        kra=kra,
        name=item["name"],
        description=item.get("description", ""),
        measure_type=item["measure_type"],
        currency_code=item.get("currency_code") or "",
        unit=item.get("unit") or "",
        direction=item["direction"],
        baseline=_decimal(item.get("baseline")),
        target=_decimal(item.get("target")),
        target_low=_decimal(item.get("target_low")),
        target_high=_decimal(item.get("target_high")),
        frequency=item["frequency"],
        aggregation=item["aggregation"],
        weight=_decimal(item["weight"]),
        position=position,
        **_this_fiscal_year(org),
    )


@dataclass
class RoleSeed:
    roles: int = 0
    kras: int = 0
    kpis: int = 0
    assignments: int = 0


def _seed_roles_and_kras(org: Organization, admin: Membership) -> RoleSeed:
    """Organisation, department and role KRAs with their KPIs, the roles of every job title
    in every department, and who holds them: a fixed number of statements (bulk inserts)
    whatever the number of people."""
    from kpis.models import KPI
    from kras import library
    from kras.models import KRA, KRALevel, StrategicObjective
    from roles.models import AreaOfFocus, JustificationKind, Role, RoleAssignment

    objectives = list(StrategicObjective.objects.filter(org=org).order_by("position", "id"))
    departments = {d.pk: d for d in Department.objects.filter(org=org).order_by("pk")}
    members = list(
        Membership.objects.filter(org=org, is_active=True)
        .exclude(job_title="")
        .values_list("pk", "job_title", "department_id", "start_date")
        .order_by("pk")
    )
    seed = RoleSeed()
    kpis: list = []

    def objective_for(theme: str):
        index = THEME_OBJECTIVE.get(theme, 0)
        return objectives[index] if index < len(objectives) else objectives[0]

    # Organisation KRAs, owned by leadership.
    org_kras = [
        KRA(
            org=org,
            level=KRALevel.ORGANIZATION,
            title=item.title,
            definition=item.definition,
            owner=admin,
            weight=Decimal(item.weight),
            priority=position,
            objective=objective_for(item.theme),
            position=position,
        )
        for position, item in enumerate(ORG_KRAS, start=1)
    ]
    KRA.objects.bulk_create(org_kras)
    kpis += [_demo_kpi(org, kra, item.kpi) for kra, item in zip(org_kras, ORG_KRAS, strict=True)]

    # Department KRAs: top departments ladder to the objectives, the teams inside them to
    # their parent department's KRA of the same theme.
    themed: dict[int, list[tuple[str, KRA]]] = {}
    for top_level in (True, False):
        batch, items = [], []
        for department in departments.values():
            if (department.parent_id is None) != top_level:
                continue
            for position, item in enumerate(DEPARTMENT_KRAS.get(department.name, ()), start=1):
                above = themed.get(department.parent_id, [])
                parent = next((k for t, k in above if t == item.theme), None) or next(
                    (k for _t, k in above if k.objective_id == objective_for(item.theme).pk),
                    None,
                )
                kra = KRA(
                    org=org,
                    level=KRALevel.DEPARTMENT,
                    title=item.title,
                    definition=item.definition,
                    department=department,
                    weight=Decimal(item.weight),
                    priority=min(position, 5),
                    parent=parent,
                    objective=None if parent else objective_for(item.theme),
                    position=position,
                )
                batch.append(kra)
                items.append(item)
                themed.setdefault(department.pk, []).append((item.theme, kra))
        KRA.objects.bulk_create(batch)
        kpis += [_demo_kpi(org, kra, item.kpi) for kra, item in zip(batch, items, strict=True)]

    def parent_for(department_id: int | None, theme: str):
        """The department KRA a role KRA of ``theme`` serves: the same theme in the role's
        department or the nearest one above, else one serving the same objective, else the
        department's first KRA."""
        chain, node = [], department_id
        while node is not None and node not in chain:
            chain.append(node)
            node = departments[node].parent_id
        for dept in chain:
            for kra_theme, kra in themed.get(dept, []):
                if kra_theme == theme:
                    return kra
        objective = objective_for(theme)
        for dept in chain:
            for _theme, kra in themed.get(dept, []):
                if kra.objective_id == objective.pk:
                    return kra
        for dept in chain:
            if themed.get(dept):
                return themed[dept][0][1]
        return None

    # Roles: one per job title and department, from the library.
    titles = sorted(
        {(department_id, title) for _pk, title, department_id, _d in members},
        key=lambda item: (item[0] or 0, item[1]),
    )
    roles: dict[tuple[int | None, str], Role] = {}
    role_templates: dict[tuple[int | None, str], library.RoleTemplate] = {}
    for department_id, title in titles:
        template = library.get(_template_key(title))
        department = departments.get(department_id)
        if template.key.startswith(REVENUE_TEMPLATES):
            kind = JustificationKind.REVENUE
        elif template.key.startswith(COMPLIANCE_TEMPLATES):
            kind = JustificationKind.COMPLIANCE
        else:
            kind = JustificationKind.FREES_CAPACITY
        serves = sorted(
            {objective_for(kra["theme"]).title for kra in template.kras if kra.get("theme")}
        )
        roles[(department_id, title)] = Role(
            org=org,
            department=department,
            title=title,
            purpose=template.purpose,
            mission_alignment=(
                "Keeps the workplaces we serve stocked, safe and running by owning "
                f"{template.kras[0]['title'].lower()}."
            ),
            strategy_contribution="Advances: " + "; ".join(serves) + ".",
            justification_kind=(JustificationKind.NOT_YET if title == NOT_YET_JUSTIFIED else kind),
            justification_target_date=(
                datetime.date(2025, 12, 31) if title == NOT_YET_JUSTIFIED else None
            ),
            job_description=(
                f"{title}{' in ' + department.name if department else ''}. {template.purpose}"
            ),
        )
        role_templates[(department_id, title)] = template
    Role.objects.bulk_create(list(roles.values()))

    areas = []
    for key, role in roles.items():
        for position, area in enumerate(role_templates[key].areas_of_focus, start=1):
            areas.append(AreaOfFocus(org=org, role=role, title=area, position=position))
    AreaOfFocus.objects.bulk_create(areas)
    area_of = {(a.role_id, a.title): a for a in areas}

    role_kras, role_items = [], []
    for key, role in roles.items():
        template = role_templates[key]
        for position, item in enumerate(template.kras, start=1):
            parent = parent_for(role.department_id, item.get("theme", ""))
            role_kras.append(
                KRA(
                    org=org,
                    level=KRALevel.ROLE,
                    title=item["title"],
                    definition=item.get("definition", ""),
                    role=role,
                    area_of_focus=area_of.get((role.pk, item.get("area"))),
                    weight=_decimal(item["weight"]),
                    priority=min(position, 5),
                    parent=parent,
                    # Leadership roles outside any department serve the objectives directly.
                    objective=None if parent else objective_for(item.get("theme", "")),
                    position=position,
                )
            )
            role_items.append(item)
    KRA.objects.bulk_create(role_kras, batch_size=1000)
    for kra, item in zip(role_kras, role_items, strict=True):
        kpis += [
            _library_kpi(org, kra, kpi, position)
            for position, kpi in enumerate(item["kpis"], start=1)
        ]
    KPI.objects.bulk_create(kpis, batch_size=1000)

    assignments = [
        RoleAssignment(
            org=org,
            role=roles[(department_id, title)],
            member_id=pk,
            start_date=start_date or datetime.date(2016, 1, 4),
        )
        for pk, title, department_id, start_date in members
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=2000)

    seed.roles = len(roles)
    seed.kras = len(org_kras) + len(role_kras) + sum(len(v) for v in themed.values())
    seed.kpis = len(kpis)
    seed.assignments = len(assignments)
    return seed


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
        result = SeedResult(
            org=existing,
            created=False,
            members=Membership.objects.filter(org=existing).count(),
            departments=Department.objects.filter(org=existing).count(),
            logins=logins,
        )
        _top_up_roles(result)
        return result
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

    roles = _seed_roles_and_kras(org, admin)
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
        logins=logins,
    )


def _top_up_roles(result: SeedResult) -> None:
    """A demo organisation seeded before roles and KRAs existed gets them now; one that has
    any is left as it is, so running the command again changes nothing."""
    from kras.models import KRA
    from roles.models import Role

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
    roles = _seed_roles_and_kras(org, admin)
    audit.record(
        org=org,
        actor=admin,
        action="demo.seed_roles",
        obj=org,
        changes={"roles": roles.roles, "kras": roles.kras, "kpis": roles.kpis},
    )
    result.roles, result.kras = roles.roles, roles.kras
