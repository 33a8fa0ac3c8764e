"""Charts drawn on the server as SVG (pygal), for the results pages.

The page's Content Security Policy allows no inline script and no inline style, so the SVG is
stripped of pygal's own ``<script>`` and ``<style>`` elements and ``style`` attributes; its
look comes from static/css/app.css (the "KPI dashboards" section), by pygal's class names.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from decimal import Decimal

import pygal
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger("kra.kpis")

#: A drawn chart is kept under a key made of everything it is drawn from (the numbers, the
#: thresholds, the title, the language): the same inputs draw the same SVG, so a kept chart
#: is never stale and nothing has to forget it; a day's keep bounds what the cache holds.
CHART_CACHE_SECONDS = 24 * 3600
#: Part of every key: change it when the drawing changes.
CHART_VERSION = 1

_SVG = "{http://www.w3.org/2000/svg}"


def _strip(tree: ET.Element) -> ET.Element:
    """Drop what the CSP would block (and log in the browser console)."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag in (f"{_SVG}script", f"{_SVG}style", "script", "style"):
                parent.remove(child)
    for element in tree.iter():
        element.attrib.pop("style", None)
    return tree


def chart_key(kind: str, inputs: list) -> str:
    """The cache key of a chart: everything it is drawn from, and the active language."""
    text = json.dumps([kind, CHART_VERSION, get_language(), *inputs], default=str)
    return "kpis:chart:" + hashlib.sha256(text.encode()).hexdigest()


def _kept(kind: str, inputs: list, draw: Callable[[], str]) -> str:
    """The chart drawn from ``inputs``: from the cache when it was drawn before, else drawn
    and kept. Without the cache (Redis down) it is drawn every time."""
    key = chart_key(kind, inputs)
    try:
        svg = cache.get(key)
    except Exception:
        logger.warning("the chart cache is unavailable", exc_info=True)
        return draw()
    if svg is None:
        svg = draw()
        try:
            cache.set(key, svg, CHART_CACHE_SECONDS)
        except Exception:  # noqa: S110 (drawn; kept next time)
            pass
    return svg


def trend_svg(
    points: Sequence[tuple[datetime.date, Decimal | None]],
    *,
    on_track: Decimal,
    at_risk: Decimal,
    title: str = "",
) -> str:
    """A line of achievement per period (a gap where a period has no data, never zero)
    against the target (1.0) and the "on track" / "at risk" thresholds (docs/DOMAIN.md rule
    R24): an inline ``<svg>`` string, without script or style. Drawn once per set of inputs
    (``_kept``)."""
    return _kept(
        "trend",
        _trend_inputs(points, on_track, at_risk, title),
        lambda: _trend_svg(points, on_track=on_track, at_risk=at_risk, title=title),
    )


def _trend_inputs(points, on_track, at_risk, title) -> list:
    return [list(points), on_track, at_risk, title]


def _trend_svg(
    points: Sequence[tuple[datetime.date, Decimal | None]],
    *,
    on_track: Decimal,
    at_risk: Decimal,
    title: str,
) -> str:
    values = [None if a is None else float(a) for _d, a in points]
    top = max([1.2, float(on_track), *(v for v in values if v is not None)])
    chart = pygal.Line(
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        width=640,
        height=260,
        range=(0, round(top + 0.1, 1)),
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        allow_interpolation=False,
        show_y_guides=True,
        truncate_label=-1,
        no_data_text=_("No data"),
        x_label_rotation=0,
        title=title or None,
    )
    chart.x_labels = [day.strftime("%b %y") for day, _a in points]
    count = len(points)
    # A period without data breaks the line: "no data" is never drawn as zero or bridged.
    chart.add(_("Achievement"), values, allow_interruptions=True)
    chart.add(_("Target"), [1.0] * count, show_dots=False)
    chart.add(_("On track"), [float(on_track)] * count, show_dots=False)
    chart.add(_("At risk"), [float(at_risk)] * count, show_dots=False)
    tree = _strip(chart.render_tree())
    tree.set("class", "pygal-chart kpi-chart")
    tree.set("role", "img")
    tree.set("aria-label", _("Achievement per period against the target and thresholds"))
    tree.attrib.pop("id", None)
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(tree, encoding="unicode")


def distribution_svg(bands: Sequence[tuple[str, str, int]]) -> str:
    """A bar per band of person scores (``(key, label, people)``: off track, at risk, on
    track, no data), each bar classed by its band for the stylesheet's colours: an inline
    ``<svg>`` string, without script or style."""
    chart = pygal.Bar(
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        width=640,
        height=300,
        show_legend=False,
        print_values=True,
        show_y_guides=True,
        truncate_label=-1,
        no_data_text=_("No data"),
        x_label_rotation=0,
        min_scale=1,
        order_min=0,
    )
    chart.x_labels = [label for _key, label, _n in bands]
    chart.add(_("People"), [n for _key, _label, n in bands])
    tree = _strip(chart.render_tree())
    bars = [
        g
        for g in tree.iter()
        if g.tag in ("g", f"{_SVG}g") and "bar" in (g.get("class") or "").split()
    ]
    for group, (key, _label, _n) in zip(bars, bands, strict=False):
        group.set("class", f"{group.get('class')} band-{key}")
    tree.set("class", "pygal-chart report-chart")
    tree.set("role", "img")
    tree.set("aria-label", _("People by the status of their score this year"))
    tree.attrib.pop("id", None)
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(tree, encoding="unicode")
