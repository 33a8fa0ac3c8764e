"""The rollup (kpis/rollups.py): the stored scores match a straightforward Python reference
built on kpis/scoring.py, whatever the data; running it twice gives the same rows; a run
interrupted half way leaves the previous rows and a new run gives the uninterrupted result;
no data is stored as "no data", never zero."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import rollups, scoring
from kpis.measurement_selectors import scores_computed_at
from kpis.measurements import measurement_bulk_upsert, period_containing
from kpis.models import KPI, RollupInputs, RollupState, Score, ValuesDigest
from kras.models import KRA, KRALevel
from roles.models import RoleAssignment
from tests.factories import DepartmentFactory, MembershipFactory, OrganizationFactory
from tests.kras.test_kras_support import make_kra, make_role

from .test_measure_support import YEAR_START, holder_of

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 4, 15)
FY_END = datetime.date(2026, 12, 31)
MONTHS = [datetime.date(2026, m, 1) for m in range(1, 5)]
TOLERANCE = Decimal("0.00001")


def _rows(org):
    fields = (
        "scope",
        "scope_id",
        "person_id",
        "window",
        "period_start",
        "period_end",
        "achievement",
        "periods_with_data",
        "periods_expected",
        "completeness",
    )
    return sorted(Score.objects.filter(org=org).values_list(*fields), key=repr)


def _score(org, scope, scope_id, window="ytd", start=YEAR_START, person=None):
    query = Score.objects.filter(
        org=org, scope=scope, scope_id=scope_id, window=window, period_start=start
    )
    if person is not None:
        query = query.filter(person=person)
    return query.get()


# --- a worked case ------------------------------------------------------------------------


def test_scores_of_a_small_team_by_hand(alice, bob):
    org = bob.org
    sales = holder_of(bob, name="Sales", target=Decimal(100), weight=Decimal(60))
    kra = sales.kra
    calls = KPI.objects.create(
        org=org, kra=kra, name="Calls", target=Decimal(50), weight=Decimal(40), position=2
    )
    rows = [
        {"kpi": sales.pk, "person": bob.pk, "period_start": "2026-01-01", "value": "80"},
        {"kpi": sales.pk, "person": bob.pk, "period_start": "2026-01-01", "value": "10"},
        {"kpi": sales.pk, "person": bob.pk, "period_start": "2026-03-01", "value": "150"},
        {"kpi": calls.pk, "person": bob.pk, "period_start": "2026-02-01", "value": "25"},
    ]
    measurement_bulk_upsert(org=org, actor=None, rows=rows)
    rollups.rollup_organization(org.pk, as_of=AS_OF)

    # January: 80 + 10 of 100 → 0.9; March: 1.5 capped at 1.2; Feb and April: no data.
    jan = _score(org, "kpi", sales.pk, "period", MONTHS[0], bob)
    feb = _score(org, "kpi", sales.pk, "period", MONTHS[1], bob)
    assert jan.achievement == Decimal("0.9")
    assert (feb.achievement, feb.periods_with_data, feb.periods_expected) == (None, 0, 1)
    ytd = _score(org, "kpi", sales.pk, person=bob)
    assert ytd.achievement == Decimal("1.05")  # mean of 0.9 and 1.2, no data left out
    assert (ytd.periods_with_data, ytd.periods_expected) == (2, 4)
    assert ytd.completeness == Decimal("0.5")
    # Calls: 25 of 50 in February only → 0.5. The KRA: (60 × 1.05 + 40 × 0.5) / 100.
    kra_ytd = _score(org, "kra", kra.pk, person=bob)
    assert kra_ytd.achievement == Decimal("0.83")
    assert (kra_ytd.periods_with_data, kra_ytd.periods_expected) == (3, 8)
    # In February only Calls has data: the KRA's February is Calls' alone, not diluted.
    assert _score(org, "kra", kra.pk, "period", MONTHS[1], bob).achievement == Decimal("0.5")
    # April has no data at all: no score, never zero.
    assert _score(org, "person", bob.pk, "period", MONTHS[3], bob).achievement is None
    assert _score(org, "person", bob.pk, person=bob).achievement == Decimal("0.83")
    assert _score(org, "org", org.pk).achievement == Decimal("0.83")
    assert _score(org, "role", kra.role_id).achievement == Decimal("0.83")


def test_values_awaiting_confirmation_do_not_count(bob):
    org = bob.org
    kpi = holder_of(bob)
    org.settings = {"own_values_need_confirmation": True}
    org.save(update_fields=["settings"])
    measurement_bulk_upsert(
        org=org,
        actor=bob,
        rows=[{"kpi": kpi.pk, "person": bob.pk, "period_start": "2026-01-01", "value": "50"}],
    )
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    assert _score(org, "kpi", kpi.pk, person=bob).achievement is None


# --- idempotence and the interrupted run ---------------------------------------------------


@pytest.fixture
def measured(alice, bob):
    kpi = holder_of(bob)
    carol = MembershipFactory(org=bob.org, manager=alice)
    holder_of(carol, role=kpi.kra.role)
    rows = [
        {"kpi": kpi.pk, "person": p.pk, "period_start": f"2026-0{m}-01", "value": str(v)}
        for p, m, v in ((bob, 1, 90), (bob, 2, 120), (carol, 1, 40), (carol, 3, 70))
    ]
    measurement_bulk_upsert(org=bob.org, actor=None, rows=rows)
    return bob.org


def test_running_the_rollup_twice_gives_identical_rows(measured):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    first = _rows(measured)
    ids = set(Score.objects.filter(org=measured).values_list("pk", flat=True))
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert first and _rows(measured) == first
    assert set(Score.objects.filter(org=measured).values_list("pk", flat=True)) == ids


def test_a_run_writes_only_the_scores_that_changed(measured, bob):
    first = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert first.added == first.scores == Score.objects.filter(org=measured).count()
    stamps = dict(Score.objects.filter(org=measured).values_list("pk", "computed_at"))

    again = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert dict(Score.objects.filter(org=measured).values_list("pk", "computed_at")) == stamps
    state = RollupState.objects.get(org=measured)
    assert state.computed_at == again.computed_at > first.computed_at
    assert (state.scores, state.written) == (first.scores, 0)
    assert scores_computed_at(measured) == again.computed_at

    value = bob.measurements.get(period_start=datetime.date(2026, 1, 1))
    value.value += 7
    value.save(update_fields=["value"])
    third = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    moved = Score.objects.filter(org=measured, computed_at=third.computed_at)
    assert third.changed == moved.count() > 0 and third.added == third.removed == 0
    # Only scores that cover that value moved: none of another person's.
    assert set(moved.exclude(person=None).values_list("person_id", flat=True)) == {bob.pk}
    assert Score.objects.filter(org=measured).count() == third.scores == first.scores


def test_an_interrupted_run_changes_nothing_and_the_next_run_completes_it(measured, bob):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    before = _rows(measured)
    measurement_bulk_upsert(
        org=measured,
        actor=None,
        rows=[
            {
                "kpi": bob.measurements.first().kpi_id,
                "person": bob.pk,
                "period_start": "2026-04-01",
                "value": "10",
            }
        ],
    )
    # The worker dies after the stale scores are deleted, before the changed ones are written.
    half = [*rollups._APPLY[:1], "SELECT pg_terminate_backend(-1) FROM nowhere_at_all"]
    with mock.patch.object(rollups, "_APPLY", half), pytest.raises(Exception):  # noqa: B017
        rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert _rows(measured) == before
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    after = _rows(measured)
    assert after != before
    Score.objects.filter(org=measured).delete()
    rollups.rollup_organization(measured.pk, as_of=AS_OF, full=True)
    assert _rows(measured) == after


def test_a_deleted_value_leaves_no_score_behind(measured, bob):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    bob.measurements.all().delete()
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    kpi_id = _score(measured, "person", bob.pk, person=bob).scope_id
    assert _score(measured, "person", kpi_id, person=bob).achievement is None


# --- only the people whose inputs changed are recomputed ------------------------------------


def test_a_run_recomputes_only_the_people_whose_inputs_changed(measured, bob):
    first = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert first.recomputed == 2  # bob and carol: no digest kept yet
    assert RollupInputs.objects.filter(org=measured).count() == 2
    assert rollups.rollup_organization(measured.pk, as_of=AS_OF).recomputed == 0
    value = bob.measurements.get(period_start=datetime.date(2026, 1, 1))
    value.value += 7
    value.save(update_fields=["value"])
    assert rollups.rollup_organization(measured.pk, as_of=AS_OF).recomputed == 1
    assert rollups.rollup_organization(measured.pk, as_of=AS_OF, full=True).recomputed == 2


def _change_value(org, bob):
    value = bob.measurements.get(period_start=datetime.date(2026, 2, 1))
    value.value = Decimal(40)
    value.save(update_fields=["value"])


def _hold_back_a_value(org, bob):
    bob.measurements.filter(period_start=datetime.date(2026, 2, 1)).update(status="awaiting")


def _retarget_the_kpi(org, bob):
    KPI.objects.filter(org=org, measurements__person=bob).update(target=Decimal(80))


def _reweigh_a_second_kpi(org, bob):
    kpi = KPI.objects.filter(org=org, measurements__person=bob).first()
    other = KPI.objects.create(
        org=org, kra=kpi.kra, name="Calls", target=Decimal(50), weight=Decimal(40), position=9
    )
    measurement_bulk_upsert(
        org=org,
        actor=None,
        rows=[{"kpi": other.pk, "person": bob.pk, "period_start": "2026-01-01", "value": "50"}],
    )
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    KPI.objects.filter(pk=other.pk).update(weight=Decimal(10))


def _end_the_role(org, bob):
    RoleAssignment.objects.filter(member=bob).update(end_date=datetime.date(2026, 2, 28))


def _deactivate(org, bob):
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)


def _retire_the_kra(org, bob):
    KRA.objects.filter(org=org, kpis__measurements__person=bob).update(status="retired")


def _raise_the_cap(org, bob):
    org.settings = {**org.settings, "overachievement_cap": "1.1"}
    org.save(update_fields=["settings"])


def _move_department(org, bob):
    old, new = DepartmentFactory(org=org), DepartmentFactory(org=org)
    type(bob).objects.filter(pk=bob.pk).update(department=old)
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    assert Score.objects.filter(org=org, scope="department", scope_id=old.pk).exists()
    type(bob).objects.filter(pk=bob.pk).update(department=new)


def _take_another_role(org, bob):
    kpi = KPI.objects.filter(org=org, measurements__person=bob).first()
    RoleAssignment.objects.filter(member=bob).delete()
    holder_of(bob, target=Decimal(50))
    assert Score.objects.filter(org=org, scope="role", scope_id=kpi.kra.role_id).exists()


INPUT_CHANGES = [
    _change_value,
    _hold_back_a_value,
    _retarget_the_kpi,
    _reweigh_a_second_kpi,
    _end_the_role,
    _deactivate,
    _retire_the_kra,
    _raise_the_cap,
    _move_department,
    _take_another_role,
]


@pytest.mark.parametrize("change", INPUT_CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_every_input_of_a_score_moves_it_and_a_run_matches_a_full_recompute(measured, bob, change):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    before = _rows(measured)
    change(measured, bob)
    if change in (_reweigh_a_second_kpi, _move_department):
        before = _rows(measured)  # as rolled up inside the change
    run = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    after = _rows(measured)
    assert after != before and run.recomputed >= 1
    Score.objects.filter(org=measured).delete()
    RollupInputs.objects.filter(org=measured).delete()
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert _rows(measured) == after


def test_a_new_period_begun_recomputes_those_who_hold_a_kpi_of_its_frequency(measured, bob):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    # A weekly KPI for bob alone: the weeks begun move bob's inputs, not carol's.
    kpi = holder_of(bob, frequency="weekly")
    assert rollups.rollup_organization(measured.pk, as_of=AS_OF).recomputed == 1
    assert rollups.rollup_organization(measured.pk, as_of=AS_OF).recomputed == 0
    monday = datetime.date(2026, 4, 20)
    assert rollups.rollup_organization(measured.pk, as_of=monday).recomputed == 1
    assert Score.objects.filter(org=measured, scope="kpi", scope_id=kpi.pk, period_start=monday)
    same_month = rollups.rollup_organization(measured.pk, as_of=datetime.date(2026, 4, 30))
    assert same_month.recomputed == 1  # bob's weeks
    may = rollups.rollup_organization(measured.pk, as_of=datetime.date(2026, 5, 1))
    assert may.recomputed == 2 and may.added > 0
    # May is now expected of both, with no data yet: "no data", and completeness moves.
    scores = Score.objects.filter(
        org=measured, scope="person", window="period", period_start=datetime.date(2026, 5, 1)
    )
    # (The role holds two monthly KPIs; bob's weekly one has no week begun in May.)
    assert [(s.achievement, s.periods_expected) for s in scores] == [(None, 2), (None, 2)]


def test_scores_of_people_with_no_inputs_left_are_removed(measured, bob):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    bob.measurements.all().delete()
    RoleAssignment.objects.filter(member=bob).delete()
    run = rollups.rollup_organization(measured.pk, as_of=AS_OF)
    assert run.recomputed == 1 and run.removed > 0
    assert not Score.objects.filter(org=measured, person=bob).exists()
    assert not RollupInputs.objects.filter(person=bob).exists()
    assert run.scores == Score.objects.filter(org=measured).count()


# --- the values' digests, kept by the database ---------------------------------------------


def _kept_digests(org):
    return sorted(
        ValuesDigest.objects.filter(org=org)
        .exclude(values=0)
        .values_list("person_id", "kpi_id", "digest", "values")
    )


def _digests_from_the_values(org):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, kpi_id, sum(kpis_value_hash(m)), count(*) FROM kpis_measurement m "
            "WHERE org_id = %s GROUP BY person_id, kpi_id ORDER BY person_id, kpi_id",
            [org.pk],
        )
        return [tuple(row) for row in cursor.fetchall()]


def test_the_database_keeps_each_persons_values_digest_whatever_writes_them(measured, bob):
    assert _kept_digests(measured) == _digests_from_the_values(measured) != []
    before = _kept_digests(measured)
    # One value edited through the model, one held back by a bulk update, one deleted, two
    # added in one statement, one moved to another KPI: after each, the same as from scratch.
    value = bob.measurements.order_by("period_start").first()
    value.value += 1
    value.save(update_fields=["value"])
    assert _kept_digests(measured) == _digests_from_the_values(measured) != before
    bob.measurements.filter(period_start=MONTHS[1]).update(status="awaiting")
    assert _kept_digests(measured) == _digests_from_the_values(measured)
    bob.measurements.filter(period_start=MONTHS[0]).delete()
    assert _kept_digests(measured) == _digests_from_the_values(measured)
    kpi = KPI.objects.filter(org=measured, measurements__person=bob).first()
    measurement_bulk_upsert(
        org=measured,
        actor=None,
        rows=[
            {"kpi": kpi.pk, "person": bob.pk, "period_start": f"2026-0{m}-01", "value": "5"}
            for m in (3, 4)
        ],
    )
    assert _kept_digests(measured) == _digests_from_the_values(measured)
    other = KPI.objects.create(org=measured, kra=kpi.kra, name="Calls", target=1, position=7)
    bob.measurements.filter(period_start=MONTHS[3]).update(kpi=other)
    assert _kept_digests(measured) == _digests_from_the_values(measured)
    # Everything deleted: nothing left to count.
    bob.measurements.all().delete()
    assert [d for d in _kept_digests(measured) if d[0] == bob.pk] == []


def test_a_full_run_rebuilds_the_values_digests(measured, bob):
    rollups.rollup_organization(measured.pk, as_of=AS_OF)
    right = _kept_digests(measured)
    ValuesDigest.objects.filter(org=measured).update(digest=0)
    rollups.rollup_organization(measured.pk, as_of=AS_OF, full=True)
    assert _kept_digests(measured) == right


# --- the property: the stored rollup equals the reference -----------------------------------

DIRECTIONS = ["increase", "decrease", "range", "boolean"]
AGGREGATIONS = ["sum", "avg", "last", "min", "max"]
FREQUENCIES = ["weekly", "monthly", "quarterly"]
amounts = st.decimals(min_value=-20, max_value=300, places=2, allow_nan=False)
targets = st.decimals(min_value=0, max_value=200, places=1, allow_nan=False)


@st.composite
def kpi_specs(draw):
    direction = draw(st.sampled_from(DIRECTIONS))
    spec = {
        "direction": direction,
        "measure_type": "boolean" if direction == "boolean" else "number",
        "aggregation": draw(st.sampled_from(AGGREGATIONS)),
        "frequency": draw(st.sampled_from(FREQUENCIES)),
        "weight": draw(st.sampled_from([Decimal(0), Decimal(10), Decimal(50), Decimal(100)])),
        "kra": draw(st.integers(0, 1)),
        "baseline": None,
        "target": None,
        "target_low": None,
        "target_high": None,
    }
    if direction == "range":
        low = draw(targets)
        spec["target_low"] = low
        spec["target_high"] = low + draw(st.sampled_from([Decimal(0), Decimal(5), Decimal(40)]))
    elif direction in ("increase", "decrease"):
        spec["target"] = draw(targets)
        spec["baseline"] = draw(st.one_of(st.none(), targets))
    return spec


def _period_starts(frequency: str) -> list[datetime.date]:
    starts, day = [], YEAR_START
    while day <= AS_OF:
        start = period_containing(frequency, day)[0]
        if start >= YEAR_START and start not in starts:
            starts.append(start)
        day += datetime.timedelta(days=1)
    return starts


@st.composite
def scenarios(draw):
    kpis = draw(st.lists(kpi_specs(), min_size=1, max_size=4))
    people = draw(st.integers(1, 2))
    values = []
    for index, spec in enumerate(kpis):
        starts = _period_starts(spec["frequency"])
        for person in range(people):
            chosen = draw(st.lists(st.sampled_from(starts), unique=True, max_size=4))
            for start in chosen:
                count = draw(st.integers(1, 3))
                if spec["direction"] == "boolean":
                    numbers = draw(
                        st.lists(st.sampled_from([0, 1]), min_size=count, max_size=count)
                    )
                else:
                    numbers = draw(st.lists(amounts, min_size=count, max_size=count))
                values += [(index, person, start, Decimal(n)) for n in numbers]
    return {
        "kpis": kpis,
        "people": people,
        "kra_weights": draw(st.lists(st.sampled_from([0, 30, 70]), min_size=2, max_size=2)),
        "cap": draw(st.sampled_from(["1", "1.2", "1.5"])),
        "values": values,
    }


def _weighted(pairs) -> Decimal | None:
    pairs = [(w, a) for w, a in pairs if a is not None]
    total = sum((w for w, _a in pairs), Decimal(0))
    if not pairs or total == 0:
        return None
    return sum((w * a for w, a in pairs), Decimal(0)) / total


def reference(scenario) -> dict:
    """The scores, from kpis/scoring.py and the rules of docs/DOMAIN.md R21 to R23."""
    cap = Decimal(scenario["cap"])
    windows = {("period", m): (m, period_containing("monthly", m)[1]) for m in MONTHS}
    windows[("ytd", YEAR_START)] = (YEAR_START, FY_END)
    result = {}
    person_scores = {}
    for person in range(scenario["people"]):
        kpi_window = {}
        for index, spec in enumerate(scenario["kpis"]):
            periods = {}
            for start in _period_starts(spec["frequency"]):
                values = [
                    v for i, p, s, v in scenario["values"] if (i, p, s) == (index, person, start)
                ]
                actual = scoring.combine(values, spec["aggregation"])
                periods[start] = scoring.achievement(
                    direction=spec["direction"],
                    actual=actual,
                    target=spec["target"],
                    baseline=spec["baseline"],
                    target_low=spec["target_low"],
                    target_high=spec["target_high"],
                    cap=cap,
                )
            for key, (w_start, w_end) in windows.items():
                inside = [a for s, a in periods.items() if w_start <= s <= w_end]
                kpi_window[index, key] = scoring.window_achievement(inside)
            result["kpi", index, person, "ytd"] = kpi_window[index, ("ytd", YEAR_START)]
        for key in windows:
            kras = {}
            for kra in (0, 1):
                kras[kra] = _weighted(
                    (spec["weight"], kpi_window[index, key])
                    for index, spec in enumerate(scenario["kpis"])
                    if spec["kra"] == kra
                )
                result["kra", kra, person, key] = kras[kra]
            score = _weighted((Decimal(scenario["kra_weights"][kra]), kras[kra]) for kra in (0, 1))
            result["person", person, key] = score
            person_scores[person, key] = score
    for key in windows:
        scores = [s for (p, k), s in person_scores.items() if k == key and s is not None]
        result["org", key] = sum(scores, Decimal(0)) / len(scores) if scores else None
    return result


def _build(scenario):
    org = OrganizationFactory(settings={"overachievement_cap": scenario["cap"]})
    people = [MembershipFactory(org=org) for _ in range(scenario["people"])]
    role = make_role(org, title="Analyst")
    kras = [
        make_kra(org, level=KRALevel.ROLE, role=role, title=f"KRA {n}", weight=weight)
        for n, weight in enumerate(scenario["kra_weights"])
    ]
    kpis = []
    for position, spec in enumerate(scenario["kpis"]):
        fields = {k: v for k, v in spec.items() if k != "kra"}
        kpis.append(
            KPI.objects.create(
                org=org,
                kra=kras[spec["kra"]],
                name=f"KPI {position}",
                position=position,
                **fields,
            )
        )
    for person in people:
        RoleAssignment.objects.create(org=org, role=role, member=person, start_date=YEAR_START)
    rows = [
        {"kpi": kpis[i].pk, "person": people[p].pk, "period_start": s, "value": v}
        for i, p, s, v in scenario["values"]
    ]
    if rows:
        measurement_bulk_upsert(org=org, actor=None, rows=rows)
    return org, people, kras, kpis


def _close(stored, expected) -> bool:
    if expected is None or stored is None:
        return stored is None and expected is None
    return abs(stored - expected) <= TOLERANCE


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_the_stored_rollup_matches_the_python_reference(db, scenario):
    org, people, kras, kpis = _build(scenario)
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    expected = reference(scenario)
    stored = {
        (s.scope, s.scope_id, s.person_id, s.window, s.period_start): s.achievement
        for s in Score.objects.filter(org=org)
    }
    mismatches = []
    for key, value in expected.items():
        if key[0] == "kpi":
            _scope, index, person, _window = key
            got = stored.get(("kpi", kpis[index].pk, people[person].pk, "ytd", YEAR_START))
        elif key[0] == "kra":
            _scope, kra, person, (window, start) = key
            got = stored.get(("kra", kras[kra].pk, people[person].pk, window, start))
        elif key[0] == "person":
            _scope, person, (window, start) = key
            got = stored.get(("person", people[person].pk, people[person].pk, window, start))
        else:
            _scope, (window, start) = key
            got = stored.get(("org", org.pk, None, window, start))
        if not _close(got, value):
            mismatches.append((key, got, value))
    assert mismatches == []
