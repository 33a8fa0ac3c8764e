"""Database roles: the application never connects as a superuser or as the tables' owner.

Three roles per deployment:

- the **owner** role (``DATABASE_OWNER_ROLE``, default ``kra_owner``) owns the database and
  every table; migrations run as it (``KRA_DB_AS_OWNER=1``);
- the **application** role (``DATABASE_APP_ROLE``, default ``kra_app``) is what web, worker
  and beat connect as: NOSUPERUSER, NOBYPASSRLS, owns nothing, holds only the table
  privileges the migrations grant it, so PostgreSQL row-level security applies to it and it
  cannot switch it off;
- the **maintenance** role (``DATABASE_MAINTENANCE_ROLE``, default ``kra_maint``) is the only
  one that sees every organisation (BYPASSRLS). Operator commands that work across
  organisations (``seed_demo``) connect as it with ``KRA_DB_AS_MAINTENANCE=1``; the web
  process and the worker are never given its credentials. It is a member of the
  application role, so a tenant transaction it opens drops to the application role
  (``kra_platform.rls.tenant_context``).

``database_urls`` turns an administrator URL (``DATABASE_ADMIN_URL``, or the embedded server
when nothing is set) into the three role URLs without touching the server. ``provision``
creates the roles and the database; it is an explicit step (``make run``, ``make test``,
``python -m kra_platform.database``, ``manage.py provision_database``), never a side effect
of importing the settings. With ``DATABASE_URL`` set (production), the URLs are used as
given and nothing is provisioned.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


@dataclass(frozen=True)
class RoleNames:
    dbname: str
    owner: str
    owner_password: str
    app: str
    app_password: str
    maintenance: str
    maintenance_password: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> RoleNames:
        return cls(
            dbname=environ.get("DATABASE_NAME", "kra"),
            owner=environ.get("DATABASE_OWNER_ROLE", "kra_owner"),
            owner_password=environ.get("DATABASE_OWNER_PASSWORD", "kra_owner"),
            app=environ.get("DATABASE_APP_ROLE", "kra_app"),
            app_password=environ.get("DATABASE_APP_PASSWORD", "kra_app"),
            maintenance=environ.get("DATABASE_MAINTENANCE_ROLE", "kra_maint"),
            maintenance_password=environ.get("DATABASE_MAINTENANCE_PASSWORD", "kra_maint"),
        )


def with_credentials(url: str, user: str, password: str, dbname: str) -> str:
    """``url`` with another user, password and database; everything else (a socket
    directory in ``?host=``, the port, options) is kept."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{dbname}"))


def admin_url(environ: Mapping[str, str]) -> str:
    """The administrator URL: ``DATABASE_ADMIN_URL``, or the embedded server's (started
    when it is not running)."""
    url = environ.get("DATABASE_ADMIN_URL")
    if url:
        return url
    from kra_platform.embedded import postgres_url

    return postgres_url()


def database_urls(environ: MutableMapping[str, str] | None = None) -> None:
    """Fill DATABASE_URL (application role), DATABASE_OWNER_URL and
    DATABASE_MAINTENANCE_URL. Connects to nothing and creates nothing."""
    environ = os.environ if environ is None else environ
    if environ.get("DATABASE_URL"):
        environ.setdefault("DATABASE_OWNER_URL", environ["DATABASE_URL"])
        return
    admin = admin_url(environ)
    names = RoleNames.from_environment(environ)
    environ["DATABASE_ADMIN_URL"] = admin
    environ["DATABASE_OWNER_URL"] = with_credentials(
        admin, names.owner, names.owner_password, names.dbname
    )
    environ["DATABASE_URL"] = with_credentials(admin, names.app, names.app_password, names.dbname)
    environ["DATABASE_MAINTENANCE_URL"] = with_credentials(
        admin, names.maintenance, names.maintenance_password, names.dbname
    )


def _ensure_role(cur, role: str, password: str, attrs: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(
        sql.SQL("{} ROLE {} WITH " + attrs + " PASSWORD %s").format(
            sql.SQL(verb), sql.Identifier(role)
        ),
        [password],
    )


def _grant(cur, role: str, to: str) -> None:
    cur.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [to, role])
    if not cur.fetchone()[0]:
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(to)))


def provision(admin: str, names: RoleNames) -> None:
    """Create the owner, application and maintenance roles and the database (idempotent).

    Needs an administrator (a superuser, or a role with CREATEROLE and BYPASSRLS)."""
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            _ensure_role(cur, names.owner, names.owner_password, "LOGIN CREATEDB NOBYPASSRLS")
            _ensure_role(
                cur,
                names.app,
                names.app_password,
                "LOGIN NOCREATEDB NOSUPERUSER NOBYPASSRLS NOCREATEROLE",
            )
            _ensure_role(
                cur,
                names.maintenance,
                names.maintenance_password,
                "LOGIN NOCREATEDB NOSUPERUSER BYPASSRLS NOCREATEROLE",
            )
            # The maintenance role holds the application role's table privileges and can
            # drop to it inside a tenant transaction.
            _grant(cur, names.app, names.maintenance)
            # The test suite logs in as the owner and switches to the application role for
            # what the product does, and to the maintenance role for what a test inspects.
            _grant(cur, names.app, names.owner)
            _grant(cur, names.maintenance, names.owner)
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [names.dbname])
            if not cur.fetchone():
                cur.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(names.dbname), sql.Identifier(names.owner)
                    )
                )
    finally:
        conn.close()
    # Only the owner may create objects in the schema (PostgreSQL 15's default, made explicit).
    parts = urlsplit(admin)
    conn = psycopg2.connect(
        with_credentials(admin, parts.username or "", parts.password or "", names.dbname)
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(names.owner))
            )
            cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    finally:
        conn.close()


def provision_from_environment(environ: MutableMapping[str, str] | None = None) -> bool:
    """Provision from the environment's administrator URL. Returns False (and does nothing)
    when DATABASE_URL is set: the roles then exist already."""
    environ = os.environ if environ is None else environ
    if environ.get("DATABASE_URL"):
        return False
    database_urls(environ)
    provision(environ["DATABASE_ADMIN_URL"], RoleNames.from_environment(environ))
    return True


def main() -> int:
    if provision_from_environment(dict(os.environ)):
        print("Database roles and database are ready.")
    else:
        print("DATABASE_URL is set: nothing to provision.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
