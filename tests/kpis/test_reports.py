"""The department and organisation reports: achievement by department (year to date, per month,
consistency and persistent shortfalls), by strategic objective (docs/DOMAIN.md rule R48), the
distribution of person scores; the same numbers over the API; who reads them; constant
queries. The organisation and its hand-worked numbers: tests/kpis/test_reports_support.py.
alice is an org admin, bob a plain member, dana heads Sales (above Inside Sales), charlie is
in another organisation."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import report_selectors, rollups
from kpis.measurements import measurement_bulk_upsert
from kpis.report_selectors import Figure, Month, consistency
from orgs.services import api_token_create
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_role

from .test_reports_support import AS_OF, build_reports, person, role_kra

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(alice, bob):
    return build_reports(alice, bob)


PAGES = ("report-departments", "report-objectives", "report-distribution")


def _get(client, viewer, name, slug=None, **query):
    client.force_login(viewer.user)
    return client.get(reverse(name, args=[slug or viewer.org.slug]), query)


def _row(body, testid, attr, pk):
    match = re.search(rf'<tr data-testid="{testid}" data-{attr}="{pk}">(.*?)</tr>', body, re.S)
    assert match, f"{testid} {pk} not on the page"
    return match.group(1)


def _figures(html) -> list[str]:
    """The achievements and "no data" cells of a piece of the page, in order."""
    return re.findall(r'data-testid="(?:achievement|no-data)">([^<]*)<', html)


# --- by department ---------------------------------------------------------------------------


def test_the_department_report_gives_each_departments_score_with_completeness(client, reports):
    body = _get(client, reports.alice, "report-departments").content.decode()
    sales = _row(body, "department-row", "department", reports.sales.pk)
    assert "96.5%" in sales and "on track" in sales and "4 of 4 periods" in sales
    inside = _row(body, "department-row", "department", reports.inside.pk)
    assert "49.4%" in inside and "off track" in inside and "6 of 8 periods" in inside
    engineering = _row(body, "department-row", "department", reports.engineering.pk)
    assert "80%" in engineering and "at risk" in engineering and "1 of 4 periods" in engineering
    assert '<td data-label="People with a score" data-testid="people">1 / 2</td>' in engineering
    total = body.split('data-testid="report-total"')[1].split("</article>")[0]
    assert "Acme" in total and "75.3%" in total and "data for 11 of 16 periods" in total


def test_a_department_without_data_says_no_data_never_zero(client, reports):
    body = _get(client, reports.alice, "report-departments").content.decode()
    executive = _row(body, "department-row", "department", reports.executive.pk)
    assert "no data" in executive and "0%" not in executive
    months = _row(body, "department-month-row", "department", reports.engineering.pk)
    assert _figures(months) == ["no data", "80%", "no data", "no data"]
    months = _row(body, "department-month-row", "department", reports.inside.pk)
    assert _figures(months) == ["45%", "50%", "65%", "60%"]


def test_consistent_departments_and_persistent_shortfalls_are_named(client, reports):
    body = _get(client, reports.alice, "report-departments").content.decode()
    consistent = body.split('data-testid="consistent"')[1].split("</section>")[0]
    assert re.findall(r'data-testid="consistent-department">([^<]*) <', consistent) == ["Sales"]
    shortfalls = body.split('data-testid="shortfalls"')[1].split("</section>")[0]
    assert re.findall(r'data-testid="shortfall-department">([^<]*) <', shortfalls) == [
        "Inside Sales"
    ]
    assert "off track 4 months running" in shortfalls


def _months(*starts):
    months = []
    for start in starts:
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        months.append(Month(start, end - datetime.timedelta(days=1)))
    return months


def _f(status):
    return None if status is None else Figure(Decimal("0.5"), 1, 1, status)


def test_consistency_counts_complete_months_only_and_no_data_ends_a_run():
    months = _months(*(datetime.date(2026, m, 1) for m in range(1, 9)))
    figures = [_f(s) for s in ["off_track"] * 2 + ["on_track"] * 5 + ["off_track"]]
    # August has not ended: the last six complete months are February to July.
    answer = consistency(figures, months, datetime.date(2026, 8, 20))
    assert (answer.months, answer.on_track, answer.off_track_run) == (6, 5, 0)
    assert not answer.consistent and not answer.persistent_shortfall
    answer = consistency(figures[2:7], months[2:7], datetime.date(2026, 8, 1))
    assert answer.consistent and answer.on_track == 5
    shortfall = [_f("on_track"), _f("off_track"), None, _f("off_track"), _f("off_track")]
    answer = consistency(shortfall, months[:5], datetime.date(2026, 6, 1))
    assert answer.off_track_run == 2 and answer.persistent_shortfall and answer.no_data == 1
    broken = [_f("off_track"), _f("off_track"), None]
    assert consistency(broken, months[:3], datetime.date(2026, 6, 1)).off_track_run == 0
    # Two months are too few to call anything consistent.
    early = consistency([_f("on_track")] * 2, months[:2], datetime.date(2026, 6, 1))
    assert early.on_track == 2 and not early.consistent


def test_while_april_runs_the_report_looks_at_january_to_march(reports):
    report = report_selectors.department_report(reports.alice.org, None, datetime.date(2026, 4, 20))
    rows = {r.name: r.consistency for r in report.rows}
    assert (rows["Sales"].months, rows["Sales"].on_track, rows["Sales"].consistent) == (3, 3, True)
    assert rows["Inside Sales"].off_track_run == 3


def test_a_department_head_reads_the_departments_they_head_and_below(client, reports):
    body = _get(client, reports.dana, "report-departments").content.decode()
    shown = re.findall(r'data-testid="department-row" data-department="(\d+)"', body)
    assert shown == [str(reports.sales.pk), str(reports.inside.pk)]
    assert "Engineering" not in body and "Gina" not in body
    total = body.split('data-testid="report-total"')[1].split("</article>")[0]
    assert "Your departments" in total and "72.9%" in total
    assert "2 of 3 people have a score" in total


# --- by objective ----------------------------------------------------------------------------


def test_each_objective_is_the_mean_of_the_kra_scores_laddering_to_it(client, reports):
    body = _get(client, reports.alice, "report-objectives").content.decode()
    grow = _row(body, "objective-row", "objective", reports.grow.pk)
    # bob's Revenue 0.965 and erin's Upsell 0.4, which reaches it past a retired objective.
    assert "68.3%" in grow and "6 of 8 periods" in grow
    assert '<td data-label="People" data-testid="people">2</td>' in grow
    delight = _row(body, "objective-row", "objective", reports.delight.pk)
    assert "58.8%" in delight and "off track" in delight
    abroad = _row(body, "objective-row", "objective", reports.abroad.pk)
    assert "no data" in abroad and "0%" not in abroad
    unaligned = _row(body, "objective-row", "objective", "none")
    assert "Supports no active objective" in unaligned and "80%" in unaligned
    assert "Old aim" not in body  # retired


def test_a_department_heads_objective_report_counts_their_people_only(reports):
    report = report_selectors.objective_report(
        reports.alice.org, {reports.sales.pk, reports.inside.pk}
    )
    figures = {row.name: row.ytd and row.ytd.achievement for row in report.rows}
    assert figures["Grow revenue"] == Decimal("0.6825")
    assert report.unaligned is None  # gina's is Engineering's


# --- the distribution ------------------------------------------------------------------------


def test_the_distribution_counts_people_by_band_and_those_without_data(client, reports):
    body = _get(client, reports.alice, "report-distribution").content.decode()
    counts = dict(re.findall(r'data-band="(\w+)">.*?data-testid="band-people">(\d+)<', body, re.S))
    assert counts == {"off_track": "1", "at_risk": "1", "on_track": "1", "no_data": "3"}
    assert '"total-people">6<' in body
    assert "70% to below 90%" in body
    chart = re.search(r"<svg.*?</svg>", body, re.S).group(0)
    assert "band-off_track" in chart and "band-no_data" in chart
    assert "<script" not in chart and "style=" not in chart


def test_the_distribution_follows_the_thresholds_and_the_heads_departments(client, reports):
    org = reports.alice.org
    org.settings = {"on_track_threshold": "0.8", "at_risk_threshold": "0.4"}
    org.save(update_fields=["settings"])
    report = report_selectors.score_distribution(org, None)
    assert [b.people for b in report.bands] == [0, 1, 2, 3]  # erin at risk; gina on track
    body = _get(client, reports.dana, "report-distribution").content.decode()
    counts = dict(re.findall(r'data-band="(\w+)">.*?data-testid="band-people">(\d+)<', body, re.S))
    assert counts == {"off_track": "0", "at_risk": "1", "on_track": "1", "no_data": "1"}


# --- the API: the same numbers ---------------------------------------------------------------


def _api(viewer, name, slug=None):
    """A GET with a token of ``viewer``'s own organisation."""
    _token, raw = api_token_create(member=viewer, name="reports")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get(reverse(f"api:{name}", kwargs={"org_slug": slug or viewer.org.slug}))


