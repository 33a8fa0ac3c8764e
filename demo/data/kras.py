"""The organisation and department KRAs of the demo, each with one KPI. Role KRAs come from
the template library (``demo/data/roles.py`` says which template)."""

from __future__ import annotations

from dataclasses import dataclass


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
