import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import AuditEvent, Department
from orgs.services import department_create, department_delete, department_update
from tests.factories import DepartmentFactory, MembershipFactory


def audit_rows(org):
    # Creating an API client writes an api_token row; only domain changes count here.
    return AuditEvent.objects.filter(org=org).exclude(action__startswith="api_token.").count()


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


@pytest.fixture
def emea(org_a, sales):
    return DepartmentFactory(org=org_a, name="EMEA", parent=sales)


@pytest.fixture
def globex_ops(org_b):
    return DepartmentFactory(org=org_b, name="Operations")


# --- Services ------------------------------------------------------------------------------


def test_create_strips_the_name_and_records_the_audit_event(org_a, alice):
    department = department_create(org=org_a, actor=alice, name="  Finance ", head=alice)
    assert department.name == "Finance"
    event = AuditEvent.objects.get(object_type="orgs.department", object_id=str(department.pk))
    assert event.action == "department.create"
    assert event.changes["name"] == {"old": None, "new": "Finance"}
    assert event.changes["head"]["new"]["id"] == alice.pk


def test_a_blank_name_is_refused(org_a, alice):
    with pytest.raises(ValidationError) as exc:
        department_create(org=org_a, actor=alice, name="   ")
    assert "name" in exc.value.message_dict
    assert not Department.objects.exists()


def test_a_duplicate_name_under_the_same_parent_is_refused_whatever_the_case(org_a, alice, sales):
    with pytest.raises(ValidationError) as exc:
        department_create(org=org_a, actor=alice, name="SALES")
    assert "already a department called" in exc.value.message_dict["name"][0]
    assert Department.objects.filter(org=org_a).count() == 1


def test_the_same_name_is_fine_under_another_parent_or_in_another_org(
    org_a, org_b, alice, charlie, sales
):
    department_create(org=org_a, actor=alice, name="Sales", parent=sales)
    department_create(org=org_b, actor=charlie, name="Sales")
    assert Department.objects.filter(name="Sales").count() == 3


def test_renaming_into_a_sibling_name_is_refused(org_a, alice, sales):
    marketing = DepartmentFactory(org=org_a, name="Marketing")
    with pytest.raises(ValidationError):
        department_update(department=marketing, actor=alice, name="sales")
    marketing.refresh_from_db()
    assert marketing.name == "Marketing"


def test_moving_a_department_under_its_own_child_is_refused(org_a, alice, sales, emea):
    with pytest.raises(ValidationError) as exc:
        department_update(department=sales, actor=alice, parent=emea)
    assert "cannot sit inside itself" in exc.value.message_dict["parent"][0]
    sales.refresh_from_db()
    assert sales.parent is None
    assert not AuditEvent.objects.filter(action="department.update").exists()


def test_moving_a_department_under_itself_is_refused(alice, sales):
    with pytest.raises(ValidationError):
        department_update(department=sales, actor=alice, parent=sales)


def test_moving_under_a_grandchild_is_refused_too(org_a, alice, sales, emea):
    uk = DepartmentFactory(org=org_a, name="UK", parent=emea)
    with pytest.raises(ValidationError):
        department_update(department=sales, actor=alice, parent=uk)


def test_a_move_is_recorded_with_old_and_new_parent(org_a, alice, sales):
    ops = DepartmentFactory(org=org_a, name="Operations")
    department_update(department=ops, actor=alice, parent=sales)
    ops.refresh_from_db()
    assert ops.parent == sales
    event = AuditEvent.objects.get(action="department.update", object_id=str(ops.pk))
    assert event.changes == {"parent": {"old": None, "new": {"id": sales.pk, "label": "Sales"}}}


def test_a_parent_or_head_from_another_org_is_refused(org_a, alice, charlie, globex_ops):
    with pytest.raises(ValidationError) as exc:
        department_create(org=org_a, actor=alice, name="Sneaky", parent=globex_ops)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        department_create(org=org_a, actor=alice, name="Sneaky", head=charlie)
    assert "head" in exc.value.message_dict
    assert not Department.objects.filter(org=org_a).exists()


