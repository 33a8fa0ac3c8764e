"""Who may read what reminders did (docs/DOMAIN.md rule R47): the log of who was reminded
of what and when is for HR and org admins. Muting one's own reminders is anyone's
(``Action.VIEW_ORG``); the stage settings are rule settings (``Action.EDIT_ORG_RULES``).
Registered with orgs' registry from ``OrgsConfig.ready()``."""

from __future__ import annotations

import enum

from orgs.models import Membership
from orgs.policy import is_hr


class ReminderAction(enum.StrEnum):
    VIEW_REMINDER_LOG = "view_reminder_log"


def decide(member: Membership, action: ReminderAction, obj=None) -> bool:
    return is_hr(member)
