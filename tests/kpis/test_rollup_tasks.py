"""The rollup's tasks on a real worker and real Redis: a burst of changes is rolled up once,
shortly after; the nightly fan-out enqueues one task per organisation, at night in each
organisation's time zone; the fan-out's base touches no tenant row."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache

from kpis import tasks
from kpis.measurements import measurement_record
from kpis.models import Score
from kra_platform.celery import PlatformTask, TenantTask
from kra_platform.models import TaskRun
from orgs.models import Organization

from .test_measure_support import holder_of


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_is_rolled_up_once_shortly_after(celery_worker, bob, monkeypatch):
    monkeypatch.setattr(tasks, "DEBOUNCE_SECONDS", 2)
    cache.delete(tasks._pending_key(bob.org_id))
    kpi = holder_of(bob, start=datetime.date(2020, 1, 1))
    today = datetime.date.today().replace(day=1)
    for n in range(3):
        measurement_record(kpi=kpi, person=bob, actor=bob, period_start=today, value=str(50 + n))
    assert tasks.rollup_is_pending(bob.org_id)
    assert _wait_for(lambda: Score.objects.filter(org=bob.org, scope="person").exists())
    assert _wait_for(lambda: not tasks.rollup_is_pending(bob.org_id))
    time.sleep(1)
    runs = TaskRun.objects.filter(org_id=bob.org_id, name="kpis.tasks.rollup_scores")
    assert runs.count() == 1, "three changes, one rollup"
    ytd = Score.objects.get(org=bob.org, scope="kpi", person=bob, window="ytd")
    assert ytd.periods_with_data == 1


@pytest.mark.django_db(transaction=True)
def test_the_nightly_fan_out_rolls_up_every_organisation(celery_worker, bob, charlie):
    for person in (bob, charlie):
        holder_of(person, start=datetime.date(2020, 1, 1))
    enqueued = tasks.rollup_nightly.apply_async(kwargs={"every": True}).get(timeout=15)
    assert set(enqueued) == {bob.org_id, charlie.org_id}
    for org_id in (bob.org_id, charlie.org_id):
        assert _wait_for(lambda org_id=org_id: Score.objects.filter(org_id=org_id).exists())


def test_nightly_means_two_in_the_morning_in_each_organisations_time_zone():
    now = datetime.datetime(2026, 6, 1, 0, 30, tzinfo=datetime.UTC)
    orgs = [(1, "UTC"), (2, "Europe/Berlin"), (3, "Asia/Tokyo"), (4, "Not/AZone")]
    # 00:30 UTC is 02:30 in Berlin (summer time), 09:30 in Tokyo.
    assert tasks.due_tonight(orgs, now) == [2]


def test_the_beat_schedule_runs_the_fan_out(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["kpis-rollup-nightly"]
    assert entry["task"] == tasks.rollup_nightly.name
    assert entry["schedule"] <= 3600


def test_the_fan_out_is_a_platform_task_and_the_rollup_a_tenant_task():
    assert isinstance(tasks.rollup_nightly, PlatformTask)
    assert isinstance(tasks.rollup_scores, TenantTask)
    with pytest.raises(TypeError):
        tasks.rollup_nightly(org_id=1)


@pytest.mark.django_db
def test_a_platform_task_sees_organisations_but_no_tenant_row(bob):
    from kra_platform.celery import app
    from orgs.models import Membership

    @app.task(base=PlatformTask, name="tests.platform_peek")
    def peek():
        return Organization.objects.count(), Membership.objects.count()

    holder_of(bob)
    orgs, members = peek()
    assert orgs >= 1
    assert members == 0


def test_a_broker_outage_does_not_fail_the_committed_change(monkeypatch):
    cache.delete(tasks._pending_key(424242))

    def down(*args, **kwargs):
        raise OSError("broker down")

    monkeypatch.setattr(tasks.rollup_scores, "apply_async", down)
    assert tasks.schedule_rollup(424242) is False
    # The next change tries again rather than waiting for a run that was never scheduled.
    assert not tasks.rollup_is_pending(424242)
