"""A delegate for the countersignature (docs/DOMAIN.md rule R29, step 4): HR grants one
member the countersignature of one agreement (django-guardian's reviews.sign_agreement on
it) and may take it back; the service, the agreement page's form and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from guardian.shortcuts import get_user_perms

from orgs.models import AuditEvent, Notification
from reviews.models import AgreementStatus, SignerRole
from reviews.selectors import agreement_delegates
from reviews.services import agreement_delegate_signer, agreement_revoke_delegate
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def may_countersign(member, agreement) -> bool:
    return "sign_agreement" in set(get_user_perms(member.user, agreement))


def page(name, agreement) -> str:
    return reverse(name, kwargs={"org_slug": agreement.org.slug, "pk": agreement.pk})


def api_url(name, agreement, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": agreement.org.slug, "pk": agreement.pk, **kwargs})


# --- the service ------------------------------------------------------------------------------


def test_a_delegate_hr_names_countersigns_and_is_told(hannah, bob, dave, proposed, sign):
    agreement_delegate_signer(agreement=proposed, actor=hannah, delegate=dave)
    assert agreement_delegates(agreement=proposed) == [dave]
    event = AuditEvent.objects.get(action="agreement.delegate_signer")
    assert event.changes == {"delegate": {"old": None, "new": "Dave Dealer"}}
    assert Notification.objects.filter(recipient=dave, kind="agreement.delegated").exists()
    sign(proposed, bob)
    signature = sign(proposed, dave)
    assert signature.signer_role == SignerRole.MANAGER
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.ACTIVE


def test_after_the_revocation_the_delegate_cannot_countersign(hannah, bob, dave, proposed, sign):
    agreement_delegate_signer(agreement=proposed, actor=hannah, delegate=dave)
    agreement_revoke_delegate(agreement=proposed, actor=hannah, delegate=dave)
    assert agreement_delegates(agreement=proposed) == []
    assert AuditEvent.objects.filter(action="agreement.revoke_delegate").exists()
    sign(proposed, bob)
    with pytest.raises(PermissionDenied):
        sign(proposed, dave)
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.EMPLOYEE_SIGNED


def test_only_hr_delegates_and_revokes(alice, bob, dave, charlie, proposed):
    for actor in (bob, dave, charlie):
        with pytest.raises(PermissionDenied):
            agreement_delegate_signer(agreement=proposed, actor=actor, delegate=dave)
    assert not may_countersign(dave, proposed)
    agreement_delegate_signer(agreement=proposed, actor=alice, delegate=dave)
    for actor in (bob, dave, charlie):
        with pytest.raises(PermissionDenied):
            agreement_revoke_delegate(agreement=proposed, actor=actor, delegate=dave)
    assert may_countersign(dave, proposed)
    assert not AuditEvent.objects.filter(action="agreement.revoke_delegate").exists()


def test_the_delegate_must_be_an_active_member_other_than_the_person(
    org_a, alice, bob, charlie, proposed
):
    leaver = MembershipFactory(org=org_a, is_active=False)
    for delegate, message in (
        (charlie, "Choose an active member of this organisation."),
        (leaver, "Choose an active member of this organisation."),
        (bob, "The person cannot countersign their own agreement."),
        (alice, "The manager of record countersigns already."),
    ):
        with pytest.raises(ValidationError, match=message):
            agreement_delegate_signer(agreement=proposed, actor=alice, delegate=delegate)
        assert not may_countersign(delegate, proposed)
    assert not AuditEvent.objects.filter(action="agreement.delegate_signer").exists()


def test_an_agreement_already_countersigned_takes_no_delegate(hannah, dave, active):
    with pytest.raises(ValidationError, match="no longer to come"):
        agreement_delegate_signer(agreement=active, actor=hannah, delegate=dave)
    assert not may_countersign(dave, active)


# --- the agreement page -----------------------------------------------------------------------


def test_hr_grants_and_revokes_on_the_agreement_page(login, alice, dave, proposed):
    client = login(alice)
    body = client.get(page("agreement-detail", proposed)).content.decode()
    assert 'data-testid="delegate-form"' in body
    response = client.post(page("agreement-delegate", proposed), {"delegate": dave.pk})
    assert response.status_code == 302 and response["Location"].endswith("#delegates")
    assert may_countersign(dave, proposed)
    body = client.get(page("agreement-detail", proposed)).content.decode()
    assert body.count('data-testid="delegate"') == 1 and "Dave Dealer" in body
    response = client.post(page("agreement-revoke-delegate", proposed), {"delegate": dave.pk})
    assert response.status_code == 302
    assert not may_countersign(dave, proposed)


def test_a_refused_delegate_comes_back_as_the_forms_error(login, alice, bob, proposed):
    response = login(alice).post(page("agreement-delegate", proposed), {"delegate": bob.pk})
    assert response.status_code == 200
    assert "The person cannot countersign their own agreement." in response.content.decode()
    assert not may_countersign(bob, proposed)


def test_the_person_and_another_organisation_cannot_delegate_on_the_page(
    login, client, alice, bob, dave, charlie, proposed, org_b
):
    body = login(bob).get(page("agreement-detail", proposed)).content.decode()
    assert 'data-testid="delegates"' not in body
    assert (
        client.post(page("agreement-delegate", proposed), {"delegate": dave.pk}).status_code == 403
    )
    login(charlie)
    assert (
        client.post(page("agreement-delegate", proposed), {"delegate": dave.pk}).status_code == 404
    )
    assert not may_countersign(dave, proposed)
    # Nor revoke: the grant stays.
    agreement_delegate_signer(agreement=proposed, actor=alice, delegate=dave)
    revoke = page("agreement-revoke-delegate", proposed)
    assert client.post(revoke, {"delegate": dave.pk}).status_code == 404
    login(bob)
    assert client.post(revoke, {"delegate": dave.pk}).status_code == 403
    # Another organisation's member is no delegate here: 404.
    login(alice)
    other = MembershipFactory(org=org_b)
    assert client.post(revoke, {"delegate": other.pk}).status_code == 404
    assert may_countersign(dave, proposed)


def test_the_agreement_page_links_to_its_verification(login, bob, proposed):
    body = login(bob).get(page("agreement-detail", proposed)).content.decode()
    assert f'href="{page("agreement-verify", proposed)}"' in body


def test_the_navigation_links_to_the_export_for_hr_only(login, client, alice, bob, hannah, org_a):
    export = f'href="{reverse("agreement-export", kwargs={"org_slug": "acme"})}"'
    my_kras = reverse("my-kras", kwargs={"org_slug": "acme"})
    assert export in login(hannah).get(my_kras).content.decode()
    assert export in login(alice).get(my_kras).content.decode()
    assert export not in login(bob).get(my_kras).content.decode()


# --- the API ----------------------------------------------------------------------------------


def test_hr_grants_lists_and_revokes_over_the_api(api, hannah, dave, proposed):
    client = api(hannah)
    url = api_url("api:agreement-delegates", proposed)
    response = client.post(url, {"delegate": dave.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == [{"id": dave.pk, "name": "Dave Dealer", "job_title": dave.job_title}]
    assert [row["id"] for row in client.get(url).json()] == [dave.pk]
    refused = client.post(url, {"delegate": dave.pk}, format="json")
    assert refused.status_code == 400 and "delegate" in refused.json()
    revoke = api_url("api:agreement-revoke-delegate", proposed, member_pk=dave.pk)
    assert client.delete(revoke).status_code == 204
    assert not may_countersign(dave, proposed)
    assert client.delete(revoke).status_code == 400


def test_bob_and_charlie_are_refused_over_the_api(api, alice, bob, dave, charlie, proposed):
    url = api_url("api:agreement-delegates", proposed)
    assert api(bob).post(url, {"delegate": dave.pk}, format="json").status_code == 403
    assert api(bob).get(url).status_code == 403
    assert api(charlie).post(url, {"delegate": dave.pk}, format="json").status_code == 404
    assert api(charlie).get(url).status_code == 404
    assert not may_countersign(dave, proposed)
    agreement_delegate_signer(agreement=proposed, actor=alice, delegate=dave)
    revoke = api_url("api:agreement-revoke-delegate", proposed, member_pk=dave.pk)
    assert api(bob).delete(revoke).status_code == 403
    assert api(charlie).delete(revoke).status_code == 404
    assert may_countersign(dave, proposed)
    # Charlie's own membership is not A's: naming it is refused.
    answer = api(alice).post(url, {"delegate": charlie.pk}, format="json")
    assert answer.status_code == 400
    assert not may_countersign(charlie, proposed)


def test_the_delegate_list_costs_a_constant_number_of_queries(
    org_a, api, alice, proposed, django_assert_max_num_queries
):
    for _ in range(12):
        agreement_delegate_signer(
            agreement=proposed, actor=alice, delegate=MembershipFactory(org=org_a)
        )
    client = api(alice)
    url = api_url("api:agreement-delegates", proposed)
    with django_assert_max_num_queries(14):
        rows = client.get(url).json()
    assert len(rows) == 12
