from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, people_rules, tenancy
from ..emails import normalize_email
from ..models import Department, Invitation, Membership, Organization, OrgRole, User


class InvitationStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("pending")
    ACCEPTED = "accepted", gettext_lazy("accepted")
    REVOKED = "revoked", gettext_lazy("revoked")
    EXPIRED = "expired", gettext_lazy("expired")


def invitation_status(invitation: Invitation) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def accept_path(raw_token: str) -> str:
    return reverse("invitation-accept", kwargs={"token": raw_token})


@transaction.atomic
def invitation_create(
    *,
    org: Organization,
    actor: Membership,
    email: str,
    full_name: str = "",
    role: str = OrgRole.MEMBER,
    job_title: str = "",
    department: Department | None = None,
    manager: Membership | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the one-time raw token, which is
    emailed and never stored (only its hash is)."""
    email = normalize_email(email)
    try:
        validate_email(email)
        # The normal form can be longer than what was typed (NFKC expands some letters).
        if len(email) > Invitation._meta.get_field("email").max_length:
            raise ValidationError("too long")
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")})
    if role not in OrgRole.values:
        raise ValidationError({"role": _("Choose admin, HR or member.")})
    if Membership.objects.filter(org=org, user__email=email).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of %(org)s.")
                % {"email": email, "org": org.name}
            }
        )
    if department is not None and department.org_id != org.id:
        raise ValidationError({"department": _("Choose a department of this organisation.")})
    if manager is not None and manager.org_id != org.id:
        raise ValidationError({"manager": people_rules.foreign_manager_message()})
    if manager is not None and (
        refusal := people_rules.manager_choice_refusal(active=manager.is_active, kept=False)
    ):
        raise ValidationError({"manager": refusal})
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    replaced = list(
        Invitation.objects.select_for_update().filter(
            org=org, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
    )
    for old in replaced:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        audit.record(org=org, actor=actor, action="invitation.revoke", obj=old)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        org=org,
        email=email,
        full_name=(full_name or "").strip(),
        role=role,
        job_title=(job_title or "").strip(),
        department=department,
        manager=manager,
        token_hash=hash_token(raw),
        invited_by=actor,
        expires_at=now + settings.INVITATION_TTL,
    )
    audit.record(
        org=org,
        actor=actor,
        action="invitation.create",
        obj=invitation,
        changes={"email": {"old": None, "new": email}, "role": {"old": None, "new": role}},
    )
    from ..tasks import send_invitation_email

    path = accept_path(raw)
    transaction.on_commit(
        lambda: send_invitation_email.delay(
            org_id=org.pk, invitation_id=invitation.pk, accept_url=path
        )
    )
    return invitation, raw


def invitations_for_import(
    *, org: Organization, actor: Membership | None, people: list[dict]
) -> list[Invitation]:
    """Invite, in bulk, the people of an org-chart import who already have an account
    (someone's account is never attached to an organisation without their consent). Each
    item of ``people`` holds ``email``, ``full_name`` (as the file names them: the
    organisation sees that name until the person accepts), ``job_title``, ``department``
    and ``manager``. The emails go out after commit. Returns the saved invitations, in the
    order given; the import records them in the audit trail with its other rows, in bulk."""
    now = timezone.now()
    invitations, raws = [], []
    for person in people:
        raw = secrets.token_urlsafe(32)
        raws.append(raw)
        invitations.append(
            Invitation(
                org=org,
                email=person["email"],
                full_name=(person.get("full_name") or "").strip(),
                role=OrgRole.MEMBER,
                job_title=(person.get("job_title") or "").strip(),
                department=person.get("department"),
                manager=person.get("manager"),
                token_hash=hash_token(raw),
                invited_by=actor,
                expires_at=now + settings.INVITATION_TTL,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    from ..tasks import send_invitation_email

    sends = [
        (invitation.pk, accept_path(raw)) for invitation, raw in zip(invitations, raws, strict=True)
    ]
    transaction.on_commit(
        lambda: [
            send_invitation_email.delay(org_id=org.pk, invitation_id=pk, accept_url=path)
            for pk, path in sends
        ]
    )
    return invitations


def invitation_for_token(raw_token: str) -> Invitation | None:
    """The pending invitation a raw token opens, or None (unknown, used, revoked, expired)."""
    token_hash = hash_token(raw_token or "")
    # Row-level security shows an invitation to whoever holds its link (policy bearer_read).
    tenancy.present_secret(invitation_hash=token_hash)
    invitation = Invitation.objects.select_related("org").filter(token_hash=token_hash).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


_EXISTING_ACCOUNT = gettext_lazy("You already have an account: enter its password.")


def invitation_accept(
    *, raw_token: str, full_name: str, password: str, request: HttpRequest | None = None
) -> Membership:
    """Accept an invitation: create the user (or reuse the account with that email, whose
    password must then match) and their membership. The link works once.

    An existing account's password is checked like every other password, by
    django.contrib.auth.authenticate with the ``request``: the login lockout counts a wrong
    one and refuses even the right one while the email is locked out. The check comes
    before the atomic part, so the failure it records is not rolled back with the refusal."""
    with transaction.atomic():  # the link's row-level-security context needs a transaction
        invitation = _pending_invitation(raw_token)
        tenancy.look_up_account(invitation.email)
        has_account = User.objects.filter(email=invitation.email).exists()
    account = None
    if has_account:
        if request is None:
            raise ValueError("Accepting as an existing account needs the request (lockout).")
        account = authenticate(request, username=invitation.email, password=password)
        if account is None:
            raise ValidationError({"password": _EXISTING_ACCOUNT})
    return _invitation_claim(
        invitation=invitation, account=account, full_name=full_name, password=password
    )


def _pending_invitation(raw_token: str) -> Invitation:
    invitation = invitation_for_token(raw_token)
    if invitation is None:
        raise ValidationError(
            _(
                "This invitation link is invalid, used or expired. "
                "Ask your administrator for a new one."
            )
        )
    return invitation


@transaction.atomic
def _invitation_claim(
    *, invitation: Invitation, account: User | None, full_name: str, password: str
) -> Membership:
    # From here on the work belongs to the invitation's organisation, and the account with
    # the invited email (if any) is the one it names.
    tenancy.enter_organization(invitation.org_id)
    tenancy.look_up_account(invitation.email)
    # Claim it first: a second, concurrent accept (or a revoke, or the clock) leaves nothing
    # to claim. Any error below rolls the claim back with everything else.
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now)
    if not claimed:
        raise ValidationError(_("This invitation has already been used."))
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, full_name=(full_name or invitation.full_name).strip())
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages})
        user.set_password(password)
        user.save()
    elif account is None or account.pk != user.pk:
        # The account appeared after the password check (or is not the one checked).
        raise ValidationError({"password": _EXISTING_ACCOUNT})
    if Membership.objects.filter(org=invitation.org, user=user).exists():
        # Added meanwhile by someone else (an org-chart import, another invitation).
        raise ValidationError(
            _("You are already a member of %(org)s.") % {"org": invitation.org.name}
        )
    membership = Membership.objects.create(
        org=invitation.org,
        user=user,
        role=invitation.role,
        job_title=invitation.job_title,
        department=invitation.department,
        manager=invitation.manager,
        start_date=timezone.localdate(),
    )
    # People imported as reporting to this person now do, and are told so.
    from .members import notify_new_manager

    reports = list(
        Membership.objects.filter(
            org=invitation.org, awaited_manager=invitation, manager__isnull=True
        ).select_related("org")
    )
    Membership.objects.filter(pk__in=[report.pk for report in reports]).update(manager=membership)
    Membership.objects.filter(org=invitation.org, awaited_manager=invitation).update(
        awaited_manager=None
    )
    for report in reports:
        if report.is_active:
            notify_new_manager(report, membership)
    audit.record(org=invitation.org, actor=user, action="invitation.accept", obj=invitation)
    audit.record(
        org=invitation.org,
        actor=user,
        action="membership.create",
        obj=membership,
        changes={"role": {"old": None, "new": membership.role}},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Membership) -> Invitation:
    """Stop a link from working. Revoking twice is harmless; an accepted one stays accepted."""
    # Conditional, so that an accept racing with the revoke cannot end up both.
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db(fields=["accepted_at", "revoked_at"])
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already accepted."))
    if revoked:
        audit.record(org=invitation.org, actor=actor, action="invitation.revoke", obj=invitation)
    return invitation
