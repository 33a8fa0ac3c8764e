"""Numbers as people read them: a weight of 25.00 reads "25", a target of 4.2500 "4.25", a
revenue of 250000 "250,000" (grouped in the active locale). Used in messages (the cascade's
"weight: 20 → 30", the readiness checks) and in pages."""

from __future__ import annotations

from kra_platform.formatting import number


def plain(value) -> str:
    return number(value)
