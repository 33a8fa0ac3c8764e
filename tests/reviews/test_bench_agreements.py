"""The agreements benchmark command: it renders a signed PDF of the demo and exports a
number of them into a ZIP, printing the times and the peak memory (the figures themselves
are in docs/PERFORMANCE.md, not checked here)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db(transaction=True)
def test_it_times_one_pdf_and_an_export_of_the_demo():
    call_command("seed_demo", "--agreements", "12", verbosity=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_agreements", renders=3, count=9, stdout=out)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(
        r"one signed PDF: median \d+ ms, p95 \d+ ms, max \d+ ms over 3 renders of 3 "
        r"agreements \(CPU median \d+ ms; the first render \d+ ms\), \d+ KB",
        lines[0],
    )
    assert re.match(
        r"export of 9 PDFs \(\d+ distinct agreements\): [\d.]+ s, \d+ ms a PDF", lines[1]
    )
    assert "0 errors" in lines[1] and "MB after a tenth" in lines[1]
    assert "MB at the peak" in lines[1]


@pytest.mark.django_db
def test_it_says_when_there_is_no_demo():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench_agreements", slug="nowhere", stdout=io.StringIO())
