"""The drafting rules of docs/DOMAIN.md section 3 as checks: counts, weights, ladder, SMART
letters, activity verbs; and the achievement formula on a KPI's own numbers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.readiness import kpi_smart, kra_checks, readiness_summary, role_readiness
from kpis.selectors import achievement_formula
from kras import rules, selectors
from kras.models import KRALevel, ObjectiveStatus
from orgs.org_settings import organization_update_rules
from tests.factories import DepartmentFactory

from .test_kras_support import make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 12, 31)


@pytest.fixture
def objective(org_a):
    return make_objective(org_a, title="Grow recurring revenue 30%")


@pytest.fixture
def role(org_a):
    return make_role(org_a, DepartmentFactory(org=org_a, name="Sales"))


def build_ready_role(org, role, objective, weights=(40, 30, 30)):
    kras = []
    for n, weight in enumerate(weights):
        kra = make_kra(
            org, role=role, title=f"Revenue area {n}", weight=weight, objective=objective
        )
        make_kpi(kra, name=f"Close fifteen new accounts {n}", due_date=DUE)
        kras.append(kra)
    return kras


def by_code(checks, code):
    return [c for c in checks if c["code"] == code]


def test_a_complete_role_passes_every_check(org_a, role, objective):
    build_ready_role(org_a, role, objective)
    checks = role_readiness(role)
    assert all(c["ok"] for c in checks), [c["message"] for c in checks if not c["ok"]]
    assert by_code(checks, "kra_count")[0]["message"] == (
        "3 KRAs; the organisation asks for 3 to 5."
    )
    summary = readiness_summary(checks)
    assert summary["ok"] and summary["passed"] == summary["total"]


def test_too_few_kras_is_a_blocking_check(org_a, role, objective):
    build_ready_role(org_a, role, objective, weights=(50, 50))
    [check] = by_code(role_readiness(role), "kra_count")
    assert not check["ok"] and check["severity"] == "blocking"
    assert check["message"] == "2 KRAs; the organisation asks for 3 to 5."


def test_too_many_kras_for_the_organisations_own_range(org_a, role, objective):
    organization_update_rules(org=org_a, actor=None, kra_min=2, kra_max=2)
    role.org.refresh_from_db()
    build_ready_role(org_a, role, objective)
    [check] = by_code(role_readiness(role), "kra_count")
    assert not check["ok"]
    assert check["message"] == "3 KRAs; the organisation asks for 2 to 2."


def test_kra_weights_must_total_exactly_100(org_a, role, objective):
    build_ready_role(org_a, role, objective, weights=(40, 30, 20))
    [check] = by_code(role_readiness(role), "kra_weights")
    assert not check["ok"] and check["message"] == "KRA weights total 90 of 100."
    assert rules.weight_total(selectors.role_kras(role)) == 90


def test_kpi_count_and_weights_per_kra(org_a, role, objective):
    kras = build_ready_role(org_a, role, objective)
    lonely = make_kra(org_a, role=role, title="Customer retention", objective=objective)
    crowded = kras[0]
    for n in range(3):
        make_kpi(crowded, name=f"Another measure of revenue {n}", due_date=DUE, weight=0)
    checks = role_readiness(role)
    counts = {c["kra_id"]: c for c in by_code(checks, "kpi_count")}
    assert not counts[lonely.pk]["ok"]
    assert "0 KPIs; the organisation asks for 1 to 3 per KRA" in counts[lonely.pk]["message"]
    assert not counts[crowded.pk]["ok"] and "4 KPIs" in counts[crowded.pk]["message"]
    weights = {c["kra_id"]: c for c in by_code(checks, "kpi_weights")}
    assert lonely.pk not in weights  # no KPIs: the count says it already
    make_kpi(kras[1], name="Second measure of revenue", due_date=DUE, weight=Decimal(10))
    weights = {c["kra_id"]: c for c in by_code(role_readiness(role), "kpi_weights")}
    assert not weights[kras[1].pk]["ok"]
    assert weights[kras[1].pk]["message"].endswith("KPI weights total 110 of 100.")
    assert weights[kras[2].pk]["ok"]


def test_a_kra_without_a_ladder_supports_no_strategic_objective(org_a, role, objective):
    build_ready_role(org_a, role, objective)
    orphan = make_kra(org_a, role=role, title="Brand awareness", weight=0)
    [check] = [c for c in by_code(role_readiness(role), "ladder") if c["kra_id"] == orphan.pk]
    assert not check["ok"]
    assert check["message"] == "“Brand awareness” supports no strategic objective."
    assert check["severity"] == "blocking"
    organization_update_rules(org=org_a, actor=None, require_alignment=False)
    role.org.refresh_from_db()
    [check] = [c for c in by_code(role_readiness(role), "ladder") if c["kra_id"] == orphan.pk]
    assert not check["ok"] and check["severity"] == "warning"


def test_the_ladder_counts_through_the_kras_above(org_a, role, objective):
    dept = make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=role.department,
        title="Pipeline",
        objective=objective,
    )
    via_parent = make_kra(org_a, role=role, title="New accounts", parent=dept)
    loose_dept = make_kra(
        org_a, level=KRALevel.DEPARTMENT, department=role.department, title="Loose"
    )
    via_loose = make_kra(org_a, role=role, title="Upsell", parent=loose_dept)
    kras = {k.pk: k for k in selectors.role_kras(role)}
    ok, message = selectors.ladder_status(kras[via_parent.pk])
    assert ok and "through “Pipeline”" in message
    ok, message = selectors.ladder_status(kras[via_loose.pk])
    assert not ok and "nothing above it reaches an active one" in message


def test_a_retired_objective_breaks_the_ladder(org_a, role):
    old = make_objective(org_a, title="Old goal", status=ObjectiveStatus.RETIRED)
    kra = make_kra(org_a, role=role, title="Revenue", objective=old)
    ok, _message = selectors.ladder_status(selectors.role_kras(role)[0])
    assert not ok and kra.pk


@pytest.mark.parametrize(
    ("title", "flagged"),
    [
        ("Conduct weekly sales meetings", "conduct"),
        ("Handling customer complaints", "handle"),
        ("Attend trade shows", "attend"),
        ("Prepared monthly reports", "prepare"),
        ("Revenue generation", None),
        ("Performance of the support desk", None),
        ("Customer retention", None),
    ],
)
def test_activity_verb_titles_are_tasks_not_outcomes(org_a, role, objective, title, flagged):
    kra = make_kra(org_a, role=role, title=title, objective=objective)
    [check] = by_code(kra_checks(selectors.role_kras(role)[0]), "activity_verb")
    assert check["ok"] is (flagged is None)
    assert check["severity"] == "warning"
    if flagged:
        assert check["message"] == (
            f"“{kra.title}” starts with “{flagged}”: KRAs are outcomes, not tasks."
        )


def test_the_organisation_edits_its_activity_verbs(org_a, role, objective):
    organization_update_rules(org=org_a, actor=None, activity_verbs=["drive"])
    role.org.refresh_from_db()
    make_kra(org_a, role=role, title="Drive revenue", objective=objective)
    make_kra(org_a, role=role, title="Conduct audits", objective=objective)
    checks = by_code(role_readiness(role), "activity_verb")
    assert [c["ok"] for c in checks] == [False, True]


# --- SMART ----------------------------------------------------------------------------------


@pytest.fixture
def laddered_kra(org_a, role, objective):
    return make_kra(org_a, role=role, title="Talent acquisition", objective=objective)


def smart_of(kpi):
    kpi.refresh_from_db()
    kpi = type(kpi).objects.select_related("kra__objective", "kra__parent").get(pk=kpi.pk)
    return kpi_smart(kpi)


def test_a_smart_kpi_passes_every_letter(laddered_kra):
    kpi = make_kpi(laddered_kra, due_date=DUE)
    smart = smart_of(kpi)
    assert smart["ok"] and smart["failing"] == []
    assert [item["letter"] for item in smart["letters"]] == ["S", "M", "A", "R", "T"]


@pytest.mark.parametrize(
    ("fields", "letters", "words"),
    [
        ({"name": "Revenue"}, ["S"], "vague"),
        ({"name": "Revenue", "description": "New contracts signed, net of churn."}, [], ""),
        ({"unit": ""}, ["M"], "unit"),
        ({"target": None}, ["M"], "numeric target"),
        ({"target": Decimal(10)}, ["A"], "equals the baseline"),
        ({"target": Decimal(5)}, ["A"], "below the baseline"),
        ({"direction": "decrease", "target": Decimal(12)}, ["A"], "above the baseline"),
        (
            {
                "measure_type": "percent",
                "direction": "decrease",
                "target": Decimal(120),
                "baseline": Decimal(150),
                "unit": "",
            },
            ["A"],
            "within 0 to 100",
        ),
        ({"due_date": None}, ["T"], "no due date"),
        ({"unit": "", "due_date": None}, ["M", "T"], ""),
        ({"measure_type": "currency", "currency_code": "USD", "unit": ""}, [], ""),
        (
            {
                "measure_type": "boolean",
                "direction": "boolean",
                "target": None,
                "baseline": None,
                "unit": "",
            },
            [],
            "",
        ),
        (
            {"direction": "range", "target": None, "target_low": None, "target_high": None},
            ["M"],
            "range",
        ),
    ],
)
def test_smart_names_the_failing_letter(laddered_kra, fields, letters, words):
    kpi = make_kpi(laddered_kra, **{"due_date": DUE, **fields})
    smart = smart_of(kpi)
    assert smart["failing"] == letters
    failing = " ".join(item["message"] for item in smart["letters"] if not item["ok"])
    assert words in failing


def test_smart_r_fails_when_the_kra_supports_no_objective(org_a, role):
    kpi = make_kpi(make_kra(org_a, role=role, title="Brand awareness"), due_date=DUE)
    assert smart_of(kpi)["failing"] == ["R"]


def test_readiness_carries_the_smart_letters(org_a, role, objective):
    build_ready_role(org_a, role, objective)
    kra = selectors.role_kras(role)[0]
    make_kpi(kra, name="Calls", unit="", weight=0)
    [bad] = [c for c in by_code(role_readiness(role), "smart") if not c["ok"]]
    assert bad["letters"] == ["S", "M", "T"]
    assert bad["message"].startswith("“Calls” is not SMART (fails S, M, T): Specific: ")


# --- the achievement formula ----------------------------------------------------------------


def test_the_formula_for_the_design_example_works_it_on_its_own_numbers(laddered_kra):
    kpi = make_kpi(
        laddered_kra,
        name="Reduce time to hire to 20 days",
        unit="days",
        direction="decrease",
        baseline=Decimal(45),
        target=Decimal(20),
    )
    formula = achievement_formula(kpi)
    assert formula["formula"] == "(baseline − actual) / (baseline − target)"
    assert formula["example"] == (
        "Reduce time to hire to 20 days, baseline 45: with an actual of 25, (45−25)/(45−20) = 0.80"
    )
    assert formula["cap"] == "1.2"


@pytest.mark.parametrize(
    ("fields", "formula", "example"),
    [
        (
            {"direction": "increase", "baseline": Decimal(10), "target": Decimal(15)},
            "(actual − baseline) / (target − baseline)",
            "Deals, baseline 10: with an actual of 14, (14−10)/(15−10) = 0.80",
        ),
        (
            {"direction": "increase", "baseline": None, "target": Decimal(15)},
            "actual / target",
            "Deals: with an actual of 12, 12/15 = 0.80",
        ),
        (
            {"direction": "decrease", "baseline": None, "target": Decimal(2)},
            "target / actual",
            "Deals: with an actual of 2.5, 2/2.5 = 0.80",
        ),
        (
            {
                "direction": "range",
                "baseline": None,
                "target": None,
                "target_low": Decimal(90),
                "target_high": Decimal(100),
            },
            "1 inside the range; outside it, 1 − distance from the range / (high − low), at "
            "least 0",
            "Deals, range 90 to 100: with an actual of 102, 1 − (102−100)/(100−90) = 0.80",
        ),
        (
            {"direction": "boolean", "measure_type": "boolean", "baseline": None, "target": None},
            "1 when done, 0 when not",
            "Deals: done → 1, not done → 0",
        ),
        ({"direction": "increase", "target": None}, "actual / target", None),
    ],
)
def test_the_formula_follows_the_direction(laddered_kra, fields, formula, example):
    kpi = make_kpi(laddered_kra, name="Deals", **fields)
    answer = achievement_formula(kpi)
    assert answer["formula"] == formula
    assert answer["example"] == example


def test_the_formula_uses_the_organisations_cap(org_a, laddered_kra):
    organization_update_rules(org=org_a, actor=None, overachievement_cap="1.5")
    kpi = make_kpi(laddered_kra)
    kpi.kra.org.refresh_from_db()
    assert achievement_formula(kpi)["cap"] == "1.5"


# --- a constant number of queries -----------------------------------------------------------


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_role_kras_and_readiness_cost_the_same_for_few_and_many_rows(org_a, objective):
    small, large = make_role(org_a, title="Small"), make_role(org_a, title="Large")
    dept = make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=DepartmentFactory(org=org_a),
        title="Pipeline",
        objective=objective,
    )
    make_kpi(make_kra(org_a, role=small, title="Only", parent=dept))
    for n in range(8):
        kra = make_kra(
            org_a,
            role=large,
            title=f"Area {n}",
            parent=dept if n % 2 else None,
            objective=objective if n % 3 else None,
        )
        for m in range(3):
            make_kpi(kra, name=f"Measure number {n} {m}")

    def readiness(role):
        def run():
            role_readiness(type(role).objects.select_related("org").get(pk=role.pk))

        return run

    assert count_queries(readiness(small)) == count_queries(readiness(large))


def test_department_and_organisation_kras_in_order_with_their_kpis(org_a, objective):
    sales = DepartmentFactory(org=org_a, name="Field sales")
    second = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="B", position=2)
    first = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="A", position=1)
    make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Gone", status="retired")
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    make_kpi(first)
    assert [k.pk for k in selectors.department_kras(sales)] == [first.pk, second.pk]
    assert len(selectors.department_kras(sales, include_retired=True)) == 3
    assert [k.pk for k in selectors.org_kras(org_a)] == [top.pk]
    kras = selectors.department_kras(sales)
    assert count_queries(lambda: [list(k.kpis.all()) for k in kras]) == 0
