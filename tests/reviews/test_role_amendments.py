"""The role changed since signing: the agreement in force shows how its role's KRAs and
KPIs differ today from what it froze (the agreement page, My KRAs, My team), and the
manager amends the agreements of every holder of the role at once (page and API); alice
(org admin, manager), bob (the person, a plain member) and charlie (another organisation:
404, sees nothing, changes nothing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import KPI
from orgs.models import AuditEvent, Notification
from reviews.models import Agreement, AgreementStatus
from reviews.selectors import role_agreements_in_force, role_changes
from reviews.services import agreement_amend, agreement_create, agreement_propose
from reviews.services.amendments import agreements_amend_for_role
from tests.factories import MembershipFactory, UserFactory

from .conftest import assign

pytestmark = pytest.mark.django_db

KPI_NAME = "Customer retention per quarter"


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def change_target(role, value="17"):
    kpi = KPI.objects.get(org=role.org, kra__role=role, name=KPI_NAME)
    kpi.target = Decimal(value)
    kpi.save()
    return kpi


def in_force_for(person, role, manager, sign):
    assign(role, person)
    agreement = agreement_create(org=role.org, actor=manager, employee=person, role=role)
    agreement_propose(agreement=agreement, actor=manager)
    sign(agreement, person)
    sign(agreement, manager)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    return agreement


def _holders(org, alice, role, sign, count):
    people = []
    for n in range(count):
        person = MembershipFactory(
            org=org,
            manager=alice,
            user=UserFactory(email=f"holder{n}-{count}@acme.test", full_name=f"Holder {n:02d}"),
        )
        people.append(in_force_for(person, role, alice, sign))
    return people


# --- the diff, on read ---------------------------------------------------------------------


def test_a_changed_kpi_target_shows_as_a_change_of_the_agreement_in_force(org_a, active):
    assert role_changes(org=org_a, agreements=[active]) == {}
    change_target(active.role)

    diff = role_changes(org=org_a, agreements=[active])[active.pk]

    [kra] = diff.kras
    assert (kra.name, kra.state, kra.changes) == ("Customer retention", "changed", [])
    [kpi] = kra.kpis
    assert kpi.name == KPI_NAME and kpi.state == "changed"
    assert [(c.label, c.old, c.new) for c in kpi.changes] == [("target", "15", "17")]


def test_a_kpi_saved_unchanged_or_a_personal_target_is_no_role_change(org_a, alice, draft, sign):
    from reviews.models import AgreementKPI
    from reviews.services import agreement_override_kpi_target

    row = AgreementKPI.objects.get(agreement=draft, name=KPI_NAME)
    agreement_override_kpi_target(kpi=row, actor=alice, target="20", reason="New territory")
    agreement_propose(agreement=draft, actor=alice)
    sign(draft, draft.employee)
    sign(draft, alice)
    draft.refresh_from_db()
    KPI.objects.get(org=org_a, kra__role=draft.role, name=KPI_NAME).save()

    assert role_changes(org=org_a, agreements=[draft]) == {}
    change_target(draft.role, "16")
    [kpi] = role_changes(org=org_a, agreements=[draft])[draft.pk].kras[0].kpis
    assert [(c.old, c.new) for c in kpi.changes] == [("15", "16")]


def test_a_kra_added_to_the_role_shows_as_added(org_a, active):
    from kras.models import KRA, KRALevel

    KRA.objects.create(
        org=org_a, level=KRALevel.ROLE, role=active.role, title="Partner channel", weight=0
    )
    diff = role_changes(org=org_a, agreements=[active])[active.pk]
    assert [(e.name, e.state) for e in diff.kras] == [("Partner channel", "added")]


# --- the pages show it ---------------------------------------------------------------------


def test_the_agreement_page_my_kras_and_my_team_say_the_role_changed(
    login, org_a, alice, bob, active
):
    client = login(alice)
    page = client.get(url("agreement-detail", org_a, pk=active.pk)).content.decode()
    assert 'data-testid="role-changed"' not in page
    change_target(active.role)

    page = client.get(url("agreement-detail", org_a, pk=active.pk)).content.decode()
    assert 'data-testid="role-changed"' in page and "Role changed since signing" in page
    assert KPI_NAME in page and "<ins>17</ins>" in page
    assert url("role-agreements-amend", org_a, role_pk=active.role_id) in page
    team = client.get(url("my-team", org_a)).content.decode()
    assert 'data-status="needs_amendment"' in team and "Needs amendment" in team
    assert url("role-agreements-amend", org_a, role_pk=active.role_id) in team

    mine = login(bob).get(url("my-kras", org_a)).content.decode()
    assert 'data-testid="role-changed"' in mine and "<ins>17</ins>" in mine
    assert url("role-agreements-amend", org_a, role_pk=active.role_id) not in mine


# --- amending every holder at once ---------------------------------------------------------


def test_amending_for_a_role_starts_one_amendment_per_holder_and_tells_each(
    org_a, alice, bob, dave, active, sign
):
    davids = in_force_for(dave, active.role, alice, sign)
    agreement_amend(agreement=davids, actor=alice)  # already under way: skipped
    change_target(active.role)
    audits = AuditEvent.objects.count()

    result = agreements_amend_for_role(role=active.role, actor=alice)

    [amendment] = result.created
    assert amendment.supersedes_id == active.pk and amendment.status == AgreementStatus.DRAFT
    assert result.skipped == [davids]
    assert Agreement.objects.filter(supersedes=davids).count() == 1
    notes = Notification.objects.filter(kind="agreement.amendment_started")
    assert [n.recipient for n in notes] == [bob]
    assert notes[0].url.endswith(f"/agreements/{amendment.pk}/")
    assert AuditEvent.objects.filter(action="agreement.amend_for_role").count() == 1
    assert AuditEvent.objects.count() == audits + 2
    # Again: both have an amendment under way now.
    again = agreements_amend_for_role(role=active.role, actor=alice)
    assert again.created == [] and len(again.skipped) == 2


def test_the_bulk_amend_page_asks_then_amends(login, org_a, alice, bob, active):
    change_target(active.role)
    client = login(alice)
    target = url("role-agreements-amend", org_a, role_pk=active.role_id)
    page = client.get(target)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="role-holder"' in body and "Bob" in body
    assert "1 KRA changed" in body
    assert Agreement.objects.filter(supersedes=active).count() == 0

    response = client.post(target)

    assert response.status_code == 302 and response["Location"] == url("my-team", org_a)
    assert Agreement.objects.filter(supersedes=active, status=AgreementStatus.DRAFT).count() == 1


def test_bob_and_charlie_may_not_amend_for_a_role(login, org_a, bob, charlie, active):
    target = url("role-agreements-amend", org_a, role_pk=active.role_id)
    before = Agreement.objects.count(), Notification.objects.count()
    client = login(bob)
    assert client.get(target).status_code == 403
    assert client.post(target).status_code == 403
    client = login(charlie)
    assert client.get(target).status_code == 404
    assert client.post(target).status_code == 404
    assert (Agreement.objects.count(), Notification.objects.count()) == before


def test_the_bulk_amend_page_costs_the_same_queries_for_any_number_of_holders(
    login, org_a, alice, active, sign, django_assert_max_num_queries
):
    client = login(alice)
    target = url("role-agreements-amend", org_a, role_pk=active.role_id)
    _holders(org_a, alice, active.role, sign, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    _holders(org_a, alice, active.role, sign, 4)
    change_target(active.role)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(target).content.decode()
    assert body.count('data-testid="role-holder"') == 6


# --- the API -------------------------------------------------------------------------------


def test_the_api_amends_for_a_role_and_refuses_bob_and_charlie(
    api, org_a, bob, charlie, alice, active
):
    target = reverse("api:agreement-amend-for-role", kwargs={"org_slug": org_a.slug})
    before = Agreement.objects.count()
    assert api(bob).post(target, {"role": active.role_id}).status_code == 403
    assert api(charlie).post(target, {"role": active.role_id}).status_code == 404
    assert Agreement.objects.count() == before

    response = api(alice).post(target, {"role": active.role_id})

    assert response.status_code == 201, response.content
    [pk] = response.json()["created"]
    assert Agreement.objects.get(pk=pk).supersedes_id == active.pk
    assert response.json()["skipped"] == []
    assert api(alice).post(target, {"role": 999999}).status_code == 400


def test_role_agreements_in_force_marks_those_under_way(org_a, alice, active):
    [row] = role_agreements_in_force(org=org_a, role=active.role, member=alice)
    assert (row.agreement, row.under_way, row.changes) == (active, False, None)
    agreement_amend(agreement=active, actor=alice)
    [row] = role_agreements_in_force(org=org_a, role=active.role, member=alice)
    assert row.under_way is True
