"""Reads of the reminders: the log (HR and admins) and a member's mute."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from orgs.models import Membership, Organization, Reminder, ReminderMute


def reminder_log(
    *,
    org: Organization,
    kind: str = "",
    person: Membership | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Reminder]:
    """The organisation's reminders, newest first, with recipient, person and notice
    joined. ``person``: the reminders about them or sent to them; ``since`` / ``until``:
    claimed on those local days (inclusive)."""
    from django.db.models import Q

    queryset = Reminder.objects.filter(org=org).select_related(
        "recipient__user", "person__user", "notification"
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if person is not None:
        queryset = queryset.filter(Q(person=person) | Q(recipient=person))
    if since:
        queryset = queryset.filter(created_at__date__gte=since)
    if until:
        queryset = queryset.filter(created_at__date__lte=until)
    return queryset.order_by("-created_at", "-id")


def is_muted(member: Membership) -> bool:
    return ReminderMute.objects.filter(org=member.org_id, member=member).exists()


def reminders_received(member: Membership) -> QuerySet[Reminder]:
    """The reminders claimed for ``member``, newest first (muted ones too)."""
    return (
        Reminder.objects.filter(org=member.org_id, recipient=member)
        .select_related("person__user")
        .order_by("-created_at", "-id")
    )
