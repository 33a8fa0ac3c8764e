import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import AuditEvent, Membership, OrgRole
from orgs.services import membership_deactivate, membership_reactivate, membership_update
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


def audit_rows(org):
    # Creating an API client writes an api_token row; only domain changes count here.
    return AuditEvent.objects.filter(org=org).exclude(action__startswith="api_token.").count()


def edit_data(membership, **overrides):
    """What the member form posts when nothing is changed, with ``overrides`` applied."""
    data = {
        "role": membership.role,
        "department": membership.department_id or "",
        "manager": membership.manager_id or "",
        "job_title": membership.job_title,
        "employee_id": membership.employee_id,
        "start_date": membership.start_date.isoformat() if membership.start_date else "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


@pytest.fixture
def dora(org_a, bob):
    """Reports to bob, who reports to alice."""
    return MembershipFactory(
        org=org_a,
        manager=bob,
        job_title="Account Manager",
        user=UserFactory(email="dora@acme.test", full_name="Dora Report"),
    )


# --- Services ------------------------------------------------------------------------------


def test_update_changes_the_place_in_the_org_chart_and_records_old_and_new(
    org_a, alice, bob, sales
):
    membership_update(
        membership=bob,
        actor=alice,
        role=OrgRole.HR,
        department=sales,
        job_title=" Head of People ",
        employee_id="E-7",
        start_date=datetime.date(2024, 2, 1),
    )
    bob.refresh_from_db()
    assert (bob.role, bob.department, bob.job_title, bob.employee_id) == (
        OrgRole.HR,
        sales,
        "Head of People",
        "E-7",
    )
    assert bob.start_date == datetime.date(2024, 2, 1)
    event = AuditEvent.objects.get(action="membership.update", object_id=str(bob.pk))
    assert event.changes["role"] == {"old": "member", "new": "hr"}
    assert event.changes["department"]["new"] == {"id": sales.pk, "label": "Sales"}
    assert event.changes["start_date"]["new"] == "2024-02-01"


def test_an_unchanged_update_writes_no_audit_row(alice, bob):
    membership_update(membership=bob, actor=alice, job_title=bob.job_title)
    assert not AuditEvent.objects.exists()


def test_a_member_cannot_be_their_own_manager(alice, bob):
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=bob, actor=alice, manager=bob)
    assert exc.value.message_dict["manager"] == ["A member cannot be their own manager."]


def test_a_reporting_cycle_is_refused_directly_or_through_others(alice, bob, dora):
    # bob reports to alice: alice cannot report to bob.
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=alice, actor=alice, manager=bob)
    assert "reporting cycle" in exc.value.message_dict["manager"][0]
    # dora → bob → alice: alice cannot report to dora either.
    with pytest.raises(ValidationError):
        membership_update(membership=alice, actor=alice, manager=dora)
    alice.refresh_from_db()
    assert alice.manager is None
    assert not AuditEvent.objects.exists()


def test_a_manager_further_down_another_branch_is_fine(org_a, alice, bob, dora):
    erin = MembershipFactory(org=org_a, manager=alice)
    membership_update(membership=erin, actor=alice, manager=dora)
    erin.refresh_from_db()
    assert erin.manager == dora


def test_a_manager_or_department_from_another_org_is_refused(org_b, alice, bob, charlie):
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=bob, actor=alice, manager=charlie)
    assert "manager" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        membership_update(
            membership=bob, actor=alice, department=DepartmentFactory(org=org_b, name="Ops")
        )
    assert "department" in exc.value.message_dict
    bob.refresh_from_db()
    assert (bob.manager, bob.department) == (alice, None)


def test_a_deactivated_manager_cannot_be_chosen_but_can_be_kept(org_a, alice, bob):
    leaver = MembershipFactory(org=org_a, is_active=False)
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=bob, actor=alice, manager=leaver)
    assert "active member" in exc.value.message_dict["manager"][0]
    # bob's own manager leaves; editing bob's job title keeps that link.
    Membership.objects.filter(pk=alice.pk).update(is_active=False)
    alice.refresh_from_db()
    membership_update(membership=bob, actor=None, manager=alice, job_title="Lead")
    bob.refresh_from_db()
    assert (bob.manager, bob.job_title) == (alice, "Lead")


