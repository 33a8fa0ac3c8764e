"""PostgreSQL row-level security: the database itself keeps organisations apart, even when
application code forgets the ORM filter."""

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.http import Http404, JsonResponse
from django.test import RequestFactory

from kra_platform import rls
from kra_platform.celery import TenantTask, app
from kra_platform.models import RlsBypassEvent
from orgs.middleware import TenantDatabaseMiddleware
from orgs.models import AuditEvent, Organization
from orgs.services import department_create
from orgs.views.base import org_view
from tests.factories import MembershipFactory, ObjectiveFactory


def _tenant_tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(
            f.name == "org" and f.is_relation and f.related_model is Organization
            for f in model._meta.get_fields()
        )
    )


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def two_orgs(alice, bob, charlie):
    ObjectiveFactory(org=alice.org, title="Acme objective")
    ObjectiveFactory(org=charlie.org, title="Globex objective")
    department_create(org=charlie.org, actor=charlie, name="Globex Sales")
    return alice.org, charlie.org


def test_every_tenant_table_forces_row_level_security_with_the_org_policy(db):
    tables = _tenant_tables()
    assert "orgs_membership" in tables and "kras_strategicobjective" in tables
    rows = dict(
        (name, (enabled, forced))
        for name, enabled, forced in _raw(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            [tables],
        )
    )
    policies = {
        name
        for (name,) in _raw(
            "SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'"
        )
    }
    missing = [t for t in tables if rows.get(t) != (True, True) or t not in policies]
    assert not missing, f"tenant tables without forced row-level security: {missing}"


def test_the_application_role_is_no_superuser_owns_nothing_and_cannot_bypass(app_role_db):
    cur = app_role_db.cursor()
    cur.execute(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    user, superuser, bypass = cur.fetchone()
    assert user == settings.DATABASE_APP_ROLE
    assert (superuser, bypass) == (False, False)
    cur.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
    )
    assert cur.fetchall() == []
    with pytest.raises(psycopg2.Error):
        cur.execute("CREATE TABLE sneaky (id int)")


def test_raw_sql_in_one_tenant_sees_and_changes_nothing_of_another(two_orgs):
    acme, globex = two_orgs
    with rls.tenant_context(org_id=acme.pk):
        titles = {t for (t,) in _raw("SELECT title FROM kras_strategicobjective")}
        assert titles == {"Acme objective"}
        assert _raw("SELECT count(*) FROM orgs_department WHERE org_id = %s", [globex.pk]) == [(0,)]
        assert _raw("SELECT count(*) FROM orgs_membership WHERE org_id = %s", [globex.pk]) == [(0,)]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE kras_strategicobjective SET title = 'hacked' WHERE org_id = %s", [globex.pk]
            )
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _raw(
                "INSERT INTO orgs_department (org_id, name, created_at) "
                "VALUES (%s, 'Planted', now())",
                [globex.pk],
            )
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _raw("UPDATE kras_strategicobjective SET org_id = %s", [globex.pk])
    assert _raw("SELECT title FROM kras_strategicobjective WHERE org_id = %s", [globex.pk]) == [
        ("Globex objective",)
    ]


def test_without_a_tenant_nothing_is_visible(two_orgs):
    with rls.tenant_context(org_id=None):
        assert _raw("SELECT count(*) FROM kras_strategicobjective") == [(0,)]
        assert _raw("SELECT count(*) FROM orgs_department") == [(0,)]


def test_a_request_for_one_org_returns_none_of_anothers_rows(two_orgs, rf: RequestFactory):
    acme, globex = two_orgs

    @org_view()
    def careless_view(request, member):
        # A view that forgot every filter and went straight to SQL.
        rows = _raw("SELECT org_id, title FROM kras_strategicobjective")
        try:
            with transaction.atomic():
                _raw(
                    "INSERT INTO kras_strategicobjective (org_id, title, description, "
                    "horizon_years, position, status, created_at) "
                    "VALUES (%s, 'planted', '', 1, 1, 'active', now())",
                    [globex.pk],
                )
            inserted = True
        except DatabaseError:
            inserted = False
        return JsonResponse({"rows": rows, "inserted": inserted})

    request = rf.get("/o/acme/")
    request.user = MembershipFactory(org=acme).user
    request.session = {SESSION_KEY: str(request.user.pk)}
    response = TenantDatabaseMiddleware(lambda r: careless_view(r, org_slug="acme"))(request)
    import json

    body = json.loads(response.content)
    assert body["rows"], "the request saw its own organisation's rows"
    assert {org for org, _title in body["rows"]} == {acme.pk}
    assert body["inserted"] is False
    assert not _raw("SELECT 1 FROM kras_strategicobjective WHERE title = 'planted'")


