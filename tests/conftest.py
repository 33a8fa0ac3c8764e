"""Shared fixtures: the three personas of every access test and a real Celery worker.

- alice: org admin of org A
- bob: plain member of org A (limited role)
- charlie: member of org B (another tenant: must get 404 and see nothing of A)
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.backends.signals import connection_created
from rest_framework.test import APIClient

from orgs.models import OrgRole
from orgs.services import api_token_create

from .factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

# --- the database as the application role -------------------------------------------------
#
# The test connection logs in as the owner role and switches to the application role
# (settings/test.py), so everything the product does in a test meets row-level security and
# the application role's privileges. Three things need the owner: creating and migrating the
# test database, and flushing it between transactional tests (TRUNCATE, which the
# application role may not do: the audit trail is append-only).


def _without_role_switch(options: dict) -> dict:
    return {k: v for k, v in options.items() if k != "options"}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    conn = connections["default"]
    app_options = dict(conn.settings_dict.get("OPTIONS", {}))
    with django_db_blocker.unblock():
        conn.close()
        conn.settings_dict["OPTIONS"] = _without_role_switch(app_options)
        config = setup_databases(verbosity=0, interactive=False)
        conn.close()
        conn.settings_dict["OPTIONS"] = app_options
    yield
    with django_db_blocker.unblock():
        conn.close()
        conn.settings_dict["OPTIONS"] = _without_role_switch(app_options)
        teardown_databases(config, verbosity=0)
        conn.settings_dict["OPTIONS"] = app_options


_execute_sql_flush = DatabaseOperations.execute_sql_flush


def _flush_as_owner(self, sql_list):
    with self.connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
        cursor.execute("SET ROLE NONE")
    try:
        _execute_sql_flush(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {self.connection.ops.quote_name(role)}")


DatabaseOperations.execute_sql_flush = _flush_as_owner


def _test_code_sees_every_tenant(sender, connection, **kwargs):
    """The test body builds and inspects several organisations' rows, so its own connection
    (the main thread's) acts as the maintenance role, which bypasses row-level security.
    Requests and tenant tasks switch to the application role for their transaction
    (kra_platform.rls.swap_context), so what the product does still meets row-level security;
    worker and live-server threads are the application role throughout."""
    # Creating, migrating and dropping the test database happen as the owner (without the
    # role switch in OPTIONS): leave those connections alone.
    acting = "options" in connection.settings_dict.get("OPTIONS", {})
    if acting and threading.current_thread() is threading.main_thread():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SET ROLE {connection.ops.quote_name(settings.DATABASE_MAINTENANCE_ROLE)}"
            )


connection_created.connect(_test_code_sees_every_tenant)


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Acme Robotics", slug="acme")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Globex", slug="globex")


@pytest.fixture
def alice(org_a):
    return MembershipFactory(
        org=org_a,
        role=OrgRole.ADMIN,
        job_title="COO",
        user=UserFactory(email="alice@acme.test", full_name="Alice Admin"),
    )


@pytest.fixture
def bob(org_a, alice):
    return MembershipFactory(
        org=org_a,
        role=OrgRole.MEMBER,
        manager=alice,
        job_title="Sales Executive",
        user=UserFactory(email="bob@acme.test", full_name="Bob Member"),
    )


@pytest.fixture
def charlie(org_b):
    return MembershipFactory(
        org=org_b,
        role=OrgRole.ADMIN,
        job_title="CEO",
        user=UserFactory(email="charlie@globex.test", full_name="Charlie Other"),
    )


@pytest.fixture
def login(client):
    """Log a membership's user into the Django test client: ``login(alice)``."""

    def _login(member):
        client.force_login(member.user)
        return client

    return _login


@pytest.fixture
def api():
    """An API client authenticated with a real per-organisation token: ``api(alice)``."""

    def _api(member):
        _token, raw = api_token_create(member=member, name="tests")
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return c

    return _api


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (threaded, solo pool) consuming from real Redis."""
    from celery.contrib.testing.worker import start_worker

    from kra_platform.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
