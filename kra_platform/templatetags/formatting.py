"""``{% load formatting %}``: numbers, money and dates as kra_platform/formatting.py writes
them. ``{{ kpi.target|number }}``, ``{{ role.annual_cost|money:role.currency }}``,
``{{ role.justification_target_date|day }}``, ``{{ event.created_at|moment }}``."""

from django import template

from kra_platform import formatting

register = template.Library()


@register.filter
def number(value):
    return formatting.number(value)


@register.filter
def money(value, currency=""):
    return formatting.money(value, currency or "")


@register.filter
def day(value):
    return formatting.day(value)


@register.filter
def moment(value):
    return formatting.moment(value)
