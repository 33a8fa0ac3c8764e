"""The demo's results: a year of measurements for the people holding KPIs, and their scores."""

import random
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from demo.measurements import measurements_seed, value_for
from kpis.measurement_selectors import score_status
from kpis.models import KPI, Direction, Measurement, MeasureType, Score, ScoreScope, ScoreWindow
from kras.models import KRA, KRALevel
from orgs.models import AuditEvent, Organization
from roles.models import RoleAssignment


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--agreements", "0", *args, stdout=out)
    return out.getvalue()


def kpi_holders(org):
    roles = set(
        KPI.objects.filter(org=org, kra__level=KRALevel.ROLE).values_list("kra__role", flat=True)
    )
    return set(
        RoleAssignment.objects.filter(org=org, role__in=roles).values_list("member", flat=True)
    )


@pytest.mark.django_db
def test_most_kpi_holders_have_a_year_of_results_with_some_periods_missing():
    output = seed()
    org = Organization.objects.get(slug="demo")

    holders = kpi_holders(org)
    recorded = set(Measurement.objects.filter(org=org).values_list("person", flat=True))
    assert recorded <= holders
    assert len(recorded) >= 0.8 * len(holders)
    assert len(recorded) < len(holders)  # a few record nothing
    assert "values recorded" in output

    # Every value sits in a period that has started, each with its own source reference.
    values = Measurement.objects.filter(org=org)
    assert not values.exclude(source_ref__startswith="demo:").exists()
    per_pair = Counter(values.values_list("kpi", "person"))
    most = Counter()
    for (kpi, _person), count in per_pair.items():
        most[kpi] = max(most[kpi], count)
    short = [pair for pair, count in per_pair.items() if count < most[pair[0]]]
    assert short, "some people skip some periods"
    assert len(short) < len(per_pair) / 2


@pytest.mark.django_db
def test_scores_are_computed_with_a_spread_of_statuses():
    seed()
    org = Organization.objects.get(slug="demo")
    people = Score.objects.filter(
        org=org, scope=ScoreScope.PERSON, window=ScoreWindow.YEAR_TO_DATE
    ).exclude(achievement=None)
    assert people.count() >= 20
    statuses = Counter(
        score_status(score.achievement, on_track=Decimal("0.9"), at_risk=Decimal("0.7"))
        for score in people
    )
    assert len(statuses) >= 3, statuses
    assert Score.objects.filter(org=org, scope=ScoreScope.ORGANIZATION).exists()


@pytest.mark.django_db
def test_a_second_run_writes_nothing():
    seed()
    org = Organization.objects.get(slug="demo")
    before = (
        list(Measurement.objects.filter(org=org).values_list("id", "value", "updated_at")),
        list(Score.objects.filter(org=org).values_list("id", "achievement", "computed_at")),
        AuditEvent.objects.filter(org=org).count(),
    )
    assert before[0]

    seed()

    after = (
        list(Measurement.objects.filter(org=org).values_list("id", "value", "updated_at")),
        list(Score.objects.filter(org=org).values_list("id", "achievement", "computed_at")),
        AuditEvent.objects.filter(org=org).count(),
    )
    assert sorted(after[0]) == sorted(before[0])
    assert sorted(after[1]) == sorted(before[1])
    assert after[2] == before[2]


@pytest.mark.django_db
def test_measurements_can_be_left_out_and_added_later():
    seed("--no-measurements")
    org = Organization.objects.get(slug="demo")
    assert not Measurement.objects.filter(org=org).exists()
    assert not Score.objects.filter(org=org).exists()

    output = seed()
    assert Measurement.objects.filter(org=org).exists()
    assert Score.objects.filter(org=org).exists()
    assert "values recorded" in output and "nothing was changed" not in output


@pytest.mark.django_db
def test_values_respect_each_kpis_kind():
    seed("--no-measurements")
    org = Organization.objects.get(slug="demo")
    # A KRA of the role most people hold, so the values span every standing.
    [(role, _count)] = Counter(
        RoleAssignment.objects.filter(org=org).values_list("role", flat=True)
    ).most_common(1)
    kra = KRA.objects.filter(org=org, level=KRALevel.ROLE, role=role).first()
    template = kra.kpis.first()
    dates = {"start_date": template.start_date, "due_date": template.due_date}
    done = KPI.objects.create(
        org=org,
        kra=kra,
        name="Checklist done",
        measure_type=MeasureType.BOOLEAN,
        direction=Direction.BOOLEAN,
        frequency="weekly",
        aggregation="last",
        **dates,
    )
    band = KPI.objects.create(
        org=org,
        kra=kra,
        name="Utilisation in band",
        measure_type=MeasureType.PERCENT,
        direction=Direction.RANGE,
        target_low=Decimal(70),
        target_high=Decimal(85),
        frequency="monthly",
        aggregation="avg",
        **dates,
    )

    created = measurements_seed(org).created
    assert created == Measurement.objects.filter(org=org).count() > 0

    flags = set(Measurement.objects.filter(kpi=done).values_list("value", flat=True))
    assert flags == {Decimal(0), Decimal(1)}
    bands = list(Measurement.objects.filter(kpi=band).values_list("value", flat=True))
    assert bands and all(Decimal(40) <= v <= Decimal(100) for v in bands)
    # Which values fall in the band depends on each person's draw (seeded by ids, which the
    # tests before this one move); the rule itself: a period on target lands in the band, a
    # shortfall outside it.
    rng = random.Random(7)
    assert all(70 <= value_for(band, 1.0, rng) <= 85 for _ in range(50))
    assert all(not 70 <= value_for(band, 0.8, rng) <= 85 for _ in range(50))
    percents = Measurement.objects.filter(org=org, kpi__measure_type=MeasureType.PERCENT)
    assert all(0 <= v <= 100 for v in percents.values_list("value", flat=True))
