"""The audit trail's helpers (orgs/audit.py): one way to snapshot before a change and record
the difference after it, one for what is made or deleted, and one bulk insert for many
rows, used by the services, the org-chart import and the cascade alike."""

import pytest

from orgs import audit
from orgs.models import AuditEvent, Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FIELDS = ("name", "parent", "head")


def test_tracked_records_what_changed_in_the_block(org_a, alice):
    sales = DepartmentFactory(org=org_a, name="Sales")
    with audit.tracked(sales, FIELDS, actor=alice, action="department.update") as tracked:
        sales.name = "Revenue"
        sales.head = alice
        sales.save()
    assert tracked.changes == {
        "name": {"old": "Sales", "new": "Revenue"},
        "head": {"old": None, "new": {"id": alice.pk, "label": str(alice)}},
    }
    event = AuditEvent.objects.get(action="department.update")
    assert tracked.event == event
    assert (event.org, event.actor, event.object_id) == (org_a, alice.user, str(sales.pk))
    assert event.changes == tracked.changes


def test_tracked_records_nothing_when_nothing_changed_or_the_block_fails(org_a, alice):
    sales = DepartmentFactory(org=org_a, name="Sales")
    with audit.tracked(sales, FIELDS, actor=alice, action="department.update") as tracked:
        sales.name = "Sales"
    assert tracked.changes == {} and tracked.event is None
    with pytest.raises(RuntimeError):
        with audit.tracked(sales, FIELDS, actor=alice, action="department.update"):
            sales.name = "Half done"
            raise RuntimeError("refused")
    assert not AuditEvent.objects.exists()


def test_created_and_deleted_rows_name_every_field_and_bulk_rows_match_single_ones(org_a, alice):
    sales = DepartmentFactory(org=org_a, name="Sales")
    made = audit.record_created(
        org=org_a,
        actor=alice,
        action="department.create",
        obj=sales,
        fields=FIELDS,
        extra={"note": {"old": None, "new": "imported"}},
    )
    assert made.changes == {
        "name": {"old": None, "new": "Sales"},
        "note": {"old": None, "new": "imported"},
    }
    gone = audit.record_deleted(
        org=org_a, actor=None, action="department.delete", obj=sales, fields=FIELDS
    )
    assert gone.changes == {"name": {"old": "Sales", "new": None}}
    assert gone.actor is None and gone.actor_label == "system"

    # Many rows in one insert read exactly as rows recorded one by one.
    others = [DepartmentFactory(org=org_a, name=f"Team {n}") for n in range(3)]
    audit.record_many(
        audit.event(org=org_a, actor=alice, action="department.touch", obj=d) for d in others
    )
    single = audit.record(org=org_a, actor=alice, action="department.touch", obj=others[0])
    rows = AuditEvent.objects.filter(action="department.touch").order_by("pk")
    assert [r.object_id for r in rows] == [str(d.pk) for d in others] + [str(others[0].pk)]
    keys = ("org_id", "actor_id", "actor_label", "object_type", "object_repr", "changes")
    first = rows[0]
    assert all(getattr(first, k) == getattr(single, k) for k in keys)
    assert Department.objects.filter(org=org_a).count() == 4
