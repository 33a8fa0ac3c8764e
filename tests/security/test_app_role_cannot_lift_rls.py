"""The application role cannot switch row-level security off, by any setting it may
change, nor read another organisation's rows or another organisation's people: the
tenant context is signed with a key the database keeps from it."""

from __future__ import annotations

import json

import psycopg2
import pytest
from django.conf import settings

from kra_platform import rls
from tests.factories import MembershipFactory, ObjectiveFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenants():
    acme = OrganizationFactory(slug="acme")
    globex = OrganizationFactory(slug="globex")
    a = MembershipFactory(org=acme, user__email="ann@acme.test")
    b = MembershipFactory(org=globex, user__email="gus@globex.test")
    ObjectiveFactory(org=acme, title="Acme objective")
    ObjectiveFactory(org=globex, title="Globex objective")
    return acme, globex, a, b


def _count(cur, sql, params=()):
    cur.execute(sql, params)
    return cur.fetchone()[0]


def _globex_rows(cur, globex) -> int:
    return (
        _count(cur, "SELECT count(*) FROM kras_strategicobjective WHERE org_id = %s", [globex.pk])
        + _count(cur, "SELECT count(*) FROM orgs_membership WHERE org_id = %s", [globex.pk])
        + _count(cur, "SELECT count(*) FROM orgs_user WHERE email LIKE '%%globex%%'")
    )


def _refused(cur, statement, params=()):
    with pytest.raises(psycopg2.Error):
        cur.execute(statement, params)


def test_no_setting_the_application_role_may_change_lifts_row_level_security(app_role_db, tenants):
    acme, globex, _a, _b = tenants
    cur = app_role_db.cursor()
    assert _globex_rows(cur, globex) == 0

    # The old switch, and hand-made contexts without the key.
    cur.execute("SELECT set_config('kra.bypass', 'on', false)")
    forged = json.dumps({"org_id": str(globex.pk)}, separators=(",", ":"))
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [forged])
    cur.execute("SELECT set_config('kra.sig', %s, false)", ["0" * 64])
    assert _globex_rows(cur, globex) == 0

    # A genuine signature of one organisation's context does not open another's.
    own_ctx, own_sig = rls._encode({"org_id": acme.pk})
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [forged])
    cur.execute("SELECT set_config('kra.sig', %s, false)", [own_sig])
    assert _globex_rows(cur, globex) == 0

    # One injected statement that rewrites the context before it reads.
    assert (
        _count(
            cur,
            "WITH x AS MATERIALIZED (SELECT set_config('kra.ctx', %s, true)) "
            "SELECT count(*) FROM x, kras_strategicobjective",
            [forged],
        )
        == 0
    )

    # Roles, authorisation, the row_security switch, the policies, the key, the functions.
    for role in (settings.DATABASE_MAINTENANCE_ROLE, "kra_owner", "postgres"):
        _refused(cur, f'SET ROLE "{role}"')
        _refused(cur, "SELECT set_config('role', %s, false)", [role])
    _refused(cur, "SET SESSION AUTHORIZATION postgres")
    cur.execute("SET row_security = off")
    _refused(cur, "SELECT count(*) FROM kras_strategicobjective")
    cur.execute("RESET row_security")
    for statement in (
        "ALTER TABLE kras_strategicobjective DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE kras_strategicobjective NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON kras_strategicobjective",
        "CREATE POLICY open_door ON kras_strategicobjective USING (true)",
        "SELECT key FROM kra_rls_key",
        "UPDATE kra_rls_key SET key = 'x'",
        "CREATE OR REPLACE FUNCTION kra_org_id() RETURNS bigint LANGUAGE sql AS $$ SELECT 1 $$",
        "CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
    ):
        _refused(cur, statement)
    assert _globex_rows(cur, globex) == 0

    # With the application's own signed context it sees its organisation, and only that.
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [own_ctx])
    cur.execute("SELECT set_config('kra.sig', %s, false)", [own_sig])
    assert _count(cur, "SELECT count(*) FROM kras_strategicobjective") == 1
    assert _globex_rows(cur, globex) == 0


