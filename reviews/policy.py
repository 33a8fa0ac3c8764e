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


# --- check-ins (1:1s): docs/DOMAIN.md rule R73 --------------------------------------------------


class CheckInAction(enum.StrEnum):
    # With a CheckIn, or the Membership whose check-ins they are: see ``decide_check_in``.
    VIEW_CHECK_INS = "view_check_ins"
    RECORD_CHECK_IN = "record_check_in"
    # With a CheckIn: the employee and the manager who held it.
    EDIT_CHECK_IN = "edit_check_in"
    # With a CheckInAction: marking it done or open again.
    UPDATE_CHECK_IN_ACTION = "update_check_in_action"


def _held_check_in_with(member: Membership, person: Membership) -> bool:
    from .models import CheckIn

    return CheckIn.objects.filter(
        org_id=member.org_id, employee_id=person.pk, manager_id=member.pk
    ).exists()


def _reads_as_review_delegate(member: Membership, check_in) -> bool:
    from .selectors_checkins import read_as_review_delegate

    return read_as_review_delegate(member, check_in)


def decide_check_in(member: Membership, action: CheckInAction, obj=None) -> bool:
    """Check-ins are between a person and their manager (docs/DOMAIN.md rule R73). Without an
    object everyone may open the pages (their own check-ins, the actions they own). A
    person's check-ins are read by the person, their current manager, a former manager (the
    ones they held) and HR; recorded by the person and their current manager (the service
    refuses someone without a manager); edited by the person and the manager who held it.
    A member HR delegated to write a review of the person reads (only) the check-ins held
    within that review's window, while the grant holds. An action is marked done or reopened
    by the person, the manager who held the check-in and the current manager. Skip-level
    managers and department heads do not read a 1:1's notes."""
    if obj is None:
        return True
    if isinstance(obj, Membership):
        person, held_by = obj, None
    else:
        # A check-in, or an action agreed at one (decided on its check-in).
        check_in = getattr(obj, "check_in", obj)
        person, held_by = check_in.employee, check_in.manager_id
    if person.org_id != member.org_id:
        return False
    own = person.pk == member.pk
    current_manager = person.manager_id == member.pk
    if action == CheckInAction.VIEW_CHECK_INS:
        if own or current_manager or is_hr(member) or held_by == member.pk:
            return True
        if isinstance(obj, Membership):
            return _held_check_in_with(member, person)
        return _reads_as_review_delegate(member, check_in)
    if action == CheckInAction.RECORD_CHECK_IN:
        return own or current_manager
    if action == CheckInAction.EDIT_CHECK_IN:
        return own or held_by == member.pk
    return own or current_manager or held_by == member.pk


# --- review cycles (docs/DOMAIN.md rules R51 to R60) -----------------------------------------


class CycleAction(enum.StrEnum):
    # Creating, launching, tracking, closing and reopening review cycles, delegating a
    # review's writing, calibration: HR's and the org admins'.
    MANAGE_REVIEW_CYCLES = "manage_review_cycles"


def decide_cycles(member: Membership, action: CycleAction, obj=None) -> bool:
    """Review cycles are HR's (org admins included): docs/DOMAIN.md rule R51. An object of
    another organisation is refused whatever the role."""
    if obj is not None and getattr(obj, "org_id", member.org_id) != member.org_id:
        return False
    return is_hr(member)


# --- reviews (docs/DOMAIN.md rules R41, R61 to R70) ---------------------------------------------


class ReviewAction(enum.StrEnum):
    # With a Review: see ``decide_review``. Without one: may the member open "My reviews"
    # (everyone: their own, and those they write).
    VIEW_REVIEW = "view_review"
    # The employee's part, the manager's part (the reviewer, or a member HR let review in
    # their place: django-guardian's per-object reviews.review_as_reviewer), the
    # acknowledgement (the employee), development needs into the next agreement (the
    # reviewer, delegate or HR who may draft it).
    SELF_ASSESS = "self_assess"
    WRITE_MANAGER_REVIEW = "write_manager_review"
    ACKNOWLEDGE_REVIEW = "acknowledge_review"
    PLAN_DEVELOPMENT = "plan_development"


def writes_review(member: Membership, review) -> bool:
    """The reviewer of record, or their delegate (the review selectors' one read of the
    grant, docs/DOMAIN.md rule R59)."""
    from .selectors_reviews import is_review_delegate

    return member.pk == review.reviewer_id or is_review_delegate(member, review)


def decide_review(member: Membership, action: ReviewAction, obj=None) -> bool:
    """A review is seen by the person reviewed, the reviewer (or their delegate), the
    management line above the person, and HR; never by colleagues (docs/DOMAIN.md rule
    R41). Which parts each sees, and when, is the review selectors' (one home:
    reviews/selectors_reviews.py ``review_view``). The person writes the self-assessment
    and acknowledges; the reviewer writes the manager's part; the reviewer (or delegate) and
    HR turn development needs into growth goals when they may also draft the person's
    agreement (``MANAGE_AGREEMENT``: their management line and HR)."""
    if obj is None:
        return action == ReviewAction.VIEW_REVIEW
    if obj.org_id != member.org_id:
        return False
    own = obj.reviewee_id == member.pk
    if action == ReviewAction.VIEW_REVIEW:
        return (
            own
            or is_hr(member)
            or writes_review(member, obj)
            or in_management_line(member, obj.reviewee)
        )
    if action in (ReviewAction.SELF_ASSESS, ReviewAction.ACKNOWLEDGE_REVIEW):
        return own
    if own:
        return False
    if action == ReviewAction.WRITE_MANAGER_REVIEW:
        return writes_review(member, obj)
    if action == ReviewAction.PLAN_DEVELOPMENT:
        # The needs become goals of the person's next agreement, which only those who draft
        # it may change (docs/DOMAIN.md rules R29, R66): a delegate outside the person's
        # management line writes the review but does not plan the next agreement.
        return (writes_review(member, obj) or is_hr(member)) and decide(
            member, AgreementAction.MANAGE_AGREEMENT, obj.reviewee
        )
    return False
