"""The reminders' forms: the log's filters, the stage settings, one's own mute."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.fields import MemberField

from . import registry
from .org_settings import DAYS_HIGHEST


class ReminderLogFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    person = MemberField(label=_("Person"), required=False, active_only=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *registry.labels().items()]
        self.fields["person"].limit_to(org)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Choose a day on or after “From”."))
        return data


def _days(label, help_text, *, lowest=0):
    return forms.IntegerField(
        label=label, help_text=help_text, min_value=lowest, max_value=DAYS_HIGHEST
    )


class ReminderSettingsForm(forms.Form):
    """The stage settings and each kind's deadline; ``organization_update_rules`` checks
    them together (docs/DOMAIN.md rule R45)."""

    reminder_days_before = _days(
        _("Remind this many days before the deadline"), _("0: no reminder before the day.")
    )
    reminder_days_after = _days(_("Remind again this many days after the deadline"), "", lowest=1)
    reminder_escalate_manager_days = _days(
        _("Escalate to the manager this many days after the deadline"), "", lowest=1
    )
    reminder_escalate_hr_days = _days(
        _("Escalate to HR this many days after the deadline"), "", lowest=1
    )
    reminder_hour = forms.IntegerField(
        label=_("Send reminders at this hour"),
        help_text=_("0–23, in the organisation's time zone."),
        min_value=0,
        max_value=23,
    )
    agreement_signature_days = _days(
        _("An agreement is due for signature this many days after it reaches the signer"),
        "",
        lowest=1,
    )
    kpi_value_grace_days = _days(_("KPI values are due this many days after their period ends"), "")
    kra_review_days = _days(
        _("A flagged KRA is due for review this many days after it was flagged"), "", lowest=1
    )


class ReminderMuteForm(forms.Form):
    muted = forms.BooleanField(
        label=_("Mute my reminders"),
        help_text=_(
            "You will not be reminded of your own deadlines. Escalations about people you "
            "manage, or for HR, still come."
        ),
        required=False,
    )
