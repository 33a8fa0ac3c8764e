"""The KRA template library: the shipped files, applying a template to a role, saving a
role as an organisation's template, and who may do each on the pages and over the API."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import KPI, Aggregation, Direction, Frequency, MeasureType
from kpis.template_library import template_apply, template_save_from_role
from kras import library
from kras.models import KRA, KRALevel, KRAStatus, KRATemplate
from kras.org_settings import DEFAULT_ACTIVITY_VERBS
from kras.rules import activity_verb
from orgs.models import AuditEvent
from roles.models import AreaOfFocus, Role
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FAMILIES = {
    "sales",
    "marketing",
    "internal-audit",
    "operations",
    "project-management",
    "hr",
    "product",
    "customer-service",
    "finance-legal",
    "it",
    "procurement",
    "leadership",
    "executive-assistant",
    "payroll",
    "software-development",
    "quality-compliance",
}


# --- the shipped files ------------------------------------------------------------------------


def test_every_shipped_file_is_valid():
    assert library.check_library() == []
    assert {family.key for family in library.families()} == FAMILIES


@pytest.mark.parametrize("template", library.templates(), ids=lambda t: t.key)
def test_every_role_template_adds_up(template):
    assert template.purpose.strip()
    assert 3 <= len(template.kras) <= 5
    assert sum(Decimal(str(k["weight"])) for k in template.kras) == 100
    for kra in template.kras:
        assert 1 <= len(kra["kpis"]) <= 3, kra["title"]
        assert sum(Decimal(str(k["weight"])) for k in kra["kpis"]) == 100, kra["title"]
        assert activity_verb(kra["title"], DEFAULT_ACTIVITY_VERBS) is None, kra["title"]
        for kpi in kra["kpis"]:
            assert kpi["direction"] in Direction.values
            assert kpi["frequency"] in Frequency.values
            assert kpi["aggregation"] in Aggregation.values
            assert kpi["measure_type"] in MeasureType.values
            assert kpi.get("target") is not None or kpi["direction"] == "range", kpi["name"]


def test_every_family_has_one_to_three_roles():
    for family in library.families():
        assert 1 <= len(family.roles) <= 3, family.key


def test_the_library_speaks_the_kpi_vocabulary():
    # kras may not import kpis, so the library keeps its own copy of the choices.
    assert set(library.DIRECTIONS) == set(Direction.values)
    assert set(library.FREQUENCIES) == set(Frequency.values)
    assert set(library.AGGREGATIONS) == set(Aggregation.values)
    assert set(library.MEASURE_TYPES) == set(MeasureType.values)


def test_a_bad_file_is_reported_with_every_problem(tmp_path):
    good = json.loads((library.LIBRARY_DIR / "payroll.json").read_text())
    role = good["roles"][0]
    role["kras"][0]["weight"] = 10
    role["kras"][1]["kpis"][0]["direction"] = "upwards"
    role["kras"][2]["kpis"][0]["frequency"] = "hourly"
    role["kras"][3]["kpis"] = []
    good["family"] = "wrong"
    (tmp_path / "payroll.json").write_text(json.dumps(good))

    problems = "\n".join(library.check_library(tmp_path))

    assert "family must be “payroll”" in problems
    assert "KRA weights total 75, not 100" in problems
    assert "direction must be one of" in problems
    assert "frequency must be one of" in problems
    assert "0 KPIs, not 1 to 3" in problems


def test_search_finds_templates_by_role_kra_or_kpi():
    assert [t.key for t in library.search("payroll specialist")] == ["payroll.payroll-specialist"]
    assert "hr.talent-acquisition-specialist" in {t.key for t in library.search("time to hire")}
    assert library.search("no such thing anywhere") == []


# --- applying and saving --------------------------------------------------------------------


@pytest.fixture
def sales(org_a, alice):
    dave = MembershipFactory(
        org=org_a,
        manager=alice,
        user=UserFactory(email="dave@acme.test", full_name="Dave Head"),
    )
    return DepartmentFactory(org=org_a, name="Sales", head=dave)


@pytest.fixture
def role(org_a, sales):
    return Role.objects.create(org=org_a, department=sales, title="Sales Executive")


def role_kras(role):
    return list(
        KRA.objects.filter(role=role).exclude(status=KRAStatus.RETIRED).order_by("position")
    )


def test_applying_a_template_builds_the_role(alice, role):
    result = template_apply(role=role, actor=alice, template_key="sales.sales-executive")

    template = library.get("sales.sales-executive")
    kras = role_kras(role)
    assert [k.title for k in kras] == [k["title"] for k in template.kras]
    assert sum(k.weight for k in kras) == 100
    for kra, expected in zip(kras, template.kras, strict=True):
        assert kra.level == KRALevel.ROLE and kra.role == role
        assert kra.parent is None and kra.objective is None  # the manager ladders them next
        assert kra.area_of_focus.title == expected["area"]
        kpis = list(kra.kpis.order_by("position"))
        assert [k.name for k in kpis] == [k["name"] for k in expected["kpis"]]
        assert sum(k.weight for k in kpis) == 100
    revenue = KPI.objects.get(kra__role=role, name="Revenue closed")
    assert (revenue.target, revenue.unit, revenue.frequency) == (
        Decimal("250000"),
        "USD",
        "quarterly",
    )
    # Time-boxed to the organisation's current fiscal year, so the T of SMART holds.
    from orgs.selectors import fiscal_year_bounds

    assert (revenue.start_date, revenue.due_date) == fiscal_year_bounds(org=role.org)
    assert result.kpis == KPI.objects.filter(kra__role=role).count() == template.kpi_count
    assert [a.title for a in AreaOfFocus.objects.filter(role=role).order_by("position")] == (
        template.areas_of_focus
    )
    role.refresh_from_db()
    assert role.purpose == template.purpose
    assert AuditEvent.objects.filter(action="role.template_apply", object_id=str(role.pk)).exists()
    assert AuditEvent.objects.filter(action="kra.create").count() == len(kras)


def test_a_role_with_kras_is_refused_unless_replaced(alice, role):
    template_apply(role=role, actor=alice, template_key="sales.sales-executive")
    first = {k.pk for k in role_kras(role)}
    with pytest.raises(Exception) as refused:
        template_apply(role=role, actor=alice, template_key="sales.key-account-manager")
    assert "already has 4 KRAs" in str(refused.value)
    assert {k.pk for k in role_kras(role)} == first

    result = template_apply(
        role=role, actor=alice, template_key="sales.key-account-manager", replace=True
    )

    assert result.retired == 4
    assert KRA.objects.filter(pk__in=first, status=KRAStatus.RETIRED).count() == 4
    assert [k.title for k in role_kras(role)][0] == "Account expansion"


def test_save_from_role_and_apply_elsewhere_round_trip(alice, role, org_a, sales):
    template_apply(role=role, actor=alice, template_key="hr.talent-acquisition-specialist")
    first = role_kras(role)[0]
    first.title = "Time to hire, our way"
    first.save()

    saved = template_save_from_role(role=role, actor=alice, name="Our recruiter")

    assert saved.category == "Sales" and saved.created_by == alice
    assert library.validate_content(saved.content) == []
    other = Role.objects.create(org=org_a, department=sales, title="Recruiter")
    template_apply(role=other, actor=alice, template=saved)
    original, copy = role_kras(role), role_kras(other)
    assert [(k.title, k.weight) for k in copy] == [(k.title, k.weight) for k in original]
    assert copy[0].title == "Time to hire, our way"
    for a, b in zip(original, copy, strict=True):
        fields = ("name", "unit", "direction", "target", "baseline", "frequency", "weight")
        assert list(a.kpis.values_list(*fields)) == list(b.kpis.values_list(*fields))
    assert AuditEvent.objects.filter(action="kra_template.create").exists()


def test_saving_needs_a_unique_name_and_some_kras(alice, role):
    with pytest.raises(Exception, match="no KRAs"):
        template_save_from_role(role=role, actor=alice, name="Empty")
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    template_save_from_role(role=role, actor=alice, name="Payroll")
    with pytest.raises(Exception, match="already has a template"):
        template_save_from_role(role=role, actor=alice, name="payroll")
    assert KRATemplate.objects.count() == 1


# --- pages and API: alice, bob, charlie -------------------------------------------------------


def test_alice_browses_searches_and_previews(login, alice):
    client = login(alice)
    listing = client.get(reverse("kra-template-list", args=["acme"])).content.decode()
    assert "Sales Executive" in listing and "Payroll Specialist" in listing
    found = client.get(reverse("kra-template-list", args=["acme"]), {"q": "uptime"})
    assert "System Administrator" in found.content.decode()
    assert "Payroll Specialist" not in found.content.decode()
    detail = client.get(reverse("kra-template-detail", args=["acme", "sales.sales-executive"]))
    assert "Revenue closed" in detail.content.decode()
    missing = client.get(reverse("kra-template-detail", args=["acme", "sales.no-such-role"]))
    assert missing.status_code == 404


def test_alice_applies_on_the_page_and_lands_on_the_role(login, alice, role):
    url = reverse("kra-template-apply", args=["acme", "sales.sales-executive"])
    client = login(alice)
    assert "Sales Executive · Sales" in client.get(url).content.decode()
    response = client.post(url, {"role": role.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("role-detail", args=["acme", role.pk])
    assert len(role_kras(role)) == 4
    again = client.post(url, {"role": role.pk})
    assert again.status_code == 200 and "already has 4 KRAs" in again.content.decode()


def test_alice_saves_and_deletes_an_org_template_on_the_pages(login, alice, role):
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    client = login(alice)
    response = client.post(
        reverse("kra-template-save", args=["acme"]),
        {"role": role.pk, "name": "Acme payroll", "category": "", "description": "Ours"},
    )
    template = KRATemplate.objects.get(name="Acme payroll")
    assert response["Location"] == reverse(
        "kra-template-detail", args=["acme", f"org-{template.pk}"]
    )
    listing = client.get(reverse("kra-template-list", args=["acme"])).content.decode()
    assert "Acme payroll" in listing
    client.post(reverse("kra-template-delete", args=["acme", f"org-{template.pk}"]))
    assert not KRATemplate.objects.exists()


def test_the_api_lists_previews_applies_saves_and_deletes(api, alice, role):
    client = api(alice)
    listed = client.get(reverse("api:kra-template-list", args=["acme"]), {"q": "payroll"})
    assert listed.status_code == 200
    assert {t["key"] for t in listed.json()["results"]} == {
        "payroll.payroll-manager",
        "payroll.payroll-specialist",
    }
    detail = client.get(reverse("api:kra-template-detail", args=["acme", "it.it-manager"]))
    assert detail.json()["kras"][0]["kpis"][0]["unit"] == "%"

    applied = client.post(
        reverse("api:kra-template-apply", args=["acme", "it.it-manager"]), {"role": role.pk}
    )
    assert applied.status_code == 201, applied.content
    assert applied.json()["kras"] == [k.pk for k in role_kras(role)]

    saved = client.post(
        reverse("api:kra-template-list", args=["acme"]), {"role": role.pk, "name": "IT lead"}
    )
    assert saved.status_code == 201, saved.content
    key = saved.json()["key"]
    assert saved.json()["source"] == "organization" and saved.json()["kra_count"] == 4
    assert client.get(reverse("api:kra-template-detail", args=["acme", key])).status_code == 200
    deleted = client.delete(reverse("api:kra-template-detail", args=["acme", key]))
    assert deleted.status_code == 204 and not KRATemplate.objects.exists()


def test_bob_reads_templates_but_builds_and_saves_nothing(login, api, alice, bob, role):
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    own = template_save_from_role(role=role, actor=alice, name="Alice's")
    kras_before = KRA.objects.count()
    client, token = login(bob), api(bob)

    assert client.get(reverse("kra-template-list", args=["acme"])).status_code == 200
    assert (
        client.get(reverse("kra-template-detail", args=["acme", f"org-{own.pk}"])).status_code
        == 200
    )
    apply_url = reverse("kra-template-apply", args=["acme", "sales.sales-executive"])
    assert client.get(apply_url).status_code == 403
    assert client.post(apply_url, {"role": role.pk, "replace": "on"}).status_code == 403
    save_url = reverse("kra-template-save", args=["acme"])
    assert client.post(save_url, {"role": role.pk, "name": "Bob's"}).status_code == 403
    assert (
        client.post(reverse("kra-template-delete", args=["acme", f"org-{own.pk}"])).status_code
        == 403
    )
    assert (
        token.post(
            reverse("api:kra-template-apply", args=["acme", "sales.sales-executive"]),
            {"role": role.pk, "replace": True},
        ).status_code
        == 403
    )
    assert (
        token.post(
            reverse("api:kra-template-list", args=["acme"]), {"role": role.pk, "name": "Bob's"}
        ).status_code
        == 403
    )
    assert (
        token.delete(reverse("api:kra-template-detail", args=["acme", f"org-{own.pk}"])).status_code
        == 403
    )
    assert KRA.objects.count() == kras_before
    assert list(KRATemplate.objects.values_list("name", flat=True)) == ["Alice's"]


def test_a_manager_builds_only_roles_of_their_department(login, api, org_a, alice, role, sales):
    dave = sales.head
    other = Role.objects.create(
        org=org_a, department=DepartmentFactory(org=org_a, name="IT"), title="Admin"
    )
    client = login(dave)
    url = reverse("kra-template-apply", args=["acme", "it.system-administrator"])
    form = client.get(url).content.decode()
    assert "Sales Executive" in form and ">Admin" not in form
    refused = client.post(url, {"role": other.pk})
    assert refused.status_code == 200 and not role_kras(other)
    assert client.post(url, {"role": role.pk}).status_code == 302
    api_refused = api(dave).post(
        reverse("api:kra-template-apply", args=["acme", "it.system-administrator"]),
        {"role": other.pk},
    )
    assert api_refused.status_code == 403 and not role_kras(other)


def test_only_the_saver_or_an_admin_deletes_an_org_template(api, alice, role, sales):
    dave = sales.head
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    by_alice = template_save_from_role(role=role, actor=alice, name="By alice")
    by_dave = template_save_from_role(role=role, actor=dave, name="By dave")
    url = lambda t: reverse("api:kra-template-detail", args=["acme", f"org-{t.pk}"])  # noqa: E731
    assert api(dave).delete(url(by_alice)).status_code == 403
    assert api(dave).delete(url(by_dave)).status_code == 204
    assert api(alice).delete(url(by_alice)).status_code == 204
    library_url = reverse("api:kra-template-detail", args=["acme", "payroll.payroll-manager"])
    assert api(alice).delete(library_url).status_code == 403


def test_charlie_gets_404_and_cannot_reach_acme_templates_or_roles(
    login, api, alice, charlie, role
):
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    acme_template = template_save_from_role(role=role, actor=alice, name="Acme only")
    globex_role = Role.objects.create(org=charlie.org, title="Globex role")
    client, token = login(charlie), api(charlie)
    key = f"org-{acme_template.pk}"

    # Under acme's slug: 404 for every page and endpoint
    for name, args in (
        ("kra-template-list", []),
        ("kra-template-detail", [key]),
        ("kra-template-apply", ["sales.sales-executive"]),
        ("kra-template-save", []),
    ):
        assert client.get(reverse(name, args=["acme", *args])).status_code == 404
    assert token.get(reverse("api:kra-template-list", args=["acme"])).status_code == 404
    # Under his own slug, acme's template id is unknown
    assert client.get(reverse("kra-template-detail", args=["globex", key])).status_code == 404
    assert client.post(reverse("kra-template-delete", args=["globex", key])).status_code == 404
    assert token.get(reverse("api:kra-template-detail", args=["globex", key])).status_code == 404
    assert token.delete(reverse("api:kra-template-detail", args=["globex", key])).status_code == 404
    assert (
        client.post(
            reverse("kra-template-apply", args=["globex", key]), {"role": globex_role.pk}
        ).status_code
        == 404
    )
    # Acme's role as the target, from globex: refused, nothing built
    page = client.post(
        reverse("kra-template-apply", args=["globex", "sales.sales-executive"]),
        {"role": role.pk, "replace": "on"},
    )
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    answer = token.post(
        reverse("api:kra-template-apply", args=["globex", "sales.sales-executive"]),
        {"role": role.pk, "replace": True},
    )
    assert answer.status_code == 400
    saved = token.post(
        reverse("api:kra-template-list", args=["globex"]), {"role": role.pk, "name": "Stolen"}
    )
    assert saved.status_code == 400
    # His own list shows nothing of acme's
    listing = client.get(reverse("kra-template-list", args=["globex"])).content.decode()
    assert "Acme only" not in listing
    assert [k.title for k in role_kras(role)][0] == "Accurate payroll inputs"
    assert list(KRATemplate.objects.values_list("name", flat=True)) == ["Acme only"]
    assert not KRA.objects.filter(org=charlie.org).exists()


def test_template_lists_cost_the_same_queries_with_more_org_templates(login, api, alice, role):
    template_apply(role=role, actor=alice, template_key="payroll.payroll-specialist")
    client, token = login(alice), api(alice)
    page_url = reverse("kra-template-list", args=["acme"])
    api_url = reverse("api:kra-template-list", args=["acme"])
    client.get(page_url), token.get(api_url)  # a token's first use is recorded once

    def cost() -> tuple[int, int]:
        counts = []
        for c, url in ((client, page_url), (token, api_url)):
            with CaptureQueriesContext(connection) as queries:
                assert c.get(url).status_code == 200
            counts.append(len(queries))
        return tuple(counts)

    template_save_from_role(role=role, actor=alice, name="One")
    few = cost()
    for n in range(10):
        template_save_from_role(role=role, actor=alice, name=f"More {n}")
    assert cost() == few
