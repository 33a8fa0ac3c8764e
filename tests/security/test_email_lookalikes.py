"""Emails have one normal form (Unicode NFKC + case folding), stored and matched exactly, and
the login lockout counts against it.

PostgreSQL's case-insensitive comparison (UPPER) maps the dotless "ı" to "I" and the long
"ſ" to "S". Matching accounts with it while counting lockout failures against the email as
typed let "alıce@…" log in as alice while "alice@…" was locked out, and its success cleared
alice's count."""

import importlib
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django.urls import reverse

from orgs.emails import normalize_email
from orgs.models import ApiToken, Invitation, User
from orgs.services import invitation_create
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .test_login_lockout import LIMIT, PATHS, AdminLogin, TokenEndpoint, assert_locked_out, fail

REAL = "alice@acme.test"
# UPPER() makes each of these "ALICE@ACME.TEST".
DOTLESS = "al\u0131ce@acme.test"  # "ı": folds to itself, so it is another address
LONG_S = "alice@acme.te\u017ft"  # "ſ": folds to "s", so it is alice's address


@pytest.fixture(params=PATHS)
def way_in(request, client, alice):
    # alice may use the admin, so the admin's refusals below come from the lockout alone.
    alice.user.is_staff = True
    alice.user.save(update_fields=["is_staff"])
    return PATHS[request.param](client)


def test_the_normal_form_folds_case_and_compatibility_letters_only():
    assert normalize_email("  ALICE@Acme.Test ") == REAL
    assert normalize_email("\uff41lice@acme.test") == REAL  # fullwidth "ａ"
    assert normalize_email(LONG_S) == REAL
    assert normalize_email(DOTLESS) == DOTLESS != REAL
    assert normalize_email("Stra\u00dfe@x.test") == "strasse@x.test"
    assert normalize_email(None) == ""


def test_a_lookalike_email_logs_nobody_in_while_the_real_one_is_locked_out(way_in):
    # Given alice locked out by failures on her real address
    fail(way_in, LIMIT)
    assert_locked_out(way_in, way_in.attempt(REAL, PASSWORD))
    # When someone tries her password with a dotless "ı"
    response = way_in.attempt(DOTLESS, PASSWORD)
    # Then it reaches no account: refused like any wrong email, nothing issued, nobody in
    assert not way_in.succeeded(response)
    assert response.status_code in (200, 400)
    assert ApiToken.objects.count() == 0
    if not isinstance(way_in, TokenEndpoint):
        assert "_auth_user_id" not in way_in.client.session


def test_a_lookalike_email_reaches_no_account_even_unlocked(way_in):
    assert not way_in.succeeded(way_in.attempt(DOTLESS, PASSWORD))
    assert ApiToken.objects.count() == 0


def test_a_lockout_of_the_real_address_blocks_its_other_spellings(way_in):
    fail(way_in, LIMIT)
    for spelling in (LONG_S, "ALICE@ACME.TEST", "\uff41lice@acme.test"):
        assert_locked_out(way_in, way_in.attempt(spelling, PASSWORD))
    assert ApiToken.objects.count() == 0


def test_failures_under_any_spelling_of_the_address_share_one_count(way_in):
    for spelling in (REAL, LONG_S, " Alice@ACME.test", "\uff41lice@acme.test", LONG_S):
        way_in.attempt(spelling, "not the password")
    assert_locked_out(way_in, way_in.attempt(REAL, PASSWORD))
    assert AccessAttempt.objects.get().username == REAL


def test_a_lookalike_success_cannot_clear_the_real_count(way_in):
    # Given four failures on alice's address
    fail(way_in, LIMIT - 1)
    # When her password is tried under a look-alike address
    way_in.attempt(DOTLESS, PASSWORD)
    # Then her count still stands: one more failure locks her out
    assert AccessAttempt.objects.get(username=REAL).failures_since_start == LIMIT - 1
    assert_locked_out(way_in, fail(way_in, 1)[0])


def test_the_admin_login_takes_another_spelling_of_the_same_address(client, alice):
    alice.user.is_staff = True
    alice.user.save(update_fields=["is_staff"])
    login = AdminLogin(client)
    assert login.succeeded(login.attempt(LONG_S, PASSWORD))


# --- stored in the normal form, wherever an address comes in -------------------------------


