"""Store every account's and invitation's email in its normal form (orgs/emails.py), which
logins and look-ups now match exactly.

Two accounts whose emails become the same are both kept as they are, and each collision is
logged: merging people or refusing one of them is a decision for an operator, not for a
migration. Such an account keeps its old spelling, which no login matches any more, until
an operator resolves it.

Row-level security is forced on both tables, for their owner too; this migration runs as
the owner and lifts the force for its own transaction only, then puts it back.
"""

import logging

from django.db import migrations

from orgs.emails import normalize_email

logger = logging.getLogger("kra.migrations")

TABLES = ("orgs_user", "orgs_invitation")


def _forced(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relforcerowsecurity",
            [list(TABLES)],
        )
        return [row[0] for row in cursor.fetchall()]


def normalise(apps, schema_editor):
    forced = _forced(schema_editor)
    for table in forced:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} NO FORCE ROW LEVEL SECURITY"
        )

    User = apps.get_model("orgs", "User")
    Invitation = apps.get_model("orgs", "Invitation")

    rows = list(User.objects.order_by("pk").values_list("pk", "email"))
    taken = {email: pk for pk, email in rows}
    targets: dict[str, list[int]] = {}
    for pk, email in rows:
        targets.setdefault(normalize_email(email), []).append(pk)
    for pk, email in rows:
        target = normalize_email(email)
        if target == email:
            continue
        others = [other for other in targets[target] if other != pk]
        owner = taken.get(target)
        if others or (owner is not None and owner != pk):
            logger.warning(
                "Account %s keeps its email %r: its normal form %r is also another account's "
                "(%s). Resolve it by hand.",
                pk,
                email,
                target,
                ", ".join(str(o) for o in sorted(set(others) | ({owner} - {None, pk}))),
            )
            continue
        User.objects.filter(pk=pk).update(email=target)
        del taken[email]
        taken[target] = pk

    for pk, email in Invitation.objects.values_list("pk", "email"):
        target = normalize_email(email)
        if target != email:
            Invitation.objects.filter(pk=pk).update(email=target)

    for table in forced:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} FORCE ROW LEVEL SECURITY"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_signed_tenant_context"),
    ]

    operations = [
        # Not reversible in a meaningful way (the old spellings are gone), and nothing needs
        # them back: going back leaves the normal forms, which the old code matched too.
        migrations.RunPython(normalise, migrations.RunPython.noop),
    ]
