from django.db import migrations

from kra_platform.rls import EnableTenantRLS, MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_alter_auditevent_actor"),
        ("kra_platform", "0001_initial"),
    ]

    operations = [
        EnableTenantRLS("orgs_department"),
        EnableTenantRLS("orgs_membership", own_rows_column="user_id"),
        EnableTenantRLS(
            "orgs_invitation", bearer_column="token_hash", bearer_key="invitation_hash"
        ),
        EnableTenantRLS("orgs_auditevent"),
        EnableTenantRLS("orgs_notification"),
        EnableTenantRLS("orgs_apitoken", bearer_column="key_hash", bearer_key="token_hash"),
        MakeAppendOnly("orgs_auditevent"),
    ]