def test_the_api_gives_the_pages_numbers(reports):
    data = _api(reports.alice, "report-departments").json()
    by_name = {row["name"]: row for row in data["departments"]}
    assert by_name["Inside Sales"]["ytd"]["percent"] == "49.4"
    assert by_name["Inside Sales"]["ytd"]["achievement"] == "0.493750"
    assert by_name["Inside Sales"]["consistency"]["persistent_shortfall"] is True
    assert by_name["Sales"]["consistency"]["consistent"] is True
    assert by_name["Executive"]["ytd"] is None
    assert by_name["Engineering"]["months"][0]["figure"]["achievement"] is None
    assert data["total"]["ytd"]["percent"] == "75.3"
    objectives = _api(reports.alice, "report-objectives").json()
    assert [(o["name"], o["ytd"] and o["ytd"]["percent"]) for o in objectives["objectives"]] == [
        ("Grow revenue", "68.3"),
        ("Delight customers", "58.8"),
        ("Expand abroad", None),
    ]
    assert objectives["unaligned"]["ytd"]["percent"] == "80.0"
    distribution = _api(reports.alice, "report-distribution").json()
    assert [(b["key"], b["people"]) for b in distribution["bands"]] == [
        ("off_track", 1),
        ("at_risk", 1),
        ("on_track", 1),
        ("no_data", 3),
    ]
    dana = _api(reports.dana, "report-departments").json()
    assert [row["name"] for row in dana["departments"]] == ["Sales", "Inside Sales"]
    assert dana["everyone"] is False


