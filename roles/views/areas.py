"""Areas of focus and their responsibilities, edited in place with htmx on the role page.

Every htmx action is a plain form too: without htmx the same POST redirects back to the role
page, and the edit links open a page of their own. With htmx, area and responsibility
actions answer with the re-rendered areas section (``roles/_areas.html``), errors included.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orgs import policy
from orgs.models import Membership
from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view

from .. import selectors, services
from ..access import (
    get_area_for_member,
    get_responsibility_for_member,
    get_role_for_member,
)
from ..forms import (
    AreaForm,
    ResponsibilityForm,
)
from ..models import Role
from .role_page import (
    attach_forms,
    new_area_form,
    role_of,
    role_of_responsibility,
    role_url,
)


def _areas_response(request, member: Membership, role: Role, *, area_form=None, **editing):
    areas = selectors.role_areas(role=role)
    can_manage = policy.can(member, Action.MANAGE_ROLE, role)
    if can_manage:
        attach_forms(areas, **editing)
    return render(
        request,
        "roles/_areas.html",
        {
            "role": role,
            "areas": areas,
            "can_manage": can_manage,
            "area_form": area_form or new_area_form(),
        },
    )


@require_GET
@org_view(Action.VIEW_ROLES)
def role_areas(request, member, pk):
    """The areas section alone (htmx: cancel an edit); the role page otherwise."""
    role = get_role_for_member(member, pk)
    if not request.htmx:
        return redirect(role_url(member, role.pk, "#areas"))
    return _areas_response(request, member, role)


@org_view(Action.MANAGE_ROLE, fetch=get_role_for_member)
def area_create(request, member, role):
    form = new_area_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(role=role, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx:
                return _areas_response(request, member, role)
            messages.success(request, _("Area of focus added."))
            return redirect(role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, area_form=form)
    return render(request, "roles/area_form.html", {"form": form, "role": role})


@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=role_of)
def area_edit(request, member, area):
    role = area.role
    form = AreaForm(
        request.POST or None,
        initial={"title": area.title, "description": area.description},
        auto_id=f"id_area{area.pk}_%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.area_update(area=area, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx:
                return _areas_response(request, member, role)
            messages.success(request, _("Area of focus saved."))
            return redirect(role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, editing_area=(area.pk, form))
    return render(request, "roles/area_form.html", {"form": form, "role": role, "area": area})


@require_POST
@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=role_of)
def area_delete(request, member, area):
    role = area.role
    services.area_delete(area=area, actor=member)
    if request.htmx:
        return _areas_response(request, member, role)
    messages.success(request, _("Area of focus “%(title)s” deleted.") % {"title": area.title})
    return redirect(role_url(member, role.pk, "#areas"))


@require_POST
@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=role_of)
def area_move(request, member, area):
    role = area.role
    try:
        services.area_move(area=area, actor=member, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _areas_response(request, member, role)
    return redirect(role_url(member, role.pk, f"#area-{area.pk}"))


@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=role_of)
def responsibility_create(request, member, area):
    role = area.role
    form = ResponsibilityForm(request.POST or None, auto_id=f"id_area{area.pk}_new_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_create(area=area, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx:
                return _areas_response(request, member, role)
            messages.success(request, _("Responsibility added."))
            return redirect(role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, adding_responsibility=(area.pk, form))
    return render(
        request, "roles/responsibility_form.html", {"form": form, "role": role, "area": area}
    )


@org_view(
    Action.MANAGE_ROLE,
    fetch=get_responsibility_for_member,
    policy_object=role_of_responsibility,
)
def responsibility_edit(request, member, responsibility):
    area = responsibility.area
    role = area.role
    form = ResponsibilityForm(
        request.POST or None,
        initial={"description": responsibility.description},
        auto_id=f"id_responsibility{responsibility.pk}_%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_update(
                responsibility=responsibility, actor=member, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx:
                return _areas_response(request, member, role)
            messages.success(request, _("Responsibility saved."))
            return redirect(role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(
            request, member, role, editing_responsibility=(responsibility.pk, form)
        )
    return render(
        request,
        "roles/responsibility_form.html",
        {"form": form, "role": role, "area": area, "responsibility": responsibility},
    )


@require_POST
@org_view(
    Action.MANAGE_ROLE,
    fetch=get_responsibility_for_member,
    policy_object=role_of_responsibility,
)
def responsibility_delete(request, member, responsibility):
    role = responsibility.area.role
    services.responsibility_delete(responsibility=responsibility, actor=member)
    if request.htmx:
        return _areas_response(request, member, role)
    messages.success(request, _("Responsibility deleted."))
    return redirect(role_url(member, role.pk, f"#area-{responsibility.area_id}"))


@require_POST
@org_view(
    Action.MANAGE_ROLE,
    fetch=get_responsibility_for_member,
    policy_object=role_of_responsibility,
)
def responsibility_move(request, member, responsibility):
    role = responsibility.area.role
    try:
        services.responsibility_move(
            responsibility=responsibility,
            actor=member,
            direction=request.POST.get("direction", ""),
        )
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _areas_response(request, member, role)
    return redirect(role_url(member, role.pk, f"#area-{responsibility.area_id}"))
