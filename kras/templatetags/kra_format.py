from django import template

from kras.kra_numbers import plain as plain_number

register = template.Library()


@register.filter
def plain(value):
    """25.00 → "25", 4.2500 → "4.25"."""
    return plain_number(value)
