"""The one normal form of an email address: how it is stored, looked up and counted.

Every address that comes in (signing up, an invitation, an org-chart import, a login, the
token endpoint, a password reset, the login lockout) passes through ``normalize_email``
once, and accounts are then matched exactly. Matching with the database's case-insensitive
comparison instead (``email__iexact``, PostgreSQL ``UPPER()``) would let look-alikes such as
a dotless "ı" (whose upper case is "I") reach an account while counting as another name for
the login lockout.
"""

from __future__ import annotations

import unicodedata


def normalize_email(value: str | None) -> str:
    """Unicode NFKC with case folding, and no surrounding white space.

    Compatibility forms fold to their plain letter (fullwidth "ａ" is "a", the long "ſ" is
    "s"), and case folding is Unicode's caseless matching, not ``lower()``. A letter that
    folds to no other letter (the dotless "ı") stays itself, so an address spelled with it
    is a different address and finds no account of the dotted one."""
    text = unicodedata.normalize("NFKC", value or "")
    # Folding can produce text that is no longer NFKC (and vice versa): settle both.
    return unicodedata.normalize("NFKC", text.casefold()).strip()
