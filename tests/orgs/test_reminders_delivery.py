# ruff: noqa: F811
"""Reminders arrive exactly once (docs/DOMAIN.md rule R44): on a real worker and real
Redis, across repeated passes, two passes at once on their own connections, and a pass that
fails before committing; and each batch costs the same few queries whatever its size."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from kra_platform import rls
from orgs.models import Notification, Organization, Reminder
from orgs.reminders import engine, registry
from orgs.reminders.tasks import reminders_daily, run_reminders
from orgs.tasks import send_notification_emails
from reviews.models import Agreement
from tests.factories import MembershipFactory

# The agreement fixtures, used by name (pytest injects them).
from tests.reviews.conftest import (  # noqa: F401
    assign,
    build_role,
    draft,
    hannah,
    objective,
    proposed,
    role,
    sales,
)

PROPOSED_AT = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
DUE = datetime.date(2026, 3, 8)


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _waiting(agreement):
    Agreement.objects.filter(pk=agreement.pk).update(status_changed_at=PROPOSED_AT)


def _run(org, day, **kwargs):
    org = Organization.objects.get(pk=org.pk)
    with rls.tenant_context(org_id=org.pk):
        return engine.run_pass(org, day, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_pass_and_emails_each_reminder_once(
    celery_worker, org_a, bob, proposed
):
    _waiting(proposed)
    # The proposal's own notice is emailed first; then only reminders.
    assert _wait_for(lambda: len(mail.outbox) == 1)
    mail.outbox.clear()
    sent = run_reminders.apply_async(kwargs={"org_id": org_a.pk, "day": DUE.isoformat()})
    assert sent.get(timeout=30) == 1
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["bob@acme.test"]
    assert mail.outbox[0].subject == "[Acme Robotics] Your KRA agreement awaits your signature"
    assert f"/o/acme/agreements/{proposed.pk}/" in mail.outbox[0].body
    reminder = Reminder.objects.get()
    assert reminder.notification.emailed_at is not None
    # The same pass again (beat ticking twice, a retry): nothing more.
    again = run_reminders.apply_async(kwargs={"org_id": org_a.pk, "day": DUE.isoformat()})
    assert again.get(timeout=30) == 0
    # The email task again for the same notice: nothing more.
    resend = send_notification_emails.apply_async(
        kwargs={"org_id": org_a.pk, "notification_ids": [reminder.notification_id]}
    )
    assert resend.get(timeout=30) == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_hourly_fan_out_runs_every_organisations_pass(celery_worker, org_a, bob, charlie):
    enqueued = reminders_daily.apply_async(kwargs={"every": True}).get(timeout=15)
    assert set(enqueued) == {org_a.pk, charlie.org_id}
    from kra_platform.models import TaskRun

    assert _wait_for(
        lambda: TaskRun.objects.filter(name="orgs.reminders.tasks.run_reminders").count() == 2
    )


def test_the_beat_schedule_runs_the_fan_out_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["orgs-reminders-daily"]
    assert entry["task"] == reminders_daily.name
    assert entry["schedule"] <= 3600


def test_the_fan_out_is_a_platform_task_and_the_pass_a_tenant_task():
    from kra_platform.celery import PlatformTask, TenantTask

    assert isinstance(reminders_daily, PlatformTask)
    assert isinstance(run_reminders, TenantTask)
    assert isinstance(send_notification_emails, TenantTask)


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_on_their_own_connections_remind_once(org_a, alice, bob, proposed):
    _waiting(proposed)
    first_claimed = threading.Event()
    results, errors = {}, []

    def first():
        try:
            org = Organization.objects.get(pk=org_a.pk)
            with rls.tenant_context(org_id=org.pk):
                results["first"] = engine.run_pass(org, DUE).claimed
                first_claimed.set()
                # Hold the transaction open until the second pass waits on our claims.
                assert _wait_for(_someone_waits_on_a_lock, timeout=30)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
            first_claimed.set()
        finally:
            connections.close_all()

    def second():
        try:
            first_claimed.wait(30)
            org = Organization.objects.get(pk=org_a.pk)
            with rls.tenant_context(org_id=org.pk):
                results["second"] = engine.run_pass(org, DUE).claimed
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(results.values()) == [0, 1]
    assert Reminder.objects.count() == 1
    assert Notification.objects.filter(kind__startswith="reminder:").count() == 1


def _someone_waits_on_a_lock() -> bool:
    """Whether another transaction waits on a lock (the second pass, on our claims): asked
    on a connection of its own, outside the caller's transaction."""
    probe = connections.create_connection("default")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return cursor.fetchone()[0] > 0
    finally:
        probe.close()


@pytest.mark.django_db
def test_a_pass_that_fails_before_committing_leaves_nothing_and_the_next_one_sends(
    org_a, bob, proposed, django_capture_on_commit_callbacks
):
    _waiting(proposed)

    class Killed(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(Killed):
            with transaction.atomic():
                assert _run(org_a, DUE).claimed == 1
                raise Killed
    assert Reminder.objects.count() == 0
    assert not Notification.objects.filter(kind__startswith="reminder:").exists()
    assert callbacks == [], "no email is enqueued for a pass that did not commit"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _run(org_a, DUE).claimed == 1
    assert Reminder.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_each_batch_costs_one_statement_per_kind_whatever_its_size(org_a, alice, role):
    people = MembershipFactory.create_batch(30, org=org_a, manager=alice)
    for person in people:
        assign(role, person)

    def pass_queries(batch_size):
        org = Organization.objects.get(pk=org_a.pk)
        with rls.tenant_context(org_id=org.pk):
            with CaptureQueriesContext(connection) as captured:
                result = engine.run_pass(org, DUE, batch_size=batch_size)
        return result, len(captured)

    kinds = len(registry.kinds())
    small, small_queries = pass_queries(batch_size=5)
    assert len(small.batches) == 7  # 32 people
    assert all(batch.queries == kinds for batch in small.batches)
    assert small_queries == 2 + 7 * kinds
    big, big_queries = pass_queries(batch_size=1000)
    assert len(big.batches) == 1
    assert big_queries == 2 + kinds


@pytest.mark.django_db
def test_the_benchmark_runs_the_pass_twice_and_rolls_it_back(org_a, bob, proposed):
    import io

    from django.core.management import call_command

    _waiting(proposed)
    out = io.StringIO()
    call_command("bench_reminders", slug="acme", day=DUE.isoformat(), batch_size=1, stdout=out)
    text = out.getvalue()
    assert "first pass" in text and "second pass (all claimed)" in text
    assert "1 notices" in text.split("second pass")[0]
    assert "0 notices" in text.split("second pass")[1]
    assert Reminder.objects.count() == 0, "rolled back"
