"""The agreement pages: my KRAs, my team, the agreement page with its drafting, signing and
versions, the diff and the PDF; alice (org admin, bob's manager), bob (the person, a plain
member) and charlie (another organisation: 404, sees nothing, changes nothing)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import AuditEvent
from reviews.models import (
    Agreement,
    AgreementComment,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    ItemSource,
    Signature,
)
from reviews.services import agreement_propose, agreement_request_changes
from tests.factories import PASSWORD

from .conftest import KRA_TITLES, assign, build_role

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Agreement,
            AgreementItem,
            AgreementKPI,
            GrowthGoal,
            AgreementVersion,
            AgreementComment,
            Signature,
            AuditEvent,
        )
    }


def statuses():
    return dict(Agreement.objects.values_list("pk", "status"))


def personal_kra_body(objective, **changes):
    due = datetime.date.today() + datetime.timedelta(days=90)
    return {
        "title": "Mentor two new hires",
        "definition": "Bring new colleagues up to speed.",
        "weight": "10",
        "priority": "2",
        "parent": "",
        "objective": objective.pk,
        "kpi_name": "New hires ramped in 90 days",
        "kpi_unit": "people",
        "kpi_direction": "increase",
        "kpi_baseline": "0",
        "kpi_target": "2",
        "kpi_frequency": "quarterly",
        "kpi_due_date": due.isoformat(),
        **changes,
    }


def goal_body(agreement, **changes):
    return {
        "goal": "Public speaking",
        "measurable_target": "Present at two customer events",
        "due_date": (agreement.period_end - datetime.timedelta(days=30)).isoformat(),
        "measured_by": "Event programmes",
        **changes,
    }


# --- My KRAs ------------------------------------------------------------------------------------


def test_my_kras_shows_an_empty_state_without_an_agreement(login, org_a, bob):
    response = login(bob).get(url("my-kras", org_a))
    assert response.status_code == 200
    assert b'data-testid="no-agreement"' in response.content


def test_my_kras_shows_the_proposed_version_and_asks_to_sign(login, org_a, bob, proposed):
    response = login(bob).get(url("my-kras", org_a))
    body = response.content.decode()
    assert 'data-testid="my-agreement"' in body
    assert "Awaiting the employee" in body
    assert 'data-testid="todo-sign"' in body
    for title in KRA_TITLES:
        assert title in body


def test_my_kras_shows_the_frozen_content_not_todays_draft_rows(login, org_a, bob, proposed, alice):
    # A row changed under a proposed agreement (which no service allows) does not show.
    AgreementItem.objects.filter(agreement=proposed).update(title="Changed since")
    body = login(bob).get(url("my-kras", org_a)).content.decode()
    assert "Changed since" not in body
    assert KRA_TITLES[0] in body


def test_my_kras_shows_who_signed_when(login, org_a, bob, active):
    body = login(bob).get(url("my-kras", org_a)).content.decode()
    assert "Active" in body
    assert "Bob Member" in body and "Alice Admin" in body
    assert body.count("(Employee,") == 1 and body.count("(Manager,") == 1


def test_charlie_sees_only_his_own_empty_kras_page(login, org_a, org_b, charlie, proposed):
    client = login(charlie)
    assert client.get(url("my-kras", org_a)).status_code == 404
    body = client.get(url("my-kras", org_b)).content.decode()
    assert "no-agreement" in body and KRA_TITLES[0] not in body


# --- My team ------------------------------------------------------------------------------------


def test_my_team_lists_each_report_with_their_status(login, org_a, alice, bob, dave, proposed):
    body = login(alice).get(url("my-team", org_a)).content.decode()
    rows = re.findall(r'data-testid="team-row" data-status="(\w+)"', body)
    assert sorted(rows) == ["awaiting_employee", "none"]
    assert url("agreement-create", org_a, employee_pk=dave.pk) in body
    assert url("agreement-detail", org_a, pk=proposed.pk) in body


def test_my_team_of_a_plain_member_is_empty(login, org_a, bob):
    body = login(bob).get(url("my-team", org_a)).content.decode()
    assert 'data-testid="no-team"' in body


def test_my_team_is_404_for_charlie(login, org_a, charlie, proposed):
    assert login(charlie).get(url("my-team", org_a)).status_code == 404


def _team(org, manager, size, sales, objective):
    from reviews.services import agreement_create
    from tests.factories import MembershipFactory

    role = build_role(org, sales, objective, title=f"Role {Agreement.objects.count()} {size}")
    for n in range(size):
        person = MembershipFactory(org=org, manager=manager)
        assign(role, person)
        if n % 2:
            agreement_create(org=org, actor=manager, employee=person, role=role)


def _queries(client, address) -> int:
    client.get(address)  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def test_my_team_takes_the_same_queries_whatever_its_size(
    login, org_a, alice, sales, objective, django_assert_max_num_queries
):
    client = login(alice)
    _team(org_a, alice, 2, sales, objective)
    small = _queries(client, url("my-team", org_a))
    _team(org_a, alice, 12, sales, objective)
    large = _queries(client, url("my-team", org_a))
    assert small == large
    with django_assert_max_num_queries(small):
        response = client.get(url("my-team", org_a))
    # bob reports to alice too.
    assert response.content.decode().count('data-testid="team-row"') == 15


def test_my_team_is_paginated(login, org_a, alice, sales, objective):
    _team(org_a, alice, 27, sales, objective)
    client = login(alice)
    first = client.get(url("my-team", org_a)).content.decode()
    second = client.get(url("my-team", org_a), {"page": 2}).content.decode()
    assert first.count('data-testid="team-row"') == 25
    assert second.count('data-testid="team-row"') == 3  # 27 and bob


# --- Starting an agreement ------------------------------------------------------------------


def test_alice_creates_an_agreement_for_a_report(login, org_a, alice, bob, role):
    client = login(alice)
    page = client.get(url("agreement-create", org_a, employee_pk=bob.pk)).content.decode()
    assert role.title in page and "Next fiscal year" in page
    response = client.post(
        url("agreement-create", org_a, employee_pk=bob.pk), {"role": role.pk, "period": "current"}
    )
    agreement = Agreement.objects.get(employee=bob)
    assert response.status_code == 302
    assert response["Location"] == url("agreement-detail", org_a, pk=agreement.pk)
    assert agreement.status == AgreementStatus.DRAFT


def test_an_agreement_for_next_year_is_allowed(login, org_a, alice, bob, role):
    login(alice).post(
        url("agreement-create", org_a, employee_pk=bob.pk), {"role": role.pk, "period": "next"}
    )
    agreement = Agreement.objects.get(employee=bob)
    assert agreement.period_start > datetime.date.today()


def test_bob_cannot_create_his_own_agreement(login, org_a, bob, role):
    before = counts()
    response = login(bob).post(
        url("agreement-create", org_a, employee_pk=bob.pk), {"role": role.pk, "period": "current"}
    )
    assert response.status_code == 403
    assert counts() == before


def test_charlie_cannot_create_an_agreement_in_acme(login, org_a, charlie, bob, role):
    before = counts()
    response = login(charlie).post(
        url("agreement-create", org_a, employee_pk=bob.pk), {"role": role.pk, "period": "current"}
    )
    assert response.status_code == 404
    assert counts() == before


# --- The agreement page --------------------------------------------------------------------------


def test_the_draft_page_marks_personal_and_override_rows(login, org_a, alice, draft, objective):
    client = login(alice)
    client.post(url("agreement-add-kra", org_a, pk=draft.pk), personal_kra_body(objective))
    kpi = AgreementKPI.objects.filter(agreement=draft, source=ItemSource.ROLE).first()
    client.post(
        url("agreement-kpi-target", org_a, pk=draft.pk, kpi_pk=kpi.pk),
        {"target": "18", "reason": "Bigger territory"},
    )
    body = client.get(url("agreement-detail", org_a, pk=draft.pk)).content.decode()
    assert "Mentor two new hires" in body
    assert 'data-testid="marker-personal"' in body
    assert 'data-testid="marker-override"' in body
    assert "Bigger territory" in body
    assert "role: 15" in body


def test_bob_reads_his_agreement_but_cannot_edit_it(login, org_a, bob, draft, objective):
    client = login(bob)
    body = client.get(url("agreement-detail", org_a, pk=draft.pk)).content.decode()
    assert KRA_TITLES[0] in body
    assert 'data-testid="add-kra-form"' not in body and 'data-testid="propose"' not in body
    before, before_status = counts(), statuses()
    for name, data in (
        ("agreement-add-kra", personal_kra_body(objective)),
        ("growth-goal-add", goal_body(draft)),
        ("agreement-propose", {}),
        ("agreement-void", {"reason": "no"}),
        ("agreement-amend", {}),
    ):
        assert client.post(url(name, org_a, pk=draft.pk), data).status_code == 403, name
    kpi = AgreementKPI.objects.filter(agreement=draft).first()
    goal = GrowthGoal.objects.get(agreement=draft)
    for address, data in (
        (url("agreement-kpi-target", org_a, pk=draft.pk, kpi_pk=kpi.pk), {"target": "1"}),
        (url("agreement-remove-kpi", org_a, pk=draft.pk, kpi_pk=kpi.pk), {}),
        (url("agreement-remove-kra", org_a, pk=draft.pk, item_pk=kpi.item_id), {}),
        (url("growth-goal-edit", org_a, pk=draft.pk, goal_pk=goal.pk), goal_body(draft)),
        (url("growth-goal-remove", org_a, pk=draft.pk, goal_pk=goal.pk), {}),
    ):
        assert client.post(address, data).status_code == 403, address
    assert client.get(url("agreement-void", org_a, pk=draft.pk)).status_code == 403
    assert counts() == before and statuses() == before_status
    # What he may do: comment, compare versions.
    client.post(url("agreement-comment", org_a, pk=draft.pk), {"body": "Fine by me"})
    assert AgreementComment.objects.filter(agreement=draft, author__user__email="bob@acme.test")
    assert client.get(url("agreement-diff", org_a, pk=draft.pk)).status_code == 200


def test_charlie_gets_404_everywhere_on_an_acme_agreement(
    login, org_a, charlie, proposed, objective
):
    client = login(charlie)
    pk = proposed.pk
    kpi = AgreementKPI.objects.filter(agreement=proposed).first()
    item = kpi.item
    goal = GrowthGoal.objects.get(agreement=proposed)
    before, before_status = counts(), statuses()
    gets = [
        url("agreement-detail", org_a, pk=pk),
        url("agreement-diff", org_a, pk=pk),
        url("agreement-pdf", org_a, pk=pk),
        url("agreement-void", org_a, pk=pk),
        url("agreement-kpi-target", org_a, pk=pk, kpi_pk=kpi.pk),
        url("growth-goal-edit", org_a, pk=pk, goal_pk=goal.pk),
    ]
    for address in gets:
        response = client.get(address)
        assert response.status_code == 404, address
        assert b"Revenue" not in response.content
    posts = [
        (url("agreement-add-kra", org_a, pk=pk), personal_kra_body(objective)),
        (url("agreement-remove-kra", org_a, pk=pk, item_pk=item.pk), {}),
        (url("agreement-kpi-target", org_a, pk=pk, kpi_pk=kpi.pk), {"target": "1"}),
        (url("agreement-remove-kpi", org_a, pk=pk, kpi_pk=kpi.pk), {}),
        (url("growth-goal-add", org_a, pk=pk), goal_body(proposed)),
        (url("growth-goal-edit", org_a, pk=pk, goal_pk=goal.pk), goal_body(proposed)),
        (url("growth-goal-remove", org_a, pk=pk, goal_pk=goal.pk), {}),
        (url("agreement-propose", org_a, pk=pk), {}),
        (url("agreement-comment", org_a, pk=pk), {"body": "hi"}),
        (url("agreement-request-changes", org_a, pk=pk), {"comment": "hi"}),
        (url("agreement-sign", org_a, pk=pk), {"password": PASSWORD, "meaning": "on"}),
        (url("agreement-void", org_a, pk=pk), {"reason": "gone"}),
        (url("agreement-amend", org_a, pk=pk), {}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    assert counts() == before and statuses() == before_status


def test_another_member_without_a_say_gets_403(login, org_a, hannah, dave, proposed):
    # dave is a peer of bob's: neither his manager nor HR.
    assert login(dave).get(url("agreement-detail", org_a, pk=proposed.pk)).status_code == 403
    assert login(hannah).get(url("agreement-detail", org_a, pk=proposed.pk)).status_code == 200


def test_proposing_a_draft_that_fails_checks_lists_every_failure(
    login, org_a, alice, draft, objective
):
    AgreementItem.objects.filter(agreement=draft).update(weight=10)
    before = counts()
    response = login(alice).post(url("agreement-propose", org_a, pk=draft.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="propose-errors"' in body
    assert "100" in body  # the weights check
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    assert counts()["AgreementVersion"] == before["AgreementVersion"]


def test_alice_proposes_and_bob_asks_for_changes(login, org_a, alice, bob, draft, client):
    login(alice).post(url("agreement-propose", org_a, pk=draft.pk))
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.PROPOSED
    bob_client = login(bob)
    empty = bob_client.post(url("agreement-request-changes", org_a, pk=draft.pk), {"comment": ""})
    assert b"field-error" in empty.content
    bob_client.post(
        url("agreement-request-changes", org_a, pk=draft.pk), {"comment": "Lower target"}
    )
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    body = bob_client.get(url("agreement-detail", org_a, pk=draft.pk)).content.decode()
    assert "Lower target" in body and "change request" in body


def test_a_wrong_password_signs_nothing_and_says_so(login, org_a, bob, proposed):
    client = login(bob)
    page = client.get(url("agreement-detail", org_a, pk=proposed.pk)).content.decode()
    assert "I have read and agree to these Key Result Areas and KPIs." in page
    response = client.post(
        url("agreement-sign", org_a, pk=proposed.pk),
        {"password": "wrong-password", "meaning": "on", "version": 1},
    )
    assert response.status_code == 200
    assert "Nothing was signed" in response.content.decode()
    assert not Signature.objects.filter(agreement=proposed).exists()


def test_the_login_lockout_stops_signing_after_too_many_wrong_passwords(
    login, org_a, bob, proposed, settings
):
    client = login(bob)
    address = url("agreement-sign", org_a, pk=proposed.pk)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(address, {"password": "wrong-password", "meaning": "on", "version": 1})
    response = client.post(address, {"password": PASSWORD, "meaning": "on", "version": 1})
    # The lockout's own answer, as on the login page: even the right password signs nothing.
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not Signature.objects.filter(agreement=proposed).exists()


def test_hr_acknowledges_when_the_organisation_asks_for_it(
    login, org_a, alice, bob, hannah, proposed, sign
):
    org_a.settings = {**(org_a.settings or {}), "require_hr_acknowledgement": True}
    org_a.save(update_fields=["settings"])
    sign(proposed, bob)
    sign(proposed, alice)
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.AWAITING_HR
    client = login(hannah)
    assert "Acknowledge 1 agreement for HR" in client.get(url("org-home", org_a)).content.decode()
    page = client.get(url("agreement-detail", org_a, pk=proposed.pk)).content.decode()
    assert "Acknowledge for HR" in page
    client.post(
        url("agreement-sign", org_a, pk=proposed.pk),
        {"password": PASSWORD, "meaning": "on", "version": 1},
    )
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.ACTIVE


def test_signing_needs_the_statement_ticked(login, org_a, bob, proposed):
    response = login(bob).post(
        url("agreement-sign", org_a, pk=proposed.pk), {"password": PASSWORD, "version": 1}
    )
    assert b"Tick the statement" in response.content
    assert not Signature.objects.filter(agreement=proposed).exists()


def test_bob_signs_and_alice_countersigns(login, org_a, alice, bob, proposed):
    login(bob).post(
        url("agreement-sign", org_a, pk=proposed.pk),
        {"password": PASSWORD, "meaning": "on", "version": 1},
    )
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.EMPLOYEE_SIGNED
    client = login(alice)
    page = client.get(url("agreement-detail", org_a, pk=proposed.pk)).content.decode()
    assert "Countersign" in page and "will support their delivery" in page
    response = client.post(
        url("agreement-sign", org_a, pk=proposed.pk),
        {"password": PASSWORD, "meaning": "on", "version": 1},
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.ACTIVE


def test_void_asks_for_a_reason_and_is_hr_only(login, org_a, alice, hannah, bob, proposed):
    client = login(hannah)
    page = client.get(url("agreement-void", org_a, pk=proposed.pk)).content.decode()
    assert "data-confirm" in page
    assert b"field-error" in client.post(url("agreement-void", org_a, pk=proposed.pk)).content
    client.post(url("agreement-void", org_a, pk=proposed.pk), {"reason": "Role ended"})
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.VOIDED
    assert proposed.void_reason == "Role ended"


def test_alice_amends_an_active_agreement(login, org_a, alice, active):
    response = login(alice).post(url("agreement-amend", org_a, pk=active.pk))
    amendment = Agreement.objects.get(supersedes=active)
    assert response["Location"] == url("agreement-detail", org_a, pk=amendment.pk)
    assert amendment.status == AgreementStatus.DRAFT


def test_growth_goals_are_added_edited_and_removed(login, org_a, alice, draft):
    client = login(alice)
    client.post(url("growth-goal-add", org_a, pk=draft.pk), goal_body(draft))
    goal = GrowthGoal.objects.get(agreement=draft, goal="Public speaking")
    client.post(
        url("growth-goal-edit", org_a, pk=draft.pk, goal_pk=goal.pk),
        goal_body(draft, goal="Public speaking, advanced"),
    )
    goal.refresh_from_db()
    assert goal.goal == "Public speaking, advanced"
    client.post(url("growth-goal-remove", org_a, pk=draft.pk, goal_pk=goal.pk))
    assert not GrowthGoal.objects.filter(pk=goal.pk).exists()


def test_a_personal_kra_is_removed_but_a_role_kra_stays(login, org_a, alice, draft, objective):
    client = login(alice)
    client.post(url("agreement-add-kra", org_a, pk=draft.pk), personal_kra_body(objective))
    personal = AgreementItem.objects.get(agreement=draft, source=ItemSource.PERSONAL)
    role_item = AgreementItem.objects.filter(agreement=draft, source=ItemSource.ROLE).first()
    client.post(url("agreement-remove-kra", org_a, pk=draft.pk, item_pk=role_item.pk))
    assert AgreementItem.objects.filter(pk=role_item.pk).exists()
    client.post(url("agreement-remove-kra", org_a, pk=draft.pk, item_pk=personal.pk))
    assert not AgreementItem.objects.filter(pk=personal.pk).exists()


def test_the_destructive_forms_ask_for_confirmation(login, org_a, alice, draft, objective):
    client = login(alice)
    client.post(url("agreement-add-kra", org_a, pk=draft.pk), personal_kra_body(objective))
    body = client.get(url("agreement-detail", org_a, pk=draft.pk)).content.decode()
    forms = re.findall(r"<form[^>]*>", body)
    for path in ("/kras/", "/goals/", "/propose/"):
        matching = [f for f in forms if path in f and ("/remove/" in f or path == "/propose/")]
        assert matching and all("data-confirm" in f for f in matching), path


def test_the_agreement_page_takes_the_same_queries_whatever_its_size(
    login, org_a, alice, bob, draft, objective
):
    client = login(alice)
    address = url("agreement-detail", org_a, pk=draft.pk)
    small = _queries(client, address)
    for n in range(6):
        client.post(
            url("agreement-add-kra", org_a, pk=draft.pk),
            personal_kra_body(objective, title=f"Personal {n}", kpi_name=f"KPI {n}"),
        )
    large = _queries(client, address)
    assert small == large
    assert client.get(address).content.decode().count('data-testid="agreement-kra"') == 9


def test_a_proposed_agreement_page_takes_the_same_queries_whatever_its_history(
    login, org_a, alice, bob, draft
):
    client = login(alice)
    address = url("agreement-detail", org_a, pk=draft.pk)
    agreement_propose(agreement=draft, actor=alice)
    small = _queries(client, address)
    for n in range(3):
        agreement_request_changes(agreement=draft, actor=bob, comment=f"Change {n}")
        agreement_propose(agreement=draft, actor=alice)
    large = _queries(client, address)
    assert small == large
    assert client.get(address).content.decode().count('data-testid="diff-link"') == 3


# --- Versions, diff, PDF ---------------------------------------------------------------------


def test_the_diff_shows_what_changed_between_two_versions(login, org_a, alice, bob, draft):
    agreement_propose(agreement=draft, actor=alice)
    agreement_request_changes(agreement=draft, actor=bob, comment="Lower the first target")
    client = login(alice)
    kpi = AgreementKPI.objects.filter(agreement=draft).order_by("item__position").first()
    client.post(
        url("agreement-kpi-target", org_a, pk=draft.pk, kpi_pk=kpi.pk),
        {"target": "12", "reason": "Half a year"},
    )
    GrowthGoal.objects.filter(agreement=draft).delete()
    agreement_propose(agreement=draft, actor=alice)
    response = client.get(url("agreement-diff", org_a, pk=draft.pk), {"from": 1, "to": 2})
    body = response.content.decode()
    assert response.status_code == 200
    assert KRA_TITLES[0] in body
    assert re.search(r"target: <del>15</del> → <ins>12</ins>", body)
    assert 'data-state="removed"' in body and "Negotiation skills" in body
    same = client.get(url("agreement-diff", org_a, pk=draft.pk), {"from": 2, "to": 2})
    assert b'data-testid="no-difference"' in same.content


def test_the_pdf_downloads_for_those_who_may_read_it(login, org_a, alice, bob, dave, proposed):
    response = login(bob).get(url("agreement-pdf", org_a, pk=proposed.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    assert login(dave).get(url("agreement-pdf", org_a, pk=proposed.pk)).status_code == 403


def test_a_draft_never_proposed_has_no_pdf(login, org_a, alice, draft):
    assert login(alice).get(url("agreement-pdf", org_a, pk=draft.pk)).status_code == 404


# --- The person page and the home page ------------------------------------------------------


def test_the_person_page_shows_the_agreement_and_its_versions(login, org_a, alice, bob, proposed):
    body = login(alice).get(url("member-detail", org_a, pk=bob.pk)).content.decode()
    assert 'data-testid="person-agreement"' in body
    assert url("agreement-detail", org_a, pk=proposed.pk) in body
    assert "Version 1" in body


def test_the_person_page_hides_the_agreement_from_a_peer(login, org_a, dave, bob, proposed):
    body = login(dave).get(url("member-detail", org_a, pk=bob.pk)).content.decode()
    assert 'data-testid="person-agreement"' not in body


def test_the_home_page_lists_what_waits_for_each_person(login, org_a, alice, bob, dave, proposed):
    bob_home = login(bob).get(url("org-home", org_a)).content.decode()
    assert 'data-testid="pending-sign"' in bob_home
    alice_home = login(alice).get(url("org-home", org_a)).content.decode()
    # dave has no agreement; bob's awaits bob, not alice.
    assert 'data-testid="pending-missing"' in alice_home
    assert "1 report has no agreement" in alice_home
    assert 'data-testid="pending-countersign"' not in alice_home


def test_the_home_page_asks_the_manager_to_countersign(login, org_a, alice, bob, proposed, sign):
    sign(proposed, bob)
    body = login(alice).get(url("org-home", org_a)).content.decode()
    assert "Countersign 1 agreement" in body


def test_the_navigation_links_my_kras_and_my_team(login, org_a, bob):
    body = login(bob).get(url("org-home", org_a)).content.decode()
    assert url("my-kras", org_a) in body and url("my-team", org_a) in body


def test_the_personal_target_form_opens_in_place_with_the_role_target(login, org_a, alice, draft):
    kpi = AgreementKPI.objects.filter(agreement=draft).first()
    response = login(alice).get(
        url("agreement-kpi-target", org_a, pk=draft.pk, kpi_pk=kpi.pk), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'data-testid="kpi-target-form"' in body
    assert 'name="target" value="15"' in body
