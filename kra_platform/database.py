"""Database roles: the application never connects as a superuser or as the tables' owner.

Two roles per deployment:

- the **owner** role (``DATABASE_OWNER_ROLE``, default ``kra_owner``) owns the database and
  every table; migrations run as it (``KRA_DB_AS_OWNER=1``);
- the **application** role (``DATABASE_APP_ROLE``, default ``kra_app``) is what web, worker
  and beat connect as: NOSUPERUSER, NOBYPASSRLS, owns nothing, holds only the table
  privileges the migrations grant it, so PostgreSQL row-level security applies to it.

``configure_environment`` turns an administrator URL (``DATABASE_ADMIN_URL``, or the embedded
server when nothing is set) into the two role URLs, creating the roles and the database when
missing. With ``DATABASE_URL`` set (production), nothing is created: the URLs are used as given.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


def _with_credentials(url: str, user: str, password: str, dbname: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(user)}:{quote(password)}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{dbname}"))


def provision(
    admin_url: str,
    *,
    dbname: str,
    owner: str,
    owner_password: str,
    app: str,
    app_password: str,
) -> tuple[str, str]:
    """Create the owner and application roles and the database (idempotent).

    Returns (owner_url, app_url)."""
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for role, password, attrs in (
                (owner, owner_password, "LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS"),
                (app, app_password, "LOGIN NOCREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE"),
            ):
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                verb = "ALTER" if cur.fetchone() else "CREATE"
                cur.execute(
                    sql.SQL("{} ROLE {} WITH " + attrs + " PASSWORD %s").format(
                        sql.SQL(verb), sql.Identifier(role)
                    ),
                    [password],
                )
            # Tests create databases named after the owner; the owner must be able to grant
            # the application role to itself for SET ROLE in the test suite's connection.
            cur.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(app), sql.Identifier(owner))
            )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            if not cur.fetchone():
                cur.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(dbname), sql.Identifier(owner)
                    )
                )
    finally:
        conn.close()
    owner_url = _with_credentials(admin_url, owner, owner_password, dbname)
    # Only the owner may create objects in the schema (PostgreSQL 15's default, made explicit).
    conn = psycopg2.connect(
        _with_credentials(
            admin_url,
            urlsplit(admin_url).username or "",
            urlsplit(admin_url).password or "",
            dbname,
        )
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
            cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    finally:
        conn.close()
    return owner_url, _with_credentials(admin_url, app, app_password, dbname)


def configure_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Fill DATABASE_URL (application role) and DATABASE_OWNER_URL from an admin URL."""
    environ = os.environ if environ is None else environ
    if environ.get("DATABASE_URL"):
        environ.setdefault("DATABASE_OWNER_URL", environ["DATABASE_URL"])
        return
    admin_url = environ.get("DATABASE_ADMIN_URL")
    if not admin_url:
        from kra_platform.embedded import postgres_url

        admin_url = postgres_url()
    owner_url, app_url = provision(
        admin_url,
        dbname=environ.get("DATABASE_NAME", "kra"),
        owner=environ.get("DATABASE_OWNER_ROLE", "kra_owner"),
        owner_password=environ.get("DATABASE_OWNER_PASSWORD", "kra_owner"),
        app=environ.get("DATABASE_APP_ROLE", "kra_app"),
        app_password=environ.get("DATABASE_APP_PASSWORD", "kra_app"),
    )
    environ["DATABASE_ADMIN_URL"] = admin_url
    environ["DATABASE_OWNER_URL"] = owner_url
    environ["DATABASE_URL"] = app_url
