"""The results dashboards: a person's results (year to date, status, completeness, "no data",
a trend chart per KPI), the breakdown of their scores, a manager's team grid. They read the
precomputed scores only. alice is an org admin, bob a plain member reporting to her, charlie
in another organisation."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from kpis import rollups
from kpis.charts import _trend_inputs, chart_key, trend_svg
from kpis.measurements import measurement_bulk_upsert
from kpis.models import KPI
from tests.factories import MembershipFactory

from .test_measure_support import holder_of

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 4, 15)


def _value(kpi, person, start, value):
    return {"kpi": kpi.pk, "person": person.pk, "period_start": start, "value": value}


@pytest.fixture
def bobs_scores(bob):
    """The worked case of tests/kpis/test_rollups.py: Sales 1.05 (weight 60), Calls 0.5
    (weight 40), so the KRA and bob score 0.83; a third KPI has no data."""
    org = bob.org
    sales = holder_of(bob, name="Sales", target=Decimal(100), weight=Decimal(60))
    calls = KPI.objects.create(
        org=org, kra=sales.kra, name="Calls", target=Decimal(50), weight=Decimal(40), position=2
    )
    visits = KPI.objects.create(
        org=org, kra=sales.kra, name="Visits", target=Decimal(9), weight=Decimal(0), position=3
    )
    rows = [
        _value(sales, bob, "2026-01-01", "90"),
        _value(sales, bob, "2026-03-01", "150"),
        _value(calls, bob, "2026-02-01", "25"),
    ]
    measurement_bulk_upsert(org=org, actor=None, rows=rows)
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    return sales, calls, visits


def _results(client, viewer, person, name="person-results"):
    client.force_login(viewer.user)
    return client.get(reverse(name, args=[person.org.slug, person.pk]))


def _block(body, testid, attr, pk):
    match = re.search(
        rf'data-testid="{testid}" data-{attr}="{pk}">(.*?)</(article|section)>', body, re.S
    )
    assert match, f"{testid} {pk} not on the page"
    return match.group(1)


# --- the person's page -----------------------------------------------------------------------


def test_my_results_show_each_kra_and_kpi_year_to_date_with_status(client, bob, bobs_scores):
    sales, calls, visits = bobs_scores
    body = _results(client, bob, bob).content.decode()
    assert "My results" in body
    kra = _block(body, "kra-result", "kra", sales.kra_id)
    assert "83%" in kra and "at risk" in kra  # 0.83: below 0.9, at or above 0.7
    sales_block = _block(body, "kpi-result", "kpi", sales.pk)
    assert "105%" in sales_block and "on track" in sales_block
    assert "data for 2 of 4 periods" in sales_block
    calls_block = _block(body, "kpi-result", "kpi", calls.pk)
    assert "50%" in calls_block and "off track" in calls_block
    assert 'data-testid="trend-chart"' in sales_block and "<svg" in sales_block


def test_a_kpi_without_data_says_no_data_never_zero(client, bob, bobs_scores):
    _sales, _calls, visits = bobs_scores
    block = _block(_results(client, bob, bob).content.decode(), "kpi-result", "kpi", visits.pk)
    assert "no data" in block
    assert "0%" not in block
    assert 'data-testid="trend-chart"' not in block


def test_the_status_follows_the_organisations_thresholds(client, bob, bobs_scores):
    sales, _calls, _visits = bobs_scores
    bob.org.settings = {"on_track_threshold": "0.8", "at_risk_threshold": "0.6"}
    bob.org.save(update_fields=["settings"])
    kra = _block(_results(client, bob, bob).content.decode(), "kra-result", "kra", sales.kra_id)
    assert "on track" in kra


def test_the_page_says_when_scores_were_last_computed(client, bob, bobs_scores):
    body = _results(client, bob, bob).content.decode()
    assert "Scores last computed" in body


def test_someone_without_scores_is_told_so(client, alice):
    body = _results(client, alice, alice).content.decode()
    assert 'data-testid="no-results"' in body and "Scores have not been computed yet" in body


def test_the_trend_chart_carries_no_script_and_no_inline_style(client, bob, bobs_scores):
    response = _results(client, bob, bob)
    body = response.content.decode()
    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert charts
    for svg in charts:
        assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert "script-src" in response.headers["Content-Security-Policy"]


def test_the_chart_draws_the_target_and_both_thresholds_and_leaves_a_gap_for_no_data():
    svg = trend_svg(
        [(datetime.date(2026, 1, 1), Decimal("0.9")), (datetime.date(2026, 2, 1), None)],
        on_track=Decimal("0.9"),
        at_risk=Decimal("0.7"),
    )
    for name in ("Achievement", "Target", "On track", "At risk"):
        assert name in svg
    assert svg.count('class="dot reactive tooltip-trigger"') == 1  # the gap has no dot


def test_the_chart_does_not_bridge_a_period_without_data():
    days = [datetime.date(2026, m, 1) for m in (1, 2, 3, 4, 5)]
    values = [Decimal("0.9"), Decimal("1"), None, Decimal("1.1"), Decimal("0.8")]
    svg = trend_svg(
        list(zip(days, values, strict=True)),
        on_track=Decimal("0.9"),
        at_risk=Decimal("0.7"),
    )
    # The achievement in two pieces, then the target and the two thresholds.
    assert svg.count('class="line reactive nofill"') == 5
    assert "<script" not in svg and "<style" not in svg


def test_a_chart_is_drawn_once_per_set_of_inputs_and_never_served_stale():
    points = [(datetime.date(2026, 1, 1), Decimal("0.8")), (datetime.date(2026, 2, 1), None)]
    limits = {"on_track": Decimal("0.9"), "at_risk": Decimal("0.7")}
    inputs = _trend_inputs(points, limits["on_track"], limits["at_risk"], "")
    key = chart_key("trend", inputs)
    cache.delete(key)
    first = trend_svg(points, **limits)
    assert cache.get(key) == first
    cache.set(key, "<svg>kept</svg>")
    assert trend_svg(points, **limits) == "<svg>kept</svg>"  # the kept one is served
    # Another value, threshold or language is another chart, never the kept one.
    moved = trend_svg([points[0], (points[1][0], Decimal("1.1"))], **limits)
    assert moved.count('class="dot reactive tooltip-trigger"') == 2
    stricter = trend_svg(points, on_track=Decimal("0.95"), at_risk=Decimal("0.7"))
    assert stricter.startswith("<svg") and "kept" not in stricter
    with translation.override("fr"):
        assert chart_key("trend", inputs) != key
    cache.delete(key)


def test_my_kpis_links_to_my_results(client, bob):
    client.force_login(bob.user)
    body = client.get(reverse("my-kpis", args=[bob.org.slug])).content.decode()
    assert reverse("person-results", args=[bob.org.slug, bob.pk]) in body


# --- who sees a person's results --------------------------------------------------------------


def test_alice_reads_bobs_results(client, alice, bob, bobs_scores):
    response = _results(client, alice, bob)
    assert response.status_code == 200
    assert "Results of Bob Member" in response.content.decode()


def test_bob_reads_his_reports_results_but_not_his_managers(client, alice, bob):
    report = MembershipFactory(org=bob.org, manager=bob)
    assert _results(client, bob, report).status_code == 200
    assert _results(client, bob, alice).status_code == 403
    assert _results(client, bob, alice, "person-results-breakdown").status_code == 403


def test_charlie_gets_404_for_results_of_another_organisation(client, charlie, bob, bobs_scores):
    for name in ("person-results", "person-results-breakdown"):
        response = _results(client, charlie, bob, name)
        assert response.status_code == 404
        assert "Sales" not in response.content.decode()
    # Nor through his own organisation's slug with bob's id.
    client.force_login(charlie.user)
    url = reverse("person-results", args=[charlie.org.slug, bob.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [2, 8])
def test_the_person_page_costs_the_same_queries_whatever_the_number_of_kpis(
    client, bob, count, django_assert_max_num_queries
):
    kpis = [holder_of(bob, name=f"KPI {n}") for n in range(count)]
    rows = [_value(k, bob, "2026-02-01", "70") for k in kpis]
    measurement_bulk_upsert(org=bob.org, actor=None, rows=rows)
    rollups.rollup_organization(bob.org.pk, as_of=AS_OF)
    client.force_login(bob.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("person-results", args=[bob.org.slug, bob.pk]))
    assert response.content.decode().count('data-testid="kpi-result"') == count
    with django_assert_max_num_queries(14):
        client.get(reverse("person-results-breakdown", args=[bob.org.slug, bob.pk]))


# --- the breakdown ---------------------------------------------------------------------------


def test_the_breakdown_gives_each_inputs_weight_and_contribution_and_the_total(
    client, bob, bobs_scores
):
    sales, _calls, _visits = bobs_scores
    body = _results(client, bob, bob, "person-results-breakdown").content.decode()
    kra = _block(body, "kra-breakdown", "kra", sales.kra_id)
    # (60 × 1.05 + 40 × 0.5) / (60 + 40): Visits has no data and counts in neither sum.
    assert re.findall(r'data-testid="breakdown-contribution">([^<]*)<', kra) == [
        "0.6300",
        "0.2000",
    ]
    assert '<td data-testid="breakdown-divisor">100</td>' in kra
    assert '"breakdown-total">0.8300<' in kra
    assert "no data" in kra
    # The overall score: the one KRA, weight 100, 0.83.
    overall = body.split('data-testid="person-breakdown"')[1].split('data-testid="kra-breakdown"')[
        0
    ]
    assert '"breakdown-contribution">0.8300<' in overall
    assert '"breakdown-total">0.8300<' in overall


# --- the team grid ---------------------------------------------------------------------------


def _team(client, viewer, slug=None):
    client.force_login(viewer.user)
    return client.get(reverse("team-results", args=[slug or viewer.org.slug]))


def test_alice_sees_her_reports_kras_coloured_by_status_and_drills_down(
    client, alice, bob, bobs_scores
):
    MembershipFactory(org=bob.org, manager=alice)  # no role: missing data
    body = _team(client, alice).content.decode()
    row = _block(body, "team-row", "person", bob.pk)
    assert 'class="dash-cell dash-cell-at_risk"' in row
    assert reverse("person-results", args=[bob.org.slug, bob.pk]) in row
    assert body.count('data-testid="team-row"') == 2
    assert 'data-testid="missing-data"' in body
    assert 'style="' not in row


def test_my_team_links_to_the_team_grid(client, alice):
    client.force_login(alice.user)
    body = client.get(reverse("my-team", args=[alice.org.slug])).content.decode()
    assert reverse("team-results", args=[alice.org.slug]) in body


def test_bob_with_no_reports_sees_nobody(client, alice, bob, bobs_scores):
    body = _team(client, bob).content.decode()
    assert 'data-testid="no-reports"' in body and "Alice" not in body


def test_charlie_gets_404_for_another_organisations_team_grid(client, charlie, bob, bobs_scores):
    response = _team(client, charlie, bob.org.slug)
    assert response.status_code == 404
    assert "Bob" not in response.content.decode()


@pytest.mark.parametrize("count", [2, 8])
def test_the_team_grid_costs_the_same_queries_whatever_the_team_size(
    client, alice, count, django_assert_max_num_queries
):
    people = [MembershipFactory(org=alice.org, manager=alice) for _n in range(count)]
    kpis = [holder_of(p) for p in people]
    rows = [_value(k, p, "2026-02-01", "95") for k, p in zip(kpis, people, strict=True)]
    measurement_bulk_upsert(org=alice.org, actor=None, rows=rows)
    rollups.rollup_organization(alice.org.pk, as_of=AS_OF)
    client.force_login(alice.user)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("team-results", args=[alice.org.slug])).content.decode()
    assert body.count('data-testid="team-row"') == count
    assert body.count("dash-cell-on_track") == count
