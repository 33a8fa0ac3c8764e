"""Agreements over the API: the whole life of an agreement, its refusals with the pages'
messages, who may call what (alice, bob, charlie), and the list's query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from orgs.models import AuditEvent, OrgRole
from reviews.models import Agreement, AgreementStatus, Signature
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import assign, build_role
from .test_signature_integrity import tamper

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org.slug, **kwargs})


def detail(name, agreement, **kwargs):
    return url(name, agreement.org, pk=agreement.pk, **kwargs)


def sign_body(**extra):
    return {"password": PASSWORD, "meaning": True, **extra}


def test_an_agreement_goes_from_draft_to_in_force_over_the_api(api, org_a, alice, bob, role):
    manager, person = api(alice), api(bob)
    created = manager.post(url("agreement-list", org_a), {"employee": bob.pk, "role": role.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert [item["title"] for item in body["items"]][:1] == ["Revenue from new customers"]
    pk = body["id"]
    agreement = Agreement.objects.get(pk=pk)

    goal = manager.post(
        detail("agreement-growth-goals", agreement),
        {
            "goal": "Negotiation skills",
            "measurable_target": "Three deals above list",
            "due_date": (agreement.period_end - datetime.timedelta(days=30)).isoformat(),
            "measured_by": "Deal reviews",
        },
    )
    assert goal.status_code == 201, goal.content
    changed = manager.patch(
        detail("agreement-growth-goal", agreement, goal_pk=goal.json()["id"]),
        {"measured_by": "Quarterly deal reviews"},
    )
    assert changed.json()["measured_by"] == "Quarterly deal reviews"
    # The goal's own text (a field also called "goal") changes too.
    renamed = manager.patch(
        detail("agreement-growth-goal", agreement, goal_pk=goal.json()["id"]),
        {"goal": "Negotiation and pricing skills"},
    )
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["goal"] == "Negotiation and pricing skills"

    kpi_pk = body["items"][0]["kpis"][0]["id"]
    target = manager.post(
        detail("agreement-kpi-target", agreement, kpi_pk=kpi_pk),
        {"target": "18", "reason": "A bigger territory"},
    )
    assert target.status_code == 200, target.content
    assert target.json()["items"][0]["kpis"][0]["source"] == "override"

    proposed = manager.post(detail("agreement-propose", agreement))
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["status"] == "proposed"
    assert proposed.json()["version"] == 1

    # The person asks for a change; the manager proposes again: version 2.
    asked = person.post(detail("agreement-request-changes", agreement), {"comment": "Target?"})
    assert asked.json()["status"] == "draft"
    assert manager.post(detail("agreement-propose", agreement)).json()["version"] == 2

    signed = person.post(detail("agreement-sign", agreement), sign_body(version=2))
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "employee_signed"
    countersigned = manager.post(detail("agreement-countersign", agreement), sign_body())
    assert countersigned.status_code == 200, countersigned.content
    final = countersigned.json()
    assert final["status"] == "active"
    assert [s["signer_role"] for s in final["signatures"]] == ["employee", "manager"]
    assert [v["number"] for v in final["versions"]] == [1, 2]
    assert final["comments"][0]["kind"] == "change_request"

    versions = person.get(detail("agreement-versions", agreement)).json()
    assert [v["number"] for v in versions] == [1, 2]
    frozen = person.get(detail("agreement-version", agreement, number=2)).json()
    assert frozen["document"]["agreement"]["version"] == 2
    assert frozen["content_hash"] == versions[1]["content_hash"]

    verified = person.get(detail("agreement-verify", agreement)).json()
    assert verified == {
        "valid": True,
        "versions_checked": 2,
        "signatures_checked": 2,
        "findings": [],
    }

    pdf = person.get(detail("agreement-pdf", agreement))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    amended = manager.post(detail("agreement-amend", agreement))
    assert amended.status_code == 201, amended.content
    assert amended.json()["supersedes"] == pk
    assert amended.json()["status"] == "draft"


def test_the_diff_names_the_target_that_changed_between_versions(api, org_a, alice, bob, proposed):
    manager, person = api(alice), api(bob)
    person.post(detail("agreement-request-changes", proposed), {"comment": "Lower it"})
    kpi = proposed.kpis.order_by("id").first()
    manager.post(detail("agreement-kpi-target", proposed, kpi_pk=kpi.pk), {"target": "12"})
    manager.post(detail("agreement-propose", proposed))
    answer = person.get(
        detail("agreement-diff", proposed), {"from_version": 1, "to_version": 2}
    ).json()
    assert answer["from_version"] == 1 and answer["to_version"] == 2
    changed = [k for k in answer["kras"] if k["state"] == "changed"]
    assert changed[0]["kpis"][0]["name"] == kpi.name
    labels = {c["label"]: c for c in changed[0]["kpis"][0]["changes"]}
    assert labels["target"]["old"] == "15" and labels["target"]["new"] == "12"


def test_a_diff_without_its_versions_is_a_400(api, alice, proposed):
    answer = api(alice).get(detail("agreement-diff", proposed), {"from_version": "x"})
    assert answer.status_code == 400
    assert "from_version" in answer.json()


def test_a_wrong_password_signs_nothing_and_says_so(api, bob, proposed):
    answer = api(bob).post(detail("agreement-sign", proposed), sign_body(password="wrong"))
    assert answer.status_code == 400
    assert "Nothing was signed" in answer.json()["password"][0]
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.PROPOSED
    assert not Signature.objects.filter(agreement=proposed).exists()


def test_wrong_passwords_lock_signing_as_they_lock_the_login(api, bob, proposed, settings):
    client = api(bob)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(detail("agreement-sign", proposed), sign_body(password="wrong"))
    answer = client.post(detail("agreement-sign", proposed), sign_body())
    # Locked out: even the right password signs nothing now.
    assert answer.status_code in (400, 403, 429)
    assert not Signature.objects.filter(agreement=proposed).exists()


def test_signing_without_the_statement_is_refused(api, bob, proposed):
    answer = api(bob).post(detail("agreement-sign", proposed), sign_body(meaning="I guess"))
    assert answer.status_code == 400
    assert "meaning" in answer.json()


def test_the_wrong_step_is_refused_with_its_reason(api, alice, bob, proposed):
    # The manager cannot countersign before the person has signed.
    answer = api(alice).post(detail("agreement-countersign", proposed), sign_body())
    assert answer.status_code == 400
    assert "countersignature" in answer.json()["non_field_errors"][0]
    # A stale version is refused with the pages' message.
    stale = api(bob).post(detail("agreement-sign", proposed), sign_body(version=9))
    assert stale.status_code == 404


def test_the_person_cannot_draft_their_own_agreement(api, bob, draft):
    answer = api(bob).post(
        detail("agreement-items", draft), {"title": "Something easy", "weight": "10"}
    )
    assert answer.status_code == 403
    assert not draft.items.filter(title="Something easy").exists()


def test_a_personal_kra_is_added_and_removed(api, alice, draft):
    manager = api(alice)
    added = manager.post(
        detail("agreement-items", draft),
        {
            "title": "Mentor a new hire",
            "weight": "10",
            "kpis": [{"name": "Mentoring sessions held", "target": "12", "unit": "sessions"}],
        },
    )
    assert added.status_code == 201, added.content
    item = next(i for i in added.json()["items"] if i["title"] == "Mentor a new hire")
    assert item["source"] == "personal" and item["kpis"][0]["name"] == "Mentoring sessions held"
    assert manager.delete(detail("agreement-item", draft, item_pk=item["id"])).status_code == 204
    assert not draft.items.filter(title="Mentor a new hire").exists()
    # A personal KPI under a role KRA, then removed; a role KPI stays.
    role_item = draft.items.filter(source="role").order_by("id").first()
    with_kpi = manager.post(
        detail("agreement-item-kpis", draft, item_pk=role_item.pk),
        {"name": "Referrals asked for", "target": "20", "unit": "referrals"},
    )
    assert with_kpi.status_code == 201, with_kpi.content
    kpi = draft.kpis.get(name="Referrals asked for")
    assert kpi.source == "personal" and kpi.item_id == role_item.pk
    assert manager.delete(detail("agreement-kpi", draft, kpi_pk=kpi.pk)).status_code == 204
    assert not draft.kpis.filter(pk=kpi.pk).exists()
    role_kpi = role_item.kpis.order_by("id").first()
    assert manager.delete(detail("agreement-kpi", draft, kpi_pk=role_kpi.pk)).status_code == 400
    # A role KRA stays: the role's to change.
    role_item = draft.items.filter(source="role").first()
    refused = manager.delete(detail("agreement-item", draft, item_pk=role_item.pk))
    assert refused.status_code == 400


def test_hr_voids_with_a_reason_and_nobody_else_may(api, hannah, bob, alice, active):
    assert api(bob).post(detail("agreement-void", active), {"reason": "x"}).status_code == 403
    missing = api(hannah).post(detail("agreement-void", active), {"reason": " "})
    assert missing.status_code == 400
    voided = api(hannah).post(detail("agreement-void", active), {"reason": "Left the role"})
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided" and voided.json()["void_reason"] == "Left the role"


def test_verify_names_the_tampered_signature(api, alice, active):
    sig = Signature.objects.filter(agreement=active).order_by("sequence").first()
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET printed_name = %s WHERE id = %s",
        ["Someone Else", sig.pk],
        org_id=active.org_id,
    )
    answer = api(alice).get(detail("agreement-verify", active)).json()
    assert answer["valid"] is False
    assert any(
        f["kind"] == "row_hash" and f["signature_sequence"] == sig.sequence
        for f in answer["findings"]
    )


def test_comments_are_added_by_readers(api, bob, proposed):
    answer = api(bob).post(detail("agreement-comments", proposed), {"body": "Looks fair"})
    assert answer.status_code == 201
    assert answer.json()["body"] == "Looks fair" and answer.json()["version"] == 1


# --- who may call what --------------------------------------------------------------------


def test_alice_bob_and_charlie_on_the_list_and_an_agreement(
    api, org_a, alice, bob, charlie, dave, active
):
    other = Agreement.objects.create(
        org=org_a,
        employee=dave,
        manager=alice,
        role=active.role,
        period_start=active.period_start,
        period_end=active.period_end,
    )
    listed = api(alice).get(url("agreement-list", org_a)).json()
    assert {row["id"] for row in listed["results"]} == {active.pk, other.pk}
    # Bob sees his own, not Dave's.
    mine = api(bob).get(url("agreement-list", org_a)).json()
    assert [row["id"] for row in mine["results"]] == [active.pk]
    assert api(bob).get(detail("agreement-detail", other)).status_code == 403
    assert api(bob).get(detail("agreement-pdf", other)).status_code == 403
    # Charlie, of another organisation: 404 on A's slug, and nothing of A under his own.
    before = AuditEvent.objects.filter(org=org_a).count()
    assert api(charlie).get(url("agreement-list", org_a)).status_code == 404
    assert api(charlie).get(detail("agreement-detail", active)).status_code == 404
    assert api(charlie).post(detail("agreement-void", active), {"reason": "x"}).status_code == 404
    theirs = reverse("api:agreement-detail", kwargs={"org_slug": charlie.org.slug, "pk": active.pk})
    assert api(charlie).get(theirs).status_code == 404
    own_list = reverse("api:agreement-list", kwargs={"org_slug": charlie.org.slug})
    assert api(charlie).get(own_list).json()["count"] == 0
    assert AuditEvent.objects.filter(org=org_a).count() == before
    active.refresh_from_db()
    assert active.status == AgreementStatus.ACTIVE


def test_the_list_filters_by_status_employee_role_and_period(api, org_a, alice, bob, active):
    client = api(alice)
    base = url("agreement-list", org_a)
    assert client.get(base, {"status": "active"}).json()["count"] == 1
    assert client.get(base, {"status": "draft"}).json()["count"] == 0
    assert client.get(base, {"employee": bob.pk}).json()["count"] == 1
    assert client.get(base, {"employee": alice.pk}).json()["count"] == 0
    assert client.get(base, {"role": active.role_id}).json()["count"] == 1
    inside = active.period_start + datetime.timedelta(days=3)
    assert client.get(base, {"period": inside.isoformat()}).json()["count"] == 1
    before = active.period_start - datetime.timedelta(days=1)
    assert client.get(base, {"period": before.isoformat()}).json()["count"] == 0
    assert client.get(base, {"status": "nonsense"}).status_code == 400


def _people_with_agreements(org, sales, objective, alice, count):
    role = build_role(org, sales, objective, title=f"Role for {count}")
    for number in range(count):
        member = MembershipFactory(
            org=org,
            manager=alice,
            department=sales,
            role=OrgRole.MEMBER,
            user=UserFactory(email=f"p{count}-{number}@acme.test"),
        )
        assign(role, member)
        Agreement.objects.create(
            org=org,
            employee=member,
            manager=alice,
            role=role,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_for_few_and_many(
    api, org_a, sales, objective, alice, count, django_assert_max_num_queries
):
    _people_with_agreements(org_a, sales, objective, alice, count)
    client = api(alice)
    with django_assert_max_num_queries(14):
        answer = client.get(url("agreement-list", org_a))
    assert answer.json()["count"] == count


@pytest.mark.parametrize("count", [3, 25])
def test_a_managers_list_takes_the_same_queries_for_few_and_many(
    api, org_a, sales, objective, alice, count, django_assert_max_num_queries
):
    _people_with_agreements(org_a, sales, objective, alice, count)
    alice.role = OrgRole.MEMBER
    alice.save(update_fields=["role"])
    client = api(alice)
    with django_assert_max_num_queries(19):
        answer = client.get(url("agreement-list", org_a))
    assert answer.json()["count"] == count


def test_hr_acknowledges_over_the_api_when_the_organisation_asks(
    api, org_a, alice, bob, hannah, proposed, sign
):
    from orgs.org_settings import organization_update_rules

    organization_update_rules(org=org_a, actor=alice, require_hr_acknowledgement=True)
    sign(proposed, bob)
    sign(proposed, alice)
    # Bob may not acknowledge his own; HR does, and the agreement comes into force.
    assert api(bob).post(detail("agreement-acknowledge", proposed), sign_body()).status_code == 403
    answer = api(hannah).post(detail("agreement-acknowledge", proposed), sign_body())
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "active"
    assert answer.json()["signatures"][-1]["signer_role"] == "hr"
