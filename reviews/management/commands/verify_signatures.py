"""manage.py verify_signatures [<org-slug> …]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kra_platform import rls
from orgs.models import Organization
from reviews.services import signature_chain_verify


class Command(BaseCommand):
    help = (
        "Recompute every agreement version's content hash and walk each organisation's "
        "signature chain (docs/DOMAIN.md rule R34). Says what does not match; exits with "
        "status 1 when anything does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "org_slugs", nargs="*", help="Organisations to check (default: every one)."
        )

    def handle(self, *args, org_slugs, **options):
        orgs = Organization.objects.order_by("slug")
        if org_slugs:
            orgs = orgs.filter(slug__in=org_slugs)
            missing = sorted(set(org_slugs) - set(orgs.values_list("slug", flat=True)))
            if missing:
                raise CommandError(
                    _("No organisation with the slug %(slugs)s.") % {"slugs": ", ".join(missing)}
                )
        broken = 0
        for org in orgs:
            # Each organisation's rows as its own tenant: row-level security stays on.
            with rls.tenant_context(org_id=org.pk):
                result = signature_chain_verify(org=org)
            if result.valid:
                self.stdout.write(
                    _("%(slug)s: intact (versions: %(versions)d, signatures: %(signatures)d).")
                    % {
                        "slug": org.slug,
                        "versions": result.versions_checked,
                        "signatures": result.chain_length,
                    }
                )
                continue
            broken += 1
            self.stdout.write(_("%(slug)s: NOT intact.") % {"slug": org.slug})
            for finding in result.findings:
                self.stdout.write(f"  - {finding.message}")
        if broken:
            raise SystemExit(1)
