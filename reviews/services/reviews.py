"""Writes of one review (docs/DOMAIN.md rules R61 to R70): the employee's self-assessment,
the manager's review, the final score, sharing, the acknowledgement by signing, and
development needs carried into the next agreement.

The life of a review::

    self_assessment ──employee submits──► manager_review ──manager submits──► ready_to_share
          └──────────────manager submits first (self-assessment still open)──────┘
    ready_to_share ──manager shares (snapshot frozen)──► shared ──employee signs──► acknowledged

Each part is saved as a draft as often as its author likes and submitted once. The
employee's part is closed by its submission or by the sharing; the manager's part stays open
until the review is shared. Nothing changes once the cycle is closed. Who sees which part
when is the review selectors' (reviews/selectors_reviews.py ``review_view``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.canonical import (
    canonical_text,
    date_text,
    decimal_text,
    sha256_hex,
    utc_text,
)
from orgs import audit, policy
from orgs.models import Membership
from orgs.notifications import notify
from orgs.org_settings import org_setting
from orgs.tenancy import scoped

from .. import scoring
from ..models import (
    Agreement,
    AgreementStatus,
    GrowthGoal,
    Review,
    ReviewItem,
    ReviewSnapshot,
    ReviewStatus,
    Signature,
    SignerRole,
)
from ..org_settings import REVIEW_STATEMENT_SETTING
from ..policy import ReviewAction
from .agreements import growth_goal_add, hr_members
from .cycles import ensure_cycle_open
from .cycles import review_path as cycle_review_path
from .signing import append_signature, new_signature, reauthenticate

SNAPSHOT_SCHEMA = "kra-platform/review/1"
#: A manager's KRA rating at or below this counts the KRA as missed (docs/DOMAIN.md rule R67).
MISSED_RATING = Decimal(2)
COMMENT_MAX = 5000

COMPONENT_LABELS = {
    "manager": "Manager rating",
    "achievement": "KPI achievement",
    "self": "Self rating",
    "growth": "Growth-plan progress",
}


# --- shared steps -----------------------------------------------------------------------------


def review_path(review: Review) -> str:
    return cycle_review_path(review.org, review.pk)


def lock_review(review: Review) -> Review:
    """The review's row, locked until the transaction ends, with what services read."""
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("org", "cycle", "reviewee__user", "reviewer__user", "agreement")
        .get(org_id=review.org_id, pk=review.pk)
    )


def _member(actor) -> Membership:
    if not isinstance(actor, Membership):
        raise PermissionDenied("reviews are written by members of the organisation")
    return actor


def ensure_open(review: Review) -> None:
    """Nothing of a review changes once its cycle is closed (docs/DOMAIN.md rule R68): the
    cycles' one guard."""
    ensure_cycle_open(review.cycle)


def _require(actor, action: ReviewAction, review: Review, refusal: str) -> Membership:
    actor = _member(actor)
    if not policy.can(actor, action, review):
        raise PermissionDenied(refusal)
    return actor


def _set_status(review: Review, status: str, **fields) -> None:
    now = timezone.now()
    if review.status != status:
        review.status_changed_at = now
    review.status = status
    review.updated_at = now
    for name, value in fields.items():
        setattr(review, name, value)
    review.save(update_fields=["status", "status_changed_at", "updated_at", *fields])


def _tell(recipients, *, review: Review, kind: str, title: str) -> None:
    seen: set[int] = set()
    for member in recipients:
        if member is None or member.pk in seen or not member.is_active:
            continue
        seen.add(member.pk)
        notify(recipient=member, kind=kind, title=title, url=review_path(review))


def _name(member: Membership | None) -> str:
    return member.user.get_full_name() if member is not None else ""


