"""``{% load kpi_results %}``: an achievement as the percentage pages and exports show
(kpis/exports.py ``percent``), ``{{ score.achievement|percent }}%``; "" for no data."""

from django import template

from kra_platform import formatting

from ..exports import percent as as_percent

register = template.Library()


@register.filter
def percent(achievement) -> str:
    return formatting.number(as_percent(achievement))
