"""PostgreSQL row-level security: the tenant context of a transaction, and the migration
operations that put every tenant table under it.

Each tenant table gets ``FORCE ROW LEVEL SECURITY`` and an equality policy on ``org_id``
against the transaction's tenant context. The context is a small JSON object in the
transaction-local setting ``kra.ctx``, **signed** (``kra.sig``) with a key derived from the
secret key. The database keeps a copy of that key in a table only the owner role can read
(``kra_rls_key``), and the policies read the context through ``kra_context()``, a function
running as the owner that returns the context only when its signature is right. So the
application role can set ``kra.ctx`` to anything, by mistake or through an injected
statement, and gain nothing: without the key (which lives in the application's memory, not
in the database) it cannot sign another organisation's context, and no setting it may
change lifts the policies. Work across organisations connects as the maintenance role
(BYPASSRLS; kra_platform/database.py), whose credentials the web process does not hold.

Knowing no domain model, this module speaks of tables and ids only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, migrations, transaction

logger = logging.getLogger("kra.rls")

#: What a tenant context may hold.
KEYS = ("org_id", "user_id", "token_hash", "invitation_hash", "login_email", "login_emails")

KEY_TABLE = "kra_rls_key"
# The policies' reads, each evaluated once per statement (a scalar sub-select is an InitPlan).
_ORG = "(SELECT kra_org_id())"
_USER = "(SELECT kra_user_id())"


def _context_value(key: str) -> str:
    return f"(SELECT kra_context() ->> '{key}')"


@lru_cache(maxsize=4)
def _derive_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"kra.row-level-security-context", hashlib.sha256).digest()


def context_key() -> bytes:
    return _derive_key(settings.SECRET_KEY)


def _sign(ctx: str) -> str:
    # sha256(key || sha256(key || message)): keyed, and safe from length extension. The
    # database recomputes it with its built-in sha256() (kra_context() below).
    key = context_key()
    return hashlib.sha256(key + hashlib.sha256(key + ctx.encode()).digest()).hexdigest()


def _encode(values: dict[str, object]) -> tuple[str, str]:
    clean = {
        k: [str(item) for item in v] if isinstance(v, list | tuple) else str(v)
        for k, v in values.items()
        if v not in (None, "", [], ())
    }
    unknown = set(clean) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown tenant context keys: {sorted(unknown)}")
    ctx = json.dumps(clean, sort_keys=True, separators=(",", ":"))
    return ctx, _sign(ctx)


def _require_transaction() -> None:
    if connection.get_autocommit():
        raise RuntimeError("tenant context needs a transaction: wrap the work in atomic()")


def _read_raw() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('kra.ctx', true), current_setting('kra.sig', true)")
        ctx, sig = cursor.fetchone()
    return ctx or "", sig or ""


def get_context() -> dict[str, str]:
    """The transaction's context as the policies see it (empty when unsigned or forged)."""
    ctx, sig = _read_raw()
    if not ctx or not hmac.compare_digest(sig, _sign(ctx)):
        return {k: "" for k in KEYS}
    values = json.loads(ctx)
    return {k: values.get(k, "") for k in KEYS}


def _has(value) -> bool:
    return value not in (None, "", [], ())


def set_context(**values) -> None:
    """Add to (or, with ``None``, remove from) the transaction's context and sign it anew.

    Called only by the helpers that decide the context: the request middleware and
    ``orgs.tenancy`` (after the membership check), the token and invitation look-ups, and
    ``tenant_context`` below. One round trip when the context is still the one this module
    last wrote on this connection (the usual case inside a request), two otherwise."""
    _require_transaction()
    cached = getattr(connection, "_kra_context", None)
    if cached is not None:
        raw, known = cached
        ctx, sig = _encode({**known, **values})
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH cur AS MATERIALIZED (SELECT coalesce(current_setting('kra.ctx', true), '') "
                "= %s AS fresh) SELECT cur.fresh, CASE WHEN cur.fresh THEN "
                "set_config('kra.ctx', %s, true) END, CASE WHEN cur.fresh THEN "
                "set_config('kra.sig', %s, true) END FROM cur",
                [raw, ctx, sig],
            )
            if cursor.fetchone()[0]:
                _remember(ctx)
                return
    current = {k: v for k, v in get_context().items() if _has(v)}
    current.update(values)
    ctx, sig = _encode(current)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('kra.ctx', %s, true), set_config('kra.sig', %s, true)", [ctx, sig]
        )
    _remember(ctx)


def _remember(ctx: str) -> None:
    """What this module last wrote on this connection: the raw context and its values."""
    connection._kra_context = (ctx, {k: v for k, v in json.loads(ctx or "{}").items()})


