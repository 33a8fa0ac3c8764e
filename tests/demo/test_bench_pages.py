"""The page benchmark command: it signs in as the demo personas, requests every page that
must not grow with headcount from concurrent clients, and prints size, queries and times."""

import io

import pytest
from django.core.management import CommandError, call_command

PAGES = (
    "member edit",
    "department edit",
    "invitation form",
    "KRA edit",
    "role page",
    "roles list",
    "cascade explorer",
    "people list",
    "member search",
)


@pytest.mark.django_db(transaction=True)
def test_it_measures_every_page_as_the_demo_personas():
    call_command("seed_demo", verbosity=0)
    out = io.StringIO()
    call_command("bench_pages", clients=2, requests=3, stdout=out)
    lines = out.getvalue().splitlines()
    assert "40 active members; 2 clients, 3 timed requests per page" in lines[0]
    assert lines[1].split() == ["page", "status", "KB", "queries", "p50", "ms", "p95", "ms"]
    rows = {line[:16].strip(): line[16:].split() for line in lines[3:]}
    assert set(rows) == set(PAGES)
    for page, (status, size, queries, p50, p95) in rows.items():
        assert status == "200", page
        assert float(size) > 0 and int(queries) > 0, page
        assert 0 <= int(p50) <= int(p95), page


@pytest.mark.django_db
def test_it_says_when_there_is_no_demo():
    with pytest.raises(CommandError, match="run seed_demo"):
        call_command("bench_pages", slug="nowhere", stdout=io.StringIO())
