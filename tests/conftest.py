"""Shared fixtures: the three personas of every access test and a real Celery worker.

- alice: org admin of org A
- bob: plain member of org A (limited role)
- charlie: member of org B (another tenant: must get 404 and see nothing of A)
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orgs.models import OrgRole
from orgs.services import api_token_create

from .factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory


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
