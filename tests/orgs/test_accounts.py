import re

import pytest
from django.core import mail
from django.urls import reverse

from orgs.models import ApiToken, AuditEvent
from orgs.services import organization_set_suspended
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory


def test_login_with_email_is_case_insensitive_and_lands_on_the_only_org(client, alice):
    response = client.post(
        reverse("login"), {"username": "ALICE@acme.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/acme/"
    assert "Acme Robotics" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post(reverse("login"), {"username": "alice@acme.test", "password": "x"})
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_member_of_two_orgs_picks_one(client, alice, org_b):
    MembershipFactory(org=org_b, user=alice.user)
    client.force_login(alice.user)
    page = client.get(reverse("org-picker")).content.decode()
    assert "Acme Robotics" in page and "Globex" in page


def test_someone_without_an_org_sees_what_to_do(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("org-picker")).content.decode()
    assert "not in any organisation" in page


def test_password_reset_sends_a_one_time_link_that_sets_a_new_password(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@acme.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "a brand new pass 42", "new_password2": "a brand new pass 42"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.check_password("a brand new pass 42")
    # Used once: the same link no longer works.
    again = client.get(path, follow=True).content.decode()
    assert "no longer works" in again


def test_password_reset_for_an_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_org_home_shows_real_figures_and_next_steps(login, alice, bob):
    page = login(alice).get(reverse("org-home", args=["acme"])).content.decode()
    assert 'data-testid="figure-members">2<' in page
    assert 'data-testid="figure-departments">0<' in page
    assert "Add your first strategic objective" in page


def test_bob_sees_the_home_without_admin_next_steps(login, bob):
    page = login(bob).get(reverse("org-home", args=["acme"])).content.decode()
    assert "Acme Robotics" in page
    assert "next-steps" not in page


def test_charlie_gets_404_for_acme_pages(login, charlie, alice):
    client = login(charlie)
    for name in ("org-home", "inbox", "api-token-list", "org-settings", "audit-list"):
        assert client.get(reverse(name, args=["acme"])).status_code == 404, name


def test_anonymous_visitors_are_sent_to_login(client, alice):
    response = client.get(reverse("org-home", args=["acme"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_suspended_org_answers_with_a_clear_message_on_pages_and_api(login, api, alice):
    api_client = api(alice)
    organization_set_suspended(org=alice.org, suspended=True, reason="Unpaid invoice")
    response = login(alice).get(reverse("org-home", args=["acme"]))
    assert response.status_code == 403
    assert "Acme Robotics is suspended" in response.content.decode()
    assert "Unpaid invoice" in response.content.decode()
    api_response = api_client.get(reverse("api:objective-list", args=["acme"]))
    assert api_response.status_code == 403
    assert "suspended" in api_response.json()["detail"]


def test_org_profile_edit_records_old_and_new_values(login, alice):
    client = login(alice)
    response = client.post(
        reverse("org-settings", args=["acme"]),
        {
            "name": "Acme Robotics",
            "mission": "Build robots people trust.",
            "vision": "",
            "values": "",
            "strategy_summary": "",
            "fiscal_year_start_month": 4,
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    alice.org.refresh_from_db()
    assert alice.org.timezone == "Europe/Berlin" and alice.org.fiscal_year_start_month == 4
    event = AuditEvent.objects.get(org=alice.org, action="organization.update")
    assert event.changes["timezone"] == {"old": "UTC", "new": "Europe/Berlin"}
    history = client.get(
        reverse("audit-object", args=["acme", "orgs.organization", alice.org.pk])
    ).content.decode()
    assert "Europe/Berlin" in history


def test_an_unknown_timezone_is_refused_and_nothing_changes(login, alice):
    response = login(alice).post(
        reverse("org-settings", args=["acme"]),
        {
            "name": "Renamed",
            "fiscal_year_start_month": 1,
            "timezone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    assert "not a known time zone" in response.content.decode()
    alice.org.refresh_from_db()
    assert alice.org.name == "Acme Robotics"


def test_bob_cannot_edit_the_profile_or_read_the_audit_trail(login, bob):
    client = login(bob)
    assert client.get(reverse("org-settings", args=["acme"])).status_code == 403
    assert (
        client.post(
            reverse("org-settings", args=["acme"]),
            {"name": "Bob Co", "timezone": "UTC", "fiscal_year_start_month": 1},
        ).status_code
        == 403
    )
    assert client.get(reverse("audit-list", args=["acme"])).status_code == 403
    bob.org.refresh_from_db()
    assert bob.org.name == "Acme Robotics"


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(login, alice):
    client = login(alice)
    page = client.post(
        reverse("api-token-list", args=["acme"]), {"name": "payroll sync", "ttl_days": 30}
    ).content.decode()
    raw = re.search(r"(kra_[A-Za-z0-9_\-]+)", page).group(1)
    token = ApiToken.objects.get(user=alice.user)
    assert raw not in (token.key_hash, token.prefix) and token.key_hash != raw
    assert client.get(reverse("api-token-list", args=["acme"])).content.decode().count(raw) == 0

    from rest_framework.test import APIClient

    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get(reverse("api:objective-list", args=["acme"])).status_code == 200
    client.post(reverse("api-token-revoke", args=["acme", token.pk]))
    assert api_client.get(reverse("api:objective-list", args=["acme"])).status_code == 401


def test_a_token_works_for_its_own_organisation_only(api, alice, org_b):
    MembershipFactory(org=org_b, user=alice.user)
    client = api(alice)  # issued for acme
    assert client.get(reverse("api:objective-list", args=["acme"])).status_code == 200
    assert client.get(reverse("api:objective-list", args=["globex"])).status_code == 404


def test_charlie_cannot_revoke_alices_token(login, api, alice, charlie):
    api(alice)
    token = ApiToken.objects.get(user=alice.user)
    client = login(charlie)
    assert client.post(reverse("api-token-revoke", args=["globex", token.pk])).status_code == 404
    assert client.post(reverse("api-token-revoke", args=["acme", token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_profile_read_by_members_changed_by_admins(api, alice, bob, charlie):
    url = reverse("api:organization", args=["acme"])
    assert api(bob).get(url).json()["name"] == "Acme Robotics"
    assert api(bob).patch(url, {"name": "Bob Co"}).status_code == 403
    assert api(charlie).get(url).status_code == 404
    assert api(charlie).patch(url, {"name": "Charlie Co"}).status_code == 404
    assert api(alice).patch(url, {"vision": "Robots everywhere"}).status_code == 200
    alice.org.refresh_from_db()
    assert (alice.org.name, alice.org.vision) == ("Acme Robotics", "Robots everywhere")


def test_audit_api_is_for_admins_only(api, alice, bob, charlie):
    url = reverse("api:audit-event-list", args=["acme"])
    assert api(alice).get(url).status_code == 200
    assert api(bob).get(url).status_code == 403
    assert api(charlie).get(url).status_code == 404


def test_other_orgs_are_listed_nowhere(api, charlie, alice):
    other = OrganizationFactory(slug="initech")
    assert api(charlie).get(reverse("api:organization", args=[other.slug])).status_code == 404
    assert api(charlie).get(reverse("api:organization", args=["no-such-org"])).status_code == 404


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_api_is_documented(client, alice, path):
    client.force_login(alice.user)
    assert client.get(path).status_code == 200