def _text(value, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationError({field: _("Keep it within %(n)d characters.") % {"n": COMMENT_MAX}})
    return text


def _rating(value, scale, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not scoring.rating_in_scale(value, scale):
        points = scoring.scale_points(scale)
        raise ValidationError(
            {
                field: _("Choose a rating from %(low)d to %(high)d.")
                % {"low": points[0], "high": points[-1]}
            }
        )
    return Decimal(int(Decimal(value)))


def _progress(value, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValidationError({field: _("Give the progress as a whole number from 0 to 100.")})
    return int(number)


def _apply_ratings(review: Review, item: ReviewItem, values: dict, side: str) -> list[str]:
    """Write one KRA's rating (or its dimensions' ratings) and comment for ``side`` (self or
    manager); the names of the fields changed."""
    cycle = review.cycle
    scale = cycle.rating_scale
    prefix = f"item-{item.pk}"
    changed = []
    if "comment" in values:
        setattr(item, f"{side}_comment", _text(values["comment"], f"{prefix}-comment"))
        changed.append(f"{side}_comment")
    if cycle.dimensions:
        given = values.get("dimensions")
        if given is not None:
            dims = {}
            for index, name in enumerate(cycle.dimensions):
                rating = _rating(given.get(name), scale, f"{prefix}-dim-{index}")
                if rating is not None:
                    dims[name] = int(rating)
            setattr(item, f"{side}_dimensions", dims)
            setattr(
                item,
                f"{side}_rating",
                scoring.kra_rating(dims.get(name) for name in cycle.dimensions),
            )
            changed += [f"{side}_dimensions", f"{side}_rating"]
    elif "rating" in values:
        setattr(item, f"{side}_rating", _rating(values["rating"], scale, f"{prefix}-rating"))
        changed.append(f"{side}_rating")
    return changed


def _save_items(review: Review, items: dict | None, side: str) -> int:
    if not items:
        return 0
    rows = {row.pk: row for row in review.items.filter(org_id=review.org_id)}
    count = 0
    for key, values in items.items():
        try:
            row = rows[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {"items": _("KRA %(id)s is not part of this review.") % {"id": key}}
            ) from None
        changed = _apply_ratings(review, row, values or {}, side)
        if changed:
            row.save(update_fields=sorted(set(changed)))
            count += 1
    return count


def _missing_ratings(review: Review, side: str) -> list[str]:
    return [
        row.title
        for row in review.items.filter(org_id=review.org_id)
        if getattr(row, f"{side}_rating") is None
    ]


def _refuse_missing(review: Review, side: str) -> None:
    missing = _missing_ratings(review, side)
    if missing:
        raise ValidationError(
            _("Rate every KRA before submitting. Not rated yet: %(titles)s.")
            % {"titles": ", ".join(missing)}
        )


# --- the self-assessment ----------------------------------------------------------------------


@transaction.atomic
def review_self_assessment_save(
    *,
    review: Review,
    actor: Membership,
    items: dict | None = None,
    goals: dict | None = None,
    lessons_learned: str | None = None,
    submit: bool = False,
) -> Review:
    """The employee rates each KRA (per dimension when the cycle has them) with a comment,
    writes the lessons learned and each growth goal's progress (0–100 %), and saves a draft
    or submits. ``items``: ``{item id: {"rating": 4, "comment": …}}`` (or ``"dimensions":
    {name: rating}``); ``goals``: ``{goal id: {"progress": 60, "comment": …}}``. Submitting
    needs every KRA rated; it closes the employee's part and tells the reviewer. Refused:
    anyone but the person, a submitted or shared self-assessment, a closed cycle, a rating
    off the scale."""
    review = lock_review(review)
    actor = _require(
        actor,
        ReviewAction.SELF_ASSESS,
        review,
        _("Only %(name)s writes their self-assessment.") % {"name": _name(review.reviewee)},
    )
    ensure_open(review)
    if review.self_submitted_at is not None or review.shared_at is not None:
        raise ValidationError(
            _("Your self-assessment was submitted on %(day)s; it can no longer change.")
            % {"day": timezone.localdate(review.self_submitted_at or review.shared_at)}
        )
    changed_items = _save_items(review, items, "self")
    changed_goals = 0
    if goals:
        rows = {row.pk: row for row in review.goals.filter(org_id=review.org_id)}
        for key, values in goals.items():
            try:
                row = rows[int(key)]
            except (KeyError, TypeError, ValueError):
                raise ValidationError(
                    {"goals": _("Goal %(id)s is not part of this review.") % {"id": key}}
                ) from None
            values = values or {}
            fields = []
            if "progress" in values:
                row.progress = _progress(values["progress"], f"goal-{row.pk}-progress")
                fields.append("progress")
            if "comment" in values:
                row.comment = _text(values["comment"], f"goal-{row.pk}-comment")
                fields.append("comment")
            if fields:
                row.save(update_fields=fields)
                changed_goals += 1
    fields = ["updated_at"]
    if lessons_learned is not None:
        review.lessons_learned = _text(lessons_learned, "lessons_learned")
        fields.append("lessons_learned")
    review.updated_at = timezone.now()
    review.save(update_fields=fields)
    old = review.status
    if submit:
        _refuse_missing(review, "self")
        after = (
            ReviewStatus.READY_TO_SHARE
            if review.manager_submitted_at is not None
            else ReviewStatus.MANAGER_REVIEW
        )
        _set_status(review, after, self_submitted_at=timezone.now())
        if review.manager_submitted_at is not None:
            # Submitted now, the self rating and the progress count (R61).
            _compute(review)
        _tell(
            [review.reviewer],
            review=review,
            kind="review.self_submitted",
            title=_("%(name)s submitted their self-assessment: write your review")
            % {"name": _name(review.reviewee)},
        )
    audit.record(
        org=review.org,
        actor=actor,
        action="review.self_submit" if submit else "review.self_save",
        obj=review,
        changes={
            "status": {"old": old, "new": review.status},
            "kras_rated": {"old": None, "new": changed_items},
            "goals": {"old": None, "new": changed_goals},
        },
    )
    return review


# --- the manager's review ---------------------------------------------------------------------


@transaction.atomic
def review_manager_save(
    *,
    review: Review,
    actor: Membership,
    items: dict | None = None,
    manager_comment: str | None = None,
    development_needs: str | None = None,
    submit: bool = False,
) -> Review:
    """The reviewer (or their delegate) rates each KRA (per dimension when the cycle has
    them) with a comment, writes the overall comment and the development needs, and saves
    a draft or submits. Submitting needs every KRA rated; it computes the final score and
    its breakdown, flags the KRAs missed twice, lets the reviewer see the self-assessment,
    and, once the self-assessment is in (or the manager chooses to go ahead without it),
    makes the review ready to share. The manager's part stays editable until it is
    shared. Refused: anyone but the reviewer or delegate, a shared review, a closed cycle,
    a rating off the scale."""
    review = lock_review(review)
    actor = _require(
        actor,
        ReviewAction.WRITE_MANAGER_REVIEW,
        review,
        _("Only the reviewer, %(name)s, or their delegate writes this review.")
        % {"name": _name(review.reviewer) or _("not named yet")},
    )
    ensure_open(review)
    if review.shared_at is not None:
        raise ValidationError(_("This review has been shared; the manager's part is final."))
    changed_items = _save_items(review, items, "manager")
    fields = ["updated_at"]
    if manager_comment is not None:
        review.manager_comment = _text(manager_comment, "manager_comment")
        fields.append("manager_comment")
    if development_needs is not None:
        review.development_needs = _text(development_needs, "development_needs")
        fields.append("development_needs")
    review.updated_at = timezone.now()
    review.save(update_fields=fields)
    old = review.status
    first_submit = submit and review.manager_submitted_at is None
    if submit:
        _refuse_missing(review, "manager")
        _flag_missed_twice(review)
        _set_status(
            review,
            ReviewStatus.READY_TO_SHARE,
            manager_submitted_at=review.manager_submitted_at or timezone.now(),
        )
    if review.manager_submitted_at is not None:
        _compute(review)
    if first_submit:
        # Nothing of the manager's part is told before it is shared: only that it is written.
        _tell(
            [review.reviewee],
            review=review,
            kind="review.manager_submitted",
            title=(
                _("Your manager has written your review; you will see it once it is shared")
                if review.self_submitted_at is not None
                else _("Your manager has written your review: submit your self-assessment")
            ),
        )
    audit.record(
        org=review.org,
        actor=actor,
        action="review.manager_submit" if submit else "review.manager_save",
        obj=review,
        changes={
            "status": {"old": old, "new": review.status},
            "kras_rated": {"old": None, "new": changed_items},
            "final_score": {"old": None, "new": decimal_text(review.final_score)},
        },
    )
    return review


# --- the score --------------------------------------------------------------------------------


def score_components(review: Review) -> list[scoring.Component]:
    """The four components of docs/DOMAIN.md rule R25 on the cycle's scale: the manager's
    rating (KRA ratings weighted by KRA weight), KPI achievement through the cycle's bands,
    the self rating likewise, and growth-plan progress mapped linearly. The last two are the
    person's part: absent until it is submitted, so a draft neither counts nor shows through
    the breakdown (docs/DOMAIN.md rules R61, R63)."""
    cycle = review.cycle
    submitted = review.self_submitted_at is not None
    items = list(review.items.filter(org_id=review.org_id))
    goals = list(review.goals.filter(org_id=review.org_id))
    manager = scoring.weighted_rating((row.weight, row.manager_rating) for row in items)
    own = scoring.weighted_rating((row.weight, row.self_rating) for row in items)
    achievement = scoring.achievement_rating(review.kpi_achievement, cycle.achievement_bands)
    growth = scoring.growth_rating((g.progress for g in goals), cycle.rating_scale)
    return [
        scoring.Component("manager", COMPONENT_LABELS["manager"], manager, cycle.weight_manager),
        scoring.Component(
            "achievement", COMPONENT_LABELS["achievement"], achievement, cycle.weight_achievement
        ),
        scoring.Component(
            "self",
            COMPONENT_LABELS["self"],
            own if submitted else None,
            cycle.weight_self,
        ),
        scoring.Component(
            "growth",
            COMPONENT_LABELS["growth"],
            growth if submitted else None,
            cycle.weight_growth,
        ),
    ]


def _compute(review: Review) -> None:
    """Store the components, the final score and the breakdown (docs/DOMAIN.md rule R61)."""
    components = score_components(review)
    score, rows = scoring.final_score(components)
    by_key = {c.key: c.value for c in components}
    review.manager_rating = by_key["manager"]
    review.self_rating = by_key["self"]
    review.growth_progress = by_key["growth"]
    review.final_score = score
    review.breakdown = [row.as_json() for row in rows]
    review.save(
        update_fields=[
            "manager_rating",
            "self_rating",
            "growth_progress",
            "final_score",
            "breakdown",
        ]
    )


# --- a KRA missed twice -----------------------------------------------------------------------


def _missed(item: ReviewItem, at_risk: Decimal) -> bool:
    if item.achievement is not None and item.achievement < at_risk:
        return True
    return item.manager_rating is not None and item.manager_rating <= MISSED_RATING


def previous_review(review: Review) -> Review | None:
    """The person's review in the cycle before this one: the latest whose window ended
    before this cycle's began."""
    return (
        scoped(Review, review.org_id)
        .filter(
            reviewee_id=review.reviewee_id,
            cycle__window_end__lt=review.cycle.window_start,
        )
        .exclude(pk=review.pk)
        .order_by("-cycle__window_end", "-pk")
        .first()
    )


def _flag_missed_twice(review: Review) -> None:
    """Flag each KRA missed in this cycle and in the previous one (docs/DOMAIN.md rule R67):
    achievement below the organisation's at-risk threshold, or a manager's rating of 2 or
    less; the same KRA being the same source KRA or, failing that, the same title."""
    at_risk = Decimal(str(org_setting(review.org, "at_risk_threshold")))
    before = previous_review(review)
    earlier = []
    if before is not None:
        earlier = list(
            scoped(ReviewItem, review.org_id).filter(review=before).select_related("agreement_item")
        )
    missed_before_kras = {
        row.agreement_item.source_kra_id
        for row in earlier
        if row.agreement_item is not None
        and row.agreement_item.source_kra_id
        and _missed(row, at_risk)
    }
    missed_before_titles = {row.title.casefold() for row in earlier if _missed(row, at_risk)}
    for row in review.items.filter(org_id=review.org_id).select_related("agreement_item"):
        source = row.agreement_item.source_kra_id if row.agreement_item is not None else None
        flagged = _missed(row, at_risk) and (
            (source is not None and source in missed_before_kras)
            or row.title.casefold() in missed_before_titles
        )
        if flagged != row.missed_twice:
            row.missed_twice = flagged
            row.save(update_fields=["missed_twice"])


# --- sharing: the snapshot --------------------------------------------------------------------


def review_document(review: Review) -> dict:
    """Everything the shared review shows, as the snapshot freezes it (canonical JSON,
    docs/DOMAIN.md rule R64): the cycle and its scale, the person and the reviewer, the
    agreement version judged, each KRA with its actuals and both ratings and comments, the
    growth goals, the comments, the score and its breakdown."""
    cycle = review.cycle
    items = list(review.items.filter(org_id=review.org_id).order_by("position", "id"))
    goals = list(review.goals.filter(org_id=review.org_id).order_by("position", "id"))
    return {
        "schema": SNAPSHOT_SCHEMA,
        "organisation": {"id": review.org_id, "name": review.org.name},
        "review": review.pk,
        "cycle": {
            "id": cycle.pk,
            "name": cycle.name,
            "window_start": date_text(cycle.window_start),
            "window_end": date_text(cycle.window_end),
            "rating_scale": [
                {"value": int(p["value"]), "label": str(p.get("label", ""))}
                for p in cycle.rating_scale
            ],
            "dimensions": [str(d) for d in cycle.dimensions],
        },
        "person": {"id": review.reviewee_id, "name": _name(review.reviewee)},
        "reviewer": {"id": review.reviewer_id, "name": _name(review.reviewer)},
        "agreement": {
            "id": review.agreement_id,
            "version": review.agreement_version_id,
            "content_hash": review.agreement_version.content_hash,
        },
        "kpi_achievement": decimal_text(review.kpi_achievement),
        "completeness": [review.periods_with_data, review.periods_expected],
        "kras": [
            {
                "title": row.title,
                "weight": decimal_text(row.weight),
                "actuals": row.actuals,
                "achievement": decimal_text(row.achievement),
                "completeness": [row.periods_with_data, row.periods_expected],
                "self_rating": decimal_text(row.self_rating),
                "self_dimensions": row.self_dimensions,
                "self_comment": row.self_comment,
                "manager_rating": decimal_text(row.manager_rating),
                "manager_dimensions": row.manager_dimensions,
                "manager_comment": row.manager_comment,
                "missed_twice": row.missed_twice,
            }
            for row in items
        ],
        "growth_goals": [
            {
                "goal": g.goal,
                "measurable_target": g.measurable_target,
                "progress": g.progress,
                "comment": g.comment,
            }
            for g in goals
        ],
        "lessons_learned": review.lessons_learned,
        "self_submitted_at": utc_text(review.self_submitted_at),
        "manager_comment": review.manager_comment,
        "development_needs": review.development_needs,
        "manager_submitted_at": utc_text(review.manager_submitted_at),
        "final_score": decimal_text(review.final_score),
        "breakdown": review.breakdown,
    }


@transaction.atomic
def review_share(*, review: Review, actor: Membership) -> ReviewSnapshot:
    """The reviewer shares the submitted review with the person: its content is frozen into
    a ``ReviewSnapshot`` (canonical JSON and SHA-256), the person now sees the manager's
    part and is asked to acknowledge it. Refused: anyone but the reviewer or delegate, a
    review not ready to share, a closed cycle."""
    review = lock_review(review)
    actor = _require(
        actor,
        ReviewAction.WRITE_MANAGER_REVIEW,
        review,
        _("Only the reviewer, or their delegate, shares this review."),
    )
    ensure_open(review)
    if review.status != ReviewStatus.READY_TO_SHARE:
        raise ValidationError(
            _("This review is %(status)s; only a submitted review is shared.")
            % {"status": review.get_status_display().lower()}
        )
    _compute(review)
    text = canonical_text(review_document(review))
    number = (
        scoped(ReviewSnapshot, review.org_id).filter(review=review).aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    snapshot = ReviewSnapshot.objects.create(
        org_id=review.org_id,
        review=review,
        number=number,
        canonical_json=text,
        content_hash=sha256_hex(text),
    )
    _set_status(review, ReviewStatus.SHARED, shared_at=timezone.now())
    audit.record(
        org=review.org,
        actor=actor,
        action="review.share",
        obj=review,
        changes={
            "status": {"old": ReviewStatus.READY_TO_SHARE, "new": ReviewStatus.SHARED},
            "content_hash": {"old": None, "new": snapshot.content_hash},
        },
    )
    _tell(
        [review.reviewee],
        review=review,
        kind="review.shared",
        title=_("Your review for %(cycle)s is ready: read and acknowledge it")
        % {"cycle": review.cycle.name},
    )
    return snapshot


def latest_snapshot(review: Review) -> ReviewSnapshot | None:
    return scoped(ReviewSnapshot, review.org_id).filter(review=review).order_by("-number").first()


# --- the acknowledgement ----------------------------------------------------------------------


def review_statement(org) -> str:
    """What the person states when acknowledging: the organisation's ``statement_review``."""
    return org_setting(org, REVIEW_STATEMENT_SETTING)


def _review_meaning(org, meaning) -> str:
    statement = review_statement(org)
    if meaning is True:
        return statement
    if isinstance(meaning, str) and " ".join(meaning.split()) == " ".join(statement.split()):
        return statement
    raise ValidationError(
        {"meaning": _("Tick the statement “%(statement)s” to sign.") % {"statement": statement}}
    )


def _check_acknowledger(review: Review, actor) -> Membership:
    actor = _require(
        actor,
        ReviewAction.ACKNOWLEDGE_REVIEW,
        review,
        _("Only %(name)s acknowledges their review.") % {"name": _name(review.reviewee)},
    )
    ensure_open(review)
    if review.status != ReviewStatus.SHARED:
        raise ValidationError(
            _("This review is %(status)s; there is nothing to acknowledge.")
            % {"status": review.get_status_display().lower()}
        )
    return actor


def review_acknowledge(
    *,
    review: Review,
    actor: Membership,
    password: str,
    meaning: str | bool,
    request,
    disagreement: str = "",
) -> Signature:
    """The person acknowledges the shared review by signing its snapshot (docs/DOMAIN.md
    rule R65): the password again through the agreements' signing check and lockout
    (``reauthenticate``), the organisation's statement ("I have read this review") ticked,
    a ``Signature`` row naming the review and its snapshot on the organisation's one hash
    chain. An optional disagreement comment is kept with it, visible to HR and the
    reviewer. As with agreements, a wrong password is refused outside the signing
    transaction so the lockout keeps the failure."""
    if request is None:
        raise ValueError("signing needs the request: the password check and the lockout use it")
    review = (
        Review.objects.select_related("org", "cycle", "reviewee__user", "reviewer__user")
        .filter(org_id=review.org_id)
        .get(pk=review.pk)
    )
    _check_acknowledger(review, actor)
    statement = _review_meaning(review.org, meaning)
    disagreement = _text(disagreement, "disagreement")
    reauthenticate(request, actor, password)
    with transaction.atomic():
        review = lock_review(review)
        actor = _check_acknowledger(review, actor)
        if statement != review_statement(review.org):
            raise ValidationError(
                {"meaning": _("The statement to sign has changed; tick it again.")}
            )
        snapshot = latest_snapshot(review)
        if snapshot is None:  # a shared review always has one
            raise ValidationError(_("This review has not been shared; there is nothing to sign."))
        if scoped(Signature, review.org_id).filter(review_snapshot=snapshot, signer=actor).exists():
            raise ValidationError(_("You have already acknowledged this review."))
        sig = append_signature(
            new_signature(
                org_id=review.org_id,
                signer=actor,
                signer_role=SignerRole.EMPLOYEE,
                meaning=statement,
                request=request,
                content_hash=snapshot.content_hash,
                review=review,
                review_snapshot=snapshot,
            )
        )
        _set_status(
            review,
            ReviewStatus.ACKNOWLEDGED,
            acknowledged_at=sig.signed_at,
            disagreement=disagreement,
        )
        audit.record(
            org=review.org,
            actor=actor,
            action="review.acknowledge",
            obj=review,
            changes={
                "status": {"old": ReviewStatus.SHARED, "new": ReviewStatus.ACKNOWLEDGED},
                "content_hash": {"old": None, "new": snapshot.content_hash},
                "signature": {"old": None, "new": sig.sequence},
                "disagreement": {"old": None, "new": bool(disagreement)},
            },
        )
        recipients = [review.reviewer]
        if disagreement:
            recipients += hr_members(review.org_id, besides=(review.reviewee_id,))
        _tell(
            recipients,
            review=review,
            kind="review.acknowledged",
            title=(
                _("%(name)s acknowledged their review and disagrees with part of it")
                if disagreement
                else _("%(name)s acknowledged their review")
            )
            % {"name": _name(review.reviewee)},
        )
        return sig


# --- development needs into the next agreement ------------------------------------------------


def development_needs(review: Review) -> list[str]:
    """The review's development needs, one a line, then each KRA missed twice (docs/DOMAIN.md
    rule R67) as a need of its own."""
    needs = [line.strip(" -•\t") for line in review.development_needs.splitlines()]
    needs = [n for n in needs if n]
    for row in review.items.filter(org_id=review.org_id, missed_twice=True):
        needs.append(_("Improve “%(kra)s” (missed in two consecutive cycles)") % {"kra": row.title})
    return needs


def next_draft_agreement(review: Review) -> Agreement | None:
    """The person's next agreement still in draft: one other than the reviewed agreement,
    latest period first."""
    return (
        scoped(Agreement, review.org_id)
        .filter(
            employee_id=review.reviewee_id,
            status=AgreementStatus.DRAFT,
        )
        .exclude(pk=review.agreement_id)
        .select_related("org", "employee__user", "manager__user")
        .order_by("-period_start", "-created_at", "-id")
        .first()
    )


@transaction.atomic
def review_development_to_goals(*, review: Review, actor: Membership) -> list[GrowthGoal]:
    """In one click, each development need becomes a growth goal of the person's next draft
    agreement (docs/DOMAIN.md rule R66), through the agreements' own ``growth_goal_add``;
    a need already on that draft is not added twice. With no draft agreement yet it says so
    and changes nothing. Refused: anyone but the reviewer (or delegate) and HR who may also
    draft the person's agreement (``Action.PLAN_DEVELOPMENT``, the question the review page
    asks before it offers the button), a review with no need written, a review not yet
    submitted by the manager."""
    review = lock_review(review)
    actor = _require(
        actor,
        ReviewAction.PLAN_DEVELOPMENT,
        review,
        _(
            "Only the reviewer or HR, among those who draft %(name)s's next agreement, "
            "turns development needs into growth goals."
        )
        % {"name": _name(review.reviewee)},
    )
    if review.manager_submitted_at is None:
        raise ValidationError(_("Submit the manager's review first."))
    needs = development_needs(review)
    if not needs:
        raise ValidationError(_("This review names no development need."))
    draft = next_draft_agreement(review)
    if draft is None:
        raise ValidationError(
            _(
                "%(name)s has no draft agreement for the next period yet. Start one from "
                "“My team”, then add these needs to it."
            )
            % {"name": _name(review.reviewee)}
        )
    existing = {
        g.goal.casefold() for g in scoped(GrowthGoal, review.org_id).filter(agreement=draft)
    }
    added = []
    due = max(draft.period_end, draft.period_start + datetime.timedelta(days=1))
    for need in needs:
        goal = need[:300]
        if goal.casefold() in existing:
            continue
        added.append(
            growth_goal_add(
                agreement=draft,
                actor=actor,
                goal=goal,
                measurable_target=_("Agreed with the manager at the next check-in"),
                due_date=due,
                measured_by=_("The next review (%(cycle)s)") % {"cycle": review.cycle.name}
                if len(review.cycle.name) < 200
                else _("The next review"),
            )
        )
        existing.add(goal.casefold())
    audit.record(
        org=review.org,
        actor=actor,
        action="review.development_to_goals",
        obj=review,
        changes={
            "agreement": {"old": None, "new": draft.pk},
            "goals": {"old": 0, "new": len(added)},
        },
    )
    return added


__all__ = [
    "development_needs",
    "ensure_open",
    "latest_snapshot",
    "lock_review",
    "next_draft_agreement",
    "previous_review",
    "review_acknowledge",
    "review_development_to_goals",
    "review_document",
    "review_manager_save",
    "review_path",
    "review_self_assessment_save",
    "review_share",
    "review_statement",
    "score_components",
]
