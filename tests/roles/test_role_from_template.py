"""A new role from a template in one step, and a role made over the API with nothing but a
title."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis.models import KPI
from kpis.template_library import kpi_time_frames
from kras import library
from kras.models import KRA, KRATemplate
from orgs.models import AuditEvent
from orgs.selectors import fiscal_year_bounds
from roles.models import JustificationKind, Role

pytestmark = pytest.mark.django_db

TEMPLATE = "sales.sales-executive"


def url(name, *args, slug="acme"):
    return reverse(name, args=[slug, *args])


def new_role(**overrides) -> dict:
    data = {
        "title": "Account Executive",
        "purpose": "",
        "currency": "USD",
        "justification_kind": JustificationKind.REVENUE,
        "template": TEMPLATE,
    }
    data.update(overrides)
    return data


def _next_month(today: datetime.date) -> int:
    return today.month % 12 + 1


def _most_of_the_year_left(org) -> None:
    """The fiscal year starts this month: no choice of year is asked for."""
    org.fiscal_year_start_month = timezone.localdate().month
    org.save()


# --- the page -----------------------------------------------------------------------------


def test_the_new_role_page_offers_the_library_and_the_organisations_templates(login, alice, org_a):
    KRATemplate.objects.create(org=org_a, name="Acme field sales", content={"kras": []})
    page = login(alice).get(url("role-create")).content.decode()
    assert 'name="template"' in page
    assert f'value="{TEMPLATE}"' in page
    assert library.get(TEMPLATE).title in page
    assert "Acme field sales" in page


def test_a_role_is_created_from_a_template_in_one_step(login, alice, org_a, sales):
    # Given most of the organisation's fiscal year is left
    _most_of_the_year_left(org_a)
    template = library.get(TEMPLATE)

    # When the new-role form is sent with a template
    response = login(alice).post(url("role-create"), new_role(department=sales.pk))

    # Then the role exists with the template's purpose, KRAs and KPIs, in one request
    role = Role.objects.get(org=org_a, title="Account Executive")
    assert response.status_code == 302
    assert response["Location"] == url("role-detail", role.pk)
    assert role.purpose == template.purpose
    kras = KRA.objects.filter(org=org_a, role=role).order_by("position")
    assert [k.title for k in kras] == [k["title"] for k in template.kras]
    kpis = KPI.objects.filter(org=org_a, kra__role=role)
    assert kpis.count() == template.kpi_count
    # ...time-boxed to the current fiscal year
    start, end = fiscal_year_bounds(org=org_a)
    assert {(k.start_date, k.due_date) for k in kpis} == {(start, end)}
    actions = set(AuditEvent.objects.filter(org=org_a).values_list("action", flat=True))
    assert {"role.create", "role.template_apply"} <= actions


def test_without_a_template_the_role_starts_empty(login, alice, org_a, sales):
    response = login(alice).post(url("role-create"), new_role(template="", department=sales.pk))
    role = Role.objects.get(org=org_a, title="Account Executive")
    assert response["Location"] == url("role-detail", role.pk) + "#areas"
    assert not KRA.objects.filter(role=role).exists()


def test_the_fiscal_year_choice_shows_only_when_less_than_a_quarter_is_left(login, alice, org_a):
    today = timezone.localdate()
    client = login(alice)

    org_a.fiscal_year_start_month = today.month  # at least eleven months left
    org_a.save()
    assert 'name="kpi_year"' not in client.get(url("role-create")).content.decode()

    org_a.fiscal_year_start_month = _next_month(today)  # at most a month left
    org_a.save()
    page = client.get(url("role-create")).content.decode()
    assert 'name="kpi_year"' in page
    assert "Next fiscal year" in page


def test_the_next_fiscal_year_can_be_chosen_near_the_end_of_this_one(login, alice, org_a, sales):
    today = timezone.localdate()
    org_a.fiscal_year_start_month = _next_month(today)
    org_a.save()
    _, end = fiscal_year_bounds(org=org_a)
    next_start, next_end = fiscal_year_bounds(org=org_a, today=end + datetime.timedelta(days=1))

    response = login(alice).post(url("role-create"), new_role(department=sales.pk, kpi_year="next"))

    assert response.status_code == 302
    kpis = KPI.objects.filter(org=org_a, kra__role__title="Account Executive")
    assert kpis.exists()
    assert {(k.start_date, k.due_date) for k in kpis} == {(next_start, next_end)}


def test_a_template_that_cannot_be_applied_leaves_no_role_behind(login, alice, org_a, sales):
    _most_of_the_year_left(org_a)
    broken = KRATemplate.objects.create(org=org_a, name="Broken", content={"kras": []})
    response = login(alice).post(
        url("role-create"), new_role(department=sales.pk, template=f"org-{broken.pk}")
    )
    assert response.status_code == 200
    assert "cannot be applied" in response.content.decode()
    assert not Role.objects.filter(org=org_a).exists()


def test_another_organisations_template_is_not_offered_nor_taken(
    login, alice, charlie, org_a, org_b, sales
):
    _most_of_the_year_left(org_a)
    theirs = KRATemplate.objects.create(org=org_b, name="Globex secret playbook", content={})
    client = login(alice)
    assert "Globex secret playbook" not in client.get(url("role-create")).content.decode()
    response = client.post(
        url("role-create"), new_role(department=sales.pk, template=f"org-{theirs.pk}")
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Role.objects.filter(org=org_a).exists()


def test_a_plain_member_cannot_and_another_organisation_sees_nothing(
    login, bob, charlie, org_a, sales
):
    assert login(bob).post(url("role-create"), new_role(department=sales.pk)).status_code == 403
    response = login(charlie).post(url("role-create"), new_role(department=sales.pk))
    assert response.status_code == 404
    assert not Role.objects.filter(org=org_a).exists()


def test_a_department_head_builds_a_role_of_their_department_from_a_template(
    login, dave, org_a, sales
):
    _most_of_the_year_left(org_a)
    response = login(dave).post(url("role-create"), new_role(department=sales.pk))
    assert response.status_code == 302
    role = Role.objects.get(org=org_a, title="Account Executive")
    assert KRA.objects.filter(role=role).count() == len(library.get(TEMPLATE).kras)


@pytest.mark.parametrize(
    ("start_month", "today", "offered"),
    [
        (1, datetime.date(2026, 9, 30), ["current"]),  # 92 of 365 days left
        (1, datetime.date(2026, 10, 5), ["current", "next"]),  # 88 days left
        (4, datetime.date(2027, 3, 31), ["current", "next"]),  # the last day
        (4, datetime.date(2026, 4, 1), ["current"]),  # the first day
    ],
)
def test_kpi_time_frames_offer_the_next_year_in_the_last_quarter(
    org_a, start_month, today, offered
):
    org_a.fiscal_year_start_month = start_month
    frames = kpi_time_frames(org=org_a, today=today)
    assert [f.key for f in frames] == offered
    if len(frames) == 2:
        assert frames[1].start == frames[0].end + datetime.timedelta(days=1)


# --- a role with only a title over the API ------------------------------------------------


def test_the_api_accepts_a_role_with_only_a_title(api, alice, org_a):
    response = api(alice).post(
        reverse("api:role-list", args=[org_a.slug]), {"title": "Chief of Staff"}, format="json"
    )
    assert response.status_code == 201, response.content
    role = Role.objects.get(org=org_a, title="Chief of Staff")
    assert role.justification_kind == JustificationKind.NOT_YET
    assert role.justification_target_date is None

    # Changing something else does not ask for the date either
    response = api(alice).patch(
        reverse("api:role-detail", args=[org_a.slug, role.pk]),
        {"purpose": "Keep the leadership team's promises."},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_saying_not_yet_without_a_date_is_still_refused(api, alice, org_a):
    client = api(alice)
    response = client.post(
        reverse("api:role-list", args=[org_a.slug]),
        {"title": "Chief of Staff", "justification_kind": "not_yet"},
        format="json",
    )
    assert response.status_code == 400
    assert "needs a date" in response.json()["justification_target_date"][0]
    role = Role.objects.create(org=org_a, title="Analyst", justification_kind="revenue")
    response = client.patch(
        reverse("api:role-detail", args=[org_a.slug, role.pk]),
        {"justification_kind": "not_yet"},
        format="json",
    )
    assert response.status_code == 400
    role.refresh_from_db()
    assert role.justification_kind == "revenue"


def test_a_template_page_starts_a_new_role_from_it(login, alice, bob):
    client = login(alice)
    detail = client.get(reverse("kra-template-detail", args=["acme", TEMPLATE])).content.decode()
    link = url("role-create") + f"?template={TEMPLATE}"
    assert f'href="{link}"' in detail
    form = client.get(link).content.decode()
    assert f'<option value="{TEMPLATE}" selected>' in form
    # A member who may not create roles is not offered it
    detail = login(bob).get(reverse("kra-template-detail", args=["acme", TEMPLATE]))
    assert 'data-testid="new-role-from-template"' not in detail.content.decode()