# --- who reads the reports -------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_alice_reads_every_report(client, reports, name):
    assert _get(client, reports.alice, name).status_code == 200
    assert _api(reports.alice, name).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_bob_who_heads_no_department_is_refused(client, reports, name):
    assert _get(client, reports.bob, name).status_code == 403
    assert _get(client, reports.bob, name, export="csv").status_code == 403
    assert _api(reports.bob, name).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_charlie_gets_404_for_another_organisations_reports(client, charlie, reports, name):
    slug = reports.alice.org.slug
    response = _get(client, charlie, name, slug=slug)
    assert response.status_code == 404 and "Sales" not in response.content.decode()
    assert _get(client, charlie, name, slug=slug, export="xlsx").status_code == 404
    assert _api(charlie, name, slug=slug).status_code == 404
    # His own organisation's report holds nothing of acme.
    own = _get(client, charlie, name).content.decode()
    assert "Sales" not in own and "Grow revenue" not in own


def test_the_team_grid_links_heads_and_hr_to_the_reports(client, reports):
    link = 'data-testid="reports-link"'
    assert link in _get(client, reports.dana, "team-results").content.decode()
    assert link in _get(client, reports.alice, "team-results").content.decode()
    assert link not in _get(client, reports.bob, "team-results").content.decode()


def test_hr_finds_the_reports_in_the_menu(client, reports):
    nav = 'data-testid="nav-reports"'
    assert nav in _get(client, reports.alice, "my-kpis").content.decode()
    assert nav not in _get(client, reports.dana, "my-kpis").content.decode()


# --- constant queries ------------------------------------------------------------------------


def _grow(org, alice, size):
    """``size`` departments under one, each with two people holding a KPI with data."""
    top = DepartmentFactory(org=org, name="Top", head=alice)
    rows = []
    for n in range(size):
        department = DepartmentFactory(org=org, name=f"Team {n}", parent=top)
        for m in range(2):
            member = person(org, f"P{n}-{m}", f"p{n}.{m}@acme.test", department, alice)
            kpi = role_kra(member, make_role(org, department, f"Role {n}-{m}"), f"KRA {n}")
            rows.append(
                {"kpi": kpi.pk, "person": member.pk, "period_start": "2026-02-01", "value": "85"}
            )
    measurement_bulk_upsert(org=org, actor=None, rows=rows)
    rollups.rollup_organization(org.pk, as_of=AS_OF)


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.parametrize("name", PAGES)
def test_each_report_costs_the_same_queries_whatever_the_organisations_size(
    client, alice, name, size, django_assert_max_num_queries
):
    _grow(alice.org, alice, size)
    client.force_login(alice.user)
    url = reverse(name, args=[alice.org.slug])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    if name == "report-departments":
        assert response.content.decode().count('data-testid="department-row"') == size + 1
    with django_assert_max_num_queries(16):
        assert client.get(url, {"export": "xlsx"}).status_code == 200
    _token, raw = api_token_create(member=alice, name="reports")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_url = reverse(f"api:{name}", kwargs={"org_slug": alice.org.slug})
    with django_assert_max_num_queries(18):
        assert api.get(api_url).status_code == 200


def test_a_heads_report_costs_the_same_queries_too(
    client, alice, bob, django_assert_max_num_queries
):
    reports = build_reports(alice, bob)
    client.force_login(reports.dana.user)
    for name in PAGES:
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name, args=[alice.org.slug])).status_code == 200
