"""A review as a PDF (docs/DOMAIN.md rule R69), through the agreements' renderer
(kra_platform/pdf.py ``render_pdf``: the shipped fonts, nothing fetched): the KRAs with their
targets and actuals, the ratings and comments, the growth goals, the score breakdown, the
KPIs' trend charts (the dashboards' pygal charts), and the acknowledgement's signature.

It shows what the reader may see of the review (reviews/selectors_reviews.py
``review_view``): the person's PDF before the review is shared holds nothing of the
manager's part."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from kpis.charts import trend_svg
from kpis.dashboard_selectors import thresholds
from kra_platform.pdf import render_pdf

from . import scoring
from .models import Review
from .pdf import _moments, _zone
from .selectors_reviews import review_trends, review_view

TEMPLATE = "reviews/review/review_pdf.html"


def _chart(name: str, points, limits) -> str:
    svg = trend_svg(points, on_track=limits.on_track, at_risk=limits.at_risk, title=name)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def review_pdf(*, review: Review, viewer) -> bytes:
    view = review_view(review=review, viewer=viewer)
    zone = _zone(review.org)
    limits = thresholds(review.org)
    trends = review_trends(review)
    signatures = []
    for sig in view.signatures:
        local, utc = _moments(sig.signed_at, zone)
        signatures.append({"sig": sig, "local": local, "utc": utc})
    context = {
        "review": review,
        "view": view,
        "org": review.org,
        "kras": [
            {
                "item": item,
                "charts": [
                    _chart(name, points, limits) for name, points in trends.get(item.pk, [])
                ],
            }
            for item in view.items
        ],
        "final_shown": scoring.shown(view.final_score),
        "signatures": signatures,
        "printed": _moments(timezone.now(), zone)[0],
        "zone": zone.key,
    }
    return render_pdf(render_to_string(TEMPLATE, context))
