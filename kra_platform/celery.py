import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kra_platform.settings.production")

app = Celery("kra_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantTask(Task):
    """Base of every task that touches one organisation's rows: called with ``org_id=``, it
    runs in a transaction whose row-level-security tenant is that organisation."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from kra_platform import rls

        org_id = kwargs.get("org_id")
        if org_id is None:
            raise TypeError(f"{self.name} is a tenant task: call it with org_id=")
        with rls.tenant_context(org_id=org_id):
            return super().__call__(*args, **kwargs)
