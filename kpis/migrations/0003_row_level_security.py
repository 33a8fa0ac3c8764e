from django.db import migrations

from kra_platform.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_initial"),
        ("orgs", "0003_row_level_security"),
    ]

    operations = [EnableTenantRLS("kpis_kpi")]
