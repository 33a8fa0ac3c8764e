"""Who may do what with agreements (docs/DOMAIN.md rules R29 to R31, R40): the reviews
app's actions and their object rules, registered with orgs' policy
(``orgs.policy.Action.VIEW_AGREEMENT``) in ``ReviewsConfig.ready()``. Signing is the
agreement service's to decide (the person, the manager of record or a per-object delegate,
then HR)."""

from __future__ import annotations

import enum

from orgs.models import Membership
from orgs.policy import in_management_line, is_hr, is_manager


class AgreementAction(enum.StrEnum):
    # With an Agreement, or the Membership it is for: see ``decide``.
    VIEW_AGREEMENT = "view_agreement"
    MANAGE_AGREEMENT = "manage_agreement"
    VOID_AGREEMENT = "void_agreement"
    ACKNOWLEDGE_AGREEMENT = "acknowledge_agreement"
    # Granting someone the countersignature of one agreement (django-guardian's
    # reviews.sign_agreement on it): HR's, like voiding.
    DELEGATE_SIGNER = "delegate_signer"


def decide(member: Membership, action: AgreementAction, obj=None) -> bool:
    """An agreement is the person's, their management line's and HR's: docs/DOMAIN.md
    rule R40. Without an object: may the member see agreements at all (everyone: their own),
    draft any (HR, managers), void, acknowledge or delegate the countersignature of any
    (HR). With an Agreement (or the Membership it would be for): the person reads it; their
    management line and HR read and draft it; HR voids and acknowledges it and delegates
    its countersignature. Nobody drafts, voids, acknowledges or delegates their own."""
    if obj is None:
        if action == AgreementAction.VIEW_AGREEMENT:
            return True
        if action == AgreementAction.MANAGE_AGREEMENT:
            return is_hr(member) or is_manager(member)
        return is_hr(member)
    person = obj if isinstance(obj, Membership) else getattr(obj, "employee", None)
    if person is None or person.org_id != member.org_id:
        return False
    manager_id = None if isinstance(obj, Membership) else getattr(obj, "manager_id", None)
    own = person.pk == member.pk
    if action == AgreementAction.VIEW_AGREEMENT:
        return own or is_hr(member) or in_management_line(member, person, manager_id)
    if own:
        return False
    if action == AgreementAction.MANAGE_AGREEMENT:
        return is_hr(member) or in_management_line(member, person, manager_id)
    return is_hr(member)