def test_an_employee_id_is_unique_within_the_org_only(org_b, alice, bob, dora):
    membership_update(membership=dora, actor=alice, employee_id="E-1")
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=bob, actor=alice, employee_id=" E-1 ")
    assert "employee_id" in exc.value.message_dict
    MembershipFactory(org=org_b, employee_id="E-2")
    membership_update(membership=bob, actor=alice, employee_id="E-2")
    bob.refresh_from_db()
    assert bob.employee_id == "E-2"


def test_an_unknown_role_is_refused(alice, bob):
    with pytest.raises(ValidationError):
        membership_update(membership=bob, actor=alice, role="owner")


def test_the_last_admin_cannot_be_demoted(alice):
    with pytest.raises(ValidationError) as exc:
        membership_update(membership=alice, actor=alice, role=OrgRole.MEMBER)
    assert "at least one active org admin" in exc.value.messages[0]
    alice.refresh_from_db()
    assert alice.role == OrgRole.ADMIN


def test_an_admin_can_be_demoted_when_another_remains(org_a, alice):
    MembershipFactory(org=org_a, role=OrgRole.ADMIN)
    membership_update(membership=alice, actor=alice, role=OrgRole.HR)
    alice.refresh_from_db()
    assert alice.role == OrgRole.HR


def test_a_deactivated_admin_does_not_count_as_the_remaining_one(org_a, alice):
    MembershipFactory(org=org_a, role=OrgRole.ADMIN, is_active=False)
    with pytest.raises(ValidationError):
        membership_update(membership=alice, actor=alice, role=OrgRole.MEMBER)


def test_the_last_admin_cannot_be_deactivated(alice):
    with pytest.raises(ValidationError) as exc:
        membership_deactivate(membership=alice, actor=None)
    assert "at least one active org admin" in exc.value.messages[0]
    alice.refresh_from_db()
    assert alice.is_active


def test_nobody_can_deactivate_themselves(org_a, alice):
    MembershipFactory(org=org_a, role=OrgRole.ADMIN)
    with pytest.raises(ValidationError) as exc:
        membership_deactivate(membership=alice, actor=alice)
    assert exc.value.messages == ["You cannot deactivate yourself."]


def test_deactivate_and_reactivate_keep_history_and_reporting_lines(alice, bob, dora):
    membership_update(membership=bob, actor=alice, job_title="Sales Lead")
    membership_deactivate(membership=bob, actor=alice)
    bob.refresh_from_db()
    dora.refresh_from_db()
    assert not bob.is_active and bob.deactivated_at is not None
    assert dora.manager == bob  # the org chart keeps its shape
    membership_reactivate(membership=bob, actor=alice)
    bob.refresh_from_db()
    assert bob.is_active and bob.deactivated_at is None
    actions = list(
        AuditEvent.objects.filter(object_id=str(bob.pk)).order_by("id").values_list("action")
    )
    assert actions == [
        ("membership.update",),
        ("membership.deactivate",),
        ("membership.reactivate",),
    ]


# --- Pages ---------------------------------------------------------------------------------


