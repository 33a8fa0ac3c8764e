"""The reminders' pages: the log (HR and admins), the stage settings (org admins) and one's
own reminders with the mute (everyone)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orgs.org_settings import organization_update_rules, rule_settings
from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view, paginate

from . import registry, selectors
from .forms import ReminderLogFilterForm, ReminderMuteForm, ReminderSettingsForm
from .services import reminders_set_muted

LOG_PAGE_SIZE = 50


@org_view(Action.VIEW_REMINDER_LOG)
def reminder_log(request, member):
    form = ReminderLogFilterForm(request.GET or None, org=member.org)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    reminders = selectors.reminder_log(
        org=member.org,
        kind=filters.get("kind") or "",
        person=filters.get("person"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/reminders/log.html",
        {
            "form": form,
            "page_obj": _labelled(paginate(request, reminders, LOG_PAGE_SIZE)),
            "query_string": query.urlencode(),
            "filtered": bool(filters and any(filters.values())),
        },
    )


def _labelled(page_obj):
    labels = registry.labels()
    for reminder in page_obj:
        reminder.kind_label = labels.get(reminder.kind, reminder.kind)
    return page_obj


SETTING_KEYS = tuple(ReminderSettingsForm.base_fields)


@org_view(Action.EDIT_ORG_RULES)
def reminder_settings(request, member):
    current = rule_settings(member.org)
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={key: current[key] for key in SETTING_KEYS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update_rules(org=member.org, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("reminder-settings", org_slug=member.org.slug)
    return render(request, "orgs/reminders/settings.html", {"form": form})


@org_view(Action.VIEW_ORG)
def my_reminders(request, member):
    muted = selectors.is_muted(member)
    form = ReminderMuteForm(
        request.POST if request.method == "POST" else None, initial={"muted": muted}
    )
    if request.method == "POST" and form.is_valid():
        muted = reminders_set_muted(member=member, muted=form.cleaned_data["muted"])
        messages.success(
            request,
            _("Your reminders are muted.") if muted else _("Your reminders are on."),
        )
        return redirect("my-reminders", org_slug=member.org.slug)
    received = selectors.reminders_received(member)
    return render(
        request,
        "orgs/reminders/mine.html",
        {
            "form": form,
            "muted": muted,
            "page_obj": _labelled(paginate(request, received, 25)),
        },
    )
