from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.db import save_or_refuse_duplicate

from .. import audit, people_rules, policy
from ..models import Department, Membership, OrgRole
from ..notifications import notify
from .tokens import api_tokens_revoke_of_member

_FIELDS = ("role", "department", "manager", "job_title", "employee_id", "start_date")
_UNSET = object()


def _check_admin_remains(member: Membership) -> None:
    # Two admins demoting or deactivating each other at once would each still see the
    # other as active; the organisation's row, locked by the caller before the member's,
    # makes them take turns.
    others = Membership.objects.filter(
        org_id=member.org_id, role=OrgRole.ADMIN, is_active=True
    ).exclude(pk=member.pk)
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one active org admin."))


def notify_new_manager(membership: Membership, manager: Membership) -> None:
    """Tell a member who their manager now is (inbox and email, after commit)."""
    notify(
        recipient=membership,
        kind="member.manager_changed",
        title=_("%(manager)s is now your manager") % {"manager": manager.display_name},
        body=_("%(manager)s (%(title)s) is now your manager in %(org)s.")
        % {
            "manager": manager.display_name,
            "title": manager.job_title or _("no job title"),
            "org": membership.org.name,
        },
        url=reverse("member-detail", args=[membership.org.slug, manager.pk]),
    )


def _check_may_change_admin(actor: Membership | None, membership: Membership) -> None:
    # HR manages people, but an org admin's access is for org admins to change.
    # Platform staff (a User, in the Django admin) and the system (None) are not limited.
    if (
        membership.role == OrgRole.ADMIN
        and isinstance(actor, Membership)
        and not policy.is_admin(actor)
    ):
        raise ValidationError(_("Only an org admin may deactivate or reactivate an org admin."))


def _employee_id_taken(employee_id: str) -> ValidationError:
    return ValidationError(
        {"employee_id": _("Another member has employee id “%(id)s”.") % {"id": employee_id}}
    )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    actor: Membership | None,
    role: str | object = _UNSET,
    department: Department | None | object = _UNSET,
    manager: Membership | None | object = _UNSET,
    job_title: str | object = _UNSET,
    employee_id: str | object = _UNSET,
    start_date=_UNSET,
) -> Membership:
    """Change a member's org role, department, manager, job title, employee id or start date.
    Only org admins change org roles. A member given a new manager is told so. The manager
    is checked by ``people_rules.check_manager`` (no cycle, active when newly chosen)."""
    if role is not _UNSET or manager is not _UNSET:
        # A new manager could close a reporting cycle with a concurrent change, and a
        # demoted admin could leave none: such changes in one organisation take turns. The
        # organisation's row is locked before the member's, as every service does.
        people_rules.lock_org_chart(membership.org_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "org")
        .get(pk=membership.pk)
    )
    values = {
        "role": role,
        "department": department,
        "manager": manager,
        "job_title": job_title,
        "employee_id": employee_id,
        "start_date": start_date,
    }
    changed = [name for name, value in values.items() if value is not _UNSET]
    if "role" in changed and role not in OrgRole.values:
        raise ValidationError({"role": _("Choose admin, HR or member.")})
    if (
        "role" in changed
        and role != membership.role
        and isinstance(actor, Membership)
        and not policy.can(actor, policy.Action.CHANGE_ORG_ROLES)
    ):
        raise PermissionDenied(_("Only org admins change a member's org role."))
    if "role" in changed and membership.role == OrgRole.ADMIN and role != OrgRole.ADMIN:
        _check_admin_remains(membership)
    if (
        "department" in changed
        and department is not None
        and department.org_id != membership.org_id
    ):
        raise ValidationError({"department": _("Choose a department of this organisation.")})
    if "manager" in changed:
        people_rules.check_manager(membership, manager)
    if "job_title" in changed:
        values["job_title"] = (job_title or "").strip()
    if "employee_id" in changed:
        employee_id = (employee_id or "").strip()
        values["employee_id"] = employee_id
        if (
            employee_id
            and Membership.objects.filter(org_id=membership.org_id, employee_id=employee_id)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise _employee_id_taken(employee_id)
    with audit.tracked(membership, _FIELDS, actor=actor, action="membership.update") as tracked:
        for name in changed:
            setattr(membership, name, values[name])
        if changed:
            save_or_refuse_duplicate(
                membership,
                refusal=lambda: _employee_id_taken(values["employee_id"]),
                update_fields=changed,
            )
    if "manager" in tracked.changes and membership.manager is not None and membership.is_active:
        notify_new_manager(membership, membership.manager)
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor: Membership | None) -> Membership:
    """Deactivate a member: they lose access; their history and reports' links stay."""
    # Taking turns with manager changes: nobody becomes the manager of someone leaving now.
    people_rules.lock_org_chart(membership.org_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if actor is not None and actor.pk == membership.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not membership.is_active:
        return membership
    _check_may_change_admin(actor, membership)
    if membership.role == OrgRole.ADMIN:
        _check_admin_remains(membership)
    with audit.tracked(membership, ("is_active",), actor=actor, action="membership.deactivate"):
        membership.is_active = False
        membership.deactivated_at = timezone.now()
        membership.save(update_fields=["is_active", "deactivated_at"])
    # Revoked, not merely refused while inactive: reactivating must not revive them.
    api_tokens_revoke_of_member(member=membership, actor=actor, reason="member deactivated")
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor: Membership | None) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active:
        return membership
    _check_may_change_admin(actor, membership)
    with audit.tracked(membership, ("is_active",), actor=actor, action="membership.reactivate"):
        membership.is_active = True
        membership.deactivated_at = None
        membership.save(update_fields=["is_active", "deactivated_at"])
    return membership


def members_without_sign_in(*, org) -> list[Membership]:
    """Active members who have never signed in and whose account the organisation made (by
    an org-chart import): the people a sign-in link is for."""
    return list(
        Membership.objects.filter(
            org=org,
            is_active=True,
            user__last_login__isnull=True,
            account_created_by_org=True,
        )
        .select_related("user")
        .order_by("pk")
    )


@transaction.atomic
def membership_send_sign_in_links(
    *, memberships: list[Membership], actor: Membership | None
) -> int:
    """Email each member a one-time link to set their password and sign in (the way in for
    people created by an org-chart import). Sent by a task after commit; returns how many.

    Only accounts the organisation made get one: someone who had an account already chose
    their own password, and another organisation has no business resetting it."""
    from ..tasks import send_sign_in_link

    for membership in memberships:
        if not membership.account_created_by_org:
            raise ValidationError(
                _(
                    "%(name)s signs in with the password of their own account, which "
                    "%(org)s did not create, so it cannot send them a sign-in link. They can "
                    "reset their password from the sign-in page."
                )
                % {"name": membership.display_name, "org": membership.org.name}
            )

    ids = [m.pk for m in memberships if m.is_active]
    org_id = memberships[0].org_id if memberships else None
    for membership in memberships:
        if membership.is_active:
            audit.record(
                org=membership.org, actor=actor, action="membership.sign_in_link", obj=membership
            )
    transaction.on_commit(
        lambda: [send_sign_in_link.delay(org_id=org_id, membership_id=pk) for pk in ids]
    )
    return len(ids)