def test_bob_can_view_the_member_list(login, alice, bob, sales):
    bob.department = sales
    bob.save()
    response = login(bob).get(reverse("member-list", args=["acme"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="member-row"') == 2
    assert "Alice Admin" in html and "Bob Member" in html and "Sales" in html
    assert reverse("member-edit", args=["acme", bob.pk]) not in html  # no edit links for bob


def test_member_list_searches_by_name_email_title_and_department(login, alice, bob, sales, dora):
    dora.department = sales
    dora.save()
    client = login(alice)

    def names(**params):
        response = client.get(reverse("member-list", args=["acme"]), params)
        return [m.display_name for m in response.context["page_obj"]]

    assert names(q="bob") == ["Bob Member"]
    assert names(q="dora@acme") == ["Dora Report"]
    assert names(q="executive") == ["Bob Member"]
    assert names(q="sales") == ["Bob Member", "Dora Report"]  # job title and department
    assert names(department=sales.pk) == ["Dora Report"]
    assert names(q="nobody-like-this") == []


def test_a_search_without_results_offers_to_clear_the_filters(login, alice):
    html = login(alice).get(reverse("member-list", args=["acme"]), {"q": "zzz"}).content.decode()
    assert "Nobody matches this search." in html


def test_member_list_hides_deactivated_members_unless_asked(login, alice, bob):
    bob.is_active = False
    bob.save()
    client = login(alice)
    html = client.get(reverse("member-list", args=["acme"])).content.decode()
    assert "Bob Member" not in html
    html = client.get(reverse("member-list", args=["acme"]), {"inactive": "1"}).content.decode()
    assert "Bob Member" in html and "deactivated" in html


def test_member_list_pages_by_25_and_keeps_the_filters(login, org_a, alice, sales):
    MembershipFactory.create_batch(30, org=org_a, department=sales, job_title="Engineer")
    client = login(alice)
    first = client.get(reverse("member-list", args=["acme"]), {"q": "engineer"})
    assert first.content.decode().count('data-testid="member-row"') == 25
    assert "?q=engineer&page=2" in first.content.decode()
    second = client.get(reverse("member-list", args=["acme"]), {"q": "engineer", "page": 2})
    assert second.content.decode().count('data-testid="member-row"') == 5


def test_filtering_by_another_orgs_department_is_404(login, alice, org_b):
    other = DepartmentFactory(org=org_b)
    response = login(alice).get(reverse("member-list", args=["acme"]), {"department": other.pk})
    assert response.status_code == 404


def test_member_list_page_uses_a_constant_number_of_queries(
    login, org_a, alice, sales, django_assert_max_num_queries
):
    managers = MembershipFactory.create_batch(5, org=org_a, department=sales)
    for i in range(25):
        MembershipFactory(org=org_a, department=sales, manager=managers[i % 5])
    DepartmentFactory.create_batch(5, org=org_a)
    client = login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("member-list", args=["acme"]))
    assert response.content.decode().count('data-testid="member-row"') == 25


def test_admin_edits_a_member_on_one_form(login, alice, bob, sales, dora):
    response = login(alice).post(
        reverse("member-edit", args=["acme", dora.pk]),
        edit_data(
            dora,
            role=OrgRole.HR,
            department=sales.pk,
            manager=alice.pk,
            job_title="HR Partner",
            employee_id="E-42",
            start_date="2023-09-01",
        ),
    )
    assert response.status_code == 302
    dora.refresh_from_db()
    assert (dora.role, dora.department, dora.manager, dora.job_title, dora.employee_id) == (
        OrgRole.HR,
        sales,
        alice,
        "HR Partner",
        "E-42",
    )
    assert dora.start_date == datetime.date(2023, 9, 1)
    assert AuditEvent.objects.filter(action="membership.update", object_id=str(dora.pk)).exists()


def test_a_reporting_cycle_is_shown_on_the_form_and_nothing_changes(login, alice, bob, dora):
    response = login(alice).post(
        reverse("member-edit", args=["acme", bob.pk]),
        edit_data(bob, manager=dora.pk, job_title="Changed too"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["manager"]
    assert "Dora Report already reports to Bob Member" in errors[0]
    bob.refresh_from_db()
    assert (bob.manager, bob.job_title) == (alice, "Sales Executive")
    assert not AuditEvent.objects.exists()


def test_demoting_the_last_admin_is_shown_on_the_form(login, alice):
    response = login(alice).post(
        reverse("member-edit", args=["acme", alice.pk]), edit_data(alice, role=OrgRole.MEMBER)
    )
    assert response.status_code == 200
    assert "at least one active org admin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == OrgRole.ADMIN


def test_a_manager_from_another_org_is_refused_on_the_form(login, alice, bob, charlie):
    response = login(alice).post(
        reverse("member-edit", args=["acme", bob.pk]), edit_data(bob, manager=charlie.pk)
    )
    assert response.status_code == 200
    assert "manager" in response.context["form"].errors
    bob.refresh_from_db()
    assert bob.manager == alice
    assert not AuditEvent.objects.exists()


def test_the_form_offers_only_this_orgs_departments_and_members(login, alice, bob, charlie, org_b):
    DepartmentFactory(org=org_b, name="Globex Ops")
    html = login(alice).get(reverse("member-edit", args=["acme", bob.pk])).content.decode()
    assert "Alice Admin" in html
    assert "Charlie Other" not in html and "Globex Ops" not in html


def test_deactivate_and_reactivate_from_the_page(login, alice, bob):
    client = login(alice)
    page = client.get(reverse("member-edit", args=["acme", bob.pk])).content.decode()
    assert "data-confirm=" in page and 'data-testid="deactivate"' in page
    response = client.post(reverse("member-deactivate", args=["acme", bob.pk]), follow=True)
    assert "their history stays" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active
    # bob has lost access to acme.
    bob_client = login(bob)
    assert bob_client.get(reverse("member-list", args=["acme"])).status_code == 404
    client = login(alice)
    client.post(reverse("member-reactivate", args=["acme", bob.pk]))
    bob.refresh_from_db()
    assert bob.is_active


def test_deactivating_yourself_is_refused_with_a_message(login, alice):
    response = login(alice).post(reverse("member-deactivate", args=["acme", alice.pk]), follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_deactivate_only_answers_post(login, alice, bob):
    response = login(alice).get(reverse("member-deactivate", args=["acme", bob.pk]))
    assert response.status_code == 405
    bob.refresh_from_db()
    assert bob.is_active


def test_bob_is_refused_the_admin_pages_and_changes_nothing(login, alice, bob):
    client = login(bob)
    assert client.get(reverse("member-edit", args=["acme", alice.pk])).status_code == 403
    response = client.post(
        reverse("member-edit", args=["acme", bob.pk]), edit_data(bob, role=OrgRole.ADMIN)
    )
    assert response.status_code == 403
    assert client.post(reverse("member-deactivate", args=["acme", alice.pk])).status_code == 403
    assert client.post(reverse("member-reactivate", args=["acme", alice.pk])).status_code == 403
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.role == OrgRole.MEMBER and alice.is_active
    assert audit_rows(alice.org) == 0


def test_charlie_gets_404_for_every_member_page_of_acme(login, alice, bob, charlie):
    client = login(charlie)
    assert client.get(reverse("member-list", args=["acme"])).status_code == 404
    for slug in ("acme", "globex"):
        assert client.get(reverse("member-edit", args=[slug, bob.pk])).status_code == 404
        response = client.post(
            reverse("member-edit", args=[slug, bob.pk]), edit_data(bob, job_title="Hacked")
        )
        assert response.status_code == 404
        assert client.post(reverse("member-deactivate", args=[slug, bob.pk])).status_code == 404
        assert client.post(reverse("member-reactivate", args=[slug, bob.pk])).status_code == 404
    html = client.get(reverse("member-list", args=["globex"])).content.decode()
    assert "Bob Member" not in html and "Alice Admin" not in html
    bob.refresh_from_db()
    assert bob.is_active and bob.job_title == "Sales Executive"
    assert audit_rows(alice.org) == 0 and audit_rows(charlie.org) == 0


# --- API -----------------------------------------------------------------------------------


def test_api_lists_and_searches_members(api, alice, bob, dora, sales):
    dora.department = sales
    dora.save()
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    client = api(alice)
    url = reverse("api:member-list", args=["acme"])
    assert [m["full_name"] for m in client.get(url).json()["results"]] == [
        "Alice Admin",
        "Dora Report",
    ]
    everyone = client.get(url, {"inactive": "1"}).json()["results"]
    assert [m["full_name"] for m in everyone] == ["Alice Admin", "Bob Member", "Dora Report"]
    assert client.get(url, {"q": "dora"}).json()["count"] == 1
    assert client.get(url, {"department": sales.pk}).json()["results"][0]["id"] == dora.pk
    assert client.get(url, {"department": "nonsense"}).json()["count"] == 0


def test_api_patches_a_member(api, alice, bob, sales):
    response = api(alice).patch(
        reverse("api:member-detail", args=["acme", bob.pk]),
        {"department": sales.pk, "job_title": "Lead", "start_date": "2022-01-10"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["department"] == sales.pk
    bob.refresh_from_db()
    assert (bob.department, bob.job_title, bob.manager) == (sales, "Lead", alice)
    assert bob.start_date == datetime.date(2022, 1, 10)


def test_api_refuses_a_cycle_and_ids_from_another_org(api, org_b, alice, bob, charlie):
    client = api(alice)
    before = audit_rows(alice.org)
    alice_url = reverse("api:member-detail", args=["acme", alice.pk])
    response = client.patch(alice_url, {"manager": bob.pk})
    assert response.status_code == 400
    assert "reporting cycle" in response.json()["manager"][0]
    bob_url = reverse("api:member-detail", args=["acme", bob.pk])
    response = client.patch(bob_url, {"manager": charlie.pk})
    assert response.status_code == 400 and "manager" in response.json()
    response = client.patch(bob_url, {"department": DepartmentFactory(org=org_b).pk})
    assert response.status_code == 400 and "department" in response.json()
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert (bob.manager, bob.department, alice.manager) == (alice, None, None)
    assert audit_rows(alice.org) == before


def test_api_deactivates_and_reactivates_a_member(api, alice, bob):
    client = api(alice)
    response = client.post(reverse("api:member-deactivate", args=["acme", bob.pk]))
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    # A deactivated member can still be read and reactivated.
    assert client.get(reverse("api:member-detail", args=["acme", bob.pk])).status_code == 200
    response = client.post(reverse("api:member-reactivate", args=["acme", bob.pk]))
    assert response.json()["is_active"] is True


def test_api_refuses_to_deactivate_the_last_admin(api, org_a, alice):
    # Given two admins, one deactivates the other...
    other = MembershipFactory(org=org_a, role=OrgRole.ADMIN)
    alice_client = api(alice)
    response = api(other).post(reverse("api:member-deactivate", args=["acme", alice.pk]))
    assert response.status_code == 200
    # ...whose token was revoked with the deactivation.
    assert alice_client.get(reverse("api:member-list", args=["acme"])).status_code == 401
    # The remaining admin can neither leave nor step down.
    response = api(other).post(reverse("api:member-deactivate", args=["acme", other.pk]))
    assert response.status_code == 400
    assert "yourself" in response.json()["non_field_errors"][0]
    response = api(other).patch(
        reverse("api:member-detail", args=["acme", other.pk]), {"role": OrgRole.MEMBER}
    )
    assert response.status_code == 400
    assert "at least one active org admin" in response.json()["non_field_errors"][0]
    other.refresh_from_db()
    assert other.role == OrgRole.ADMIN and other.is_active


def test_api_bob_reads_members_but_cannot_change_them(api, alice, bob):
    client = api(bob)
    before = audit_rows(bob.org)
    assert client.get(reverse("api:member-list", args=["acme"])).json()["count"] == 2
    detail = reverse("api:member-detail", args=["acme", bob.pk])
    assert client.get(detail).status_code == 200
    assert client.patch(detail, {"role": OrgRole.ADMIN}).status_code == 403
    response = client.post(reverse("api:member-deactivate", args=["acme", alice.pk]))
    assert response.status_code == 403
    assert client.post(reverse("api:member-reactivate", args=["acme", bob.pk])).status_code == 403
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.role == OrgRole.MEMBER and alice.is_active
    assert audit_rows(bob.org) == before


def test_api_charlie_gets_404_for_acme_members(api, alice, bob, charlie):
    client = api(charlie)
    before = audit_rows(charlie.org)
    assert client.get(reverse("api:member-list", args=["acme"])).status_code == 404
    for slug in ("acme", "globex"):
        detail = reverse("api:member-detail", args=[slug, bob.pk])
        assert client.get(detail).status_code == 404
        assert client.patch(detail, {"job_title": "Hacked"}).status_code == 404
        response = client.post(reverse("api:member-deactivate", args=[slug, bob.pk]))
        assert response.status_code == 404
    listed = client.get(reverse("api:member-list", args=["globex"])).json()
    assert [m["email"] for m in listed["results"]] == ["charlie@globex.test"]
    bob.refresh_from_db()
    assert bob.is_active and bob.job_title == "Sales Executive"
    assert audit_rows(alice.org) == 0 and audit_rows(charlie.org) == before


def test_member_list_api_uses_a_constant_number_of_queries(
    api, org_a, alice, sales, django_assert_max_num_queries
):
    managers = MembershipFactory.create_batch(5, org=org_a, department=sales)
    for i in range(25):
        MembershipFactory(org=org_a, department=sales, manager=managers[i % 5])
    client = api(alice)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api:member-list", args=["acme"]), {"q": "a"})
    assert response.status_code == 200
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api:member-list", args=["acme"]))
    assert response.json()["count"] == 31