def test_accounts_are_stored_in_the_normal_form(db):
    user = User.objects.create_user(email=" \uff21LICE@Acme.TE\u017fT ", password=PASSWORD)
    assert user.email == REAL
    other = UserFactory(email="Bob@ACME.test")
    other.refresh_from_db()
    assert other.email == "bob@acme.test"
    assert User.objects.get_by_natural_key("BOB@acme.te\u017ft") == other
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(DOTLESS)


def test_invitations_are_stored_in_the_normal_form(alice):
    invitation, _raw = invitation_create(
        org=alice.org, actor=alice, email="  Erin@EXAMPLE.te\u017ft "
    )
    invitation.refresh_from_db()
    assert invitation.email == "erin@example.test"


def test_an_import_stores_and_matches_the_normal_form(alice, bob):
    from orgs.imports import org_chart_import

    text = (
        "email,full name,manager email\n"
        "Dana@EXAMPLE.te\u017ft,Dana New,ALICE@acme.test\n"
        "BOB@acme.test,Bob Member,\n"
    )
    org_chart_import(org=alice.org, actor=alice, file_bytes=text.encode())
    dana = User.objects.get(email="dana@example.test")
    assert dana.memberships.get().manager == alice
    assert User.objects.filter(email__icontains="bob").count() == 1


def test_a_password_reset_finds_the_account_under_another_spelling_only(client, alice):
    client.post(reverse("password_reset"), {"email": DOTLESS})
    assert mail.outbox == []
    client.post(reverse("password_reset"), {"email": "ALICE@acme.te\u017ft"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [REAL]


def test_the_signup_check_of_an_invitation_uses_the_normal_form(org_b, charlie, client, alice):
    # "Do you already have an account?" is answered for the stored address exactly.
    from orgs import selectors

    assert selectors.account_exists(email="ALICE@ACME.TE\u017fT")
    assert not selectors.account_exists(email=DOTLESS)


# --- the data migration ---------------------------------------------------------------------


def _migration_module():
    (path,) = Path(__file__).resolve().parents[2].glob("orgs/migrations/*_normalise_emails.py")
    return importlib.import_module(f"orgs.migrations.{path.stem}")


def _as_owner(work):
    """Run ``work(schema_editor)`` as the owner role, as migrations run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
        # A migration runs in a transaction of its own; this test's has deferred checks
        # pending, which ALTER TABLE would refuse.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET ROLE NONE")
    try:
        with connection.schema_editor(atomic=False) as editor:
            work(editor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


def test_the_migration_normalises_stored_emails_and_keeps_colliding_ones(alice, charlie, caplog):
    # Given rows stored before the normal form (written around the model's save)
    lone = MembershipFactory(org=alice.org).user
    twin_a, twin_b = UserFactory(), UserFactory()
    User.objects.filter(pk=lone.pk).update(email="Lone@Example.TE\u017fT")
    User.objects.filter(pk=twin_a.pk).update(email="twin@example.test")
    User.objects.filter(pk=twin_b.pk).update(email="TWIN@example.test")
    invitation, _raw = invitation_create(org=charlie.org, actor=charlie, email="x@y.test")
    Invitation.objects.filter(pk=invitation.pk).update(email="Inv@Example.Test")

    forced_before = _forced_tables()
    assert forced_before["orgs_invitation"] is True
    # When the migration runs
    _as_owner(lambda editor: _migration_module().normalise(django_apps, editor))

    # Then the lone one and the invitation are in the normal form, and the colliding pair is
    # kept as it was, with a warning naming both
    assert User.objects.get(pk=lone.pk).email == "lone@example.test"
    assert Invitation.objects.get(pk=invitation.pk).email == "inv@example.test"
    assert User.objects.get(pk=twin_a.pk).email == "twin@example.test"
    assert User.objects.get(pk=twin_b.pk).email == "TWIN@example.test"
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert f"Account {twin_b.pk} keeps its email" in warning and str(twin_a.pk) in warning
    # And row-level security is forced again wherever it was
    assert _forced_tables() == forced_before


def _forced_tables() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relforcerowsecurity FROM pg_class "
            "WHERE relname IN ('orgs_user', 'orgs_invitation')"
        )
        return dict(cursor.fetchall())
