"""Figures of the agreements for HR and managers: the share of people with an agreement in
force, for the organisation and per department (a manager: the departments they head and
below), and who has not signed, for how long."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from orgs.policy import Action
from orgs.views.base import org_view

from .. import selectors
from ..models import AgreementStatus

PAGE_SIZE = 25


def _labelled(people):
    now = timezone.now()
    for person in people:
        person.open_status_label = (
            AgreementStatus(person.open_status).label if person.open_status else None
        )
        person.waited = now - person.waiting_since
    return people


@org_view(Action.MANAGE_AGREEMENT)
def agreement_figures(request, member):
    org = member.org
    figures = selectors.agreement_figures(org=org, member=member)
    department_ids = selectors.figures_department_ids(org=org, member=member)
    people = selectors.people_without_agreement(org=org, department_ids=department_ids)
    page_obj = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    _labelled(page_obj.object_list)
    return render(
        request,
        "reviews/figures.html",
        {**figures, "page_obj": page_obj, "today": timezone.localdate()},
    )
