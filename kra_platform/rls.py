"""PostgreSQL row-level security: the tenant context of a transaction, and the migration
operations that put every tenant table under it.

Each tenant table gets ``FORCE ROW LEVEL SECURITY`` and an equality policy on ``org_id``
against the transaction-local setting ``kra.org_id``. The request middleware and the Celery
task base class set it with ``set_config(…, true)``, which lasts until the transaction ends
and so can never outlive a pooled connection's transaction. Knowing no domain model, this
module speaks of tables and ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, migrations, transaction

logger = logging.getLogger("kra.rls")

#: The transaction-local settings the policies read.
KEYS = ("org_id", "user_id", "bypass", "token_hash", "invitation_hash")

# NULLIF turns "unset" (an empty string) into NULL, so an unset tenant matches no row.
_ORG = "NULLIF(current_setting('kra.org_id', true), '')::bigint"
_USER = "NULLIF(current_setting('kra.user_id', true), '')::bigint"
_BYPASS = "current_setting('kra.bypass', true) = 'on'"


def get_context() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('kra.{k}', true)" for k in KEYS))
        row = cursor.fetchone()
    return {k: (v or "") for k, v in zip(KEYS, row, strict=True)}


def set_context(**values) -> None:
    """Set some of KEYS for the current transaction (``set_config(…, true)``).

    Outside a transaction the setting would end with the statement: refuse that loudly."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown tenant context keys: {sorted(unknown)}")
    if connection.get_autocommit():
        raise RuntimeError("tenant context needs a transaction: wrap the work in atomic()")
    if not values:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in values),
            [item for k, v in values.items() for item in (f"kra.{k}", "" if v is None else str(v))],
        )


