"""The review pages (docs/DOMAIN.md rules R61 to R70): "My reviews" (my own, and those I
write), the review page with the self-assessment, the manager's part, the actuals of the
window, the score breakdown, sharing, the acknowledgement, and the PDF. Which parts a member
sees is reviews/selectors_reviews.py ``review_view``'s; every write is one service call."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.policy import Action
from orgs.views.base import org_view

from .. import scoring
from ..access_reviews import get_review_for_member
from ..review_pdf import review_pdf as render_review_pdf
from ..selectors_checkins import check_ins_in_window
from ..selectors_reviews import my_reviews as select_my_reviews
from ..selectors_reviews import page_of, review_view, reviews_to_write
from ..services import reviews as services


def _back(review):
    return redirect("review-detail", org_slug=review.org.slug, pk=review.pk)


@org_view(Action.VIEW_REVIEW)
def my_reviews(request, member):
    """My own reviews, and the reviews I write for my team (paged)."""
    org = member.org
    mine = page_of(select_my_reviews(org=org, member=member), request.GET.get("mine"))
    to_write = page_of(reviews_to_write(org=org, member=member), request.GET.get("page"))
    return render(
        request,
        "reviews/review/my_reviews.html",
        {"mine": mine, "to_write": to_write},
    )


def _check_ins(review, member):
    """The person's check-ins held in the cycle's window that the member may read (the
    check-ins' own read)."""
    cycle = review.cycle
    return check_ins_in_window(review.reviewee, cycle.window_start, cycle.window_end, viewer=member)


def _rows(view, side: str, posted=None, errors=None) -> list[dict]:
    """Each KRA with the form fields of ``side`` (self or manager): name, value, errors."""
    posted, errors = posted or {}, errors or {}
    rows = []
    for item in view.items:
        prefix = f"item-{item.pk}"

        def field(name, stored, prefix=prefix):
            key = f"{prefix}-{name}"
            value = posted.get(key, "" if stored is None else stored)
            return {"name": key, "value": value, "errors": errors.get(key, [])}

        rating = getattr(item, f"{side}_rating")
        dims = getattr(item, f"{side}_dimensions") or {}
        rows.append(
            {
                "item": item,
                "rating": field("rating", None if rating is None else int(rating)),
                "dimensions": [
                    {"label": name, **field(f"dim-{i}", dims.get(name))}
                    for i, name in enumerate(view.dimensions)
                ],
                "comment": field("comment", getattr(item, f"{side}_comment")),
            }
        )
    return rows


def _goal_rows(view, posted=None, errors=None) -> list[dict]:
    posted, errors = posted or {}, errors or {}
    rows = []
    for goal in view.goals:
        rows.append(
            {
                "goal": goal,
                "progress": {
                    "name": f"goal-{goal.pk}-progress",
                    "value": posted.get(
                        f"goal-{goal.pk}-progress", "" if goal.progress is None else goal.progress
                    ),
                    "errors": errors.get(f"goal-{goal.pk}-progress", []),
                },
                "comment": {
                    "name": f"goal-{goal.pk}-comment",
                    "value": posted.get(f"goal-{goal.pk}-comment", goal.comment),
                    "errors": errors.get(f"goal-{goal.pk}-comment", []),
                },
            }
        )
    return rows


def _errors(exc: ValidationError) -> tuple[dict, list]:
    if hasattr(exc, "error_dict"):
        fields = exc.message_dict
        general = fields.pop("__all__", []) + fields.pop("items", []) + fields.pop("goals", [])
        return fields, general
    return {}, exc.messages


def _shown_row(row: dict) -> dict:
    """A breakdown row as the page shows it: two decimals (three are stored)."""

    def two(value):
        return None if value is None else scoring.shown(Decimal(value))

    return {
        **row,
        "label_text": _(row["label"]),
        "value": two(row.get("value")),
        "weight": two(row.get("weight")),
        "effective_weight": two(row.get("effective_weight")),
        "contribution": two(row.get("contribution")),
    }


def render_review(request, member, review, *, status=200, **extra):
    view = review_view(review=review, viewer=member)
    posted = extra.pop("posted", None)
    errors = extra.pop("errors", None)
    side = extra.pop("side", None)
    context = {
        "review": review,
        "view": view,
        "scale": view.scale,
        "kras": [
            {"item": item, "own": own, "manager": manager}
            for item, own, manager in zip(
                view.items,
                _rows(view, "self", posted if side == "self" else None, errors),
                _rows(view, "manager", posted if side == "manager" else None, errors),
                strict=True,
            )
        ],
        "goal_rows": _goal_rows(view, posted if side == "self" else None, errors),
        "posted": posted or {},
        "field_errors": errors or {},
        "breakdown": [_shown_row(row) for row in view.breakdown],
        "final_shown": scoring.shown(view.final_score),
        "check_ins": _check_ins(review, member),
        "statement": services.review_statement(review.org),
        "next_draft": (
            services.next_draft_agreement(review) if view.may_plan_development else None
        ),
        "needs": services.development_needs(review) if view.sees_manager_part else [],
        **extra,
    }
    return render(request, "reviews/review/review_detail.html", context, status=status)


@org_view(Action.VIEW_REVIEW, fetch=get_review_for_member)
def review_detail(request, member, review):
    return render_review(request, member, review)


def _items_from(post, review, side: str) -> dict:
    dimensions = list(review.cycle.dimensions or [])
    items = {}
    for item in review.items.all():
        prefix = f"item-{item.pk}"
        values = {}
        if f"{prefix}-comment" in post:
            values["comment"] = post.get(f"{prefix}-comment", "")
        if dimensions:
            values["dimensions"] = {
                name: post.get(f"{prefix}-dim-{i}", "") for i, name in enumerate(dimensions)
            }
        elif f"{prefix}-rating" in post:
            values["rating"] = post.get(f"{prefix}-rating", "")
        items[item.pk] = values
    return items


@require_POST
@org_view(Action.VIEW_REVIEW, fetch=get_review_for_member, object_action=Action.SELF_ASSESS)
def review_self(request, member, review):
    """Save the self-assessment as a draft, or submit it (the button pressed)."""
    post = request.POST
    submit = post.get("action") == "submit"
    goals = {}
    for goal in review.goals.all():
        goals[goal.pk] = {
            "progress": post.get(f"goal-{goal.pk}-progress", ""),
            "comment": post.get(f"goal-{goal.pk}-comment", ""),
        }
    try:
        services.review_self_assessment_save(
            review=review,
            actor=member,
            items=_items_from(post, review, "self"),
            goals=goals,
            lessons_learned=post.get("lessons_learned", ""),
            submit=submit,
        )
    except ValidationError as exc:
        fields, general = _errors(exc)
        return render_review(
            request, member, review, posted=post, errors=fields, general_errors=general, side="self"
        )
    messages.success(
        request,
        _("Your self-assessment was submitted.") if submit else _("Your draft was saved."),
    )
    return _back(review)


@require_POST
@org_view(
    Action.VIEW_REVIEW, fetch=get_review_for_member, object_action=Action.WRITE_MANAGER_REVIEW
)
def review_manager(request, member, review):
    """Save the manager's part as a draft, or submit it."""
    post = request.POST
    submit = post.get("action") == "submit"
    try:
        services.review_manager_save(
            review=review,
            actor=member,
            items=_items_from(post, review, "manager"),
            manager_comment=post.get("manager_comment", ""),
            development_needs=post.get("development_needs", ""),
            submit=submit,
        )
    except ValidationError as exc:
        fields, general = _errors(exc)
        return render_review(
            request,
            member,
            review,
            posted=post,
            errors=fields,
            general_errors=general,
            side="manager",
        )
    messages.success(
        request,
        _("Your review was submitted; share it when you are ready.")
        if submit
        else _("Your draft was saved."),
    )
    return _back(review)


@require_POST
@org_view(
    Action.VIEW_REVIEW, fetch=get_review_for_member, object_action=Action.WRITE_MANAGER_REVIEW
)
def review_share(request, member, review):
    """Share the submitted review with the person (asked to confirm on the page)."""
    try:
        services.review_share(review=review, actor=member)
    except ValidationError as exc:
        return render_review(request, member, review, general_errors=exc.messages)
    messages.success(
        request,
        _("The review was shared. %(name)s is asked to acknowledge it.")
        % {"name": review.reviewee.user.get_full_name()},
    )
    return _back(review)


@require_POST
@org_view(Action.VIEW_REVIEW, fetch=get_review_for_member, object_action=Action.ACKNOWLEDGE_REVIEW)
def review_acknowledge(request, member, review):
    """Acknowledge the shared review by signing: the password again, the statement ticked,
    an optional disagreement. A wrong password signs nothing and says so; the login lockout
    counts it (the answer is committed like any page's)."""
    post = request.POST
    errors = {}
    if not post.get("meaning"):
        errors["meaning"] = [_("Tick the statement to sign.")]
    if not post.get("password"):
        errors["password"] = [_("Enter your password to sign.")]
    if not errors:
        try:
            services.review_acknowledge(
                review=review,
                actor=member,
                password=post.get("password", ""),
                meaning=True,
                request=request,
                disagreement=post.get("disagreement", ""),
            )
        except ValidationError as exc:
            errors, general = _errors(exc)
            return render_review(
                request,
                member,
                review,
                ack_errors=errors,
                general_errors=general,
                disagreement=post.get("disagreement", ""),
            )
        messages.success(request, _("You acknowledged your review. Thank you."))
        return _back(review)
    return render_review(
        request, member, review, ack_errors=errors, disagreement=post.get("disagreement", "")
    )


@require_POST
@org_view(Action.VIEW_REVIEW, fetch=get_review_for_member, object_action=Action.PLAN_DEVELOPMENT)
def review_development(request, member, review):
    """Development needs into growth goals of the person's next draft agreement."""
    try:
        added = services.review_development_to_goals(review=review, actor=member)
    except ValidationError as exc:
        return render_review(request, member, review, development_errors=exc.messages)
    if added:
        messages.success(
            request,
            _("%(n)d growth goal(s) added to the next agreement.") % {"n": len(added)},
        )
    else:
        messages.info(request, _("Every development need is on the next agreement already."))
    return _back(review)


@org_view(Action.VIEW_REVIEW, fetch=get_review_for_member)
def review_pdf(request, member, review):
    """The review as a PDF, with what the reader may see of it."""
    pdf = render_review_pdf(review=review, viewer=member)
    name = slugify(f"{review.reviewee.user.get_full_name()} {review.cycle.name}") or "review"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="review-{name}.pdf"'
    return response
