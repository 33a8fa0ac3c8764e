"""Who the demo organisation is: its profile, strategic objectives, departments and teams,
and the names its people are drawn from."""

from __future__ import annotations

from dataclasses import dataclass

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
