from django.db import migrations

from kra_platform.rls import EnableTenantRLS, MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_agreements_and_signatures")]

    operations = [
        EnableTenantRLS("reviews_agreement"),
        EnableTenantRLS("reviews_agreementitem"),
        EnableTenantRLS("reviews_agreementkpi"),
        EnableTenantRLS("reviews_growthgoal"),
        EnableTenantRLS("reviews_agreementversion"),
        EnableTenantRLS("reviews_signature"),
        EnableTenantRLS("reviews_agreementcomment"),
        EnableTenantRLS("reviews_agreementevent"),
        # Versions, signatures and the timeline never change: docs/DOMAIN.md rules R32, R33.
        MakeAppendOnly("reviews_agreementversion"),
        MakeAppendOnly("reviews_signature"),
        MakeAppendOnly("reviews_agreementevent"),
    ]
