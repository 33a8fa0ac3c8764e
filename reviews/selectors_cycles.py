"""Reads of review cycles (docs/DOMAIN.md rules R51 to R60): the cycle list with its
figures, the tracker (where each review stands, who is late, filters, counts per status),
its export table, the reopen reasons, and the calibration figures (stored final scores per
department and per manager beside the whole cycle's). Every read takes the cycle (or the
organisation) explicitly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils.translation import gettext as _

from orgs.models import AuditEvent, Organization

from .models import Review, ReviewCycle, ReviewStatus
from .selectors_reviews import REVIEW_DELEGATE_GRANT
from .services.cycles import local_today

#: Which deadline each stage of a review waits on (docs/DOMAIN.md rule R57).
STAGE_DEADLINE = {
    ReviewStatus.SELF_ASSESSMENT: "self_assessment_due",
    ReviewStatus.MANAGER_REVIEW: "manager_review_due",
    ReviewStatus.READY_TO_SHARE: "manager_review_due",
    ReviewStatus.SHARED: "acknowledgement_due",
}
#: A calibration group is an outlier when it has at least this many scores...
OUTLIER_MIN_PEOPLE = 3
#: ...and its mean is further than this from the whole cycle's (points of the scale).
OUTLIER_GAP = Decimal(1)


def cycles_for_org(org: Organization):
    """The organisation's cycles, newest window first, each with its number of reviews and
    of acknowledged ones (one query)."""
    return (
        ReviewCycle.objects.filter(org=org)
        .annotate(
            review_count=Count("reviews"),
            acknowledged_count=Count(
                "reviews", filter=Q(reviews__status=ReviewStatus.ACKNOWLEDGED)
            ),
        )
        .order_by("-window_start", "-created_at", "-id")
    )


def cycle_departments(cycle: ReviewCycle) -> list[str]:
    return sorted(d.department.name for d in cycle.departments.select_related("department"))


def cycle_people(cycle: ReviewCycle) -> list[str]:
    return sorted(
        p.member.user.get_full_name() for p in cycle.participants.select_related("member__user")
    )


def reopen_reasons(cycle: ReviewCycle) -> list[dict]:
    """Each time the cycle was reopened: when, by whom, why (from the audit trail)."""
    events = AuditEvent.objects.filter(
        org_id=cycle.org_id,
        object_type="reviews.reviewcycle",
        object_id=str(cycle.pk),
        action="review_cycle.reopen",
    ).order_by("-created_at", "-id")
    return [
        {
            "at": event.created_at,
            "by": event.actor_label,
            "reason": (event.changes.get("reason") or {}).get("new", ""),
        }
        for event in events
    ]


def _late_condition(today: datetime.date) -> Q:
    """The review's stage is past its deadline, in the organisation's days (R57)."""
    condition = Q()
    for status, deadline in STAGE_DEADLINE.items():
        condition |= Q(status=status, **{f"cycle__{deadline}__lt": today})
    return condition


@dataclass
class TrackerFilters:
    #: A department's id (with those below it); an id of no department here matches nobody.
    department_id: int | None = None
    status: str = ""
    late: bool = False


def tracker_reviews(cycle: ReviewCycle, filters: TrackerFilters | None = None, *, today=None):
    """The cycle's reviews for the tracker, each with its reviewee, department, reviewer
    and whether it is late (``is_late``), by name; filtered by department (with those below
    it), status and lateness. One query (the page paginates it)."""
    from orgs.people_rules import department_subtree

    filters = filters or TrackerFilters()
    today = today or local_today(cycle.org)
    reviews = (
        Review.objects.filter(org_id=cycle.org_id, cycle_id=cycle.pk)
        .select_related("cycle", "reviewee__user", "reviewee__department", "reviewer__user")
        .annotate(
            is_late=Case(
                When(_late_condition(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("reviewee__user__full_name", "reviewee_id", "id")
    )
    if filters.department_id is not None:
        reviews = reviews.filter(
            reviewee__department_id__in=department_subtree(
                org_id=cycle.org_id, roots=[filters.department_id]
            )
        )
    if filters.status:
        reviews = reviews.filter(status=filters.status)
    if filters.late:
        reviews = reviews.filter(_late_condition(today))
    return reviews


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


def tracker_counts(cycle: ReviewCycle, *, today=None) -> tuple[list[StatusCount], int, int]:
    """Reviews per status (every status, zero included), the total and how many are late
    (one query)."""
    today = today or local_today(cycle.org)
    figures = Review.objects.filter(org_id=cycle.org_id, cycle_id=cycle.pk).aggregate(
        total=Count("id"),
        late=Count("id", filter=_late_condition(today)),
        **{f"n_{status}": Count("id", filter=Q(status=status)) for status in ReviewStatus.values},
    )
    counts = [
        StatusCount(status=status, label=label, count=figures[f"n_{status}"])
        for status, label in ReviewStatus.choices
    ]
    return counts, figures["total"], figures["late"]


def deadline_of(review: Review) -> datetime.date | None:
    name = STAGE_DEADLINE.get(review.status)
    return getattr(review.cycle, name) if name else None


def tracker_table(cycle: ReviewCycle, reviews):
    """The tracker as an export table (kpis/exports.py): one row per review, as the page
    shows it."""
    from kpis.exports import ExportTable

    table = ExportTable(
        name=f"{cycle.name} tracker",
        title=_("Review tracker"),
        headers=[
            _("Person"),
            _("Email"),
            _("Department"),
            _("Reviewer"),
            _("Status"),
            _("Due"),
            _("Late"),
            _("Final score"),
        ],
    )
    for review in reviews:
        person = review.reviewee
        table.add(
            [
                person.user.get_full_name(),
                person.user.email,
                person.department.name if person.department_id else "",
                review.reviewer.user.get_full_name() if review.reviewer_id else "",
                review.get_status_display(),
                deadline_of(review),
                bool(review.is_late),
                review.final_score if review.is_shared else None,
            ]
        )
    return table


# --- calibration (docs/DOMAIN.md rule R60) ----------------------------------------------------


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _nearest_point(score: Decimal, points: list[int]) -> int:
    """The scale point a final score rounds to (halves up)."""
    return min(points, key=lambda p: (abs(Decimal(p) - score), -p))


@dataclass
class Group:
    key: str
    name: str
    scores: list[Decimal] = field(default_factory=list)
    mean: Decimal | None = None
    distribution: list[int] = field(default_factory=list)
    gap: Decimal | None = None
    outlier: bool = False
    # One cell per point of the scale: {"value", "label", "count"}, as the table shows it.
    cells: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.scores)


@dataclass
class Calibration:
    cycle: ReviewCycle
    points: list[dict]
    whole: Group
    departments: list[Group]
    managers: list[Group]
    without_score: int

    @property
    def is_empty(self) -> bool:
        return not self.whole.scores


def _finish(group: Group, scale: list[dict], cycle_mean: Decimal | None) -> Group:
    points = [int(p["value"]) for p in scale]
    group.mean = _mean(group.scores)
    counts = dict.fromkeys(points, 0)
    for score in group.scores:
        counts[_nearest_point(score, points)] += 1
    group.distribution = [counts[p] for p in points]
    group.cells = [
        {"value": p["value"], "label": p["label"], "count": counts[int(p["value"])]} for p in scale
    ]
    if group.mean is not None and cycle_mean is not None:
        group.gap = group.mean - cycle_mean
        group.outlier = group.count >= OUTLIER_MIN_PEOPLE and abs(group.gap) > OUTLIER_GAP
    return group


def calibration(cycle: ReviewCycle) -> Calibration:
    """The stored final scores of the cycle (never computed here): the whole cycle's
    distribution over the scale's points and mean, then the same per department of the
    reviewee and per reviewer, each group's gap to the cycle's mean and whether it is an
    outlier (at least ``OUTLIER_MIN_PEOPLE`` scores and a mean further than
    ``OUTLIER_GAP`` from the cycle's). One query."""
    rows = list(
        Review.objects.filter(org_id=cycle.org_id, cycle_id=cycle.pk).values_list(
            "final_score",
            "reviewee__department_id",
            "reviewee__department__name",
            "reviewer_id",
            "reviewer__user__full_name",
        )
    )
    points = list(cycle.rating_scale)
    whole = Group(key="cycle", name=_("The whole cycle"))
    departments: dict = {}
    managers: dict = {}
    without = 0
    for score, dept_id, dept_name, reviewer_id, reviewer_name in rows:
        if score is None:
            without += 1
            continue
        whole.scores.append(score)
        departments.setdefault(
            dept_id, Group(key=f"d{dept_id or 0}", name=dept_name or _("No department"))
        ).scores.append(score)
        managers.setdefault(
            reviewer_id, Group(key=f"m{reviewer_id or 0}", name=reviewer_name or _("No reviewer"))
        ).scores.append(score)
    cycle_mean = _mean(whole.scores)
    _finish(whole, points, None)
    by_name = lambda g: (g.name.casefold(), g.key)  # noqa: E731
    return Calibration(
        cycle=cycle,
        points=list(cycle.rating_scale),
        whole=whole,
        departments=sorted(
            (_finish(g, points, cycle_mean) for g in departments.values()), key=by_name
        ),
        managers=sorted((_finish(g, points, cycle_mean) for g in managers.values()), key=by_name),
        without_score=without,
    )


def calibration_svg(result: Calibration, groups: list[Group], *, title: str) -> str:
    """Each group's share of people per scale point beside the whole cycle's, as grouped
    bars (pygal, server-side SVG without script or style)."""
    import xml.etree.ElementTree as ET

    import pygal

    from kpis.charts import _strip

    # The points alone on the axis (labels would collide); the table beside names them.
    labels = [str(p["value"]) for p in result.points]
    chart = pygal.Bar(
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        width=720,
        height=320,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        x_title=_("Point of the scale"),
        y_title=_("% of the group"),
        show_y_guides=True,
        truncate_label=-1,
        truncate_legend=-1,
        no_data_text=_("No scores yet"),
        x_label_rotation=0,
        range=(0, 100),
        title=title or None,
    )
    chart.x_labels = labels

    def shares(group: Group) -> list[float]:
        total = group.count or 1
        return [round(100 * n / total, 1) for n in group.distribution]

    chart.add(_("The whole cycle (%)"), shares(result.whole))
    # The outliers first, then the largest groups: a chart of eight groups stays readable.
    shown = sorted(groups, key=lambda g: (not g.outlier, -g.count, g.name.casefold()))[:8]
    for group in shown:
        chart.add(f"{group.name} (%)", shares(group))
    tree = _strip(chart.render_tree())
    tree.set("class", "pygal-chart report-chart calibration-chart")
    tree.set("role", "img")
    tree.set("aria-label", title or _("Final scores per point of the scale"))
    tree.attrib.pop("id", None)
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(tree, encoding="unicode")


__all__ = [
    "Calibration",
    "Group",
    "StatusCount",
    "TrackerFilters",
    "calibration",
    "calibration_svg",
    "cycle_departments",
    "cycle_people",
    "cycles_for_org",
    "deadline_of",
    "reopen_reasons",
    "reviewer_delegates",
    "tracker_counts",
    "tracker_reviews",
    "tracker_table",
]


def reviewer_delegates(review: Review) -> list:
    """The members granted the writing of ``review`` in the reviewer's place
    (django-guardian's ``reviews.review_as_reviewer`` on it), by name. Two queries."""
    from guardian.shortcuts import get_users_with_perms

    from orgs.models import Membership

    users = get_users_with_perms(
        review, only_with_perms_in=[REVIEW_DELEGATE_GRANT], with_group_users=False
    )
    return list(
        Membership.objects.filter(org_id=review.org_id, user__in=users)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
