"""Canonical JSON and SHA-256: the bytes a signature vouches for.

A document is serialised once with the JSON Canonicalization Scheme (RFC 8785: keys sorted
by UTF-16 code units, no whitespace, one spelling of every number and string), so the same
content always gives the same bytes and the same hash, whoever computes it and whenever.
Numbers that must keep their exact decimal form (a weight of 12.5, a target of 0.1) are
written as strings: RFC 8785 spells numbers as IEEE doubles.

Knows no domain model.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json

import rfc8785

#: The ``prev_hash`` of the first link of a hash chain.
GENESIS_HASH = "0" * 64


def canonical_bytes(document) -> bytes:
    """``document`` (dicts, lists, strings, ints, booleans, None) in RFC 8785 form."""
    return rfc8785.dumps(document)


def canonical_text(document) -> str:
    return canonical_bytes(document).decode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def document_hash(document) -> str:
    """The SHA-256 (hex) of ``document``'s canonical form."""
    return sha256_hex(canonical_bytes(document))


def is_canonical(text: str) -> bool:
    """Whether ``text`` is exactly the canonical form of the JSON it holds (a stored
    snapshot that was re-spaced or re-ordered is not, even if it parses to the same
    values)."""
    try:
        return canonical_text(json.loads(text)) == text
    except (ValueError, TypeError, rfc8785.CanonicalizationError):
        return False


def decimal_text(value) -> str | None:
    """A decimal as a plain string without exponent or trailing zeros: 25.00 → "25",
    4.2500 → "4.25", 1E+2 → "100"; None stays None."""
    if value is None:
        return None
    number = decimal.Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    number = number.normalize()
    if number == number.to_integral_value():
        return str(number.quantize(decimal.Decimal(1)))
    return format(number, "f")


def date_text(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def utc_text(value: datetime.datetime | None) -> str | None:
    """An aware moment in UTC, to the microsecond, ending in "Z"."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no place in a signed document")
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
