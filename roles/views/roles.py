"""The role list, creating, editing and deleting a role, and the role page."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgs import policy
from orgs.models import Department
from orgs.policy import Action
from orgs.selectors import department_tree, flatten_tree
from orgs.tenancy import scoped
from orgs.views.base import form_errors_from, org_view, paginate

from .. import selectors, services
from ..access import (
    can_create_roles,
    get_role_for_member,
    require_place_role,
)
from ..forms import (
    RoleCreateForm,
    RoleForm,
)
from ..policy import role_cost_checker
from ..template_choice import template_options
from .role_page import (
    holders_page,
    render_role_page,
    role_url,
)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@org_view(Action.VIEW_ROLES)
def role_list(request, member):
    org = member.org
    # PostgreSQL cannot compare a string holding NUL; no role's text contains one.
    search = request.GET.get("q", "").replace("\x00", "").strip()
    department_param = request.GET.get("department", "")
    department = None
    if department_param:
        department = scoped(Department, org).filter(pk=_int_or_none(department_param)).first()
    roles = selectors.role_list(
        org=org, today=timezone.localdate(), search=search, department=department
    )
    if department_param and department is None:
        # Another organisation's department, or none at all: nothing matches.
        roles = roles.none()
    query = urlencode([(k, v) for k, v in (("q", search), ("department", department_param)) if v])
    page_obj = paginate(request, roles)
    page_obj.object_list = list(page_obj.object_list)
    sees_cost = role_cost_checker(member)
    for listed in page_obj.object_list:
        listed.show_cost = sees_cost(listed)
    return render(
        request,
        "roles/role_list.html",
        {
            "page_obj": page_obj,
            "show_cost_column": any(listed.show_cost for listed in page_obj.object_list),
            "search": search,
            "department_id": department.pk if department else None,
            "departments": [
                (node.department.pk, "— " * node.depth + node.department.name)
                for node in flatten_tree(department_tree(org=org))
            ],
            "query_string": query,
            "filtered": bool(search or department_param),
            "can_create": can_create_roles(member),
        },
    )


@org_view(Action.MANAGE_ROLE)
def role_create(request, member):
    if not can_create_roles(member):
        raise PermissionDenied("not allowed: create a role")
    today = timezone.localdate()
    # The method lets a new role be "not yet justified", but never without a date by which
    # it should be: a year from now is offered and can be changed.
    initial = {"justification_target_date": today + datetime.timedelta(days=365)}
    department_param = _int_or_none(request.GET.get("department"))
    if department_param:
        initial["department"] = department_param
    if request.GET.get("template"):
        initial["template"] = request.GET["template"]
    options = template_options(member)
    form = RoleCreateForm(
        request.POST or None,
        member=member,
        initial=initial,
        template_choices=options.choices,
        time_frames=options.time_frame_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        template_key = data.pop("template", "")
        year = data.pop("kpi_year", "")
        require_place_role(member, data["department"])
        try:
            if template_key:
                role, applied = options.create(member, data, template_key=template_key, year=year)
            else:
                role, applied = services.role_create(org=member.org, actor=member, **data), None
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if applied is None:
                message = _("Role “%(title)s” created. Now add its areas of focus.")
            else:
                message = _(
                    "Role “%(title)s” created with %(kras)d KRAs and %(kpis)d KPIs from the "
                    "template. Ladder each KRA to a department KRA or an objective, then "
                    "adjust it."
                )
            messages.success(
                request,
                message
                % {
                    "title": role,
                    "kras": len(applied.kras) if applied else 0,
                    "kpis": applied.kpis if applied else 0,
                },
            )
            return redirect(role_url(member, role.pk, "#areas" if applied is None else ""))
    return render(request, "roles/role_form.html", {"form": form})


@org_view(Action.MANAGE_ROLE, fetch=get_role_for_member)
def role_edit(request, member, role):
    heading = role.title
    form = RoleForm(request.POST or None, instance=role, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "department" in form.changed_data:
            require_place_role(member, data["department"])
        try:
            services.role_update(role=role, actor=member, **data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Role saved."))
            return redirect(role_url(member, role.pk))
    return render(request, "roles/role_form.html", {"form": form, "role": role, "heading": heading})


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_ROLE, fetch=get_role_for_member)
def role_delete(request, member, role):
    """GET asks for confirmation; POST deletes, or explains why the role must stay."""
    if request.method == "POST":
        try:
            services.role_delete(role=role, actor=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(role_url(member, role.pk))
        messages.success(request, _("Role “%(title)s” deleted.") % {"title": role})
        return redirect("role-list", org_slug=member.org.slug)
    return render(request, "roles/role_confirm_delete.html", {"role": role})


@org_view(Action.VIEW_ROLES)
def role_detail(request, member, pk):
    role = get_role_for_member(member, pk)
    if request.htmx and request.htmx.target == "role-holders":
        # Another page of holders (htmx): the holders list alone.
        today = timezone.localdate()
        return render(
            request,
            "roles/_holders.html",
            {
                "role": role,
                "holders": holders_page(request, role, today),
                "today": today,
                "can_assign": policy.can(member, Action.ASSIGN_ROLE, role),
            },
        )
    return render_role_page(request, member, role)
