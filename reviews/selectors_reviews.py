"""Reads of reviews, and the one home of who sees which part of a review when
(docs/DOMAIN.md rules R41 and R63).

- The person sees their own part always; the manager's part (ratings, comments, development
  needs), the score and its breakdown only once the review is shared.
- The reviewer (or their delegate) sees their own part always; the person's self-ratings and
  comments only once the person has submitted them *and* the reviewer has submitted their
  own.
- HR and the management line above the person see the manager's part, and the person's part
  once submitted; the disagreement too.
- The KRAs, their targets and the actuals measured over the window are everyone's who may
  open the review.

Pages, the API and the PDF all read a review through ``review_view``, so a rule holds
everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from orgs import policy
from orgs.models import Membership, Organization
from orgs.policy import Action, is_hr
from orgs.tenancy import scoped

from . import scoring
from .models import CycleStatus, Review, ReviewGoal, ReviewItem, ReviewStatus, Signature
from .policy import writes_review

MY_REVIEWS_PAGE_SIZE = 25


def _amount(entry: dict, value) -> str:
    from kra_platform.formatting import number

    if value is None:
        return ""
    measure = entry.get("measure")
    if measure == "boolean":
        return _("done") if Decimal(value) else _("not done")
    text = number(Decimal(value))
    if measure == "percent":
        return f"{text}%"
    unit = entry.get("unit") or ""
    return f"{text} {unit}".strip()


def _target(entry: dict) -> str:
    if entry.get("target") is not None:
        return _amount(entry, entry["target"])
    if entry.get("target_low") is not None and entry.get("target_high") is not None:
        return f"{_amount(entry, entry['target_low'])}–{_amount(entry, entry['target_high'])}"
    return ""


def actual_sentence(entry: dict, *, own: bool) -> str:
    """One KPI's result over the window in words: "Your KPI target was 90% retention. You
    hit 87%." (or "Their…" for everyone else), with how complete the data is."""
    name, target = entry.get("name", ""), _target(entry)
    actual = _amount(entry, entry.get("actual"))
    parts = []
    if target:
        parts.append(
            (
                _("Your target for %(kpi)s was %(target)s.")
                if own
                else _("The target for %(kpi)s was %(target)s.")
            )
            % {"kpi": name, "target": target}
        )
    else:
        parts.append(_("%(kpi)s has no target.") % {"kpi": name})
    if actual:
        parts.append(
            (_("You hit %(actual)s.") if own else _("Actual: %(actual)s.")) % {"actual": actual}
        )
    else:
        parts.append(_("No result was recorded in the window."))
    expected = entry.get("periods_expected") or 0
    if expected:
        parts.append(
            _("Data for %(n)d of %(m)d periods.")
            % {"n": entry.get("periods_with_data") or 0, "m": expected}
        )
    return " ".join(parts)


def _base(org: Organization) -> QuerySet[Review]:
    return scoped(Review, org).select_related(
        "cycle", "reviewee__user", "reviewee__department", "reviewer__user"
    )


def my_reviews(*, org: Organization, member: Membership) -> QuerySet[Review]:
    """The member's own reviews, latest cycle first."""
    return _base(org).filter(reviewee=member).order_by("-cycle__window_start", "-pk")


#: The per-object grant (django-guardian) to write one review in the reviewer's place
#: (docs/DOMAIN.md rule R59): given by reviews/services/cycles.py, read only here.
REVIEW_DELEGATE_GRANT = "review_as_reviewer"


