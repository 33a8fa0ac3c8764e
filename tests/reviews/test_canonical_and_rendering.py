"""The shared pieces under signing: canonical JSON (RFC 8785) and SHA-256
(kra_platform/canonical.py), and PDF rendering that reads nothing but the shipped fonts
(kra_platform/pdf.py)."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from kra_platform import canonical
from kra_platform.pdf import _fetcher_class, font_paths, render_pdf


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_unicode():
    text = canonical.canonical_text({"b": [1, True, None], "a": "Zoë €", "A": {"y": 2, "x": 1}})
    assert text == '{"A":{"x":1,"y":2},"a":"Zoë €","b":[1,true,null]}'
    assert canonical.document_hash({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_the_same_content_in_another_order_hashes_the_same():
    assert canonical.document_hash({"x": 1, "y": [1, 2]}) == canonical.document_hash(
        {"y": [1, 2], "x": 1}
    )


def test_only_the_exact_canonical_spelling_counts_as_canonical():
    assert canonical.is_canonical('{"a":1,"b":2}')
    assert not canonical.is_canonical('{"b":2,"a":1}')
    assert not canonical.is_canonical('{"a": 1}')
    assert not canonical.is_canonical("not json")


@pytest.mark.parametrize(
    "value,text",
    [("25.00", "25"), ("4.2500", "4.25"), ("1E+2", "100"), ("0.1", "0.1"), ("-3.50", "-3.5")],
)
def test_decimals_keep_their_exact_value_as_text(value, text):
    assert canonical.decimal_text(value) == text


def test_moments_are_utc_to_the_microsecond_and_naive_ones_are_refused():
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    moment = datetime.datetime(2026, 3, 1, 10, 30, 5, 120, tzinfo=berlin)
    assert canonical.utc_text(moment) == "2026-03-01T09:30:05.000120Z"
    with pytest.raises(ValueError):
        canonical.utc_text(datetime.datetime(2026, 3, 1, 10, 30))


def test_rendering_fetches_the_shipped_fonts_and_nothing_else(tmp_path):
    fetcher = _fetcher_class()(allowed_protocols={"data", "file"})
    font = next(iter(font_paths().values()))
    response = fetcher.fetch(font.as_uri())
    try:
        assert response.read(4) in (b"\x00\x01\x00\x00", b"true", b"OTTO")
    finally:
        response.close()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for a PDF")
    for url in (secret.as_uri(), "file:///etc/passwd", "http://127.0.0.1:1/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # A document that asks for them still renders, without them.
    pdf = render_pdf(f'<p>Hello</p><img src="{secret.as_uri()}">')
    assert pdf.startswith(b"%PDF") and b"not for a PDF" not in pdf
