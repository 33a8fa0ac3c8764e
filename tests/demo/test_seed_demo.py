from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.data.roles import ROLE_TEMPLATES
from demo.logins import DEMO_PASSWORD
from kpis.models import KPI
from kras import library
from kras.models import KRA, KRALevel, StrategicObjective
from orgs.models import AuditEvent, Department, Membership, Organization, OrgRole, User
from roles.models import Role, RoleAssignment

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
        "roles": Role.objects.count(),
        "kras": KRA.objects.count(),
        "kpis": KPI.objects.count(),
        "assignments": RoleAssignment.objects.count(),
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
    # Agreements go through the services one by one, for a fixed number of people whatever
    # the size (tests/demo/test_demo_agreements.py): left out here.
    with CaptureQueriesContext(connection) as small:
        seed("--slug", "small", "--agreements", "0")
    with CaptureQueriesContext(connection) as large:
        seed("--employees", "200", "--slug", "large", "--agreements", "0")

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


@pytest.mark.django_db
def test_roles_come_from_the_library_and_everyone_holds_one():
    seed()
    org = Organization.objects.get(slug="demo")
    roles = list(Role.objects.filter(org=org).select_related("department"))
    members = Membership.objects.filter(org=org)
    # One role per job title and department, held by everyone with that title there.
    assert len(roles) == len(set(members.values_list("department", "job_title")))
    assert RoleAssignment.objects.filter(org=org).count() == members.count()
    for role in roles:
        holders = set(role.assignments.values_list("member__job_title", "member__department"))
        assert holders == {(role.title, role.department_id)}, role
        assert role.purpose
    sales_executive = Role.objects.get(org=org, title="Sales Executive")
    template = library.get(ROLE_TEMPLATES["Sales Executive"])
    kras = list(KRA.objects.filter(role=sales_executive).order_by("position"))
    assert [k.title for k in kras] == [k["title"] for k in template.kras]
    assert sum(k.weight for k in kras) == 100
    for kra in kras:
        assert kra.area_of_focus is not None and kra.area_of_focus.role == sales_executive
        assert sum(kpi.weight for kpi in kra.kpis.all()) == 100


@pytest.mark.django_db
def test_the_ladder_is_complete_from_every_role_to_an_objective():
    seed()
    org = Organization.objects.get(slug="demo")
    objectives = set(StrategicObjective.objects.filter(org=org).values_list("pk", flat=True))
    org_kras = KRA.objects.filter(org=org, level=KRALevel.ORGANIZATION)
    assert 2 <= org_kras.count() <= 3
    assert all(k.objective_id in objectives for k in org_kras)
    assert sum(k.weight for k in org_kras) == 100
    for department in Department.objects.filter(org=org):
        kras = KRA.objects.filter(org=org, level=KRALevel.DEPARTMENT, department=department)
        assert kras.exists(), department
        assert sum((k.weight for k in kras), Decimal(0)) == 100, department
        for kra in kras:
            if department.parent_id is None:
                assert kra.objective_id in objectives, kra
            else:  # a team inside a department serves one of its department's KRAs
                assert kra.parent.department_id == department.parent_id, kra
    for kra in KRA.objects.filter(org=org, level=KRALevel.ROLE).select_related("parent", "role"):
        if kra.role.department_id is None:  # the chief executive serves the objectives
            assert kra.objective_id in objectives
            continue
        assert kra.parent.level == KRALevel.DEPARTMENT, kra
        # the parent is the role's department's KRA, or one of a department above it
        above, node = set(), kra.role.department
        while node is not None:
            above.add(node.pk)
            node = node.parent
        assert kra.parent.department_id in above, kra
    sales = Department.objects.get(org=org, name="Sales", parent=None)
    assert KRA.objects.filter(org=org, level=KRALevel.ROLE, parent__department=sales).exists()


@pytest.mark.django_db
def test_the_manager_and_the_employee_sign_in_and_see_their_kras(client):
    seed()
    org = Organization.objects.get(slug="demo")
    sales = Department.objects.get(org=org, name="Sales", parent=None)
    employee = Membership.objects.get(org=org, user__email="employee@demo.kra")
    role = RoleAssignment.objects.get(member=employee).role
    assert (role.title, role.department) == ("Sales Executive", sales)
    assert KRA.objects.filter(role=role).count() >= 4

    for email in ("manager@demo.kra", "employee@demo.kra"):
        client.logout()
        client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        page = client.get(reverse("cascade", args=["demo"]), {"department": sales.pk})
        html = page.content.decode()
        assert page.status_code == 200
        assert "Revenue growth" in html and "Revenue generation" in html
        assert "Sofia Alvarez" in html  # the employee holds the Sales Executive role
        assert "Marcus Bell" in html  # the manager answers for Sales' KRAs
    # The manager heads Sales, so may edit its KRAs; the employee may not.
    client.logout()
    client.post(reverse("login"), {"username": "manager@demo.kra", "password": DEMO_PASSWORD})
    sales_kra = KRA.objects.get(org=org, department=sales, title="Revenue growth")
    assert client.get(reverse("kra-edit", args=["demo", sales_kra.pk])).status_code == 200


@pytest.mark.django_db
def test_a_demo_seeded_before_roles_gets_them_once():
    # Seeded as before roles existed: no roles, so no agreements either.
    seed("--agreements", "0")
    org = Organization.objects.get(slug="demo")
    KRA.objects.filter(org=org).delete()
    Role.objects.filter(org=org).delete()

    output = seed()

    assert "added" in output
    assert Role.objects.filter(org=org).exists() and KRA.objects.filter(org=org).exists()
    before = counts()
    seed()
    assert counts() == before