def delegated_reviews(member: Membership) -> QuerySet[Review]:
    """The reviews ``member`` writes in the reviewer's place: the grant held by their own
    account on each review, while it holds (docs/DOMAIN.md rule R59). The one home of "is
    this member a delegate of this review": the policy, the check-ins and the lists ask it
    here (the reminders' SQL reads the same grant by ``REVIEW_DELEGATE_GRANT``)."""
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(
        member.user,
        f"reviews.{REVIEW_DELEGATE_GRANT}",
        klass=scoped(Review, member.org_id),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def is_review_delegate(member: Membership, review: Review) -> bool:
    """Whether ``member`` may write ``review`` in the reviewer's place (one query)."""
    return delegated_reviews(member).filter(pk=review.pk).exists()


def reviews_to_write(*, org: Organization, member: Membership) -> QuerySet[Review]:
    """The reviews the member writes: as reviewer, or by a per-object grant in the
    reviewer's place; the ones still open first."""
    granted = delegated_reviews(member).values("pk")
    return (
        _base(org)
        .filter(Q(reviewer=member) | Q(pk__in=granted))
        .exclude(reviewee=member)
        .order_by("-cycle__window_start", "reviewee__user__full_name", "pk")
    )


def page_of(queryset, number, size: int = MY_REVIEWS_PAGE_SIZE):
    return Paginator(queryset, size).get_page(number)


@dataclass
class ItemView:
    """One KRA as the viewer may see it: the parts they may not see are None / ""."""

    pk: int
    title: str
    weight: Decimal
    actuals: list
    achievement: Decimal | None
    periods_with_data: int
    periods_expected: int
    missed_twice: bool
    self_rating: Decimal | None = None
    self_dimensions: dict = field(default_factory=dict)
    self_comment: str = ""
    manager_rating: Decimal | None = None
    manager_dimensions: dict = field(default_factory=dict)
    manager_comment: str = ""
    #: The KPIs' results in words (``actual_sentence``).
    lines: list = field(default_factory=list)


@dataclass
class GoalView:
    pk: int
    goal: str
    measurable_target: str
    progress: int | None
    comment: str


@dataclass
class ReviewView:
    """A review as one member may see it, with what they may do on it."""

    review: Review
    viewer: Membership
    is_reviewee: bool
    is_reviewer: bool
    sees_self_part: bool
    sees_manager_part: bool
    may_self_assess: bool
    may_write_manager: bool
    may_share: bool
    may_acknowledge: bool
    may_plan_development: bool
    items: list[ItemView]
    goals: list[GoalView]
    lessons_learned: str
    manager_comment: str
    development_needs: str
    final_score: Decimal | None
    breakdown: list[dict]
    disagreement: str
    signatures: list[Signature]

    @property
    def scale(self) -> list[dict]:
        return self.review.cycle.rating_scale

    @property
    def dimensions(self) -> list[str]:
        return list(self.review.cycle.dimensions or [])

    @property
    def final_label(self) -> str:
        return scoring.scale_label(self.scale, self.final_score)

    def as_api(self) -> dict:
        """What the API answers: the same parts, hidden the same way."""

        def text(value):
            return None if value is None else str(value)

        r = self.review
        return {
            "id": r.pk,
            "cycle": {"id": r.cycle_id, "name": r.cycle.name, "status": r.cycle.status},
            "reviewee": {"id": r.reviewee_id, "name": r.reviewee.user.get_full_name()},
            "reviewer": (
                {"id": r.reviewer_id, "name": r.reviewer.user.get_full_name()}
                if r.reviewer_id
                else None
            ),
            "status": r.status,
            "window_start": r.cycle.window_start,
            "window_end": r.cycle.window_end,
            "rating_scale": self.scale,
            "dimensions": self.dimensions,
            "kpi_achievement": text(r.kpi_achievement),
            "self_submitted_at": r.self_submitted_at,
            "manager_submitted_at": r.manager_submitted_at if self.sees_manager_part else None,
            "shared_at": r.shared_at,
            "acknowledged_at": r.acknowledged_at,
            "sees_self_part": self.sees_self_part,
            "sees_manager_part": self.sees_manager_part,
            "items": [
                {
                    "id": i.pk,
                    "title": i.title,
                    "weight": text(i.weight),
                    "actuals": i.actuals,
                    "achievement": text(i.achievement),
                    "periods_with_data": i.periods_with_data,
                    "periods_expected": i.periods_expected,
                    "missed_twice": i.missed_twice,
                    "self_rating": text(i.self_rating),
                    "self_dimensions": i.self_dimensions,
                    "self_comment": i.self_comment,
                    "manager_rating": text(i.manager_rating),
                    "manager_dimensions": i.manager_dimensions,
                    "manager_comment": i.manager_comment,
                }
                for i in self.items
            ],
            "goals": [
                {
                    "id": g.pk,
                    "goal": g.goal,
                    "measurable_target": g.measurable_target,
                    "progress": g.progress,
                    "comment": g.comment,
                }
                for g in self.goals
            ],
            "lessons_learned": self.lessons_learned,
            "manager_comment": self.manager_comment,
            "development_needs": self.development_needs,
            "final_score": text(self.final_score),
            "breakdown": self.breakdown,
            "disagreement": self.disagreement,
        }


def sees_self_part(review: Review, viewer: Membership) -> bool:
    if viewer.pk == review.reviewee_id:
        return True
    if review.self_submitted_at is None:
        return False
    if writes_review(viewer, review):
        return review.manager_submitted_at is not None
    return True


def sees_manager_part(review: Review, viewer: Membership) -> bool:
    if viewer.pk == review.reviewee_id:
        return review.shared_at is not None
    return True


def review_view(*, review: Review, viewer: Membership) -> ReviewView:
    """``review`` as ``viewer`` may see it (the caller has checked they may open it:
    ``Action.VIEW_REVIEW``)."""
    own = viewer.pk == review.reviewee_id
    writer = not own and writes_review(viewer, review)
    self_part = sees_self_part(review, viewer)
    manager_part = sees_manager_part(review, viewer)
    items = []
    for row in scoped(ReviewItem, review.org_id).filter(review=review).order_by("position", "id"):
        view = ItemView(
            pk=row.pk,
            title=row.title,
            weight=row.weight,
            actuals=row.actuals or [],
            achievement=row.achievement,
            periods_with_data=row.periods_with_data,
            periods_expected=row.periods_expected,
            missed_twice=row.missed_twice and manager_part,
            lines=[actual_sentence(entry, own=own) for entry in row.actuals or []],
        )
        if self_part:
            view.self_rating = row.self_rating
            view.self_dimensions = row.self_dimensions or {}
            view.self_comment = row.self_comment
        if manager_part:
            view.manager_rating = row.manager_rating
            view.manager_dimensions = row.manager_dimensions or {}
            view.manager_comment = row.manager_comment
        items.append(view)
    goals = [
        GoalView(
            pk=g.pk,
            goal=g.goal,
            measurable_target=g.measurable_target,
            progress=g.progress if self_part else None,
            comment=g.comment if self_part else "",
        )
        for g in scoped(ReviewGoal, review.org_id).filter(review=review).order_by("position", "id")
    ]
    open_cycle = review.cycle.status != CycleStatus.CLOSED
    shown_score = manager_part and review.manager_submitted_at is not None
    breakdown = review.breakdown if shown_score else []
    if shown_score and not self_part:
        # The self rating's row would tell the reviewer what the person gave themselves.
        breakdown = [
            {**row, "value": None} if row.get("key") == "self" else row for row in breakdown
        ]
    return ReviewView(
        review=review,
        viewer=viewer,
        is_reviewee=own,
        is_reviewer=writer,
        sees_self_part=self_part,
        sees_manager_part=manager_part,
        may_self_assess=own
        and open_cycle
        and review.self_submitted_at is None
        and review.shared_at is None,
        may_write_manager=writer and open_cycle and review.shared_at is None,
        may_share=writer and open_cycle and review.status == ReviewStatus.READY_TO_SHARE,
        may_acknowledge=own and open_cycle and review.status == ReviewStatus.SHARED,
        may_plan_development=(
            review.manager_submitted_at is not None
            and policy.can(viewer, Action.PLAN_DEVELOPMENT, review)
        ),
        items=items,
        goals=goals,
        lessons_learned=review.lessons_learned if self_part else "",
        manager_comment=review.manager_comment if manager_part else "",
        development_needs=review.development_needs if manager_part else "",
        final_score=review.final_score if shown_score else None,
        breakdown=breakdown,
        disagreement=review.disagreement,
        signatures=list(
            scoped(Signature, review.org_id).filter(review=review).order_by("sequence")
        ),
    )


def review_trends(review: Review) -> dict[int, list[tuple[str, list]]]:
    """For each KRA of the review (by item id), its KPIs' achievement per period inside the
    cycle's window, from the stored scores: ``[(kpi name, [(period start, achievement)])]``,
    the trend charts of the dashboards (two queries)."""
    from kpis.models import Score, ScoreScope, ScoreWindow

    from .models import AgreementKPI

    kpis = list(
        scoped(AgreementKPI, review.org_id)
        .filter(agreement_id=review.agreement_id, source_kpi__isnull=False)
        .values("item_id", "source_kpi_id", "name")
    )
    item_of = dict(
        scoped(ReviewItem, review.org_id)
        .filter(review=review)
        .values_list("agreement_item_id", "pk")
    )
    points: dict[int, list] = {}
    for row in (
        scoped(Score, review.org_id)
        .filter(
            person_id=review.reviewee_id,
            scope=ScoreScope.KPI,
            window=ScoreWindow.PERIOD,
            scope_id__in=[k["source_kpi_id"] for k in kpis],
            period_start__gte=review.cycle.window_start,
            period_start__lte=review.cycle.window_end,
        )
        .order_by("period_start")
    ):
        points.setdefault(row.scope_id, []).append((row.period_start, row.achievement))
    trends: dict[int, list] = {}
    for k in kpis:
        item_id = item_of.get(k["item_id"])
        if item_id is not None and points.get(k["source_kpi_id"]):
            trends.setdefault(item_id, []).append((k["name"], points[k["source_kpi_id"]]))
    return trends


def reviews_visible_to(*, org: Organization, member: Membership) -> QuerySet[Review]:
    """The reviews ``member`` may open, for lists: HR and org admins every one; anyone else
    their own, those they write, and those of their direct reports (a single review of
    someone further down their line is still theirs to open by its id)."""
    queryset = _base(org)
    if is_hr(member):
        return queryset
    writing = reviews_to_write(org=org, member=member).values("pk")
    return queryset.filter(Q(reviewee=member) | Q(pk__in=writing) | Q(reviewee__manager=member))
