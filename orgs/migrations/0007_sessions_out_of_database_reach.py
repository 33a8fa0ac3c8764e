"""Sessions live in Redis now (SESSION_ENGINE, settings/security.py). The django_session
table stays, since django.contrib.sessions keeps its migration, but it is emptied (its rows
are sessions of before, no longer used) and the application role loses every privilege on
it, so no statement the application runs, injected or not, can read or plant a session
there."""

from django.db import migrations

from kra_platform.rls import app_role as _app_role


def forwards(apps, schema_editor):
    schema_editor.execute("DELETE FROM django_session")
    role = _app_role(schema_editor)
    if role:
        schema_editor.execute(f"REVOKE ALL ON django_session FROM {schema_editor.quote_name(role)}")


def backwards(apps, schema_editor):
    role = _app_role(schema_editor)
    if role:
        schema_editor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON django_session TO "
            f"{schema_editor.quote_name(role)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0006_normalise_emails"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
