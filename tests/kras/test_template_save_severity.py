"""Saving a role as a template judges its KPIs as drafting does: what the editor only warns
about (a baseline on the wrong side of the target, no target or unit yet) stays a warning,
on the page and over the API; the shipped library alone refuses it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI
from kpis.readiness import kpi_smart
from kpis.services import kpi_create
from kpis.template_library import template_apply, template_save_warnings
from kras import library
from kras.models import KRALevel, KRATemplate
from kras.services import kra_create
from roles.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(org_a, alice):
    """A role whose KPIs the editor accepted with warnings."""
    role = Role.objects.create(org=org_a, title="Support Lead")
    kra = kra_create(
        org=org_a, actor=alice, level=KRALevel.ROLE, title="Fast answers", role=role, weight=100
    )
    # Lower is better, yet the target is above the baseline
    backwards = kpi_create(
        kra=kra,
        actor=alice,
        name="First response time in hours",
        direction="decrease",
        unit="hours",
        baseline=Decimal("4"),
        target=Decimal("8"),
        weight=Decimal("60"),
    )
    # Not measurable yet: no target, no unit
    unfinished = kpi_create(kra=kra, actor=alice, name="Customer effort", weight=Decimal("40"))
    assert "A" in kpi_smart(backwards)["failing"]
    assert "M" in kpi_smart(unfinished)["failing"]
    return role


def test_the_page_saves_a_drafted_role_and_repeats_the_drafting_warnings(login, alice, drafted):
    response = login(alice).post(
        reverse("kra-template-save", args=[alice.org.slug]),
        {"role": drafted.pk, "name": "Support playbook", "category": ""},
        follow=True,
    )

    assert response.status_code == 200
    template = KRATemplate.objects.get(org=alice.org, name="Support playbook")
    kpis = template.content["kras"][0]["kpis"]
    assert (kpis[0]["baseline"], kpis[0]["target"]) == (4, 8)
    assert kpis[1]["target"] is None
    page = response.content.decode()
    assert "Saved the template" in page
    assert "message-warning" in page
    assert "lower is better, yet the target (8) is above the baseline (4)" in page
    assert "Measurable: needs a numeric target" in page


def test_the_api_saves_a_drafted_role_too(api, alice, drafted):
    response = api(alice).post(
        reverse("api:kra-template-list", args=[alice.org.slug]),
        {"role": drafted.pk, "name": "Support playbook"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert KRATemplate.objects.filter(org=alice.org, name="Support playbook").exists()


def test_the_warnings_are_the_editors_own(drafted):
    warnings = template_save_warnings(drafted)
    expected = [
        f"{kpi.name}: {item['message']}"
        for kpi in KPI.objects.filter(kra__role=drafted).order_by("position")
        for item in kpi_smart(kpi)["letters"]
        if item["letter"] in ("M", "A") and not item["ok"]
    ]
    assert warnings == expected and len(warnings) == 2


def test_a_template_saved_from_a_drafted_role_applies_as_drafted(alice, drafted, org_a):
    from kpis.template_library import template_save_from_role

    template = template_save_from_role(role=drafted, actor=alice, name="Support playbook")
    other = Role.objects.create(org=org_a, title="Support Lead, nights")

    template_apply(role=other, actor=alice, template=template)

    copied = KPI.objects.filter(kra__role=other).order_by("position")
    assert [(k.baseline, k.target) for k in copied] == [(Decimal("4"), Decimal("8")), (None, None)]


def test_the_shipped_library_still_refuses_a_backwards_baseline():
    content = library.get("sales.sales-executive").content
    kpi = dict(content["kras"][0]["kpis"][0], baseline=999999, target=10)
    kras = [dict(content["kras"][0], kpis=[kpi, *content["kras"][0]["kpis"][1:]])]
    backwards = {**content, "kras": kras + content["kras"][1:]}
    assert any("far side of the target" in p for p in library.validate_content(backwards))
    assert library.validate_content(backwards, strict=False) == []
