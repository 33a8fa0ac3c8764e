"""``manage.py bench`` (``make bench``) end to end at a tiny size: it builds the scale tenant,
times the rollup against the bare GROUP BY floor, starts gunicorn with the production
settings as the application role, and times every page from two clients."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization

PAGES = {
    "person dashboard",
    "team grid",
    "person page",
    "My KPIs",
    "measurement API (employee)",
    "measurement API (HR)",
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_builds_the_tenant_and_reports_rollup_and_pages(settings, tmp_path):
    # The server runs the production settings, whose hashers the demo password must use.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    report_file = tmp_path / "bench.json"
    out = StringIO()
    call_command(
        "bench",
        slug="scale",
        employees=30,
        agreements=0,
        rollups=1,
        requests=4,
        output=str(report_file),
        stdout=out,
    )
    text = out.getvalue()
    assert "Building the scale tenant “scale” (30 employees)" in text
    assert "Floor (bare GROUP BY of" in text
    assert "Rollup after a day's values (1 person in 20): median" in text
    assert "Budget: the nightly run after a day's values" in text
    assert f"Figures written to {report_file}" in text and "docs/PERFORMANCE.md" in text

    report = json.loads(report_file.read_text())
    assert report["machine"]["cores"] >= 1 and report["machine"]["postgresql"]
    tenant = report["tenant"]
    assert tenant["people"] == 30 and tenant["roles"] == 30 and tenant["built"]
    assert tenant["kras"] >= 5 * 29 and tenant["measurements"] > 0
    rollup = report["rollup"]
    assert rollup["groups"] > 0 and rollup["floor_median"] > 0 and rollup["ratio"] > 0
    # A day's values (1 person in 20, by membership id) recompute those people alone and are
    # rolled back; with nothing changed, nobody is recomputed and nothing written; asked to
    # recompute everyone, the run writes nothing either (the scores were right); the first
    # run, with no score or digest stored, writes every score.
    day = rollup["after_a_day"]
    assert rollup["ratio"] == day["ratio"] > 0 and day["recomputed"][0] >= 1
    assert day["recomputed"][0] <= 30 // rollup["day_share"] + 1
    assert rollup["unchanged"]["recomputed"] == [0] and rollup["unchanged"]["written"] == [0]
    assert rollup["everyone"]["recomputed"] == [30] and rollup["everyone"]["written"] == [0]
    assert rollup["first_run"]["written"] == [tenant["scores"]] and tenant["scores"] > 0
    pages = {p["page"]: p for p in report["pages"]}
    assert set(pages) == PAGES
    for name, page in pages.items():
        assert page["status"] == [200], name
        assert page["requests"] == 4 and 0 < page["p50_ms"] <= page["p95_ms"], name
        assert page["queries"] > 0 and page["kb"] > 0, name

    # A second run reuses the tenant.
    again = StringIO()
    call_command(
        "bench",
        slug="scale",
        rollups=1,
        requests=2,
        output=str(report_file),
        stdout=again,
    )
    assert "Reusing the tenant “scale”" in again.getvalue()
    assert Organization.objects.filter(slug="scale").count() == 1


@pytest.mark.django_db
def test_bench_refuses_silly_numbers():
    with pytest.raises(CommandError, match=">= 1"):
        call_command("bench", clients=0, stdout=StringIO())
