"""API tokens end with the password they were made under, die with a deactivation (and stay
dead after a reactivation), and a token cannot make new tokens."""

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from orgs.models import ApiToken, AuditEvent
from orgs.services import membership_deactivate, membership_reactivate
from orgs.services.tokens import api_token_create
from orgs.tenancy import ADMIN_ORG_SESSION_KEY
from tests.factories import PASSWORD, MembershipFactory, UserFactory

NEW_PASSWORD = "a different passphrase 2026"


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def works(raw: str, org_slug: str = "acme") -> bool:
    status = bearer(raw).get(reverse("api:objective-list", args=[org_slug])).status_code
    assert status in (200, 401), status
    return status == 200


def test_changing_the_password_revokes_the_tokens_of_every_organisation(alice, bob, org_b):
    # Given alice with a token in acme and one in globex, and bob with one in acme
    MembershipFactory(org=org_b, user=alice.user)
    _acme, acme_raw = api_token_create(member=alice, name="acme sync")
    globex_member = alice.user.memberships.get(org=org_b)
    _globex, globex_raw = api_token_create(member=globex_member, name="globex sync")
    _bob, bob_raw = api_token_create(member=bob, name="bob's")
    assert works(acme_raw) and works(globex_raw, "globex")

    # When she changes her password
    client = Client()
    client.force_login(alice.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 API tokens were revoked" in response.content.decode()

    # Then both of her tokens are dead, each revocation recorded in its organisation; bob's
    # token is untouched
    assert not works(acme_raw) and not works(globex_raw, "globex")
    assert not ApiToken.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    events = AuditEvent.objects.filter(action="api_token.revoke", actor=alice.user)
    assert sorted(e.org.slug for e in events) == ["acme", "globex"]
    assert {e.changes["reason"]["new"] for e in events} == {"password changed"}
    assert works(bob_raw)


def test_a_wrong_old_password_revokes_nothing(login, alice):
    _token, raw = api_token_create(member=alice, name="sync")
    response = login(alice).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert works(raw)


def test_a_password_reset_revokes_every_token(client, alice):
    _token, raw = api_token_create(member=alice, name="sync")
    uid = urlsafe_base64_encode(force_bytes(alice.user.pk))
    token = default_token_generator.make_token(alice.user)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert not works(raw)
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.changes["reason"]["new"] == "password reset"


def test_platform_staff_cannot_set_another_accounts_password_in_the_admin(client, alice):
    # An account is changed only by itself (or by the sign-in and reset flows): staff send
    # a reset link instead, and the person's tokens die when they choose a new password.
    _token, raw = api_token_create(member=alice, name="sync")
    client.force_login(UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True))
    # Platform staff work in one organisation at a time in the admin.
    session = client.session
    session[ADMIN_ORG_SESSION_KEY] = alice.org_id
    session.save()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 403
    alice.user.refresh_from_db()
    assert not alice.user.check_password(NEW_PASSWORD)
    assert works(raw)


def test_a_password_staff_set_on_their_own_account_revokes_its_tokens(client, alice):
    ops = UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True)
    staff_member = MembershipFactory(org=alice.org, user=ops)
    _token, raw = api_token_create(member=staff_member, name="ops script")
    client.force_login(ops)
    session = client.session
    session[ADMIN_ORG_SESSION_KEY] = alice.org_id
    session.save()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[ops.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    ops.refresh_from_db()
    assert ops.check_password(NEW_PASSWORD)
    assert not works(raw)


def test_a_deactivated_members_token_stays_dead_after_reactivation(alice, bob):
    # Given bob's working token
    _token, raw = api_token_create(member=bob, name="bob's script")
    assert works(raw)
    # When he is deactivated and later reactivated
    membership_deactivate(membership=bob, actor=alice)
    assert not works(raw)
    membership_reactivate(membership=bob, actor=alice)
    # Then the old token still does not work; he makes a new one if he needs it
    assert not works(raw)
    token = ApiToken.objects.get(user=bob.user)
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor == alice.user
    assert event.changes["reason"]["new"] == "member deactivated"


def test_deactivating_a_member_in_one_organisation_leaves_their_other_tokens(alice, charlie):
    acme_charlie = MembershipFactory(org=alice.org, user=charlie.user)
    _acme, acme_raw = api_token_create(member=acme_charlie, name="acme")
    _globex, globex_raw = api_token_create(member=charlie, name="globex")
    membership_deactivate(membership=acme_charlie, actor=alice)
    assert not works(acme_raw)
    assert works(globex_raw, "globex")


def test_a_token_cannot_create_tokens(alice):
    # Given a token that expires in a week
    _token, raw = api_token_create(member=alice, name="short-lived", ttl_days=7)
    # When it asks for a new token that would live a year
    response = bearer(raw).post(
        reverse("api:api-token-list", args=["acme"]),
        {"name": "renewed", "ttl_days": 365},
        format="json",
    )
    # Then it is refused with a clear message, and no token is made
    assert response.status_code == 403
    assert response.json()["detail"] == "Create tokens from a signed-in browser session."
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["short-lived"]


def test_a_token_is_refused_before_its_input_is_read(alice):
    _token, raw = api_token_create(member=alice, name="sync")
    response = bearer(raw).post(reverse("api:api-token-list", args=["acme"]), {}, format="json")
    assert response.status_code == 403


def test_a_signed_in_session_still_creates_tokens_through_the_api(login, alice):
    client = login(alice)
    response = client.post(
        reverse("api:api-token-list", args=["acme"]),
        {"name": "from the browser", "ttl_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert works(response.json()["key"])


def test_a_token_still_lists_and_revokes_its_owners_tokens(alice):
    token, raw = api_token_create(member=alice, name="sync")
    client = bearer(raw)
    assert client.get(reverse("api:api-token-list", args=["acme"])).status_code == 200
    response = client.post(reverse("api:api-token-revoke", args=["acme", token.pk]))
    assert response.status_code == 200
    assert not works(raw)
