"""Role pages: the list, the role page filled in top to bottom like the method, and in-place
(htmx) editing of its areas of focus and responsibilities.

Every htmx action is a plain form too: without htmx the same POST redirects back to the role
page, and the edit links open a page of their own. With htmx, area and responsibility
actions answer with the re-rendered areas section (``roles/_areas.html``), errors included.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs import policy
from orgs.models import Department, Membership
from orgs.policy import Action
from orgs.selectors import department_tree, flatten_tree
from orgs.tenancy import scoped
from orgs.views.base import form_errors_from, org_view, paginate

from . import selectors, services
from .access import (
    can_create_roles,
    get_area_for_member,
    get_assignment_for_member,
    get_responsibility_for_member,
    get_role_for_member,
    require_place_role,
)
from .forms import (
    AreaForm,
    AssignForm,
    AssignmentEndForm,
    ResponsibilityForm,
    RoleCreateForm,
    RoleForm,
    SuccessCheckForm,
)
from .models import AreaOfFocus, Role
from .template_choice import template_options


def _role_url(member: Membership, role_id: int, anchor: str = "") -> str:
    return reverse("role-detail", args=[member.org.slug, role_id]) + anchor


def _role_of(obj) -> Role:
    # An area of focus, an assignment: decided with the role they belong to.
    return obj.role


def _role_of_responsibility(responsibility) -> Role:
    return responsibility.area.role


# --- list, create, edit, delete -------------------------------------------------------------


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
    sees_cost = policy.role_cost_checker(member)
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
            return redirect(_role_url(member, role.pk, "#areas" if applied is None else ""))
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
            return redirect(_role_url(member, role.pk))
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
            return redirect(_role_url(member, role.pk))
        messages.success(request, _("Role “%(title)s” deleted.") % {"title": role})
        return redirect("role-list", org_slug=member.org.slug)
    return render(request, "roles/role_confirm_delete.html", {"role": role})


# --- the role page --------------------------------------------------------------------------


def _attach_forms(
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


def _new_area_form(data=None) -> AreaForm:
    return AreaForm(data, auto_id="id_new_area_%s")


def _render_role_page(
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
        _attach_forms(areas)
    holders = _holders_page(request, role, today)
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
            area_form=_new_area_form(),
            success_form=success_form or SuccessCheckForm.for_role(role),
        )
    if can_assign:
        context["assign_form"] = assign_form or AssignForm(
            org=member.org, initial={"start_date": today}
        )
    return render(request, "roles/role_detail.html", context)


def _holders_page(request, role: Role, today: datetime.date):
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
                "holders": _holders_page(request, role, today),
                "today": today,
                "can_assign": policy.can(member, Action.ASSIGN_ROLE, role),
            },
        )
    return _render_role_page(request, member, role)


@require_POST
@org_view(Action.MANAGE_ROLE, fetch=get_role_for_member)
def role_success_check(request, member, role):
    form = SuccessCheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_success_check_record(
                role=role,
                actor=member,
                is_complete=data["is_complete"],
                missing=data["missing"],
                unnecessary=data["unnecessary"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Success check recorded."))
            return redirect(_role_url(member, role.pk, "#success-check"))
    return _render_role_page(request, member, role, success_form=form)


@require_POST
@org_view(Action.ASSIGN_ROLE, fetch=get_role_for_member)
def role_assign(request, member, role):
    form = AssignForm(request.POST, org=member.org)
    if form.is_valid():
        try:
            assignment = services.role_assign(role=role, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("%(name)s holds this role from %(date)s.")
                % {
                    "name": assignment.member.display_name,
                    "date": assignment.start_date.isoformat(),
                },
            )
            return redirect(_role_url(member, role.pk, "#holders"))
    return _render_role_page(request, member, role, assign_form=form)


@require_POST
@org_view(Action.ASSIGN_ROLE, fetch=get_assignment_for_member, policy_object=_role_of)
def role_assignment_end(request, member, assignment):
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.role_assignment_end(
                assignment=assignment, actor=member, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s's assignment ends on %(date)s.")
                % {
                    "name": assignment.member.display_name,
                    "date": form.cleaned_data["end_date"].isoformat(),
                },
            )
    else:
        messages.error(request, _("Give the last day of the assignment."))
    return redirect(_role_url(member, assignment.role_id, "#holders"))


# --- areas of focus and responsibilities (in place with htmx) -------------------------------


def _areas_response(request, member: Membership, role: Role, *, area_form=None, **editing):
    areas = selectors.role_areas(role=role)
    can_manage = policy.can(member, Action.MANAGE_ROLE, role)
    if can_manage:
        _attach_forms(areas, **editing)
    return render(
        request,
        "roles/_areas.html",
        {
            "role": role,
            "areas": areas,
            "can_manage": can_manage,
            "area_form": area_form or _new_area_form(),
        },
    )


@require_GET
@org_view(Action.VIEW_ROLES)
def role_areas(request, member, pk):
    """The areas section alone (htmx: cancel an edit); the role page otherwise."""
    role = get_role_for_member(member, pk)
    if not request.htmx:
        return redirect(_role_url(member, role.pk, "#areas"))
    return _areas_response(request, member, role)


@org_view(Action.MANAGE_ROLE, fetch=get_role_for_member)
def area_create(request, member, role):
    form = _new_area_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(role=role, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx:
                return _areas_response(request, member, role)
            messages.success(request, _("Area of focus added."))
            return redirect(_role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, area_form=form)
    return render(request, "roles/area_form.html", {"form": form, "role": role})


@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=_role_of)
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
            return redirect(_role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, editing_area=(area.pk, form))
    return render(request, "roles/area_form.html", {"form": form, "role": role, "area": area})


@require_POST
@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=_role_of)
def area_delete(request, member, area):
    role = area.role
    services.area_delete(area=area, actor=member)
    if request.htmx:
        return _areas_response(request, member, role)
    messages.success(request, _("Area of focus “%(title)s” deleted.") % {"title": area.title})
    return redirect(_role_url(member, role.pk, "#areas"))


@require_POST
@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=_role_of)
def area_move(request, member, area):
    role = area.role
    try:
        services.area_move(area=area, actor=member, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _areas_response(request, member, role)
    return redirect(_role_url(member, role.pk, f"#area-{area.pk}"))


@org_view(Action.MANAGE_ROLE, fetch=get_area_for_member, policy_object=_role_of)
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
            return redirect(_role_url(member, role.pk, f"#area-{area.pk}"))
    if request.htmx:
        return _areas_response(request, member, role, adding_responsibility=(area.pk, form))
    return render(
        request, "roles/responsibility_form.html", {"form": form, "role": role, "area": area}
    )


@org_view(
    Action.MANAGE_ROLE,
    fetch=get_responsibility_for_member,
    policy_object=_role_of_responsibility,
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
            return redirect(_role_url(member, role.pk, f"#area-{area.pk}"))
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
    policy_object=_role_of_responsibility,
)
def responsibility_delete(request, member, responsibility):
    role = responsibility.area.role
    services.responsibility_delete(responsibility=responsibility, actor=member)
    if request.htmx:
        return _areas_response(request, member, role)
    messages.success(request, _("Responsibility deleted."))
    return redirect(_role_url(member, role.pk, f"#area-{responsibility.area_id}"))


@require_POST
@org_view(
    Action.MANAGE_ROLE,
    fetch=get_responsibility_for_member,
    policy_object=_role_of_responsibility,
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
    return redirect(_role_url(member, role.pk, f"#area-{responsibility.area_id}"))
