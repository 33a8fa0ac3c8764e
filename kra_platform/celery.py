import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kra_platform.settings.production")


class TenantTask(Task):
    """The base of every task (the app's default): called with ``org_id=``, it runs in one
    transaction whose row-level-security tenant is that organisation, as the application
    role.

    Safe to run twice: a message delivered again (a worker lost mid-task, a broker
    redelivery) carries the same task id, and the run claims that id inside the task's own
    transaction (``TaskRun``), so the second delivery finds it claimed and does nothing. A
    failure rolls the claim back with the rest, so a retry runs."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from django.db import IntegrityError, transaction

        from kra_platform import rls
        from kra_platform.models import TaskRun

        org_id = kwargs.get("org_id")
        if org_id is None:
            raise TypeError(f"{self.name} is a tenant task: call it with org_id=")
        with rls.tenant_context(org_id=org_id):
            task_id = getattr(self.request, "id", None)
            if task_id and not self.request.is_eager:
                try:
                    with transaction.atomic():
                        TaskRun.objects.create(org_id=org_id, task_id=task_id, name=self.name)
                except IntegrityError:
                    return None
            return super().__call__(*args, **kwargs)


class PlatformTask(Task):
    """The base of the few tasks that belong to no organisation: a periodic job that lists
    the organisations (the tenant registry has no row-level security) and fans out one
    tenant task per organisation. It runs in one transaction whose tenant context is empty,
    as the application role, so row-level security shows it no tenant row: whatever it
    needs of an organisation's data is the tenant task's to read. It takes no ``org_id``,
    claims no message id (enqueuing the same tenant tasks twice is harmless: each of them is
    safe to run twice), and is declared explicitly with ``base=PlatformTask``
    (tests/security/test_tenant_context_lint.py lists every one)."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from kra_platform import rls

        if "org_id" in kwargs:
            raise TypeError(f"{self.name} belongs to no organisation: call a TenantTask instead")
        with rls.tenant_context():
            return super().__call__(*args, **kwargs)


app = Celery("kra_platform", task_cls=TenantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
