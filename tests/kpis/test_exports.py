"""Every results table downloads as CSV and XLSX with the numbers its page shows, text a
spreadsheet would run as a formula neutralised, under the page's own access rule
(docs/DOMAIN.md rule R50). The organisation: tests/kpis/test_reports_support.py."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from kpis import rollups
from kpis.exports import FORMULA_STARTS, ExportTable, neutralise, percent
from kpis.measurements import measurement_bulk_upsert
from orgs.models import Membership
from tests.factories import MembershipFactory

from .test_measure_support import holder_of
from .test_reports_support import AS_OF, build_reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(alice, bob):
    return build_reports(alice, bob)


def _download(client, viewer, name, fmt, *args):
    client.force_login(viewer.user)
    response = client.get(reverse(name, args=[viewer.org.slug, *args]), {"export": fmt})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    return response


def _rows(response, fmt) -> list[list[str]]:
    """The file's rows as text, as a person opening it would read each cell."""
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return [row for row in csv.reader(io.StringIO(text))]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = []
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula in {cell.coordinate}: {cell.value}"
        rows.append(["" if c.value is None else str(c.value) for c in row])
    return rows


def _by_first(rows) -> dict[str, dict[str, str]]:
    headers = rows[0]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}


def _number(text) -> Decimal:
    return Decimal(text.replace(",", "").rstrip("%"))


