"""manage.py seed_demo [--employees N] [--slug demo] [--no-measurements] [--scale]"""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.agreements import DEFAULT_AGREEMENTS
from demo.data.positions import SCALE_FROM
from demo.logins import DEMO_PASSWORD
from demo.measurements import MAX_PEOPLE
from demo.seed import DEFAULT_EMPLOYEES, MIN_EMPLOYEES, demo_seed
from kra_platform import rls


class Command(BaseCommand):
    help = (
        "Create a demo organisation with a mission, objectives, departments and a real "
        "reporting tree, plus four fixed logins. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--employees",
            type=int,
            default=DEFAULT_EMPLOYEES,
            help=f"How many members (default {DEFAULT_EMPLOYEES}; e.g. 10000 for benchmarks).",
        )
        parser.add_argument("--slug", default="demo")
        parser.add_argument(
            "--agreements",
            type=int,
            default=DEFAULT_AGREEMENTS,
            help=f"How many people are given a KRA agreement, signed through the services "
            f"(default {DEFAULT_AGREEMENTS}, whatever --employees is: signing is slow).",
        )
        parser.add_argument(
            "--measurements",
            action=argparse.BooleanOptionalAction,
            default=True,
            help=f"Record the fiscal year's results so far and compute the scores (default "
            f"on; at most {MAX_PEOPLE:,} people get results).",
        )
        parser.add_argument(
            "--scale",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"Build the scale tenant: everyone holds a role of their own, a variation of "
            f"their title's template (default: from {SCALE_FROM:,} employees).",
        )

    def handle(self, *args, employees, slug, agreements, measurements, scale, **options):
        if employees < MIN_EMPLOYEES:
            raise CommandError(
                _("A demo needs at least %(min)d employees.") % {"min": MIN_EMPLOYEES}
            )
        started = time.monotonic()
        # An operator's command that creates a tenant and reads any existing one.
        with rls.dangerously_bypass_rls(reason=f"seed_demo {slug}", actor="manage.py"):
            result = demo_seed(
                slug=slug,
                employees=employees,
                agreements=agreements,
                measurements=measurements,
                scale=scale,
                progress=self._progress(started),
            )
        url = result.org.get_absolute_url()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Created the demo organisation “%(name)s” at %(url)s: %(members)d "
                        "members, %(departments)d departments, %(objectives)d strategic "
                        "objectives, %(roles)d roles with %(kras)d KRAs and %(kpis)d KPIs "
                        "(%(seconds).1f s)."
                    )
                    % {
                        "name": result.org.name,
                        "url": url,
                        "members": result.members,
                        "departments": result.departments,
                        "objectives": result.objectives,
                        "roles": result.roles,
                        "kras": result.kras,
                        "kpis": result.kpis,
                        "seconds": time.monotonic() - started,
                    }
                )
            )
        elif result.roles:
            self.stdout.write(
                _(
                    "The demo organisation “%(name)s” already exists at %(url)s; added "
                    "%(roles)d roles with %(kras)d KRAs built from the template library."
                )
                % {"name": result.org.name, "url": url, "roles": result.roles, "kras": result.kras}
            )
        elif result.measurements:
            self.stdout.write(
                _(
                    "The demo organisation “%(name)s” already exists at %(url)s; added the "
                    "results recorded since it was seeded."
                )
                % {"name": result.org.name, "url": url}
            )
        else:
            self.stdout.write(
                _(
                    "The demo organisation “%(name)s” already exists at %(url)s "
                    "(%(members)d members); nothing was changed."
                )
                % {"name": result.org.name, "url": url, "members": result.members}
            )
        if result.agreements_active or result.agreements_awaiting:
            self.stdout.write(
                _(
                    "KRA agreements: %(active)d in force, %(awaiting)d awaiting the person's "
                    "signature."
                )
                % {"active": result.agreements_active, "awaiting": result.agreements_awaiting}
            )
        if result.measurements:
            self.stdout.write(
                _("Results: %(count)d values recorded and the scores computed.")
                % {"count": result.measurements}
            )
        self.stdout.write(_("Logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
        for login in result.logins:
            self.stdout.write(f"  {login.email:<24} {login.full_name} ({login.what})")

    def _progress(self, started: float):
        """Each step's line, with the time since the command started."""

        def say(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s]{message}")
            self.stdout.flush()

        return say
