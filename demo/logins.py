"""The four fixed personas of every demo organisation and their shared password."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

DEMO_PASSWORD = "demo-pass-2026"


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
