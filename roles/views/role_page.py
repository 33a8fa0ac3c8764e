"""The role page as every role view renders it (the method top to bottom: purpose, areas,
cost, holders, success check), and the links and objects the role views share."""

from __future__ import annotations

import datetime

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from orgs import policy
from orgs.models import Membership
from orgs.policy import Action
from orgs.views.base import paginate

from .. import selectors
from ..forms import (
    AreaForm,
    AssignForm,
    ResponsibilityForm,
    SuccessCheckForm,
)
from ..models import AreaOfFocus, Role


def role_url(member: Membership, role_id: int, anchor: str = "") -> str:
    return reverse("role-detail", args=[member.org.slug, role_id]) + anchor


def role_of(obj) -> Role:
    # An area of focus, an assignment: decided with the role they belong to.
    return obj.role


def role_of_responsibility(responsibility) -> Role:
    return responsibility.area.role


def attach_forms(
    areas: list[AreaOfFocus],
    *,
    editing_area: tuple[int, AreaForm] | None = None,
    editing_responsibility: tuple[int, ResponsibilityForm] | None = None,
    adding_responsibility: tuple[int, ResponsibilityForm] | None = None,
) -> None:
    """Give each area its "add a responsibility" form, and the row being edited (if any)
    its edit form, bound when it came back with errors."""
    for area in areas:
        if adding_responsibility and adding_responsibility[0] == area.pk:
            area.responsibility_form = adding_responsibility[1]
        else:
            area.responsibility_form = ResponsibilityForm(auto_id=f"id_area{area.pk}_new_%s")
        if editing_area and editing_area[0] == area.pk:
            area.edit_form = editing_area[1]
        for responsibility in area.responsibilities.all():
            if editing_responsibility and editing_responsibility[0] == responsibility.pk:
                responsibility.edit_form = editing_responsibility[1]


def new_area_form(data=None) -> AreaForm:
    return AreaForm(data, auto_id="id_new_area_%s")


def render_role_page(
    request,
    member: Membership,
    role: Role,
    *,
    success_form: SuccessCheckForm | None = None,
    assign_form: AssignForm | None = None,
):
    selectors.role_detail(role=role)
    today = timezone.localdate()
    can_manage = policy.can(member, Action.MANAGE_ROLE, role)
    can_assign = policy.can(member, Action.ASSIGN_ROLE, role)
    can_view_cost = policy.can(member, Action.VIEW_ROLE_COST, role)
    areas = list(role.areas.all())
    if can_manage:
        attach_forms(areas)
    holders = holders_page(request, role, today)
    try:
        # The KRA section comes from the kras app; until its page exists the role page
        # simply has no KRA section.
        reverse("role-kras", args=[member.org.slug, role.pk])
        has_role_kras = True
    except NoReverseMatch:
        has_role_kras = False
    value_ratio = None
    if can_view_cost and role.annual_cost and role.expected_value is not None:
        value_ratio = role.expected_value / role.annual_cost
    context = {
        "role": role,
        "areas": areas,
        "value_ratio": value_ratio,
        "holders": holders,
        "today": today,
        "justification_overdue": can_view_cost and selectors.is_justification_overdue(role, today),
        "can_manage": can_manage,
        "can_assign": can_assign,
        "can_view_cost": can_view_cost,
        "can_view_history": policy.can(member, Action.VIEW_AUDIT),
        "has_role_kras": has_role_kras,
    }
    if can_manage:
        context.update(
            area_form=new_area_form(),
            success_form=success_form or SuccessCheckForm.for_role(role),
        )
    if can_assign:
        context["assign_form"] = assign_form or AssignForm(
            org=member.org, initial={"start_date": today}
        )
    return render(request, "roles/role_detail.html", context)


def holders_page(request, role: Role, today: datetime.date):
    """One page of the role's holders, each marked current, upcoming or ended."""
    holders = paginate(
        request, selectors.role_holders(role=role, today=today), selectors.HOLDERS_PER_PAGE
    )
    holders.object_list = list(holders.object_list)
    for assignment in holders.object_list:
        assignment.is_current = assignment.start_date <= today and (
            assignment.end_date is None or assignment.end_date >= today
        )
        assignment.is_future = assignment.start_date > today
    return holders
