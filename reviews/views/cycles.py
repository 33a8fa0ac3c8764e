"""Review cycle pages for HR (docs/DOMAIN.md rules R51 to R60): the list, the new and edit
form, the cycle page (settings, launch with its progress and result, close and reopen), the
tracker with its CSV/XLSX export, calibration, and a review's reviewer delegates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpis.exports import export_response, requested_format
from orgs.policy import Action
from orgs.tenancy import get_department_for_member, get_membership_for_member
from orgs.views.base import form_errors_from, org_view, paginate

from ..access import get_cycle_review_for_member, get_review_cycle_for_member
from ..forms_cycles import CycleForm, ReopenForm, ReviewerDelegateForm, TrackerFilterForm
from ..models import CycleStatus, LaunchStatus
from ..selectors_cycles import (
    TrackerFilters,
    calibration,
    calibration_svg,
    cycle_departments,
    cycle_people,
    cycles_for_org,
    reopen_reasons,
    reviewer_delegates,
    tracker_counts,
    tracker_reviews,
    tracker_table,
)
from ..services import cycles as services
from ..tasks import launch_progress

MANAGE = Action.MANAGE_REVIEW_CYCLES
cycle_view = org_view(MANAGE, fetch=get_review_cycle_for_member)


def _detail(member, cycle, anchor: str = ""):
    response = redirect("review-cycle-detail", org_slug=member.org.slug, pk=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@org_view(MANAGE)
def cycle_list(request, member):
    page = paginate(request, cycles_for_org(member.org), per_page=20)
    return render(request, "reviews/cycles/list.html", {"page_obj": page})


@org_view(MANAGE)
def cycle_create(request, member):
    form = CycleForm(request.POST or None, org=member.org)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        if form.is_valid():
            try:
                cycle = services.cycle_create(org=member.org, actor=member, **arguments)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The cycle is saved as a draft; launch it when ready."))
                return _detail(member, cycle)
    return render(request, "reviews/cycles/form.html", {"form": form, "cycle": None})


@cycle_view
def cycle_edit(request, member, cycle):
    if cycle.status == CycleStatus.CLOSED:
        messages.error(request, _("This cycle is closed; reopen it to change it."))
        return _detail(member, cycle)
    locked = cycle.status != CycleStatus.DRAFT
    form = CycleForm(request.POST or None, org=member.org, cycle=cycle, locked=locked)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        if form.is_valid():
            weights = arguments.pop("weights", None)
            try:
                services.cycle_update(cycle=cycle, actor=member, weights=weights, **arguments)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The cycle is saved."))
                return _detail(member, cycle)
    return render(request, "reviews/cycles/form.html", {"form": form, "cycle": cycle})


@cycle_view
def cycle_detail(request, member, cycle):
    context = {"cycle": cycle, "progress": launch_progress(cycle)}
    if request.htmx and request.GET.get("part") == "launch":
        return render(request, "reviews/cycles/_launch.html", context)
    counts, total, late = tracker_counts(cycle)
    context.update(
        {
            "counts": counts,
            "total": total,
            "late": late,
            "departments": cycle_departments(cycle),
            "people": cycle_people(cycle),
            "reopenings": reopen_reasons(cycle),
            "launching": cycle.launch_status in (LaunchStatus.QUEUED, LaunchStatus.RUNNING),
        }
    )
    return render(request, "reviews/cycles/detail.html", context)


@require_POST
@cycle_view
def cycle_launch(request, member, cycle):
    try:
        services.cycle_launch(cycle=cycle, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The launch has started: the reviews are being created."))
    return _detail(member, cycle, "launch")


@cycle_view
def cycle_delete(request, member, cycle):
    if request.method == "POST":
        try:
            services.cycle_delete(cycle=cycle, actor=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _detail(member, cycle)
        messages.success(request, _("The draft cycle is deleted."))
        return redirect("review-cycles", org_slug=member.org.slug)
    return render(request, "reviews/cycles/confirm.html", {"cycle": cycle, "kind": "delete"})


@cycle_view
def cycle_close(request, member, cycle):
    """GET asks for confirmation; POST closes."""
    if request.method == "POST":
        try:
            services.cycle_close(cycle=cycle, actor=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The cycle is closed: its reviews are locked."))
        return _detail(member, cycle)
    _counts, total, _late = tracker_counts(cycle)
    return render(
        request, "reviews/cycles/confirm.html", {"cycle": cycle, "kind": "close", "total": total}
    )


@cycle_view
def cycle_reopen(request, member, cycle):
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_reopen(cycle=cycle, actor=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The cycle is open again: its reviews can change."))
            return _detail(member, cycle)
    return render(request, "reviews/cycles/reopen.html", {"cycle": cycle, "form": form})


@cycle_view
def cycle_tracker(request, member, cycle):
    department = request.GET.get("department", "")
    if department.isdigit():
        get_department_for_member(member, int(department))  # another organisation's: 404
    form = TrackerFilterForm(request.GET or None, org=member.org)
    filters = TrackerFilters()
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["department"]
        filters = TrackerFilters(
            department_id=chosen.pk if chosen else None,
            status=form.cleaned_data["status"],
            late=form.cleaned_data["late"],
        )
    reviews = tracker_reviews(cycle, filters)
    fmt = requested_format(request)
    if fmt:
        return export_response(
            tracker_table(cycle, reviews.iterator(chunk_size=1000)),
            fmt,
            day=services.local_today(member.org),
        )
    counts, total, late = tracker_counts(cycle)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "reviews/cycles/tracker.html",
        {
            "cycle": cycle,
            "form": form,
            "page_obj": paginate(request, reviews, per_page=25),
            "counts": counts,
            "total": total,
            "late": late,
            "query_string": query.urlencode(),
        },
    )


@cycle_view
def cycle_calibration(request, member, cycle):
    result = calibration(cycle)
    charts = {}
    if not result.is_empty:
        charts = {
            "departments": calibration_svg(
                result, result.departments, title=_("Per department beside the whole cycle")
            ),
            "managers": calibration_svg(
                result, result.managers, title=_("Per manager beside the whole cycle")
            ),
        }
    return render(
        request,
        "reviews/cycles/calibration.html",
        {"cycle": cycle, "result": result, "charts": charts},
    )


def _review(member, pk, review_pk):
    return get_cycle_review_for_member(member, pk, review_pk)


@org_view(MANAGE, fetch=_review)
def review_delegates(request, member, review):
    """A review's reviewer and the members HR let write it in the reviewer's place."""
    form = ReviewerDelegateForm(request.POST or None, org=member.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_delegate_reviewer(
                review=review, actor=member, delegate=form.cleaned_data["delegate"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("They may now write this review."))
            return redirect(
                "review-cycle-delegates",
                org_slug=member.org.slug,
                pk=review.cycle_id,
                review_pk=review.pk,
            )
    return render(
        request,
        "reviews/cycles/delegates.html",
        {
            "review": review,
            "cycle": review.cycle,
            "delegates": reviewer_delegates(review),
            "form": form,
        },
    )


@require_POST
@org_view(MANAGE, fetch=_review)
def review_revoke_delegate(request, member, review):
    member_pk = request.POST.get("delegate", "")
    if not member_pk.isdigit():
        raise Http404("No such member.")
    delegate = get_membership_for_member(member, int(member_pk))
    try:
        services.review_revoke_delegate(review=review, actor=member, delegate=delegate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("They may no longer write this review."))
    return redirect(
        "review-cycle-delegates", org_slug=member.org.slug, pk=review.cycle_id, review_pk=review.pk
    )
