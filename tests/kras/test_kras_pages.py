"""KRA pages: the role panel edited in place with htmx, the KRA list, page, forms, retire
and move, the rules page; and who may do what (alice admin, bob member, dave heads Sales,
charlie of another organisation)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kras.models import KRA, KRALevel, KRAStatus
from orgs.models import AuditEvent
from orgs.org_settings import rule_settings
from tests.factories import DepartmentFactory

from .test_kras_support import make_head, make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def dave_and_sales(org_a):
    return make_head(org_a)


@pytest.fixture
def dave(dave_and_sales):
    return dave_and_sales[0]


@pytest.fixture
def sales(dave_and_sales):
    return dave_and_sales[1]


@pytest.fixture
def finance(org_a):
    return DepartmentFactory(org=org_a, name="Finance")


@pytest.fixture
def role(org_a, sales):
    return make_role(org_a, sales)


@pytest.fixture
def objective(org_a):
    return make_objective(org_a, title="Grow recurring revenue 30%")


@pytest.fixture
def kras(org_a, role, objective):
    first = make_kra(org_a, role=role, title="Revenue generation", weight=60, objective=objective)
    second = make_kra(org_a, role=role, title="Customer retention", weight=30)
    make_kpi(first)
    return first, second


def panel_url(role, slug="acme"):
    return reverse("role-kras", args=[slug, role.pk])


def snapshot(org):
    return sorted(
        KRA.objects.filter(org=org).values_list("pk", "title", "weight", "status", "position")
    )


# --- the role panel -------------------------------------------------------------------------


def test_the_panel_is_a_full_page_normally_and_a_fragment_for_htmx(login, alice, role, kras):
    client = login(alice)
    page = client.get(panel_url(role)).content.decode()
    assert "<html" in page and 'id="kra-panel"' in page
    fragment = client.get(panel_url(role), **HX).content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="kra-panel"')
    assert 'data-testid="kra-weight-total">90<' in fragment
    assert 'data-testid="readiness"' in fragment
    assert "KRA weights total 90 of 100." in fragment
    assert "“Customer retention” supports no strategic objective." in fragment
    assert fragment.count('data-testid="kra-row"') == 2
    assert fragment.count('data-testid="kpi-row"') == 1


def test_inline_edit_answers_the_panel_with_the_new_total_and_readiness(login, alice, role, kras):
    client = login(alice)
    _first, second = kras
    url = reverse("kra-inline-edit", args=["acme", second.pk])
    # When she opens the row for editing: the panel comes back with that row as a form
    form = client.get(url, **HX).content.decode()
    assert 'data-testid="kra-inline-form"' in form and 'value="Customer retention"' in form
    # And saves a weight that brings the total to 100
    response = client.post(
        url, {"title": "Customer retention", "weight": "40", "definition": "Keep them."}, **HX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-testid="kra-weight-total">100<' in body
    assert "KRA weights total" not in body  # the weight check passes now
    second.refresh_from_db()
    assert second.weight == 40 and second.definition == "Keep them."


def test_inline_edit_with_an_error_keeps_the_form_and_changes_nothing(login, alice, role, kras):
    _first, second = kras
    response = login(alice).post(
        reverse("kra-inline-edit", args=["acme", second.pk]),
        {"title": "  ", "weight": "400"},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="kra-inline-form"' in body
    second.refresh_from_db()
    assert second.weight == 30


def test_inline_edit_without_htmx_goes_to_the_full_form(login, alice, kras):
    response = login(alice).get(reverse("kra-inline-edit", args=["acme", kras[0].pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kra-edit", args=["acme", kras[0].pk])


def test_add_a_kra_from_the_panel(login, alice, role, kras):
    url = reverse("kra-create", args=["acme"]) + f"?level=role&role={role.pk}"
    body = login(alice).post(url, {"title": "Referral generation", "weight": "10"}, **HX)
    text = body.content.decode()
    assert 'data-testid="kra-weight-total">100<' in text
    kra = KRA.objects.get(role=role, title="Referral generation")
    assert kra.level == KRALevel.ROLE and kra.position == 3


def test_add_a_kra_without_htmx_uses_the_full_form_and_returns_to_next(login, alice, role):
    url = reverse("kra-create", args=["acme"]) + f"?level=role&role={role.pk}"
    client = login(alice)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Revenue generation",
            "weight": "50",
            "priority": "1",
            "next": f"/o/acme/roles/{role.pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/o/acme/roles/{role.pk}/"
    # An outside address is not followed.
    response = client.post(url, {"title": "Second", "weight": "1", "next": "https://evil.test/"})
    assert response["Location"] == panel_url(role)


def test_move_and_retire_from_the_panel(login, alice, role, kras):
    first, second = kras
    client = login(alice)
    body = client.post(
        reverse("kra-move", args=["acme", second.pk]), {"direction": "up"}, **HX
    ).content.decode()
    assert body.index("Customer retention") < body.index("Revenue generation")
    body = client.post(reverse("kra-retire", args=["acme", second.pk]), **HX).content.decode()
    second.refresh_from_db()
    assert second.status == KRAStatus.RETIRED
    assert 'data-testid="kra-weight-total">60<' in body
    assert "Customer retention" not in body


def test_bob_reads_the_panel_without_controls_and_cannot_change_anything(login, bob, role, kras):
    client = login(bob)
    body = client.get(panel_url(role), **HX).content.decode()
    assert "Revenue generation" in body
    assert "kra-inline-edit" not in body and "kra-add-form" not in body
    before = snapshot(bob.org)
    first, second = kras
    assert (
        client.post(
            reverse("kra-inline-edit", args=["acme", second.pk]),
            {"title": "x", "weight": "1"},
            **HX,
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("kra-create", args=["acme"]) + f"?level=role&role={role.pk}",
            {"title": "x", "weight": "1"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("kra-move", args=["acme", second.pk]), {"direction": "up"}).status_code
        == 403
    )
    assert client.post(reverse("kra-retire", args=["acme", second.pk])).status_code == 403
    assert client.get(reverse("kra-edit", args=["acme", first.pk])).status_code == 403
    assert snapshot(bob.org) == before


def test_charlie_gets_404_and_changes_nothing(login, charlie, org_a, role, kras):
    client = login(charlie)
    before = snapshot(org_a)
    first, _second = kras
    for slug in ("acme", "globex"):
        assert client.get(panel_url(role, slug)).status_code == 404
        assert client.get(reverse("kra-detail", args=[slug, first.pk])).status_code == 404
        assert client.get(reverse("kra-edit", args=[slug, first.pk])).status_code == 404
        assert (
            client.post(
                reverse("kra-edit", args=[slug, first.pk]),
                {"title": "x", "weight": "1", "priority": "1"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("kra-inline-edit", args=[slug, first.pk]),
                {"title": "x", "weight": "1"},
                **HX,
            ).status_code
            == 404
        )
        assert client.post(reverse("kra-retire", args=[slug, first.pk])).status_code == 404
        assert (
            client.post(
                reverse("kra-move", args=[slug, first.pk]), {"direction": "down"}
            ).status_code
            == 404
        )
        assert (
            client.get(
                reverse("kra-create", args=[slug]) + f"?level=role&role={role.pk}"
            ).status_code
            == 404
        )
    assert client.get(reverse("kra-list", args=["acme"])).status_code == 404
    assert snapshot(org_a) == before
    assert not AuditEvent.objects.filter(org=org_a).exists()


# --- a department head ----------------------------------------------------------------------


def test_a_department_head_edits_the_kras_of_his_departments_roles_only(
    login, dave, org_a, role, kras, finance
):
    client = login(dave)
    _first, second = kras
    response = client.post(
        reverse("kra-inline-edit", args=["acme", second.pk]),
        {"title": "Customer retention", "weight": "40"},
        **HX,
    )
    assert response.status_code == 200
    body = client.get(panel_url(role), **HX).content.decode()
    assert "kra-add-form" in body
    # Not another department's role
    their_kra = make_kra(org_a, role=make_role(org_a, finance, title="Accountant"), title="Books")
    assert (
        client.post(
            reverse("kra-inline-edit", args=["acme", their_kra.pk]),
            {"title": "Mine now", "weight": "1"},
            **HX,
        ).status_code
        == 403
    )
    assert (
        client.get(
            reverse("kra-create", args=["acme"]) + f"?level=role&role={their_kra.role_id}"
        ).status_code
        == 403
    )
    # Nor an organisation KRA
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    assert (
        client.post(
            reverse("kra-edit", args=["acme", top.pk]),
            {"title": "Mine", "weight": "1", "priority": "1"},
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("kra-create", args=["acme"]) + "?level=organization").status_code == 403
    )
    their_kra.refresh_from_db()
    top.refresh_from_db()
    assert (their_kra.title, top.title) == ("Books", "Growth")


def test_a_department_head_adds_department_kras_for_his_department_only(
    login, dave, sales, finance
):
    client = login(dave)
    url = reverse("kra-create", args=["acme"]) + "?level=department"
    page = client.get(url).content.decode()
    assert f'value="{sales.pk}"' in page and f'value="{finance.pk}"' not in page
    response = client.post(
        url, {"title": "Qualified pipeline", "weight": "50", "department": sales.pk}
    )
    assert response.status_code == 302
    assert KRA.objects.get(title="Qualified pipeline").department == sales
    response = client.post(url, {"title": "Not mine", "weight": "50", "department": finance.pk})
    assert response.status_code == 200
    assert not KRA.objects.filter(title="Not mine").exists()
    assert (
        client.get(
            reverse("kra-create", args=["acme"]) + f"?level=department&department={finance.pk}"
        ).status_code
        == 403
    )


# --- forms: other organisations' objects ----------------------------------------------------


def test_the_full_form_refuses_another_organisations_parent_objective_and_owner(
    login, alice, org_b, charlie, role
):
    their_kra = make_kra(org_b, level=KRALevel.ORGANIZATION, title="Theirs")
    their_objective = make_objective(org_b)
    url = reverse("kra-create", args=["acme"]) + f"?level=role&role={role.pk}"
    client = login(alice)
    for field, value, message in (
        ("parent", their_kra.pk, "Select a valid choice"),
        ("objective", their_objective.pk, "Select a valid choice"),
        ("owner", charlie.pk, "Choose a member of this organisation."),
    ):
        response = client.post(url, {"title": "Sneaky", "weight": "10", field: value})
        assert response.status_code == 200, field
        assert message in response.content.decode()
    assert not KRA.objects.filter(title="Sneaky").exists()
    page = client.get(url).content.decode()
    assert "Theirs" not in page and their_objective.title not in page


def test_another_organisations_role_in_the_query_is_404(login, alice, org_b):
    their_role = make_role(org_b, title="Their role")
    url = reverse("kra-create", args=["acme"]) + f"?level=role&role={their_role.pk}"
    assert login(alice).get(url).status_code == 404


# --- the KRA list and page ------------------------------------------------------------------


def test_the_list_shows_organisation_and_department_kras_with_filters(
    login, bob, org_a, sales, finance, role, kras, objective
):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    s = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline", parent=top)
    f = make_kra(org_a, level=KRALevel.DEPARTMENT, department=finance, title="Clean books")
    make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=finance,
        title="Old thing",
        status=KRAStatus.RETIRED,
    )
    client = login(bob)
    url = reverse("kra-list", args=["acme"])
    page = client.get(url).content.decode()
    assert page.count('data-testid="kra-row"') == 3
    assert "Revenue generation" not in page  # role KRAs live on the role's page
    page = client.get(url, {"department": finance.pk}).content.decode()
    assert "Clean books" in page and "Pipeline" not in page
    page = client.get(url, {"level": "organization"}).content.decode()
    assert "Growth" in page and "Pipeline" not in page
    page = client.get(url, {"status": "retired"}).content.decode()
    assert "Old thing" in page and "Growth" not in page
    page = client.get(url, {"level": "role", "department": sales.pk}).content.decode()
    assert "Revenue generation" in page
    assert s.pk and f.pk


def test_the_kra_page_shows_the_ladder_up_and_down_its_kpis_and_checks(
    login, bob, org_a, sales, role, objective
):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    dept = make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=sales,
        title="Pipeline",
        parent=top,
        definition="A full, qualified pipeline.",
    )
    make_kra(org_a, role=role, title="New accounts", parent=dept)
    make_kpi(dept, name="Conduct calls", unit="", weight=Decimal(50))
    page = login(bob).get(reverse("kra-detail", args=["acme", dept.pk])).content.decode()
    up = page[page.index('data-testid="ladder-up"') : page.index('data-testid="ladder-down"')]
    assert "Growth" in up and objective.title in up
    down = page[page.index('data-testid="ladder-down"') :]
    assert "New accounts" in down
    assert "A full, qualified pipeline." in page
    assert "KPI weights total 50 of 100." in page
    assert "fails S, M, T" in page
    assert "Edit" not in page[: page.index("<dl>")].split("<h1>")[1]  # bob has no controls


def test_the_edit_form_changes_the_ladder(login, alice, org_a, role, kras, objective):
    _first, second = kras
    response = login(alice).post(
        reverse("kra-edit", args=["acme", second.pk]),
        {"title": "Customer retention", "weight": "40", "priority": "1", "objective": objective.pk},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.objective == objective and second.priority == 1


# --- retire with children -------------------------------------------------------------------


def test_retiring_a_kra_with_children_asks_what_happens_to_them(
    login, alice, org_a, sales, role, objective
):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    dept = make_kra(
        org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline", parent=top
    )
    child = make_kra(org_a, role=role, title="New accounts", parent=dept)
    client = login(alice)
    url = reverse("kra-retire", args=["acme", dept.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="retire-children"' in page and "New accounts" in page
    assert 'value="reparent"' in page and 'value="detach"' in page
    response = client.post(url)
    assert response.status_code == 200
    dept.refresh_from_db()
    assert dept.status == KRAStatus.ACTIVE
    response = client.post(url, {"children": "reparent"})
    assert response.status_code == 302
    dept.refresh_from_db()
    child.refresh_from_db()
    assert dept.status == KRAStatus.RETIRED and child.parent == top


# --- the rules page -------------------------------------------------------------------------


def test_the_org_admin_edits_the_rules(login, alice, org_a):
    client = login(alice)
    url = reverse("org-rules", args=["acme"])
    page = client.get(url).content.decode()
    assert 'name="kra_min"' in page and "conduct" in page
    response = client.post(
        url,
        {
            "kra_min": 4,
            "kra_max": 6,
            "kpi_min": 2,
            "kpi_max": 3,
            "activity_verbs": "conduct, Attend\nexecute",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    rules = rule_settings(org_a)
    assert (rules["kra_min"], rules["kra_max"], rules["kpi_min"]) == (4, 6, 2)
    assert rules["require_alignment"] is False  # an unticked box
    assert rules["activity_verbs"] == ["attend", "conduct", "execute"]
    assert AuditEvent.objects.filter(action="organization.rules").exists()


def test_rules_that_contradict_each_other_are_refused(login, alice, org_a):
    response = login(alice).post(
        reverse("org-rules", args=["acme"]),
        {"kra_min": 6, "kra_max": 3, "kpi_min": 1, "kpi_max": 3, "require_alignment": "on"},
    )
    assert response.status_code == 200
    assert "cannot exceed" in response.content.decode()
    org_a.refresh_from_db()
    assert rule_settings(org_a)["kra_min"] == 3


def test_only_org_admins_reach_the_rules(login, bob, dave, charlie, org_a):
    url = reverse("org-rules", args=["acme"])
    assert login(bob).get(url).status_code == 403
    assert (
        login(dave).post(url, {"kra_min": 1, "kra_max": 2, "kpi_min": 1, "kpi_max": 2}).status_code
        == 403
    )
    assert login(charlie).get(url).status_code == 404
    assert (
        login(charlie)
        .post(
            reverse("org-rules", args=["globex"]),
            {"kra_min": 1, "kra_max": 2, "kpi_min": 1, "kpi_max": 2},
        )
        .status_code
        == 302
    )
    org_a.refresh_from_db()
    assert rule_settings(org_a)["kra_max"] == 5


def test_the_org_admin_sets_the_agreements_statements_and_hr_acknowledgement(login, alice, org_a):
    client = login(alice)
    url = reverse("org-rules", args=["acme"])
    page = client.get(url).content.decode()
    for name in (
        "require_hr_acknowledgement",
        "statement_employee",
        "statement_manager",
        "statement_hr",
    ):
        assert f'name="{name}"' in page
    assert "I acknowledge this agreement on behalf of HR." in page
    response = client.post(
        url,
        {
            "kra_min": 3,
            "kra_max": 5,
            "kpi_min": 1,
            "kpi_max": 3,
            "require_alignment": "on",
            "activity_verbs": "conduct",
            "require_hr_acknowledgement": "on",
            "statement_employee": "I agree   to my KRAs.",
            "statement_manager": "I will support this plan.",
            "statement_hr": "Acknowledged for HR.",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    rules = rule_settings(org_a)
    assert rules["require_hr_acknowledgement"] is True
    assert rules["statement_employee"] == "I agree to my KRAs."
    assert rules["statement_manager"] == "I will support this plan."
    assert rules["statement_hr"] == "Acknowledged for HR."
    event = AuditEvent.objects.filter(action="organization.rules").latest("id")
    assert "statement_hr" in event.changes and "require_hr_acknowledgement" in event.changes


def test_an_empty_or_overlong_statement_is_refused_and_nothing_changes(login, alice, org_a):
    client = login(alice)
    base = {"kra_min": 3, "kra_max": 5, "kpi_min": 1, "kpi_max": 3, "activity_verbs": "conduct"}
    response = client.post(
        reverse("org-rules", args=["acme"]),
        {**base, "require_hr_acknowledgement": "on", "statement_employee": "  "},
    )
    assert response.status_code == 200
    assert "Write the statement the signer agrees to." in response.content.decode()
    response = client.post(
        reverse("org-rules", args=["acme"]), {**base, "statement_manager": "x" * 501}
    )
    assert response.status_code == 200
    assert "Keep the statement within 500 characters." in response.content.decode()
    org_a.refresh_from_db()
    rules = rule_settings(org_a)
    assert rules["require_hr_acknowledgement"] is False
    assert rules["statement_employee"].startswith("I have read and agree")


def test_only_org_admins_change_the_agreements_statements(login, bob, charlie, org_a, org_b):
    body = {
        "kra_min": 3,
        "kra_max": 5,
        "kpi_min": 1,
        "kpi_max": 3,
        "statement_hr": "Changed by someone who may not.",
    }
    assert login(bob).post(reverse("org-rules", args=["acme"]), body).status_code == 403
    assert login(charlie).post(reverse("org-rules", args=["acme"]), body).status_code == 404
    org_a.refresh_from_db()
    assert rule_settings(org_a)["statement_hr"] == "I acknowledge this agreement on behalf of HR."


# --- queries --------------------------------------------------------------------------------


def test_the_panel_and_the_list_cost_the_same_for_few_and_many_rows(
    login, alice, org_a, sales, objective, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = make_role(org_a, sales, title="Small"), make_role(org_a, sales, title="Large")
    dept = make_kra(
        org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline", objective=objective
    )
    make_kpi(make_kra(org_a, role=small, title="Only", parent=dept))
    for n in range(10):
        kra = make_kra(org_a, role=large, title=f"Area {n}", parent=dept)
        for m in range(3):
            make_kpi(kra, name=f"Measure number {n} {m}")
        make_kra(
            org_a,
            level=KRALevel.DEPARTMENT,
            department=sales,
            title=f"Dept {n}",
            parent=None,
            objective=objective,
        )
    client = login(alice)

    def cost(url, **extra):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **extra).status_code == 200
        return len(ctx.captured_queries)

    assert cost(panel_url(small), **HX) == cost(panel_url(large), **HX)
    assert cost(panel_url(small)) == cost(panel_url(large))
    with django_assert_max_num_queries(25):
        client.get(panel_url(large), **HX)
    with django_assert_max_num_queries(15):
        client.get(reverse("kra-list", args=["acme"]))
