"""manage.py provision_database: create the owner, application and maintenance roles and the
database from the administrator URL (DATABASE_ADMIN_URL, or the embedded server)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from kra_platform.database import provision_from_environment


class Command(BaseCommand):
    help = (
        "Create the database roles (owner, application, maintenance) and the database from "
        "DATABASE_ADMIN_URL or the embedded server. Safe to run again. Does nothing when "
        "DATABASE_URL is set."
    )

    def handle(self, *args, **options):
        if provision_from_environment(dict(os.environ)):
            self.stdout.write(self.style.SUCCESS("Database roles and database are ready."))
        else:
            self.stdout.write("DATABASE_URL is set: nothing to provision.")
