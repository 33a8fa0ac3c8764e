from django import template

from kra_platform import formatting

register = template.Library()


@register.filter
def plain(value):
    """25.00 → "25", 4.2500 → "4.25", 250000 → "250,000" (the ``number`` filter of the
    ``formatting`` library, kept under its older name)."""
    return formatting.number(value)