def swap_context(**values) -> tuple[str, str, str]:
    """Replace the transaction's context with exactly ``values``, acting as the application
    role, and return what was there (context, signature, role) for ``restore_context``: one
    round trip, as the request middleware does on every request."""
    _require_transaction()
    ctx, sig = _encode(values)
    with connection.cursor() as cursor:
        # MATERIALIZED: read the old values before any set_config in the outer query runs.
        cursor.execute(
            "WITH previous AS MATERIALIZED (SELECT current_setting('kra.ctx', true) AS ctx, "
            "current_setting('kra.sig', true) AS sig, current_user::text AS role) "
            "SELECT previous.ctx, previous.sig, previous.role, "
            "set_config('kra.ctx', %s, true), set_config('kra.sig', %s, true), "
            "set_config('role', %s, true) FROM previous",
            [ctx, sig, settings.DATABASE_APP_ROLE],
        )
        row = cursor.fetchone()
    _remember(ctx)
    return (row[0] or "", row[1] or "", row[2])


def restore_context(previous: tuple[str, str, str]) -> None:
    ctx, sig, role = previous
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('kra.ctx', %s, true), set_config('kra.sig', %s, true), "
            "set_config('role', %s, true)",
            [ctx, sig, role],
        )
    try:
        _remember(ctx)
    except ValueError:  # not ours (set by hand): forget, the next set reads it
        connection._kra_context = None


@contextmanager
def tenant_context(
    *, org_id: int | None = None, user_id: int | None = None, **extra
) -> Iterator[None]:
    """Run the block in a transaction whose tenant is ``org_id`` (and whose user is
    ``user_id``), as the application role whatever role the connection logged in as; the
    previous context comes back afterwards (it matters when this nests inside a longer
    transaction)."""
    with transaction.atomic():
        previous = swap_context(org_id=org_id, user_id=user_id, **extra)
        try:
            yield
        finally:
            if not connection.needs_rollback:
                restore_context(previous)


def connection_bypasses_rls() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


@contextmanager
def dangerously_bypass_rls(*, reason: str, actor: str = "system") -> Iterator[None]:
    """Work across organisations (operator commands such as ``seed_demo``). Only the
    maintenance role sees every organisation, so this refuses to run on any other
    connection: the application cannot switch row-level security off. Named so it stands
    out in review; every use is recorded with its reason."""
    if not reason:
        raise ValueError("say why row-level security is bypassed")
    from .models import RlsBypassEvent

    with transaction.atomic():
        if not connection_bypasses_rls():
            raise ImproperlyConfigured(
                "Work across organisations needs the maintenance database role: run it with "
                "KRA_DB_AS_MAINTENANCE=1 (and DATABASE_MAINTENANCE_URL when DATABASE_URL is set)."
            )
        logger.info("row-level security bypassed by %s: %s", actor, reason)
        RlsBypassEvent.objects.create(actor=actor[:254], reason=reason[:300])
        yield


# --- the database side ------------------------------------------------------------------


def ensure_context_functions(schema_editor) -> None:
    """The key table and the functions the policies call (idempotent). Runs as the owner,
    first thing in the migrations that create policies."""
    app = app_role(schema_editor)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} ("
        "id smallint PRIMARY KEY CHECK (id = 1), key bytea NOT NULL)",
        f"REVOKE ALL ON {KEY_TABLE} FROM PUBLIC",
        # Runs as its owner (SECURITY DEFINER) to read the key; returns the context only when
        # its signature matches, else NULL (which matches no row).
        "CREATE OR REPLACE FUNCTION kra_context() RETURNS jsonb LANGUAGE sql STABLE "  # noqa: S608
        "SECURITY DEFINER SET search_path = pg_catalog, public AS $$ "
        "SELECT CASE WHEN s.sig = encode(sha256(k.key || sha256(k.key || convert_to(s.ctx, "
        "'UTF8'))), 'hex') THEN s.ctx::jsonb END "
        "FROM (SELECT coalesce(current_setting('kra.ctx', true), '') AS ctx, "
        "coalesce(current_setting('kra.sig', true), '') AS sig) s, "
        f"public.{KEY_TABLE} k WHERE k.id = 1 $$",
        "CREATE OR REPLACE FUNCTION kra_org_id() RETURNS bigint LANGUAGE sql STABLE "
        "AS $$ SELECT (kra_context() ->> 'org_id')::bigint $$",
        "CREATE OR REPLACE FUNCTION kra_user_id() RETURNS bigint LANGUAGE sql STABLE "
        "AS $$ SELECT (kra_context() ->> 'user_id')::bigint $$",
    ]
    if app:
        statements.insert(2, f"REVOKE ALL ON {KEY_TABLE} FROM {_quote(schema_editor, app)}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def sync_context_key(conn) -> None:
    """Store this deployment's context key in the database (after every ``migrate``, which
    runs as the owner): rotating the secret key takes effect at the next migrate."""
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN to_regclass('public.{KEY_TABLE}') IS NULL THEN false "
            f"ELSE has_table_privilege(current_user, 'public.{KEY_TABLE}', 'INSERT') END"
        )
        if not cursor.fetchone()[0]:
            # Not the owner (a test's flush emits the same signal): nothing to store.
            return
        cursor.execute(
            f"INSERT INTO {KEY_TABLE} (id, key) VALUES (1, %s) "  # noqa: S608 (fixed name)
            "ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key",
            [context_key()],
        )


# --- migration operations -------------------------------------------------------------


def app_role(schema_editor) -> str | None:
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


