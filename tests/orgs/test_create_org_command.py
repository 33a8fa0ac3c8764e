from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import AuditEvent, Membership, Organization, OrgRole, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_org(*args):
    out = StringIO()
    call_command("create_org", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_tenant_and_its_admin_and_prints_the_url(client):
    output = create_org(
        "--name",
        "Initech",
        "--slug",
        "initech",
        "--admin-email",
        "Bill@Initech.test",
        "--admin-name",
        "Bill Lumbergh",
        "--password",
        "tps reports every friday",
    )

    org = Organization.objects.get(slug="initech")
    assert org.name == "Initech"
    member = Membership.objects.select_related("user").get(org=org)
    assert member.role == OrgRole.ADMIN
    assert (member.user.email, member.user.full_name) == ("bill@initech.test", "Bill Lumbergh")
    assert "/o/initech/" in output
    # Through the login page: the lockout backend needs the request client.login() lacks.
    client.post(
        "/accounts/login/",
        {"username": "bill@initech.test", "password": "tps reports every friday"},
    )
    assert "_auth_user_id" in client.session
    assert AuditEvent.objects.filter(org=org, action="organization.create").exists()


def test_the_slug_defaults_to_the_name():
    output = create_org("--name", "Globex Corporation", "--admin-email", "hank@globex.test")
    assert Organization.objects.filter(slug="globex-corporation").exists()
    assert "/o/globex-corporation/" in output
    # No password given: none is set, and the output says how to set one.
    assert not User.objects.get(email="hank@globex.test").has_usable_password()
    assert "changepassword" in output


def test_an_existing_account_becomes_the_admin_and_keeps_its_password():
    user = UserFactory(email="boss@example.test")
    password = user.password
    create_org("--name", "Second", "--admin-email", "boss@example.test", "--password", "x")
    user.refresh_from_db()
    assert user.password == password
    assert Membership.objects.get(org__slug="second", user=user).role == OrgRole.ADMIN


def test_a_taken_slug_is_an_error_and_creates_nothing(org_a):
    with pytest.raises(CommandError, match="taken"):
        create_org("--name", "Acme 2", "--slug", "acme", "--admin-email", "a@b.test")
    assert Organization.objects.count() == 1
    assert not User.objects.filter(email="a@b.test").exists()


def test_a_weak_password_or_bad_email_is_refused():
    with pytest.raises(CommandError):
        create_org("--name", "Weak", "--admin-email", "w@weak.test", "--password", "123")
    with pytest.raises(CommandError):
        create_org("--name", "Bad", "--admin-email", "not-an-email")
    assert not Organization.objects.exists()