def swap_context(**values) -> dict[str, str]:
    """Set some of KEYS for the current transaction and return the whole previous context,
    in one round trip (the request middleware does this on every request)."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown tenant context keys: {sorted(unknown)}")
    if connection.get_autocommit():
        raise RuntimeError("tenant context needs a transaction: wrap the work in atomic()")
    # MATERIALIZED: read the old values before any set_config in the outer query runs.
    reads = ", ".join(f"current_setting('kra.{k}', true) AS {k}" for k in KEYS)
    writes = ", ".join("set_config(%s, %s, true)" for _ in values) or "1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH previous AS MATERIALIZED (SELECT {reads}) "  # noqa: S608 (fixed names)
            f"SELECT {', '.join(f'previous.{k}' for k in KEYS)}, {writes} FROM previous",
            [item for k, v in values.items() for item in (f"kra.{k}", "" if v is None else str(v))],
        )
        row = cursor.fetchone()
    return {k: (v or "") for k, v in zip(KEYS, row[: len(KEYS)], strict=True)}


@contextmanager
def tenant_context(
    *, org_id: int | None = None, user_id: int | None = None, **extra
) -> Iterator[None]:
    """Run the block in a transaction whose tenant is ``org_id`` (and whose user is
    ``user_id``), with any bypass switched off; the previous context comes back afterwards
    (it matters when this nests inside a longer transaction)."""
    with transaction.atomic():
        previous = swap_context(org_id=org_id, user_id=user_id, bypass="", **extra)
        try:
            yield
        finally:
            if not connection.needs_rollback:
                set_context(**previous)


@contextmanager
def dangerously_bypass_rls(*, reason: str, actor: str = "system") -> Iterator[None]:
    """Platform-wide work (nightly fan-out, the platform admin, operator commands) sees every
    organisation. Named so it stands out in review; every use is logged with its reason."""
    if not reason:
        raise ValueError("say why row-level security is bypassed")
    from .models import RlsBypassEvent

    logger.info("row-level security bypassed by %s: %s", actor, reason)
    with transaction.atomic():
        RlsBypassEvent.objects.create(actor=actor[:254], reason=reason[:300])
        previous = swap_context(bypass="on")
        try:
            yield
        finally:
            if not connection.needs_rollback:
                set_context(**previous)


# --- migration operations -------------------------------------------------------------


def _app_role(schema_editor) -> str | None:
    """The application role to grant to, when it exists and differs from the migrating one."""
    role = getattr(settings, "DATABASE_APP_ROLE", None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role]
        )
        current, exists = cursor.fetchone()
    return role if role and exists and role != current else None


def _quote(schema_editor, name: str) -> str:
    return schema_editor.quote_name(name)


class GrantApplicationRole(migrations.RunSQL):
    """Let the application role use every table and sequence, now and later, without owning
    them. Runs first in the orgs app; later tables inherit it through default privileges."""

    reduces_to_sql = False

    def __init__(self):
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        role = _app_role(schema_editor)
        if role is None:
            return
        r = _quote(schema_editor, role)
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {r}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        ):
            schema_editor.execute(statement)

    def describe(self):
        return "Grant the application role its table privileges"


class EnableTenantRLS(migrations.RunSQL):
    """FORCE row-level security on a tenant table with the organisation equality policy.

    ``bearer_column``/``bearer_key``: also let a row be *read* by whoever presents its secret
    (an API token's or invitation's hash), before the organisation is known.
    ``own_rows_column``: also let a user read their own rows (memberships, for the picker)."""

    reduces_to_sql = False

    def __init__(
        self,
        table: str,
        *,
        bearer_column: str = "",
        bearer_key: str = "",
        own_rows_column: str = "",
    ):
        self.table = table
        self.bearer_column = bearer_column
        self.bearer_key = bearer_key
        self.own_rows_column = own_rows_column
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def deconstruct(self):
        kwargs = {
            "bearer_column": self.bearer_column,
            "bearer_key": self.bearer_key,
            "own_rows_column": self.own_rows_column,
        }
        return (self.__class__.__name__, [self.table], {k: v for k, v in kwargs.items() if v})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        t = _quote(schema_editor, self.table)
        tenant = f"(org_id = {_ORG} OR {_BYPASS})"
        statements = [
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY tenant_isolation ON {t} USING {tenant} WITH CHECK {tenant}",
        ]
        if self.bearer_column:
            statements.append(
                f"CREATE POLICY bearer_read ON {t} FOR SELECT USING "
                f"({_quote(schema_editor, self.bearer_column)} = "
                f"current_setting('kra.{self.bearer_key}', true))"
            )
        if self.own_rows_column:
            statements.append(
                f"CREATE POLICY own_rows_read ON {t} FOR SELECT USING "
                f"({_quote(schema_editor, self.own_rows_column)} = {_USER})"
            )
        for statement in statements:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        t = _quote(schema_editor, self.table)
        for policy in ("tenant_isolation", "bearer_read", "own_rows_read"):
            schema_editor.execute(f"DROP POLICY IF EXISTS {policy} ON {t}")
        schema_editor.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")

    def describe(self):
        return f"Row-level security on {self.table}"


class MakeAppendOnly(migrations.RunSQL):
    """Rows can be added, never changed or removed: the application role loses UPDATE and
    DELETE, and a trigger refuses both for every role (the owner included)."""

    reduces_to_sql = False

    def __init__(self, table: str):
        self.table = table
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def deconstruct(self):
        return (self.__class__.__name__, [self.table], {})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        t = _quote(schema_editor, self.table)
        fn = _quote(schema_editor, f"{self.table}_append_only")
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% on {self.table} refused: rows are append-only', TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$",
            params=None,  # the % above is PL/pgSQL's, not a query parameter
        )
        schema_editor.execute(
            f"CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {fn}()"
        )
        role = _app_role(schema_editor)
        if role:
            schema_editor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {_quote(schema_editor, role)}"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        t = _quote(schema_editor, self.table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS append_only ON {t}")
        schema_editor.execute(
            f"DROP FUNCTION IF EXISTS {_quote(schema_editor, self.table + '_append_only')}()"
        )

    def describe(self):
        return f"Make {self.table} append-only"
