from django.db import migrations

from kra_platform.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [
        ("kras", "0005_kra_area_of_focus_kra_department_kra_objective_and_more"),
    ]

    operations = [
        EnableTenantRLS("kras_kra"),
        EnableTenantRLS("kras_kratemplate"),
    ]