def test_a_deactivated_member_cannot_become_head_but_can_stay_head(org_a, alice, sales):
    leaver = MembershipFactory(org=org_a)
    department_update(department=sales, actor=alice, head=leaver)
    leaver.is_active = False
    leaver.save()
    # Renaming keeps the departed head without complaint...
    department_update(department=sales, actor=alice, name="Sales & Marketing", head=leaver)
    # ...but a department cannot be handed to someone who has left.
    ops = DepartmentFactory(org=org_a, name="Operations")
    with pytest.raises(ValidationError) as exc:
        department_update(department=ops, actor=alice, head=leaver)
    assert "active member" in exc.value.message_dict["head"][0]


def test_deleting_a_department_with_sub_departments_is_refused(alice, sales, emea):
    with pytest.raises(ValidationError) as exc:
        department_delete(department=sales, actor=alice)
    assert "still has 1 sub-department(s)" in exc.value.messages[0]
    assert Department.objects.filter(pk=sales.pk).exists()


def test_deleting_a_department_with_members_is_refused_even_deactivated_ones(org_a, alice, sales):
    MembershipFactory(org=org_a, department=sales, is_active=False)
    with pytest.raises(ValidationError) as exc:
        department_delete(department=sales, actor=alice)
    assert "1 member(s)" in exc.value.messages[0]
    assert Department.objects.filter(pk=sales.pk).exists()
    assert not AuditEvent.objects.filter(action="department.delete").exists()


def test_deleting_an_empty_department_records_what_it_was(org_a, alice, sales, emea):
    department_delete(department=emea, actor=alice)
    assert not Department.objects.filter(pk=emea.pk).exists()
    event = AuditEvent.objects.get(action="department.delete")
    assert event.object_repr == "EMEA"
    assert event.changes["name"] == {"old": "EMEA", "new": None}
    assert event.changes["parent"]["old"]["id"] == sales.pk


# --- Pages ---------------------------------------------------------------------------------


def test_department_list_shows_the_tree_with_head_and_member_count(
    login, org_a, alice, bob, sales, emea
):
    sales.head = alice
    sales.save()
    MembershipFactory(org=org_a, department=emea)
    MembershipFactory(org=org_a, department=emea, is_active=False)
    page = login(bob).get(reverse("department-list", args=["acme"]))
    assert page.status_code == 200
    html = page.content.decode()
    # EMEA sits in a nested list inside Sales.
    assert (
        html.index("Sales")
        < html.index('<ul class="tree">', html.index("Sales"))
        < html.index("EMEA")
    )
    assert "head: Alice Admin" in html
    assert "1 member<" in html  # only active members count
    assert html.count('data-testid="department-row"') == 2
    assert reverse("department-create", args=["acme"]) not in html  # bob cannot add


def test_empty_department_list_says_what_to_do_next(login, alice):
    html = login(alice).get(reverse("department-list", args=["acme"])).content.decode()
    assert "No departments yet." in html
    assert reverse("department-create", args=["acme"]) in html


def test_admin_creates_a_department_from_the_page(login, alice, sales):
    response = login(alice).post(
        reverse("department-create", args=["acme"]),
        {"name": "EMEA", "parent": sales.pk, "head": alice.pk},
    )
    assert response.status_code == 302
    emea = Department.objects.get(name="EMEA")
    assert (emea.org_id, emea.parent, emea.head) == (alice.org_id, sales, alice)


def test_the_form_offers_only_this_orgs_departments_and_members(
    login, alice, charlie, sales, globex_ops
):
    html = login(alice).get(reverse("department-create", args=["acme"])).content.decode()
    assert "Sales" in html and "Operations" not in html
    # The head is picked by searching this organisation's members; nobody is listed.
    assert 'hx-get="/o/acme/people/search/' in html
    assert "Alice Admin" not in html and "Charlie Other" not in html


def test_a_duplicate_name_is_shown_on_the_form(login, alice, sales):
    response = login(alice).post(reverse("department-create", args=["acme"]), {"name": "sales"})
    assert response.status_code == 200
    assert "already a department called" in response.content.decode()
    assert Department.objects.count() == 1


def test_rename_move_and_head_on_one_form(login, org_a, alice, bob, sales):
    ops = DepartmentFactory(org=org_a, name="Ops")
    response = login(alice).post(
        reverse("department-edit", args=["acme", ops.pk]),
        {"name": "Sales operations", "parent": sales.pk, "head": bob.pk},
    )
    assert response.status_code == 302
    ops.refresh_from_db()
    assert (ops.name, ops.parent, ops.head) == ("Sales operations", sales, bob)


