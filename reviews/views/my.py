"""A person's own KRAs, their team's agreements, and starting an agreement for one of
them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from orgs.policy import Action
from orgs.tenancy import get_membership_for_member, scoped
from orgs.views.base import form_errors_from, org_view
from roles.models import Role
from roles.selectors import assignments_of_member

from .. import selectors, services
from ..forms import AgreementCreateForm
from ..models import OPEN_STATUSES, AgreementStatus
from .content import draft_content, frozen_content, version_document

TEAM_PAGE_SIZE = 25


def _current_agreement(agreements: list):
    """The agreement a person works to now: one in force covering today, else the latest
    one under way, else the latest in force."""
    today = timezone.localdate()
    for agreement in agreements:
        if (
            agreement.status == AgreementStatus.ACTIVE
            and agreement.period_start <= today <= agreement.period_end
        ):
            under_way = [
                a
                for a in agreements
                if a.status in OPEN_STATUSES and a.supersedes_id == agreement.pk
            ]
            return agreement, (under_way[0] if under_way else None)
    for agreement in agreements:
        if agreement.status in OPEN_STATUSES:
            return agreement, None
    for agreement in agreements:
        if agreement.status == AgreementStatus.ACTIVE:
            return agreement, None
    return None, None


@org_view(Action.VIEW_AGREEMENT)
def my_kras(request, member):
    """My roles, my current agreement (status, version, signatures), my KRAs and KPIs as
    agreed, and what I must do now."""
    org = member.org
    agreements = list(selectors.agreements_for_person(org=org, member=member))
    agreement, amendment = _current_agreement(agreements)
    content, signatures, frozen = [], [], False
    if agreement is not None:
        if agreement.current_version_id and agreement.status != AgreementStatus.DRAFT:
            content = frozen_content(version_document(agreement.current_version))
            frozen = True
        else:
            content = draft_content(agreement)
        signatures = selectors.agreement_signatures(agreement=agreement)
    to_sign = [
        a
        for a in selectors.pending_signatures(org=org, member=member)
        if a.employee_id == member.pk
    ]
    return render(
        request,
        "reviews/my_kras.html",
        {
            "assignments": assignments_of_member(
                org=org, member=member, today=timezone.localdate()
            ),
            "agreement": agreement,
            "amendment": amendment,
            "content": content,
            "frozen": frozen,
            "signatures": signatures,
            "to_sign": to_sign,
            "awaiting_answer": [
                a for a in agreements if a.status == AgreementStatus.DRAFT and a.current_version_id
            ],
            "others": [a for a in agreements if a != agreement],
            "role_changes": selectors.role_changes(org=org, agreements=[agreement]).get(
                getattr(agreement, "pk", None)
            ),
        },
    )


@org_view(Action.VIEW_AGREEMENT)
def my_team(request, member):
    """Each direct report with their agreement's status for this fiscal year and how long
    it has waited; a link to start one where there is none."""
    rows = selectors.team_agreements(org=member.org, manager=member)
    page_obj = Paginator(rows, TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/my_team.html",
        {"page_obj": page_obj, "team_size": len(rows)},
    )


def _roles_held(member, person):
    role_ids = {
        a.role_id
        for a in assignments_of_member(org=member.org, member=person, today=timezone.localdate())
    }
    return scoped(Role, member.org).filter(pk__in=role_ids).order_by("title")


@require_http_methods(["GET", "POST"])
@org_view(
    Action.MANAGE_AGREEMENT,
    fetch=lambda member, employee_pk: get_membership_for_member(member, employee_pk),
)
def agreement_create(request, member, person):
    """A new draft for ``person``: a role they hold, this fiscal year or the next."""
    form = AgreementCreateForm(
        request.POST if request.method == "POST" else None,
        roles=_roles_held(member, person),
        org=member.org,
    )
    if request.method == "POST" and form.is_valid():
        start, end = form.period_bounds()
        try:
            agreement = services.agreement_create(
                org=member.org,
                actor=member,
                employee=person,
                role=form.cleaned_data["role"],
                period_start=start,
                period_end=end,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return redirect("agreement-detail", org_slug=member.org.slug, pk=agreement.pk)
    return render(request, "reviews/agreement_create.html", {"person": person, "form": form})