def _lift(schema_editor, table: str, policies: tuple[str, ...]) -> None:
    """Undo row-level security on ``table``: drop its policies, stop enforcing."""
    t = _quote(schema_editor, table)
    for policy in policies:
        schema_editor.execute(f"DROP POLICY IF EXISTS {policy} ON {t}")
    schema_editor.execute(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
    schema_editor.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")


class GrantApplicationRole(migrations.RunSQL):
    """Let the application role use every table and sequence, now and later, without owning
    them. Runs first in the orgs app; later tables inherit it through default privileges."""

    reduces_to_sql = False

    def __init__(self):
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        role = app_role(schema_editor)
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
        ensure_context_functions(schema_editor)
        t = _quote(schema_editor, self.table)
        tenant = f"(org_id = {_ORG})"
        statements = [
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY tenant_isolation ON {t} USING {tenant} WITH CHECK {tenant}",
        ]
        if self.bearer_column:
            statements.append(
                f"CREATE POLICY bearer_read ON {t} FOR SELECT USING "
                f"({_quote(schema_editor, self.bearer_column)} = "
                f"{_context_value(self.bearer_key)})"
            )
        if self.own_rows_column:
            statements.append(
                f"CREATE POLICY own_rows_read ON {t} FOR SELECT USING "
                f"({_quote(schema_editor, self.own_rows_column)} = {_USER})"
            )
        for statement in statements:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _lift(schema_editor, self.table, ("tenant_isolation", "bearer_read", "own_rows_read"))

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
        role = app_role(schema_editor)
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


class SignTenantContext(migrations.RunSQL):
    """Move every existing policy to the signed context (``kra_context()``): the tenant
    policies, the bearer and own-rows read policies named here. Tables created later get the
    same expressions from ``EnableTenantRLS``."""

    reduces_to_sql = False

    def __init__(self, *, bearer: dict[str, tuple[str, str]], own_rows: dict[str, str]):
        self.bearer = bearer
        self.own_rows = own_rows
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def deconstruct(self):
        return (self.__class__.__name__, [], {"bearer": self.bearer, "own_rows": self.own_rows})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        ensure_context_functions(schema_editor)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_policies "
                "WHERE schemaname = 'public' AND policyname = 'tenant_isolation'"
            )
            tables = [t for (t,) in cursor.fetchall()]
        tenant = f"(org_id = {_ORG})"
        for table in tables:
            schema_editor.execute(
                f"ALTER POLICY tenant_isolation ON {_quote(schema_editor, table)} "
                f"USING {tenant} WITH CHECK {tenant}"
            )
        for table, (column, key) in self.bearer.items():
            schema_editor.execute(
                f"ALTER POLICY bearer_read ON {_quote(schema_editor, table)} USING "
                f"({_quote(schema_editor, column)} = {_context_value(key)})"
            )
        for table, column in self.own_rows.items():
            schema_editor.execute(
                f"ALTER POLICY own_rows_read ON {_quote(schema_editor, table)} USING "
                f"({_quote(schema_editor, column)} = {_USER})"
            )

    def describe(self):
        return "Row-level security reads the signed tenant context"


class EnableUserRLS(migrations.RunSQL):
    """Row-level security on the accounts table, which has no organisation of its own: an
    account is visible to itself, to the organisations it is a member of, and to a sign-in or
    password-reset look-up by its exact email (the context's ``login_email``); it is changed
    only by itself or by those look-ups. Anyone may create an account (joining by
    invitation, an import); nobody deletes one through the application role."""

    reduces_to_sql = False

    def __init__(self, table: str, *, membership_table: str):
        self.table = table
        self.membership_table = membership_table
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def deconstruct(self):
        return (
            self.__class__.__name__,
            [self.table],
            {"membership_table": self.membership_table},
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        ensure_context_functions(schema_editor)
        t = _quote(schema_editor, self.table)
        m = _quote(schema_editor, self.membership_table)
        visible = (
            f"(id = {_USER} OR email = {_context_value('login_email')} "  # noqa: S608
            "OR email IN (SELECT jsonb_array_elements_text((SELECT kra_context()) "
            "-> 'login_emails')) "
            f"OR EXISTS (SELECT 1 FROM {m} WHERE {m}.user_id = {t}.id AND {m}.org_id = {_ORG}))"
        )
        # Changing an account (its password, name, last sign-in) is for the account itself,
        # or for the sign-in and reset flows that found it by its email: never for its
        # colleagues, so an injected statement in one person's request cannot rewrite
        # another person's password.
        own = f"(id = {_USER} OR email = {_context_value('login_email')})"
        for statement in (
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY account_read ON {t} FOR SELECT USING {visible}",
            f"CREATE POLICY account_create ON {t} FOR INSERT WITH CHECK (true)",
            f"CREATE POLICY account_update ON {t} FOR UPDATE USING {own} WITH CHECK (true)",
        ):
            schema_editor.execute(statement)
        role = app_role(schema_editor)
        if role:
            schema_editor.execute(
                f"REVOKE DELETE, TRUNCATE ON {t} FROM {_quote(schema_editor, role)}"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _lift(schema_editor, self.table, ("account_read", "account_create", "account_update"))

    def describe(self):
        return f"Row-level security on {self.table}"
