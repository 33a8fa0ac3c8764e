from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import audit, tenancy
from ..emails import normalize_email
from ..models import Membership, Organization, OrgRole, User

PROFILE_FIELDS = (
    "name",
    "mission",
    "vision",
    "values",
    "strategy_summary",
    "fiscal_year_start_month",
    "timezone",
    "logo",
)


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str = "",
    admin_email: str,
    admin_name: str = "",
    admin_password: str | None = None,
    timezone: str = "UTC",
    actor: User | None = None,
) -> tuple[Organization, Membership]:
    """Create a tenant and its first org admin (an existing user is reused by email)."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise ValidationError({"slug": _("Give the organisation a name or a slug.")})
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("The slug “%(slug)s” is taken.") % {"slug": slug}})
    org = Organization(name=name, slug=slug, timezone=timezone)
    org.full_clean()
    org.save()
    # The new tenant's own rows are written under its row-level-security context.
    tenancy.enter_organization(org.pk)
    email = normalize_email(admin_email)
    tenancy.look_up_account(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=admin_password, full_name=admin_name)
    admin = Membership.objects.create(org=org, user=user, role=OrgRole.ADMIN)
    audit.record(org=org, actor=actor, action="organization.create", obj=org)
    audit.record(
        org=org,
        actor=actor,
        action="membership.create",
        obj=admin,
        changes={"role": {"old": None, "new": OrgRole.ADMIN}},
    )
    return org, admin


@transaction.atomic
def organization_update_profile(*, org: Organization, actor: Membership, **fields) -> Organization:
    """Change the profile fields (see PROFILE_FIELDS); unknown names are an error."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    if fields.get("logo") is False:
        # A form's "clear" box: no logo.
        fields["logo"] = ""
    # Read the stored row: a bound ModelForm has already written the new values on `org`.
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = audit.snapshot(org, fields)
    old_logo = org.logo.name if "logo" in fields else ""
    for name, value in fields.items():
        setattr(org, name, value)
    # The model's validators refuse a name on several lines and a logo that is too large or
    # not a PNG, JPEG or WebP image, with the same messages on the page and in the API.
    org.full_clean()
    org.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(org, fields))
    if changes:
        audit.record(org=org, actor=actor, action="organization.update", obj=org, changes=changes)
    if old_logo and old_logo != org.logo.name:
        # The replaced or cleared file leaves storage once the change is committed (a rolled
        # back change keeps it).
        storage = org.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return org


@transaction.atomic
def organization_set_suspended(
    *, org: Organization, suspended: bool, reason: str = "", actor: User | None = None
) -> Organization:
    """Suspend or reactivate a tenant (platform staff only)."""
    if suspended and not reason.strip():
        raise ValidationError({"reason": _("Say why the organisation is suspended.")})
    before = audit.snapshot(org, ("is_suspended", "suspended_reason"))
    org.is_suspended = suspended
    org.suspended_reason = reason.strip() if suspended else ""
    org.save(update_fields=["is_suspended", "suspended_reason"])
    audit.record(
        org=org,
        actor=actor,
        action="organization.suspend" if suspended else "organization.reactivate",
        obj=org,
        changes=audit.diff(before, audit.snapshot(org, ("is_suspended", "suspended_reason"))),
    )
    return org