def test_the_middleware_restores_the_previous_context(two_orgs, rf):
    acme, _globex = two_orgs
    with transaction.atomic():
        rls.set_context(org_id=999, user_id=7)
        before = rls.get_context()
        request = rf.get("/o/acme/")
        request.user = MembershipFactory(org=acme).user
        request.session = {SESSION_KEY: str(request.user.pk)}
        seen = {}

        def view(r):
            seen.update(rls.get_context())
            return JsonResponse({})

        TenantDatabaseMiddleware(view)(request)
        # The user from the session; no organisation before a membership is checked.
        assert seen["user_id"] == str(request.user.pk) and seen["org_id"] == ""
        assert rls.get_context() == before


def test_the_organisation_enters_the_context_only_after_the_membership_check(two_orgs, rf):
    acme, globex = two_orgs
    outsider = MembershipFactory(org=globex).user
    seen = {}

    @org_view()
    def view(request, member):
        seen.update(rls.get_context())
        return JsonResponse({})

    def call(user, slug):
        request = rf.get(f"/o/{slug}/")
        request.user = user
        request.session = {SESSION_KEY: str(user.pk)}
        seen.clear()

        def inner(r):
            try:
                return view(r, org_slug=slug)
            except Http404:
                seen.update(rls.get_context())
                return JsonResponse({}, status=404)

        return TenantDatabaseMiddleware(inner)(request)

    assert call(outsider, "acme").status_code == 404
    assert seen["org_id"] == ""
    member = MembershipFactory(org=acme).user
    assert call(member, "acme").status_code == 200
    assert seen["org_id"] == str(acme.pk)


def test_the_audit_trail_is_append_only_for_the_application_role(two_orgs):
    acme, _ = two_orgs
    event = AuditEvent.objects.filter(org=acme).first() or AuditEvent.objects.first()
    with rls.tenant_context(org_id=event.org_id):
        for statement in (
            "UPDATE orgs_auditevent SET action = 'forged' WHERE id = %s",
            "DELETE FROM orgs_auditevent WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="permission denied|append-only"),
                transaction.atomic(),
            ):
                _raw(statement, [event.pk])
    event.refresh_from_db()
    assert event.action != "forged"


def test_even_the_owner_role_cannot_rewrite_the_audit_trail(two_orgs):
    event = AuditEvent.objects.first()
    with transaction.atomic():
        _raw("SET LOCAL ROLE NONE")  # the session's login role: the tables' owner
        rls.set_context(org_id=event.org_id)  # the owner meets row-level security too
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("UPDATE orgs_auditevent SET action = 'forged' WHERE id = %s", [event.pk])


def test_the_named_bypass_is_recorded_and_needs_the_maintenance_role(db):
    # The test's own connection is the maintenance role.
    with rls.dangerously_bypass_rls(reason="seed the demo", actor="manage.py"):
        assert _raw("SELECT current_user") == [(settings.DATABASE_MAINTENANCE_ROLE,)]
    recorded = RlsBypassEvent.objects.get()
    assert (recorded.actor, recorded.reason) == ("manage.py", "seed the demo")
    with pytest.raises(ValueError), rls.dangerously_bypass_rls(reason=""):
        pass
    # As the application role (what web and worker are), there is no bypass to be had.
    with rls.tenant_context(org_id=None):
        with pytest.raises(ImproperlyConfigured, match="maintenance"):
            with rls.dangerously_bypass_rls(reason="from a request", actor="web"):
                pass


@app.task(base=TenantTask, name="tests.count_visible_objectives")
def count_visible_objectives(*, org_id):
    return _raw("SELECT count(*) FROM kras_strategicobjective")[0][0]


@pytest.mark.django_db(transaction=True)
def test_a_tenant_task_sees_only_its_organisation(celery_worker, alice, charlie):
    ObjectiveFactory.create_batch(2, org=alice.org)
    ObjectiveFactory.create_batch(3, org=charlie.org)
    assert count_visible_objectives.delay(org_id=alice.org_id).get(timeout=15) == 2
    assert count_visible_objectives.delay(org_id=charlie.org_id).get(timeout=15) == 3
    with pytest.raises(TypeError, match="org_id"):
        count_visible_objectives.delay().get(timeout=15)
