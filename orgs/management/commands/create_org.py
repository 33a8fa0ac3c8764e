"""manage.py create_org --name "Acme" --slug acme --admin-email a@b.c [--admin-name …]
[--password …]"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from orgs.emails import normalize_email
from orgs.models import User
from orgs.services import organization_create


class Command(BaseCommand):
    help = "Create an organisation (a tenant) and its first org admin; prints its address."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", default="", help="Defaults to the name, slugified.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument(
            "--password",
            default=None,
            help="The admin's password when the account is new. Without it the account has "
            "no password until one is set with changepassword.",
        )
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, name, slug, admin_email, admin_name, password, timezone, **options):
        email = normalize_email(admin_email)
        existing = User.objects.filter(email=email).exists()
        try:
            validate_email(email)
            if password is not None and not existing:
                validate_password(password, User(email=email, full_name=admin_name))
            org, _admin = organization_create(
                name=name.strip(),
                slug=slug,
                admin_email=email,
                admin_name=admin_name.strip(),
                admin_password=password,
                timezone=timezone,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(name)s: %(url)s") % {"name": org.name, "url": org.get_absolute_url()}
            )
        )
        if existing:
            self.stdout.write(
                _(
                    "%(email)s already had an account; it is now an org admin here, with its "
                    "own password."
                )
                % {"email": email}
            )
        elif password is None:
            self.stdout.write(
                _(
                    "%(email)s has no password yet: set one with "
                    "`manage.py changepassword %(email)s`."
                )
                % {"email": email}
            )
        else:
            self.stdout.write(
                _("Log in as %(email)s with the password you gave.") % {"email": email}
            )
