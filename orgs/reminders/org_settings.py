"""The reminders' rule settings (docs/DOMAIN.md rule R45): when each stage comes, in days
against the deadline, and the local hour of the daily pass. Registered with orgs' settings
framework from ``OrgsConfig.ready()``; each kind's own deadline setting is its app's
(reviews/reminders.py, kpis/reminders.py, kras/reminders.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.org_settings import Setting

#: The most days any stage offset may be.
DAYS_HIGHEST = 90

STAGE_DEFAULTS = {
    # Days before the deadline of the first reminder (0: none before the day).
    "reminder_days_before": 3,
    # Days after the deadline of the "overdue" reminder.
    "reminder_days_after": 2,
    # Days after the deadline of the escalation to the person's manager, then to HR.
    "reminder_escalate_manager_days": 5,
    "reminder_escalate_hr_days": 10,
}
HOUR_DEFAULT = 8


def _days_refusal(days: int) -> str | None:
    if 0 <= days <= DAYS_HIGHEST:
        return None
    return _("Choose a number of days from 0 to %(n)d.") % {"n": DAYS_HIGHEST}


def _hour_refusal(hour: int) -> str | None:
    if 0 <= hour <= 23:
        return None
    return _("Choose an hour from 0 to 23.")


SETTINGS = (
    *Setting.each(
        STAGE_DEFAULTS,
        clean=int,
        validate=_days_refusal,
        unreadable=gettext_lazy("Enter a whole number of days."),
    ),
    # The local hour (the organisation's time zone) at which the daily pass runs.
    Setting(
        "reminder_hour",
        HOUR_DEFAULT,
        clean=int,
        validate=_hour_refusal,
        unreadable=gettext_lazy("Enter a whole hour."),
    ),
)


def check(merged: dict) -> dict:
    """The stages in order: overdue at least a day after the deadline, then the manager,
    then HR, each later than the one before."""
    after = merged["reminder_days_after"]
    manager = merged["reminder_escalate_manager_days"]
    hr = merged["reminder_escalate_hr_days"]
    if after < 1:
        return {"reminder_days_after": _("The overdue reminder comes at least a day after.")}
    if manager <= after:
        return {
            "reminder_escalate_manager_days": _(
                "Escalate to the manager after the overdue reminder."
            )
        }
    if hr <= manager:
        return {"reminder_escalate_hr_days": _("Escalate to HR after the manager.")}
    return {}
