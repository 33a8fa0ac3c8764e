"""manage.py import_org_chart <org-slug> <file.csv> [--dry-run]"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kra_platform import rls
from orgs.emails import normalize_email
from orgs.imports import org_chart_import, org_chart_preview
from orgs.models import Membership, Organization, OrgRole


class Command(BaseCommand):
    help = (
        "Import an organisation's chart from a CSV file (email, full name, employee id, "
        "department path, job title, manager email). Every row is checked first; a file with "
        "any problem is refused whole. Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("path", help="The CSV file, UTF-8; '-' reads standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and preview only; write nothing."
        )
        parser.add_argument(
            "--actor",
            default="",
            help="Email of an org admin to record as the importer (default: the system).",
        )

    def handle(self, *args, org_slug, path, dry_run, actor, **options):
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(_("No organisation with the slug “%(slug)s”.") % {"slug": org_slug})
        # The command works on one organisation's rows: that is its row-level-security tenant.
        with rls.tenant_context(org_id=org.pk):
            self._handle_org(org, path=path, dry_run=dry_run, actor=actor)

    def _handle_org(self, org, *, path, dry_run, actor):
        actor_member = None
        if actor:
            actor_member = (
                Membership.objects.select_related("user")
                .filter(org=org, user__email=normalize_email(actor), role=OrgRole.ADMIN)
                .first()
            )
            if actor_member is None:
                raise CommandError(
                    _("%(email)s is not an org admin of %(org)s.")
                    % {"email": actor, "org": org.name}
                )
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc})

        preview = org_chart_preview(org=org, file_bytes=content)
        if not preview.is_valid:
            self._refuse(preview.messages)
        if dry_run:
            counts = preview.counts
            self.stdout.write(
                _(
                    "Dry run: %(new)d new, %(changed)d changed, %(unchanged)d unchanged, "
                    "%(departments)d new department(s). Nothing was written."
                )
                % {**counts, "departments": len(preview.new_departments)}
            )
            for row in preview.rows:
                if row.changed_fields:
                    self.stdout.write(
                        _("  row %(row)d: %(email)s changes %(fields)s")
                        % {
                            "row": row.number,
                            "email": row.email,
                            "fields": ", ".join(row.changed_labels),
                        }
                    )
            return
        try:
            result = org_chart_import(org=org, actor=actor_member, file_bytes=content)
        except ValidationError as exc:
            self._refuse(exc.messages)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported into %(org)s: %(created)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(departments)d department(s) created."
                )
                % {
                    "org": org.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "departments": result.departments_created,
                }
            )
        )

    def _refuse(self, problems: list[str]):
        for problem in problems:
            self.stderr.write(problem)
        raise CommandError(
            _("%(n)d problem(s) in the file; nothing was imported.") % {"n": len(problems)}
        )
