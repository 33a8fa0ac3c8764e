"""The tenant context has one home, and every task runs in one."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from kra_platform.celery import PlatformTask, TenantTask, app
from orgs.models import Department

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kra_platform", "orgs", "roles", "kras", "kpis", "reviews", "demo")
# Where the transaction's context is decided: the primitives, the request middleware, and
# the tenancy helpers (after the membership check, the secret look-ups).
ALLOWED = {"kra_platform/rls.py", "orgs/tenancy.py", "orgs/middleware.py"}
LOW_LEVEL = re.compile(r"\b(set_context|swap_context|restore_context)\(")


def test_only_the_tenancy_helpers_set_the_context_directly():
    offenders = []
    for app_dir in APPS:
        for path in (ROOT / app_dir).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in ALLOWED:
                continue
            if LOW_LEVEL.search(path.read_text()):
                offenders.append(rel)
    assert offenders == [], f"set the context through orgs.tenancy instead: {offenders}"


#: The only tasks that belong to no organisation (kra_platform/celery.py PlatformTask): each
#: lists the organisations and fans out one tenant task per organisation.
PLATFORM_TASKS = {
    "kpis.tasks.rollup_nightly": "enqueues one rollup per organisation, nightly",
    "orgs.reminders.tasks.reminders_daily": "enqueues one reminder pass per organisation, "
    "daily at its local hour",
}


def test_every_task_of_ours_is_a_tenant_task():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert ours, "no task registered"
    platform = {name for name, task in ours.items() if isinstance(task, PlatformTask)}
    assert {name for name in platform if not name.startswith("tests.")} == set(PLATFORM_TASKS)
    others = {name for name, task in ours.items() if not isinstance(task, TenantTask)}
    assert others - platform == set()


@app.task(name="tests.add_department")
def add_department(*, org_id, name):
    Department.objects.create(org_id=org_id, name=name)
    return True


@pytest.mark.django_db(transaction=True)
def test_a_message_delivered_twice_runs_once(celery_worker, alice):
    task_id = str(uuid.uuid4())
    kwargs = {"org_id": alice.org_id, "name": "Twice delivered"}
    # The same message twice (one id), then a new message; the solo worker runs them in order,
    # so once the third has run, the second has too.
    add_department.apply_async(kwargs=kwargs, task_id=task_id)
    add_department.apply_async(kwargs=kwargs, task_id=task_id)
    add_department.apply_async(kwargs={**kwargs, "name": "New work"}).get(timeout=15)
    assert Department.objects.filter(name="Twice delivered").count() == 1
    assert Department.objects.filter(name="New work").count() == 1
