from django.db import migrations

from kra_platform.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0001_initial"),
        ("orgs", "0003_row_level_security"),
    ]

    operations = [
        EnableTenantRLS("roles_role"),
        EnableTenantRLS("roles_areaoffocus"),
        EnableTenantRLS("roles_responsibility"),
        EnableTenantRLS("roles_roleassignment"),
    ]