def test_accounts_are_visible_to_themselves_and_their_organisations_only(app_role_db, tenants):
    acme, globex, ann, gus = tenants
    cur = app_role_db.cursor()

    def visible_emails(**context):
        ctx, sig = rls._encode(context)
        cur.execute("SELECT set_config('kra.ctx', %s, false)", [ctx])
        cur.execute("SELECT set_config('kra.sig', %s, false)", [sig])
        cur.execute("SELECT email, password FROM orgs_user ORDER BY email")
        return [email for email, _password in cur.fetchall()]

    assert visible_emails() == []
    assert visible_emails(org_id=acme.pk) == ["ann@acme.test"]
    assert visible_emails(user_id=gus.user_id) == ["gus@globex.test"]
    assert visible_emails(login_email="gus@globex.test") == ["gus@globex.test"]
    # Nothing can be deleted through the application role, visible or not.
    _refused(cur, "DELETE FROM orgs_user WHERE id = %s", [gus.user_id])


def test_the_database_stamps_who_and_when_on_every_audit_row(app_role_db, tenants):
    acme, _globex, ann, gus = tenants
    cur = app_role_db.cursor()
    ctx, sig = rls._encode({"org_id": acme.pk, "user_id": ann.user_id})
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [ctx])
    cur.execute("SELECT set_config('kra.sig', %s, false)", [sig])
    # A forged row: someone else as the actor, a month ago.
    cur.execute(
        "INSERT INTO orgs_auditevent (org_id, actor_id, actor_label, action, object_type, "
        "object_id, object_repr, changes, created_at) VALUES (%s, %s, '', 'forged', 'x', '1', "
        "'x', '{}', now() - interval '30 days') RETURNING actor_id, created_at > now() - "
        "interval '1 minute'",
        [acme.pk, gus.user_id],
    )
    assert cur.fetchone() == (ann.user_id, True)


def test_the_application_role_cannot_make_an_account_staff(app_role_db, tenants):
    _acme, _globex, ann, _gus = tenants
    cur = app_role_db.cursor()
    ctx, sig = rls._encode({"user_id": ann.user_id})
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [ctx])
    cur.execute("SELECT set_config('kra.sig', %s, false)", [sig])
    # Its own account is visible and may be updated, but not promoted.
    cur.execute("UPDATE orgs_user SET full_name = 'Ann B' WHERE id = %s", [ann.user_id])
    assert cur.rowcount == 1
    for column in ("is_staff", "is_superuser"):
        _refused(cur, f"UPDATE orgs_user SET {column} = true WHERE id = %s", [ann.user_id])
    _refused(
        cur,
        "INSERT INTO orgs_user (email, full_name, password, is_staff, is_superuser, is_active, "
        "date_joined) VALUES ('root@x.test', '', '!', true, true, true, now())",
    )


def test_an_account_is_changed_only_by_itself(app_role_db, tenants):
    acme, _globex, ann, _gus = tenants
    colleague = MembershipFactory(org=acme, user__email="col@acme.test")
    cur = app_role_db.cursor()
    ctx, sig = rls._encode({"org_id": acme.pk, "user_id": ann.user_id})
    cur.execute("SELECT set_config('kra.ctx', %s, false)", [ctx])
    cur.execute("SELECT set_config('kra.sig', %s, false)", [sig])
    # The colleague is visible (same organisation) but their password cannot be rewritten.
    assert _count(cur, "SELECT count(*) FROM orgs_user WHERE id = %s", [colleague.user_id]) == 1
    cur.execute("UPDATE orgs_user SET password = 'x' WHERE id = %s", [colleague.user_id])
    assert cur.rowcount == 0
    cur.execute("UPDATE orgs_user SET full_name = 'Ann' WHERE id = %s", [ann.user_id])
    assert cur.rowcount == 1
