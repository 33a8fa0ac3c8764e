from django.db import migrations

from kra_platform.rls import EnableUserRLS, SignTenantContext


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_membership_account_created_by_org"),
    ]

    operations = [
        SignTenantContext(
            bearer={
                "orgs_invitation": ("token_hash", "invitation_hash"),
                "orgs_apitoken": ("key_hash", "token_hash"),
            },
            own_rows={"orgs_membership": "user_id"},
        ),
        EnableUserRLS("orgs_user", membership_table="orgs_membership"),
    ]
