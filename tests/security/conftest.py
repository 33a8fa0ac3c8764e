"""A real connection as the application role, the one web and worker use."""

from __future__ import annotations

import os

import dj_database_url
import psycopg2
import pytest


@pytest.fixture
def app_role_db(transactional_db):
    """A psycopg2 connection to the test database as the application role (autocommit), as
    an attacker with an injected statement would hold it. The test's rows must be committed
    for it to see them, hence transactional_db."""
    from django.db import connection

    params = dj_database_url.parse(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"] or params.get("OPTIONS", {}).get("host") or None,
        port=params["PORT"] or None,
    )
    conn.autocommit = True
    yield conn
    conn.close()
