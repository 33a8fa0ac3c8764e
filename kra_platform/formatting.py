"""Numbers, money and dates as a person reads them, in the active locale (the organisation's
language): thousands grouped ("250,000"), no trailing zeros ("4.25", not "4.2500"), money as
"250,000 USD", one date format ("Dec. 31, 2025") and one date-and-time format for the whole
product. Pages use them through the ``formatting`` template library; messages built in Python
call them directly."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone

DATE_FORMAT = "DATE_FORMAT"
DATETIME_FORMAT = "DATETIME_FORMAT"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number(value) -> str:
    """25.00 → "25", 4.2500 → "4.25", 250000 → "250,000"; "" for no value. Text that is not
    a number is returned as it is."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    amount = amount.normalize()
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    places = max(0, -amount.as_tuple().exponent)
    return formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def money(value, currency: str = "") -> str:
    """250000 → "250,000 USD"; cents only when there are some ("1,234.50 USD")."""
    amount = _decimal(value)
    if amount is None:
        return ""
    places = 0 if amount == amount.to_integral_value() else 2
    text = formats.number_format(
        amount.quantize(Decimal(1) if places == 0 else Decimal("0.01")),
        decimal_pos=places,
        use_l10n=True,
        force_grouping=True,
    )
    return f"{text} {currency}".strip()


def day(value) -> str:
    """A date (or the local date of a moment) in the product's one date format."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return formats.date_format(value, DATE_FORMAT)


def moment(value) -> str:
    """A date and time, in the active time zone (the organisation's), in the product's one
    date-and-time format."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return day(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, DATETIME_FORMAT)
