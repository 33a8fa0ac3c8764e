from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kras.models import StrategicObjective
from orgs.demo import DEMO_PASSWORD
from orgs.models import AuditEvent, Department, Membership, Organization, OrgRole, User

DEPARTMENTS = {"Sales", "Marketing", "HR", "IT", "Finance", "Customer Support", "Operations"}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "orgs": Organization.objects.count(),
        "users": User.objects.count(),
        "members": Membership.objects.count(),
        "departments": Department.objects.count(),
        "objectives": StrategicObjective.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def assert_a_real_tree(org):
    members = list(Membership.objects.filter(org=org).select_related("user"))
    manager_of = {m.pk: m.manager_id for m in members}
    roots = [m for m in members if m.manager_id is None]
    assert [m.user.email for m in roots] == [f"admin@{org.slug}.kra"]
    for member in members:
        seen, node = set(), member.pk
        while node is not None:
            assert node not in seen, f"reporting cycle through {member}"
            seen.add(node)
            node = manager_of[node]


@pytest.mark.django_db
def test_seed_builds_a_believable_organisation():
    output = seed()

    org = Organization.objects.get(slug="demo")
    assert org.mission and org.vision and org.values and org.strategy_summary
    assert 3 <= StrategicObjective.objects.filter(org=org).count() <= 5
    roots = Department.objects.filter(org=org, parent=None)
    assert set(roots.values_list("name", flat=True)) == DEPARTMENTS
    assert all(d.head_id for d in Department.objects.filter(org=org))
    assert Membership.objects.filter(org=org).count() == 40
    assert_a_real_tree(org)

    members = {m.user.email: m for m in Membership.objects.filter(org=org).select_related("user")}
    admin, hr = members["admin@demo.kra"], members["hr@demo.kra"]
    manager, employee = members["manager@demo.kra"], members["employee@demo.kra"]
    assert admin.role == OrgRole.ADMIN
    assert hr.role == OrgRole.HR and hr.department.name == "HR"
    assert roots.get(name="HR").head == hr
    assert roots.get(name="Sales").head == manager
    assert manager.manager == admin and manager.reports.count() >= 2
    assert employee.manager == manager and not employee.reports.exists()
    # Heads head the department they sit in; everyone else has a job title too.
    assert all(m.job_title for m in members.values())
    assert "/o/demo/" in output and DEMO_PASSWORD in output
    for email in members.keys() & {"admin@demo.kra", "employee@demo.kra"}:
        assert email in output


@pytest.mark.django_db
def test_the_four_logins_sign_in_with_the_demo_password(client):
    seed()
    for email in ("admin@demo.kra", "hr@demo.kra", "manager@demo.kra", "employee@demo.kra"):
        client.logout()
        response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get(reverse("org-home", args=["demo"])).status_code == 200


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    seed()
    before = counts()
    output = seed()
    assert counts() == before
    assert "already exists" in output


@pytest.mark.django_db
def test_employees_scales_the_organisation_with_bulk_inserts():
    with CaptureQueriesContext(connection) as small:
        seed("--slug", "small")
    with CaptureQueriesContext(connection) as large:
        seed("--employees", "200", "--slug", "large")

    org = Organization.objects.get(slug="large")
    assert Membership.objects.filter(org=org).count() == 200
    assert_a_real_tree(org)
    assert (
        set(Department.objects.filter(org=org, parent=None).values_list("name", flat=True))
        == DEPARTMENTS
    )
    # Five times the people, hardly any more statements.
    assert len(large) <= len(small) + 5
    assert (
        not Membership.objects.filter(org=org)
        .values("manager")
        .filter(manager__org__slug="small")
        .exists()
    )


@pytest.mark.django_db
def test_names_are_deterministic():
    seed("--slug", "one")
    seed("--slug", "two")
    one = list(
        Membership.objects.filter(org__slug="one")
        .order_by("employee_id")
        .values_list("user__full_name", "job_title")
    )
    two = list(
        Membership.objects.filter(org__slug="two")
        .order_by("employee_id")
        .values_list("user__full_name", "job_title")
    )
    assert one == two


@pytest.mark.django_db
def test_too_few_employees_is_refused():
    with pytest.raises(CommandError):
        seed("--employees", "3")
    assert not Organization.objects.exists()
