"""Writes of the reminders a person makes: muting their own (docs/DOMAIN.md rule R46).
The claims and notices are the engine's (engine.py)."""

from __future__ import annotations

from django.db import transaction

from orgs import audit
from orgs.models import Membership, ReminderMute


@transaction.atomic
def reminders_set_muted(*, member: Membership, muted: bool) -> bool:
    """Mute or unmute ``member``'s own reminders (escalations about others still come).
    Audited when it changes. Whether they are muted now."""
    existing = ReminderMute.objects.select_for_update().filter(org=member.org, member=member)
    was = existing.exists()
    if muted and not was:
        ReminderMute.objects.get_or_create(org=member.org, member=member)
    elif not muted and was:
        existing.delete()
    if muted != was:
        audit.record(
            org=member.org,
            actor=member,
            action="reminders.muted" if muted else "reminders.unmuted",
            obj=member,
        )
    return muted
