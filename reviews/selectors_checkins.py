"""Reads of check-ins (1:1s): a person's check-ins, the open actions that carry to the next
one, the actions a member owns, and the check-ins of a review's window (docs/DOMAIN.md rules
R71 to R75)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from orgs.models import Membership
from orgs.policy import is_hr

from .models import (
    OPEN_STATUSES,
    Agreement,
    AgreementItem,
    AgreementStatus,
    CheckIn,
    CheckInAction,
    CheckInTopic,
    Review,
)
from .selectors_reviews import delegated_reviews


def _with_content(queryset: QuerySet[CheckIn]) -> QuerySet[CheckIn]:
    return queryset.select_related(
        "employee__user", "manager__user", "created_by__user"
    ).prefetch_related(
        Prefetch("topics", queryset=CheckInTopic.objects.order_by("id")),
        Prefetch(
            "actions",
            queryset=CheckInAction.objects.select_related("owner__user").order_by("due_date", "id"),
        ),
    )


def _windows_holding(reviews: QuerySet[Review], employee_id, held_on) -> QuerySet[Review]:
    """Those of ``reviews`` of ``employee_id`` whose cycle's window holds ``held_on``."""
    return reviews.filter(
        reviewee_id=employee_id,
        cycle__window_start__lte=held_on,
        cycle__window_end__gte=held_on,
    )


def _in_delegated_window(member: Membership, prefix: str = "") -> Exists:
    """A check-in (``prefix`` "check_in__" for its actions) held within the window of a review
    of its person that ``member`` is delegated on."""
    held_on = OuterRef(f"{prefix}held_on")
    return Exists(
        _windows_holding(delegated_reviews(member), OuterRef(f"{prefix}employee_id"), held_on)
    )


def readable_by(member: Membership, prefix: str = "") -> Q:
    """The check-ins (``prefix`` "check_in__" for their actions) ``member`` may read, as a
    filter: their own, their direct reports', those they held, those of a review's window they
    are delegated on, and everyone's for HR (docs/DOMAIN.md rule R73)."""
    if is_hr(member):
        return Q(**{f"{prefix}org_id": member.org_id})
    return (
        Q(**{f"{prefix}employee": member})
        | Q(**{f"{prefix}employee__manager": member})
        | Q(**{f"{prefix}manager": member})
        | Q(_in_delegated_window(member, prefix))
    )


def read_as_review_delegate(member: Membership, check_in: CheckIn) -> bool:
    """Whether ``check_in`` was held within the window of a review of its person that
    ``member`` is delegated on: read only, while the grant holds (docs/DOMAIN.md rule R73)."""
    reviews = delegated_reviews(member)
    return _windows_holding(reviews, check_in.employee_id, check_in.held_on).exists()


def check_ins_of(*, person: Membership, viewer: Membership) -> QuerySet[CheckIn]:
    """``person``'s check-ins that ``viewer`` may read, newest first, with their KRAs and
    actions: all of them for the person, their current manager and HR; only those they held
    for a former manager (docs/DOMAIN.md rule R73)."""
    queryset = CheckIn.objects.filter(org_id=person.org_id, employee=person)
    sees_all = viewer.pk == person.pk or person.manager_id == viewer.pk or is_hr(viewer)
    if not sees_all:
        queryset = queryset.filter(manager=viewer)
    return _with_content(
        queryset.annotate(open_actions=Count("actions", filter=Q(actions__done_at__isnull=True)))
    ).order_by("-held_on", "-id")


def check_in_detail(*, check_in: CheckIn) -> CheckIn:
    """The check-in with its KRAs and actions, for its page."""
    return _with_content(CheckIn.objects.filter(org_id=check_in.org_id, pk=check_in.pk)).get()


def open_actions_of(
    *, person: Membership, exclude_check_in: CheckIn | None = None
) -> list[CheckInAction]:
    """Every open action of ``person``'s check-ins, from any earlier check-in, oldest due
    first (no due date last): what the next check-in goes through (docs/DOMAIN.md rule R72)."""
    queryset = CheckInAction.objects.filter(
        org_id=person.org_id, employee=person, done_at__isnull=True
    )
    if exclude_check_in is not None:
        queryset = queryset.exclude(check_in=exclude_check_in)
    return list(
        queryset.select_related("owner__user", "check_in").order_by(
            "due_date", "check_in__held_on", "id"
        )
    )


def actions_owned_by(*, member: Membership, include_done: bool = False) -> QuerySet[CheckInAction]:
    """The actions ``member`` owns across their own and their team's check-ins, open ones
    (or all, newest done last) soonest due first."""
    queryset = CheckInAction.objects.filter(org_id=member.org_id, owner=member)
    if not include_done:
        queryset = queryset.filter(done_at__isnull=True)
    return queryset.select_related("employee__user", "check_in").order_by(
        "done_at", "due_date", "check_in__held_on", "id"
    )


def check_ins_in_window(
    employee: Membership, start: datetime.date, end: datetime.date, *, viewer: Membership
) -> list[CheckIn]:
    """``employee``'s check-ins held from ``start`` to ``end`` (both included) that ``viewer``
    may read (``readable_by``: a skip-level manager who sees the review does not read its
    1:1s), oldest first, with their KRAs and actions: what a review of that window shows."""
    queryset = CheckIn.objects.filter(
        readable_by(viewer),
        org_id=employee.org_id,
        employee=employee,
        held_on__gte=start,
        held_on__lte=end,
    )
    return list(_with_content(queryset).order_by("held_on", "id"))


def agreed_kras(*, person: Membership) -> list[AgreementItem]:
    """The KRAs a check-in may discuss: the items of ``person``'s agreement in force, or of
    their agreement under way when none is in force (docs/DOMAIN.md rule R71)."""
    return agreed_kras_of([person]).get(person.pk, [])


def agreed_kras_of(people: list[Membership]) -> dict[int, list[AgreementItem]]:
    """``agreed_kras`` of many people at once (two queries whatever their number), by person
    id; a person with no such agreement is left out."""
    if not people:
        return {}
    org_id = people[0].org_id
    chosen: dict[int, tuple] = {}
    for agreement_id, employee_id, status, created_at in Agreement.objects.filter(
        org_id=org_id,
        employee__in=people,
        status__in=[AgreementStatus.ACTIVE, *OPEN_STATUSES],
    ).values_list("pk", "employee_id", "status", "created_at"):
        # In force first, then the latest under way.
        rank = (status == AgreementStatus.ACTIVE, created_at)
        if employee_id not in chosen or rank > chosen[employee_id][0]:
            chosen[employee_id] = (rank, agreement_id)
    employee_of = {agreement_id: employee_id for employee_id, (_r, agreement_id) in chosen.items()}
    items: dict[int, list[AgreementItem]] = {}
    for item in AgreementItem.objects.filter(org_id=org_id, agreement_id__in=list(employee_of)):
        items.setdefault(employee_of[item.agreement_id], []).append(item)
    return items
