"""The demo's KRA agreements: most people have one in force, signed through the services
on the organisation's hash chain; some await the person's signature; a few have none; a
second run changes nothing, and a large demo gets no more of them than a small one."""

from io import StringIO

import pytest
from django.core.management import call_command

from orgs.models import Membership, Organization
from reviews.models import Agreement, AgreementStatus, Signature, SignerRole
from reviews.services import agreement_verify, signature_chain_verify

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_most_people_have_an_agreement_in_force_some_await_a_signature_a_few_none():
    output = seed()
    org = Organization.objects.get(slug="demo")
    people = Membership.objects.filter(org=org, manager__isnull=False).count()
    agreements = Agreement.objects.filter(org=org)
    active = agreements.filter(status=AgreementStatus.ACTIVE)
    awaiting = agreements.filter(status=AgreementStatus.PROPOSED)
    assert active.count() > people / 2
    assert awaiting.count() >= 3
    assert agreements.values("employee").distinct().count() < people
    assert f"KRA agreements: {active.count()} in force, {awaiting.count()} awaiting" in output
    # Signed by the person, then their manager, as the services sign.
    for agreement in active.select_related("employee"):
        roles = list(
            Signature.objects.filter(agreement=agreement)
            .order_by("sequence")
            .values_list("signer_role", "signer_id")
        )
        assert roles == [
            (SignerRole.EMPLOYEE, agreement.employee_id),
            (SignerRole.MANAGER, agreement.employee.manager_id),
        ]
    assert agreement_verify(agreement=active.first()).valid
    assert signature_chain_verify(org=org).valid
    assert not Signature.objects.filter(agreement__in=awaiting).exists()


def test_the_manager_persona_has_team_members_with_agreements():
    seed()
    manager = Membership.objects.get(org__slug="demo", user__email="manager@demo.kra")
    assert Agreement.objects.filter(manager=manager).exists()


def test_a_second_run_adds_no_agreement_and_no_signature():
    seed()
    before = (Agreement.objects.count(), Signature.objects.count())
    seed()
    assert (Agreement.objects.count(), Signature.objects.count()) == before


def test_a_large_demo_gets_no_more_agreements_than_a_small_one():
    seed("--slug", "small")
    seed("--slug", "large", "--employees", "200")
    small = Agreement.objects.filter(org__slug="small").count()
    large = Agreement.objects.filter(org__slug="large").count()
    assert 0 < large <= small + 2


def test_agreements_can_be_left_out():
    seed("--agreements", "0")
    assert not Agreement.objects.exists()
