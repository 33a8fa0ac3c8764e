import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from orgs.models import AuditEvent
from roles.models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment
from tests.factories import MembershipFactory

from .conftest import (
    AreaFactory,
    AssignmentFactory,
    ResponsibilityFactory,
    RoleFactory,
    audit_rows,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args, slug="acme"):
    return reverse(name, args=[slug, *args])


def role_form_data(**overrides):
    data = {
        "title": "Account Executive",
        "purpose": "Bring in new revenue.",
        "currency": "USD",
        "justification_kind": JustificationKind.REVENUE,
        "annual_cost": "80000",
        "expected_value": "240000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def state(org):
    """Everything a roles page could change in ``org``."""
    return (
        list(Role.objects.filter(org=org).order_by("pk").values()),
        list(AreaOfFocus.objects.filter(org=org).order_by("pk").values()),
        list(Responsibility.objects.filter(org=org).order_by("pk").values()),
        list(RoleAssignment.objects.filter(org=org).order_by("pk").values()),
        audit_rows(org),
    )


@pytest.fixture
def filled_role(org_a, bob, role):
    """The Account Executive role with two areas, responsibilities and a holder."""
    first = AreaFactory(role=role, title="Lead Generation", position=1)
    second = AreaFactory(role=role, title="Closing", position=2)
    ResponsibilityFactory(area=first, description="Prospect 20 accounts a week", position=1)
    ResponsibilityFactory(area=first, description="Qualify inbound leads", position=2)
    ResponsibilityFactory(area=second, description="Send proposals", position=1)
    AssignmentFactory(role=role, member=bob, start_date=datetime.date(2025, 1, 1))
    return role


def edit_requests(role, area, responsibility, assignment, member):
    """Every page that changes a role, with a body that would change it."""
    return [
        ("get", "role-edit", [role.pk], None),
        ("post", "role-edit", [role.pk], role_form_data(title="Hacked")),
        ("get", "role-delete", [role.pk], None),
        ("post", "role-delete", [role.pk], {}),
        ("post", "role-success-check", [role.pk], {"is_complete": "yes"}),
        ("post", "role-assign", [role.pk], {"member": member.pk, "start_date": "2030-01-01"}),
        ("get", "area-create", [role.pk], None),
        ("post", "area-create", [role.pk], {"title": "Hacked"}),
        ("get", "area-edit", [area.pk], None),
        ("post", "area-edit", [area.pk], {"title": "Hacked"}),
        ("post", "area-move", [area.pk], {"direction": "down"}),
        ("post", "area-delete", [area.pk], {}),
        ("get", "responsibility-create", [area.pk], None),
        ("post", "responsibility-create", [area.pk], {"description": "Hacked"}),
        ("get", "responsibility-edit", [responsibility.pk], None),
        ("post", "responsibility-edit", [responsibility.pk], {"description": "Hacked"}),
        ("post", "responsibility-move", [responsibility.pk], {"direction": "down"}),
        ("post", "responsibility-delete", [responsibility.pk], {}),
        ("post", "role-assignment-end", [assignment.pk], {"end_date": "2030-12-31"}),
    ]


def _objects(role):
    area = role.areas.order_by("position").first()
    responsibility = area.responsibilities.order_by("position").first()
    assignment = role.assignments.first()
    return area, responsibility, assignment


# --- list -----------------------------------------------------------------------------------


def test_every_member_sees_the_role_list_with_holders_and_departments(
    login, org_a, bob, filled_role, eng_role
):
    html = login(bob).get(url("role-list")).content.decode()
    assert html.count('data-testid="role-row"') == 2
    assert "Account Executive" in html and "Software Engineer" in html
    assert "Bob Member" in html  # holds the Account Executive role
    assert "vacant" in html
    # Bob manages nothing: no "New role".
    assert 'data-testid="new-role"' not in html


def test_role_list_search_and_department_filter_include_sub_departments(
    login, org_a, alice, sales, emea, engineering
):
    RoleFactory(org=org_a, department=sales, title="Sales Director")
    RoleFactory(org=org_a, department=emea, title="EMEA Account Executive")
    RoleFactory(org=org_a, department=engineering, title="Software Engineer")
    client = login(alice)
    html = client.get(url("role-list"), {"department": sales.pk}).content.decode()
    assert "Sales Director" in html and "EMEA Account Executive" in html
    assert "Software Engineer" not in html
    html = client.get(url("role-list"), {"q": "engineer"}).content.decode()
    assert html.count('data-testid="role-row"') == 1 and "Software Engineer" in html
    html = client.get(url("role-list"), {"q": "nothing like it"}).content.decode()
    assert "No role matches these filters." in html


def test_role_list_paginates_and_keeps_the_filters(login, org_a, alice, sales):
    RoleFactory.create_batch(30, org=org_a, department=sales)
    client = login(alice)
    html = client.get(url("role-list"), {"department": sales.pk}).content.decode()
    assert html.count('data-testid="role-row"') == 25
    assert f"department={sales.pk}&page=2" in html
    html = client.get(url("role-list"), {"department": sales.pk, "page": 2}).content.decode()
    assert html.count('data-testid="role-row"') == 5


def test_empty_role_list_invites_the_first_role(login, alice, bob):
    html = login(alice).get(url("role-list")).content.decode()
    assert "No roles yet." in html and url("role-create") in html
    html = login(bob).get(url("role-list")).content.decode()
    assert "No roles yet." in html and url("role-create") not in html


def test_another_orgs_department_in_the_filter_shows_nothing(
    login, alice, role, globex_ops, globex_role
):
    html = login(alice).get(url("role-list"), {"department": globex_ops.pk}).content.decode()
    assert 'data-testid="role-row"' not in html
    assert "Globex" not in html


def test_role_list_flags_overdue_justification(login, org_a, alice):
    RoleFactory(
        org=org_a,
        title="Chief of Staff",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    html = login(alice).get(url("role-list")).content.decode()
    assert 'data-testid="justification-overdue"' in html


# --- create and edit ------------------------------------------------------------------------


def test_admin_creates_a_role_and_lands_on_its_page(login, alice, sales):
    response = login(alice).post(
        url("role-create"), role_form_data(department=sales.pk, job_description="Close deals.")
    )
    role = Role.objects.get(title="Account Executive")
    assert response.status_code == 302
    assert response["Location"] == url("role-detail", role.pk) + "#areas"
    assert (role.org, role.department, role.job_description) == (alice.org, sales, "Close deals.")
    assert AuditEvent.objects.filter(action="role.create", actor=alice.user).exists()


def test_the_create_form_offers_a_target_date_for_a_role_not_yet_justified(login, alice):
    html = login(alice).get(url("role-create")).content.decode()
    suggested = timezone.localdate() + datetime.timedelta(days=365)
    assert suggested.isoformat() in html


def test_not_yet_justified_without_a_date_is_shown_on_the_form(login, alice):
    response = login(alice).post(
        url("role-create"),
        role_form_data(justification_kind=JustificationKind.NOT_YET),
    )
    assert response.status_code == 200
    assert "needs a date by which it should be" in response.content.decode()
    assert not Role.objects.exists()


def test_a_negative_cost_is_refused_on_the_form(login, alice):
    response = login(alice).post(url("role-create"), role_form_data(annual_cost="-5"))
    assert response.status_code == 200
    assert "annual_cost" in response.context["form"].errors
    assert not Role.objects.exists()


def test_a_department_head_creates_roles_in_his_department_only(
    login, dave, sales, emea, engineering
):
    client = login(dave)
    html = client.get(url("role-create")).content.decode()
    assert "Sales" in html and "EMEA" in html and "Engineering" not in html
    response = client.post(url("role-create"), role_form_data(department=engineering.pk))
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    # Without a department, a role would be nobody's but the admins'.
    response = client.post(url("role-create"), role_form_data())
    assert "department" in response.context["form"].errors
    assert not Role.objects.exists()
    response = client.post(url("role-create"), role_form_data(department=emea.pk))
    assert response.status_code == 302
    assert Role.objects.get().department == emea


def test_edit_saves_the_top_fields(login, alice, role, eng_role):
    response = login(alice).post(
        url("role-edit", role.pk),
        role_form_data(
            title="Senior Account Executive",
            department=role.department_id,
            reports_to=eng_role.pk,
            mission_alignment="Customers first.",
            strategy_contribution="Opens the mid-market.",
            justification_kind=JustificationKind.NOT_YET,
            justification_target_date="2027-03-31",
        ),
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.title == "Senior Account Executive"
    assert role.reports_to == eng_role
    assert role.justification_target_date == datetime.date(2027, 3, 31)
    assert AuditEvent.objects.get(action="role.update").changes["title"]["old"] == (
        "Account Executive"
    )


def test_edit_refuses_a_reporting_loop_on_the_form(login, org_a, alice, role):
    below = RoleFactory(org=org_a, title="Sales Development Rep", reports_to=role)
    response = login(alice).post(
        url("role-edit", role.pk),
        role_form_data(department=role.department_id, reports_to=below.pk),
    )
    assert response.status_code == 200
    assert "cannot report to itself or to a role below it" in response.content.decode()
    role.refresh_from_db()
    assert role.reports_to is None


def test_cross_org_ids_in_the_role_form_are_refused(login, alice, role, globex_ops, globex_role):
    before = state(alice.org)
    response = login(alice).post(
        url("role-edit", role.pk),
        role_form_data(department=globex_ops.pk, reports_to=globex_role.pk),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "department" in errors and "reports_to" in errors
    assert state(alice.org) == before
    html = login(alice).get(url("role-edit", role.pk)).content.decode()
    assert "Globex" not in html and "Operations" not in html


def test_delete_asks_then_deletes_or_explains(login, alice, bob, role, eng_role):
    client = login(alice)
    assert (
        'data-testid="confirm-delete"' in client.get(url("role-delete", role.pk)).content.decode()
    )
    assert client.post(url("role-delete", role.pk)).status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    AssignmentFactory(role=eng_role, member=bob)
    response = client.post(url("role-delete", eng_role.pk), follow=True)
    assert "“Software Engineer” still has 1 assignment(s)" in response.content.decode()
    assert Role.objects.filter(pk=eng_role.pk).exists()


# --- the role page --------------------------------------------------------------------------


def test_the_role_page_reads_top_to_bottom_like_the_method(login, alice, filled_role):
    html = login(alice).get(url("role-detail", filled_role.pk)).content.decode()
    order = [
        'id="purpose"',
        'id="alignment"',
        'id="strategy"',
        'id="reporting"',
        'id="cost"',
        'id="job-description"',
        'id="areas"',
        'id="success-check"',
        'id="holders"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # Areas in order, each with its responsibilities by priority.
    assert html.index("Lead Generation") < html.index("Closing")
    assert html.index("Prospect 20 accounts a week") < html.index("Qualify inbound leads")
    assert html.count('data-testid="area-row"') == 2
    assert html.count('data-testid="responsibility-row"') == 3
    assert html.count('data-testid="assignment-row"') == 1


def test_the_kra_section_is_where_the_kras_go_once_their_page_exists(login, alice, role):
    html = login(alice).get(url("role-detail", role.pk)).content.decode()
    try:
        kras_url = reverse("role-kras", args=["acme", role.pk])
    except NoReverseMatch:
        assert 'id="role-kras"' not in html
    else:
        section = (
            f'<section id="role-kras" hx-get="{kras_url}" hx-trigger="load" '
            f'hx-swap="innerHTML"><p><a href="{kras_url}">KRAs and KPIs</a></p></section>'
        )
        assert section in html
        assert html.index('id="areas"') < html.index(section) < html.index('id="success-check"')


def test_an_overdue_role_shows_the_badge(login, alice, role):
    role.justification_kind = JustificationKind.NOT_YET
    role.justification_target_date = timezone.localdate() - datetime.timedelta(days=1)
    role.save()
    html = login(alice).get(url("role-detail", role.pk)).content.decode()
    assert 'data-testid="justification-overdue"' in html
    role.justification_target_date = timezone.localdate() + datetime.timedelta(days=1)
    role.save()
    html = login(alice).get(url("role-detail", role.pk)).content.decode()
    assert 'data-testid="justification-overdue"' not in html
    assert "to be justified by" in html


def test_members_see_a_read_only_role_page(login, bob, filled_role):
    html = login(bob).get(url("role-detail", filled_role.pk)).content.decode()
    assert "Lead Generation" in html
    for marker in (
        'data-testid="edit-role"',
        'data-testid="add-area-form"',
        'data-testid="add-responsibility-form"',
        'data-testid="success-check-form"',
        'data-testid="assign-form"',
        url("area-move", filled_role.areas.first().pk),
        "data-confirm",
    ):
        assert marker not in html


def test_managers_see_the_edit_controls(login, alice, dave, filled_role, eng_role):
    for member in (alice, dave):
        html = login(member).get(url("role-detail", filled_role.pk)).content.decode()
        assert 'data-testid="edit-role"' in html
        assert 'data-testid="add-area-form"' in html
        assert 'data-testid="assign-form"' in html
    # Dave heads Sales, not Engineering.
    html = login(dave).get(url("role-detail", eng_role.pk)).content.decode()
    assert 'data-testid="edit-role"' not in html and 'data-testid="add-area-form"' not in html


def test_no_inline_scripts_styles_or_handlers(login, alice, filled_role):
    html = login(alice).get(url("role-detail", filled_role.pk)).content.decode()
    body = html[html.index("<body") :]
    assert "<script" not in body and "style=" not in body and " onclick=" not in body


# --- areas and responsibilities, in place with htmx and as plain forms ----------------------


def test_add_an_area_with_htmx_returns_the_areas_section(login, alice, role):
    response = login(alice).post(url("area-create", role.pk), {"title": "Lead Generation"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="area-row"') == 1 and "Lead Generation" in html
    assert role.areas.get().position == 1


def test_add_an_area_as_a_plain_form_redirects_to_it(login, alice, role):
    response = login(alice).post(url("area-create", role.pk), {"title": "Lead Generation"})
    area = role.areas.get()
    assert response.status_code == 302
    assert response["Location"] == url("role-detail", role.pk) + f"#area-{area.pk}"
    # Without JavaScript the add form has a page of its own too.
    assert login(alice).get(url("area-create", role.pk)).status_code == 200


def test_a_blank_area_comes_back_with_the_message_in_place(login, alice, role):
    response = login(alice).post(url("area-create", role.pk), {"title": ""}, **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not AreaOfFocus.objects.exists()


def test_edit_an_area_in_place(login, alice, filled_role):
    area, _r, _a = _objects(filled_role)
    client = login(alice)
    form = client.get(url("area-edit", area.pk), **HTMX).content.decode()
    assert 'data-testid="area-edit-form"' in form and 'value="Lead Generation"' in form
    response = client.post(
        url("area-edit", area.pk), {"title": "Lead generation", "description": "Top"}, **HTMX
    )
    html = response.content.decode()
    assert 'data-testid="area-edit-form"' not in html and "Lead generation" in html
    area.refresh_from_db()
    assert (area.title, area.description) == ("Lead generation", "Top")
    # Errors stay in the edit form.
    html = client.post(url("area-edit", area.pk), {"title": " "}, **HTMX).content.decode()
    assert 'data-testid="area-edit-form"' in html and 'role="alert"' in html
    # Cancel brings back the section; without htmx it is the role page.
    assert (
        'data-testid="area-edit-form"'
        not in client.get(url("role-areas", filled_role.pk), **HTMX).content.decode()
    )
    assert client.get(url("role-areas", filled_role.pk)).status_code == 302


def test_edit_an_area_without_htmx_has_its_own_page(login, alice, filled_role):
    area, _r, _a = _objects(filled_role)
    client = login(alice)
    assert "Lead Generation" in client.get(url("area-edit", area.pk)).content.decode()
    response = client.post(url("area-edit", area.pk), {"title": "Pipeline"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.title == "Pipeline"


def test_move_an_area_swaps_rows_with_htmx_and_without(login, alice, filled_role):
    client = login(alice)
    closing = filled_role.areas.get(title="Closing")
    html = client.post(url("area-move", closing.pk), {"direction": "up"}, **HTMX).content.decode()
    assert html.index("Closing") < html.index("Lead Generation")
    response = client.post(url("area-move", closing.pk), {"direction": "down"})
    assert response.status_code == 302
    assert list(filled_role.areas.order_by("position").values_list("title", flat=True)) == [
        "Lead Generation",
        "Closing",
    ]


def test_delete_an_area_asks_first_and_answers_with_the_section(login, alice, filled_role):
    area, _r, _a = _objects(filled_role)
    client = login(alice)
    page = client.get(url("role-detail", filled_role.pk)).content.decode()
    assert f'action="{url("area-delete", area.pk)}"' in page
    assert 'data-confirm="Delete this area of focus' in page
    html = client.post(url("area-delete", area.pk), **HTMX).content.decode()
    assert html.count('data-testid="area-row"') == 1
    assert not AreaOfFocus.objects.filter(pk=area.pk).exists()
    assert client.get(url("area-delete", area.pk)).status_code in (404, 405)


def test_responsibilities_are_added_edited_reordered_and_deleted_in_place(
    login, alice, filled_role
):
    area, first, _a = _objects(filled_role)
    client = login(alice)
    html = client.post(
        url("responsibility-create", area.pk), {"description": "Book 10 demos"}, **HTMX
    ).content.decode()
    assert "Book 10 demos" in html
    added = area.responsibilities.get(description="Book 10 demos")
    assert added.position == 3

    html = client.post(
        url("responsibility-move", added.pk), {"direction": "up"}, **HTMX
    ).content.decode()
    assert html.index("Book 10 demos") < html.index("Qualify inbound leads")

    form = client.get(url("responsibility-edit", first.pk), **HTMX).content.decode()
    assert 'data-testid="responsibility-edit-form"' in form
    client.post(url("responsibility-edit", first.pk), {"description": "Prospect 25"}, **HTMX)
    first.refresh_from_db()
    assert first.description == "Prospect 25"

    html = client.post(url("responsibility-delete", added.pk), **HTMX).content.decode()
    assert "Book 10 demos" not in html
    assert list(area.responsibilities.values_list("description", flat=True)) == [
        "Prospect 25",
        "Qualify inbound leads",
    ]


def test_a_blank_responsibility_shows_the_error_under_its_own_area(login, alice, filled_role):
    area, _r, _a = _objects(filled_role)
    html = (
        login(alice)
        .post(url("responsibility-create", area.pk), {"description": " "}, **HTMX)
        .content.decode()
    )
    article = html[html.index(f'id="area-{area.pk}"') :]
    article = article[: article.index("</article>")]
    assert 'role="alert"' in article
    assert Responsibility.objects.filter(area=area).count() == 2


def test_responsibility_plain_forms_redirect_to_the_area(login, alice, filled_role):
    area, first, _a = _objects(filled_role)
    client = login(alice)
    anchor = url("role-detail", filled_role.pk) + f"#area-{area.pk}"
    assert client.get(url("responsibility-create", area.pk)).status_code == 200
    response = client.post(url("responsibility-create", area.pk), {"description": "Follow up"})
    assert response["Location"] == anchor
    response = client.post(url("responsibility-move", first.pk), {"direction": "down"})
    assert response["Location"] == anchor
    assert client.get(url("responsibility-edit", first.pk)).status_code == 200
    response = client.post(url("responsibility-edit", first.pk), {"description": "Prospect"})
    assert response["Location"] == anchor
    response = client.post(url("responsibility-delete", first.pk))
    assert response["Location"] == anchor
    assert list(area.responsibilities.values_list("description", flat=True)) == [
        "Qualify inbound leads",
        "Follow up",
    ]


# --- success check and holders --------------------------------------------------------------


def test_success_check_is_answered_dated_and_signed(login, alice, bob, role):
    client = login(alice)
    response = client.post(
        url("role-success-check", role.pk),
        {"is_complete": "no", "missing": "Referral generation", "unnecessary": "Trade shows"},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.success_is_complete, role.success_checked_by) == (False, alice)
    html = login(bob).get(url("role-detail", role.pk)).content.decode()
    assert 'data-testid="success-check-answer"' in html
    assert "Answered by Alice Admin" in html and "Referral generation" in html


def test_success_check_needs_what_is_missing_when_the_answer_is_no(login, alice, role):
    response = login(alice).post(url("role-success-check", role.pk), {"is_complete": "no"})
    assert response.status_code == 200
    assert "Say what is missing" in response.content.decode()
    role.refresh_from_db()
    assert role.success_checked_at is None


def test_assign_and_end_an_assignment(login, alice, bob, role):
    client = login(alice)
    response = client.post(
        url("role-assign", role.pk), {"member": bob.pk, "start_date": "2026-01-01"}
    )
    assert response.status_code == 302
    assignment = role.assignments.get()
    response = client.post(
        url("role-assign", role.pk), {"member": bob.pk, "start_date": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "already holds this role" in response.content.decode()
    assert role.assignments.count() == 1
    response = client.post(url("role-assignment-end", assignment.pk), {"end_date": "2026-06-30"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_date == datetime.date(2026, 6, 30)
    html = client.get(url("role-detail", role.pk)).content.decode()
    assert "ended" in html


def test_ending_before_the_start_says_why(login, alice, bob, role):
    assignment = AssignmentFactory(role=role, member=bob, start_date=datetime.date(2026, 1, 1))
    response = login(alice).post(
        url("role-assignment-end", assignment.pk), {"end_date": "2025-01-01"}, follow=True
    )
    assert "cannot be before the start date" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.end_date is None


def test_a_member_of_another_org_cannot_be_assigned(login, alice, charlie, role):
    before = state(alice.org)
    response = login(alice).post(
        url("role-assign", role.pk), {"member": charlie.pk, "start_date": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "member" in response.context["assign_form"].errors
    assert state(alice.org) == before
    html = login(alice).get(url("role-detail", role.pk)).content.decode()
    assert "Charlie Other" not in html


# --- who may do what ------------------------------------------------------------------------


def test_bob_reads_roles_but_every_change_is_403(login, bob, filled_role):
    client = login(bob)
    area, responsibility, assignment = _objects(filled_role)
    assert client.get(url("role-list")).status_code == 200
    assert client.get(url("role-detail", filled_role.pk)).status_code == 200
    assert client.get(url("role-areas", filled_role.pk), **HTMX).status_code == 200
    before = state(bob.org)
    assert client.get(url("role-create")).status_code == 403
    assert client.post(url("role-create"), role_form_data()).status_code == 403
    for method, name, args, data in edit_requests(
        filled_role, area, responsibility, assignment, bob
    ):
        response = getattr(client, method)(url(name, *args), data or {})
        assert response.status_code == 403, (method, name)
    assert state(bob.org) == before


def test_charlie_gets_404_for_every_roles_page_of_acme(login, bob, charlie, filled_role):
    client = login(charlie)
    area, responsibility, assignment = _objects(filled_role)
    before = state(filled_role.org)
    for slug in ("acme", "globex"):
        # Through acme's URL he is not a member; through his own, acme's ids are unknown.
        assert client.get(url("role-detail", filled_role.pk, slug=slug)).status_code == 404
        assert client.get(url("role-areas", filled_role.pk, slug=slug), **HTMX).status_code == 404
        for method, name, args, data in edit_requests(
            filled_role, area, responsibility, assignment, bob
        ):
            response = getattr(client, method)(url(name, *args, slug=slug), data or {})
            assert response.status_code == 404, (slug, method, name)
    assert client.get(url("role-list")).status_code == 404
    assert client.get(url("role-create")).status_code == 404
    assert "Account Executive" not in client.get(url("role-list", slug="globex")).content.decode()
    assert state(filled_role.org) == before
    assert audit_rows(charlie.org) == 0


def test_a_department_head_manages_his_departments_roles_only(
    login, org_a, alice, bob, dave, emea, filled_role, eng_role
):
    client = login(dave)
    # Another department's role: every change is 403 and nothing moves.
    eng_area = AreaFactory(role=eng_role, position=1)
    AreaFactory(role=eng_role, position=2)
    eng_responsibility = ResponsibilityFactory(area=eng_area, position=1)
    ResponsibilityFactory(area=eng_area, position=2)
    eng_assignment = AssignmentFactory(role=eng_role, member=MembershipFactory(org=org_a))
    before = state(org_a)
    for method, name, args, data in edit_requests(
        eng_role, eng_area, eng_responsibility, eng_assignment, bob
    ):
        response = getattr(client, method)(url(name, *args), data or {})
        assert response.status_code == 403, (method, name)
    assert state(org_a) == before
    # His own department's role (and one in a department below it): allowed.
    emea_role = RoleFactory(org=org_a, department=emea, title="EMEA Account Executive")
    for role in (filled_role, emea_role):
        response = client.post(url("area-create", role.pk), {"title": "Renewals"})
        assert response.status_code == 302
        assert role.areas.filter(title="Renewals").exists()
    response = client.post(
        url("role-edit", filled_role.pk),
        role_form_data(department=filled_role.department_id, title="Account Manager"),
    )
    assert response.status_code == 302
    # Moving his role into a department he does not head is not on offer.
    response = client.post(
        url("role-edit", filled_role.pk),
        role_form_data(department=eng_role.department_id, title="Account Manager"),
    )
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    filled_role.refresh_from_db()
    assert (filled_role.title, filled_role.department) == ("Account Manager", dave.department)


# --- constant queries -----------------------------------------------------------------------


def _fill(org, department, n, start=0):
    boss = RoleFactory(org=org, title=f"Boss {start}")
    for i in range(start, start + n):
        role = RoleFactory(org=org, department=department, title=f"Role {i:03d}", reports_to=boss)
        AssignmentFactory(role=role, member=MembershipFactory(org=org))


def _count(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return len(queries)


def test_role_list_page_costs_the_same_with_3_or_30_roles(
    login, org_a, alice, sales, django_assert_max_num_queries
):
    client = login(alice)
    _fill(org_a, sales, 3)
    few = _count(client, url("role-list"))
    _fill(org_a, sales, 30, start=100)
    many = _count(client, url("role-list"))
    assert few == many
    with django_assert_max_num_queries(20):
        client.get(url("role-list"), {"department": sales.pk, "q": "Role"})


def _fill_role(role, areas, per_area, holders):
    for a in range(areas):
        area = AreaFactory(role=role, position=a + 1)
        for r in range(per_area):
            ResponsibilityFactory(area=area, position=r + 1)
    for _ in range(holders):
        AssignmentFactory(role=role, member=MembershipFactory(org=role.org))


@pytest.mark.parametrize("viewer", ["alice", "dave", "bob"])
def test_role_page_costs_the_same_whatever_the_role_holds(
    request, login, org_a, role, viewer, django_assert_max_num_queries
):
    member = request.getfixturevalue(viewer)
    small = RoleFactory(org=org_a, department=role.department, title="Small")
    _fill_role(small, areas=1, per_area=1, holders=1)
    _fill_role(role, areas=10, per_area=6, holders=12)
    client = login(member)
    few = _count(client, url("role-detail", small.pk))
    many = _count(client, url("role-detail", role.pk))
    assert few == many
    with django_assert_max_num_queries(22):
        client.get(url("role-detail", role.pk))
    # The htmx areas section too.
    assert _count(client, url("role-areas", small.pk), **HTMX) == _count(
        client, url("role-areas", role.pk), **HTMX
    )


# --- the org admin's attention list ---------------------------------------------------------


def test_home_lists_roles_not_yet_justified_past_their_date_for_admins(login, org_a, alice, bob):
    today = timezone.localdate()
    late = RoleFactory(
        org=org_a,
        title="Chief of Staff",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=today - datetime.timedelta(days=10),
    )
    RoleFactory(
        org=org_a,
        title="Growth Hacker",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=today + datetime.timedelta(days=10),
    )
    RoleFactory(org=org_a, title="Account Executive")
    html = login(alice).get(reverse("org-home", args=["acme"])).content.decode()
    assert 'data-testid="needs-attention"' in html
    assert html.count('data-testid="attention-role"') == 1
    assert "Chief of Staff" in html and url("role-detail", late.pk) in html
    assert "Growth Hacker" not in html
    html = login(bob).get(reverse("org-home", args=["acme"])).content.decode()
    assert 'data-testid="needs-attention"' not in html


def test_home_has_no_attention_list_when_every_role_is_on_time(login, alice, role):
    html = login(alice).get(reverse("org-home", args=["acme"])).content.decode()
    assert 'data-testid="needs-attention"' not in html