FORMATS = ["csv", "xlsx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_department_export_holds_the_pages_numbers(client, reports, fmt):
    client.force_login(reports.alice.user)
    page = client.get(reverse("report-departments", args=[reports.alice.org.slug])).content
    page = page.decode()
    rows = _by_first(_rows(_download(client, reports.alice, "report-departments", fmt), fmt))
    for department in (reports.sales, reports.inside, reports.engineering):
        shown = re.search(
            rf'data-testid="department-row" data-department="{department.pk}">.*?'
            r'data-testid="achievement">([^<]*)<',
            page,
            re.S,
        ).group(1)
        assert _number(rows[department.name]["Achievement %"]) == _number(shown)
    assert rows["Executive"]["Achievement %"] == "no data"
    assert rows["Sales"]["Consistently on track"] == "yes"
    assert rows["Inside Sales"]["Persistent shortfall"] == "yes"
    assert rows["Inside Sales"]["Months off track running"] == "4"
    assert rows["Inside Sales"]["Periods with data"] == "6"
    assert rows["Inside Sales"]["Periods expected"] == "8"
    assert [rows["Engineering"][m] for m in ("Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026")] == [
        "no data",
        "80",
        "no data",
        "no data",
    ]
    assert _number(rows["Acme Robotics"]["Achievement %"]) == Decimal("75.3")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_objective_export_holds_the_pages_numbers(client, reports, fmt):
    rows = _by_first(_rows(_download(client, reports.alice, "report-objectives", fmt), fmt))
    assert _number(rows["Grow revenue"]["Achievement %"]) == Decimal("68.3")
    assert rows["Grow revenue"]["People"] == "2"
    assert _number(rows["Delight customers"]["Achievement %"]) == Decimal("58.8")
    assert rows["Expand abroad"]["Achievement %"] == "no data"
    assert rows["Expand abroad"]["Status"] == "no data"
    assert _number(rows["Supports no active objective"]["Achievement %"]) == Decimal("80")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_distribution_export_holds_the_pages_counts(client, reports, fmt):
    rows = _by_first(_rows(_download(client, reports.alice, "report-distribution", fmt), fmt))
    assert {band: rows[band]["People"] for band in rows} == {
        "Off track": "1",
        "At risk": "1",
        "On track": "1",
        "No data": "3",
        "Total": "6",
    }
    assert _number(rows["At risk"]["From %"]) == 70 and _number(rows["At risk"]["Below %"]) == 90


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_persons_results_export_holds_the_pages_numbers(client, reports, fmt):
    erin = reports.erin
    client.force_login(reports.dana.user)
    page = client.get(reverse("person-results", args=[erin.org.slug, erin.pk])).content.decode()
    shown = re.findall(r'data-testid="achievement">([^<]*)<', page)
    rows = _rows(_download(client, reports.dana, "person-results", fmt, erin.pk), fmt)
    header = rows[0]
    exported = [r[header.index("Achievement %")] for r in rows[1:]]
    # The overall score, each KRA, then its KPI: the page's order.
    assert [_number(x) for x in exported] == [_number(x) for x in shown]
    assert exported[0] in ("49.4", "49.4%") or _number(exported[0]) == Decimal("49.4")
    kinds = [(r[header.index("KRA")], r[header.index("KPI")]) for r in rows[1:]]
    assert kinds[0] == ("Overall", "")
    assert ("Retention", "Retention figure") in kinds


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_team_export_neutralises_a_name_a_spreadsheet_would_run(client, reports, fmt):
    evil = '=HYPERLINK("http://evil.test","Click me")'
    user = reports.gina.user
    user.full_name = evil
    user.save(update_fields=["full_name"])
    Membership.objects.filter(pk=reports.frank.pk).update(manager=reports.gina)
    rows = _rows(_download(client, reports.alice, "team-results", fmt), fmt)
    names = [row[0] for row in rows[1:]]
    assert "'" + evil in names and evil not in names
    gina = [r for r in rows[1:] if r[0] == "'" + evil]
    assert [(r[1], r[2]) for r in gina] == [("Overall", "80"), ("Platform", "80")]
    # Everyone who reports to alice, not one page of them: bob, dana and gina.
    assert {r[0] for r in rows[1:]} == {"Bob Member", "Dana Head", "'" + evil}
    dana = [r for r in rows[1:] if r[0] == "Dana Head"]
    assert dana == [["Dana Head", "Overall", "no data", "no data", "", ""]]


def test_every_formula_start_is_neutralised_and_numbers_are_left_alone():
    for start in FORMULA_STARTS:
        assert neutralise(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralise("Sales") == "Sales"
    assert neutralise(-5) == -5 and neutralise(Decimal("-0.5")) == Decimal("-0.5")
    assert percent(Decimal("0.49375")) == Decimal("49.4")  # halves round up
    assert percent(Decimal("0.825")) == Decimal("82.5") and percent(None) is None


def test_a_row_of_the_wrong_width_is_a_programming_error():
    table = ExportTable(name="x", title="x", headers=["a", "b"])
    with pytest.raises(ValueError):
        table.add([1])


# --- the export obeys the page's access ------------------------------------------------------


def test_bob_may_not_export_someone_elses_results_nor_the_reports(client, reports):
    client.force_login(reports.bob.user)
    slug = reports.bob.org.slug
    url = reverse("person-results", args=[slug, reports.erin.pk])
    assert client.get(url, {"export": "csv"}).status_code == 403
    assert (
        client.get(reverse("report-departments", args=[slug]), {"export": "xlsx"}).status_code
        == 403
    )


def test_charlie_gets_404_for_another_organisations_exports(client, charlie, reports):
    client.force_login(charlie.user)
    slug = reports.alice.org.slug
    for url in (
        reverse("person-results", args=[slug, reports.bob.pk]),
        reverse("team-results", args=[slug]),
        reverse("report-objectives", args=[slug]),
    ):
        for fmt in FORMATS:
            response = client.get(url, {"export": fmt})
            assert response.status_code == 404
            assert b"Sales" not in response.content
    # Nor with bob's id under his own organisation's slug.
    own = reverse("person-results", args=[charlie.org.slug, reports.bob.pk])
    assert client.get(own, {"export": "csv"}).status_code == 404


def test_an_unknown_format_shows_the_page(client, reports):
    client.force_login(reports.alice.user)
    response = client.get(
        reverse("report-departments", args=[reports.alice.org.slug]), {"export": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("count", [2, 8])
def test_the_team_export_costs_the_same_queries_whatever_the_team_size(
    client, alice, count, django_assert_max_num_queries
):
    people = [MembershipFactory(org=alice.org, manager=alice) for _n in range(count)]
    kpis = [holder_of(p) for p in people]
    rows = [
        {"kpi": k.pk, "person": p.pk, "period_start": "2026-02-01", "value": "95"}
        for k, p in zip(kpis, people, strict=True)
    ]
    measurement_bulk_upsert(org=alice.org, actor=None, rows=rows)
    rollups.rollup_organization(alice.org.pk, as_of=AS_OF)
    client.force_login(alice.user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("team-results", args=[alice.org.slug]), {"export": "xlsx"})
    assert len(_rows(response, "xlsx")) == 1 + 2 * count
