"""Numbers as people write them: a weight of 25.00 reads "25", a target of 4.2500 "4.25".
Used in messages (the cascade's "weight: 20 → 30", the readiness checks) and in pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def plain(value) -> str:
    if value is None or value == "":
        return ""
    try:
        text = format(Decimal(str(value)), "f")
    except InvalidOperation:
        return str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