def test_moving_under_a_child_is_shown_on_the_form_and_changes_nothing(login, alice, sales, emea):
    response = login(alice).post(
        reverse("department-edit", args=["acme", sales.pk]), {"name": "Sales", "parent": emea.pk}
    )
    assert response.status_code == 200
    assert "cannot sit inside itself" in response.content.decode()
    sales.refresh_from_db()
    assert sales.parent is None


def test_cross_org_ids_in_the_form_are_refused(login, alice, charlie, sales, globex_ops):
    response = login(alice).post(
        reverse("department-edit", args=["acme", sales.pk]),
        {"name": "Sales", "parent": globex_ops.pk, "head": charlie.pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "parent" in form.errors and "head" in form.errors
    sales.refresh_from_db()
    assert (sales.parent, sales.head) == (None, None)
    assert audit_rows(alice.org) == 0


def test_delete_asks_for_confirmation_then_deletes(login, alice, sales):
    client = login(alice)
    confirm = client.get(reverse("department-delete", args=["acme", sales.pk]))
    assert confirm.status_code == 200
    assert 'data-testid="confirm-delete"' in confirm.content.decode()
    assert Department.objects.filter(pk=sales.pk).exists()
    response = client.post(reverse("department-delete", args=["acme", sales.pk]))
    assert response.status_code == 302
    assert not Department.objects.filter(pk=sales.pk).exists()


def test_deleting_a_non_empty_department_shows_why_and_changes_nothing(
    login, alice, bob, sales, emea
):
    bob.department = emea
    bob.save()
    response = login(alice).post(reverse("department-delete", args=["acme", emea.pk]), follow=True)
    assert "“EMEA” still has 1 member(s). Move them elsewhere first." in response.content.decode()
    assert Department.objects.filter(pk=emea.pk).exists()
    assert audit_rows(alice.org) == 0


def test_bob_sees_departments_but_cannot_change_them(login, bob, sales):
    client = login(bob)
    assert client.get(reverse("department-list", args=["acme"])).status_code == 200
    assert client.get(reverse("department-create", args=["acme"])).status_code == 403
    assert (
        client.post(reverse("department-create", args=["acme"]), {"name": "X"}).status_code == 403
    )
    assert client.get(reverse("department-edit", args=["acme", sales.pk])).status_code == 403
    response = client.post(reverse("department-edit", args=["acme", sales.pk]), {"name": "Mine"})
    assert response.status_code == 403
    assert client.get(reverse("department-delete", args=["acme", sales.pk])).status_code == 403
    assert client.post(reverse("department-delete", args=["acme", sales.pk])).status_code == 403
    sales.refresh_from_db()
    assert sales.name == "Sales"
    assert Department.objects.count() == 1
    assert audit_rows(bob.org) == 0


def test_charlie_gets_404_for_every_department_page_of_acme(login, charlie, sales):
    client = login(charlie)
    for slug in ("acme", "globex"):
        # Through acme's URL he is not a member; through his own, acme's id is unknown.
        assert client.get(reverse("department-edit", args=[slug, sales.pk])).status_code == 404
        response = client.post(reverse("department-edit", args=[slug, sales.pk]), {"name": "X"})
        assert response.status_code == 404
        assert client.post(reverse("department-delete", args=[slug, sales.pk])).status_code == 404
    assert client.get(reverse("department-list", args=["acme"])).status_code == 404
    assert client.get(reverse("department-create", args=["acme"])).status_code == 404
    assert "Sales" not in client.get(reverse("department-list", args=["globex"])).content.decode()
    sales.refresh_from_db()
    assert sales.name == "Sales"
    assert audit_rows(sales.org) == 0 and audit_rows(charlie.org) == 0


def test_department_list_page_uses_a_constant_number_of_queries(
    login, org_a, alice, django_assert_max_num_queries
):
    parents = DepartmentFactory.create_batch(10, org=org_a)
    for parent in parents:
        head = MembershipFactory(org=org_a)
        DepartmentFactory.create_batch(2, org=org_a, parent=parent, head=head)
    client = login(alice)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("department-list", args=["acme"]))
    assert response.content.decode().count('data-testid="department-row"') == 30


# --- API -----------------------------------------------------------------------------------


def test_api_lists_creates_moves_and_deletes_departments(api, alice, bob, sales):
    client = api(alice)
    url = reverse("api:department-list", args=["acme"])
    listed = client.get(url).json()
    assert [(d["name"], d["member_count"]) for d in listed["results"]] == [("Sales", 0)]

    created = client.post(url, {"name": "EMEA", "head": bob.pk})
    assert created.status_code == 201, created.content
    emea = Department.objects.get(pk=created.json()["id"])
    assert created.json()["head_name"] == "Bob Member"

    detail = reverse("api:department-detail", args=["acme", emea.pk])
    moved = client.patch(detail, {"parent": sales.pk})
    assert moved.status_code == 200, moved.content
    emea.refresh_from_db()
    assert emea.parent == sales and emea.head == bob and emea.name == "EMEA"

    assert client.get(detail).json()["parent"] == sales.pk
    assert client.delete(detail).status_code == 204
    assert not Department.objects.filter(pk=emea.pk).exists()


def test_api_refuses_a_move_under_a_child_and_a_duplicate_name(api, alice, sales, emea):
    client = api(alice)
    response = client.patch(
        reverse("api:department-detail", args=["acme", sales.pk]), {"parent": emea.pk}
    )
    assert response.status_code == 400
    assert "cannot sit inside itself" in response.json()["parent"][0]
    response = client.post(reverse("api:department-list", args=["acme"]), {"name": "sales"})
    assert response.status_code == 400
    assert "name" in response.json()
    sales.refresh_from_db()
    assert sales.parent is None
    assert Department.objects.count() == 2


def test_api_refuses_to_delete_a_non_empty_department_with_the_service_message(
    api, alice, sales, emea
):
    response = api(alice).delete(reverse("api:department-detail", args=["acme", sales.pk]))
    assert response.status_code == 400
    assert "still has 1 sub-department(s)" in response.json()["non_field_errors"][0]
    assert Department.objects.filter(pk=sales.pk).exists()


def test_api_refuses_parent_and_head_from_another_org(api, alice, charlie, sales, globex_ops):
    client = api(alice)
    before = audit_rows(alice.org)
    detail = reverse("api:department-detail", args=["acme", sales.pk])
    response = client.patch(detail, {"parent": globex_ops.pk})
    assert response.status_code == 400 and "parent" in response.json()
    response = client.patch(detail, {"head": charlie.pk})
    assert response.status_code == 400 and "head" in response.json()
    response = client.post(
        reverse("api:department-list", args=["acme"]), {"name": "X", "parent": globex_ops.pk}
    )
    assert response.status_code == 400
    sales.refresh_from_db()
    assert (sales.parent, sales.head) == (None, None)
    assert Department.objects.filter(org=alice.org).count() == 1
    assert audit_rows(alice.org) == before


def test_api_bob_reads_departments_but_cannot_write(api, bob, sales):
    client = api(bob)
    before = audit_rows(bob.org)
    url = reverse("api:department-list", args=["acme"])
    detail = reverse("api:department-detail", args=["acme", sales.pk])
    assert client.get(url).status_code == 200
    assert client.get(detail).status_code == 200
    assert client.post(url, {"name": "Mine"}).status_code == 403
    assert client.patch(detail, {"name": "Mine"}).status_code == 403
    assert client.delete(detail).status_code == 403
    sales.refresh_from_db()
    assert sales.name == "Sales"
    assert Department.objects.count() == 1
    assert audit_rows(bob.org) == before


def test_api_charlie_gets_404_for_acme_departments(api, charlie, sales):
    client = api(charlie)
    before = audit_rows(charlie.org)
    assert client.get(reverse("api:department-list", args=["acme"])).status_code == 404
    for slug in ("acme", "globex"):
        detail = reverse("api:department-detail", args=[slug, sales.pk])
        assert client.get(detail).status_code == 404
        assert client.patch(detail, {"name": "X"}).status_code == 404
        assert client.delete(detail).status_code == 404
    listed = client.get(reverse("api:department-list", args=["globex"])).json()
    assert listed["count"] == 0
    sales.refresh_from_db()
    assert sales.name == "Sales"
    assert audit_rows(sales.org) == 0 and audit_rows(charlie.org) == before


def test_department_list_api_uses_a_constant_number_of_queries(
    api, org_a, alice, django_assert_max_num_queries
):
    for parent in DepartmentFactory.create_batch(10, org=org_a):
        DepartmentFactory.create_batch(
            2, org=org_a, parent=parent, head=MembershipFactory(org=org_a)
        )
    client = api(alice)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api:department-list", args=["acme"]))
    assert response.json()["count"] == 30
    assert all(d["head_name"] for d in response.json()["results"] if d["parent"])
