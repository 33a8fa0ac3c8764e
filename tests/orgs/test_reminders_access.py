"""The reminders' pages and API (docs/DOMAIN.md rules R45 to R47): alice (org admin) reads
the log and changes the settings, bob (a member) mutes his own reminders only, charlie
(another organisation) gets 404 everywhere; the log's filters, its pagination and its
queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Organization, Reminder, ReminderMute, ReminderStage
from orgs.org_settings import rule_settings
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SETTINGS_FORM = {
    "reminder_days_before": 2,
    "reminder_days_after": 1,
    "reminder_escalate_manager_days": 4,
    "reminder_escalate_hr_days": 8,
    "reminder_hour": 9,
    "agreement_signature_days": 5,
    "kpi_value_grace_days": 3,
    "kra_review_days": 10,
}


def remind(recipient, *, person=None, kind="agreement.signature", stage=ReminderStage.DUE, n=0):
    return Reminder.objects.create(
        org=recipient.org,
        recipient=recipient,
        person=person or recipient,
        kind=kind,
        object_key=f"agreement:{n}",
        stage=stage,
        deadline=datetime.date(2026, 3, 8),
        subject=f"Reminder {n} for {recipient.user.full_name}",
        url="/o/acme/",
        sent_at=timezone.now(),
    )


def url(name, member):
    return reverse(name, args=[member.org.slug])


# --- the log ------------------------------------------------------------------------------


def test_alice_reads_the_log_bob_is_refused_charlie_gets_404(login, api, alice, bob, charlie):
    remind(bob, n=1)
    page = login(alice).get(url("reminder-log", alice))
    assert page.status_code == 200
    assert "Reminder 1 for Bob Member" in page.content.decode()
    assert login(bob).get(url("reminder-log", bob)).status_code == 403
    assert login(charlie).get(url("reminder-log", alice)).status_code == 404
    answer = api(alice).get(reverse("api:reminder-list", args=["acme"]))
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row["recipient"]["email"] == "bob@acme.test"
    assert row["stage"] == "due" and row["kind_label"] == "Agreement awaiting signature"
    assert api(bob).get(reverse("api:reminder-list", args=["acme"])).status_code == 403
    assert api(charlie).get(reverse("api:reminder-list", args=["acme"])).status_code == 404


def test_hr_reads_the_log(login, org_a):
    hr = MembershipFactory(org=org_a, role="hr")
    assert login(hr).get(reverse("reminder-log", args=["acme"])).status_code == 200


def test_the_log_filters_by_kind_person_and_day(login, api, alice, bob):
    dave = MembershipFactory(org=alice.org, manager=alice)
    remind(bob, n=1)
    remind(dave, n=2, kind="kra.needs_review")
    old = remind(alice, person=bob, n=3, stage=ReminderStage.MANAGER)
    Reminder.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)
    )
    client = login(alice)

    def shown(**query):
        body = client.get(url("reminder-log", alice), query).content.decode()
        return [n for n in (1, 2, 3) if f"Reminder {n} for" in body]

    assert shown() == [1, 2, 3]
    assert shown(kind="kra.needs_review") == [2]
    assert shown(person=bob.pk) == [1, 3], "about bob, or sent to him"
    assert shown(until="2026-01-31") == [3]
    assert shown(since="2026-02-01") == [1, 2]
    refused = client.get(url("reminder-log", alice), {"since": "2026-02-01", "until": "2026-01-01"})
    assert "Choose a day on or after" in refused.content.decode()

    def listed(**query):
        answer = api(alice).get(reverse("api:reminder-list", args=["acme"]), query)
        assert answer.status_code == 200, answer.content
        return sorted(r["object_key"] for r in answer.json()["results"])

    assert listed(kind="kra.needs_review") == ["agreement:2"]
    assert listed(person=bob.pk) == ["agreement:1", "agreement:3"]
    assert listed(since="2026-02-01") == ["agreement:1", "agreement:2"]
    bad = api(alice).get(reverse("api:reminder-list", args=["acme"]), {"since": "soon"})
    assert bad.status_code == 400


def test_an_empty_log_says_what_will_appear(login, alice):
    body = login(alice).get(url("reminder-log", alice)).content.decode()
    assert "No reminders yet" in body


def test_the_log_is_paginated_in_a_bounded_number_of_queries(
    login, api, alice, django_assert_max_num_queries
):
    people = MembershipFactory.create_batch(8, org=alice.org, manager=alice)
    for n in range(60):
        remind(people[n % 8], person=people[(n + 1) % 8], n=n)
    client = login(alice)
    with django_assert_max_num_queries(14):
        first = client.get(url("reminder-log", alice))
    assert first.content.decode().count('data-testid="reminder-row"') == 50
    second = client.get(url("reminder-log", alice), {"page": 2})
    assert second.content.decode().count('data-testid="reminder-row"') == 10
    token_client = api(alice)
    with django_assert_max_num_queries(14):
        answer = token_client.get(reverse("api:reminder-list", args=["acme"]))
    assert answer.json()["count"] == 60


# --- the settings -------------------------------------------------------------------------


def test_alice_changes_the_reminder_settings_bob_and_charlie_may_not(
    login, api, alice, bob, charlie
):
    assert login(alice).get(url("reminder-settings", alice)).status_code == 200
    saved = login(alice).post(url("reminder-settings", alice), SETTINGS_FORM)
    assert saved.status_code == 302
    assert (
        rule_settings(Organization.objects.get(pk=alice.org_id))["reminder_escalate_hr_days"] == 8
    )
    assert login(bob).get(url("reminder-settings", bob)).status_code == 403
    assert login(bob).post(url("reminder-settings", bob), SETTINGS_FORM).status_code == 403
    assert login(charlie).get(url("reminder-settings", alice)).status_code == 404
    endpoint = reverse("api:reminder-settings", args=["acme"])
    assert api(bob).get(endpoint).json()["reminder_hour"] == 9, "every member reads them"
    assert api(bob).patch(endpoint, {"reminder_hour": 7}, format="json").status_code == 403
    assert api(charlie).get(endpoint).status_code == 404
    changed = api(alice).patch(endpoint, {"reminder_hour": 7}, format="json")
    assert changed.status_code == 200 and changed.json()["reminder_hour"] == 7


def test_stages_out_of_order_are_refused_with_the_same_message_on_page_and_api(login, api, alice):
    form = {**SETTINGS_FORM, "reminder_escalate_hr_days": 3}
    page = login(alice).post(url("reminder-settings", alice), form)
    assert page.status_code == 200
    assert "Escalate to HR after the manager." in page.content.decode()
    answer = api(alice).patch(
        reverse("api:reminder-settings", args=["acme"]),
        {"reminder_escalate_hr_days": 3},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["reminder_escalate_hr_days"] == ["Escalate to HR after the manager."]
    assert (
        rule_settings(Organization.objects.get(pk=alice.org_id))["reminder_escalate_hr_days"] == 10
    )


# --- one's own reminders ------------------------------------------------------------------


def test_bob_mutes_his_reminders_and_reads_his_own_only(login, api, alice, bob, charlie):
    remind(bob, n=1)
    remind(alice, person=bob, n=2)
    page = login(bob).get(url("my-reminders", bob))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Reminder 1 for Bob Member" in body and "Reminder 2" not in body
    assert login(bob).post(url("my-reminders", bob), {"muted": "on"}).status_code == 302
    assert ReminderMute.objects.filter(member=bob).exists()
    assert "Muted" in login(bob).get(url("my-reminders", bob)).content.decode()
    assert login(bob).post(url("my-reminders", bob), {}).status_code == 302
    assert not ReminderMute.objects.filter(member=bob).exists()
    endpoint = reverse("api:my-reminders", args=["acme"])
    assert api(bob).put(endpoint, {"muted": True}, format="json").json() == {"muted": True}
    assert api(bob).get(endpoint).json() == {"muted": True}
    assert api(alice).get(endpoint).json() == {"muted": False}, "alice's own, not bob's"
    assert api(bob).put(endpoint, {"muted": "maybe"}, format="json").status_code == 400
    assert login(charlie).get(url("my-reminders", alice)).status_code == 404
    assert api(charlie).put(endpoint, {"muted": True}, format="json").status_code == 404
    assert not ReminderMute.objects.filter(member=charlie).exists()


def test_my_reminders_page_is_empty_at_first(login, bob):
    assert "No reminders so far" in login(bob).get(url("my-reminders", bob)).content.decode()
