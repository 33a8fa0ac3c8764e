"""The department tree: list, create, edit (rename, move, set head) and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import DepartmentForm
from ..policy import Action
from ..tenancy import get_department_for_member
from .base import form_errors_from, org_view


@org_view()
def department_list(request, member):
    tree = selectors.department_tree(org=member.org)
    return render(request, "orgs/departments/list.html", {"tree": tree})


@org_view(Action.MANAGE_DEPARTMENTS)
def department_create(request, member):
    form = DepartmentForm(request.POST or None, org=member.org)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(
                org=member.org, actor=member, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Department “%(name)s” added.") % {"name": department})
            return redirect("department-list", org_slug=member.org.slug)
    return render(request, "orgs/departments/form.html", {"form": form})


@org_view(Action.MANAGE_DEPARTMENTS)
def department_edit(request, member, pk):
    department = get_department_for_member(member, pk)
    form = DepartmentForm(request.POST or None, org=member.org, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(department=department, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Department saved."))
            return redirect("department-list", org_slug=member.org.slug)
    return render(
        request,
        "orgs/departments/form.html",
        {
            "form": form,
            "department": department,
            "path": selectors.department_path(department),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_DEPARTMENTS)
def department_delete(request, member, pk):
    """GET asks for confirmation; POST deletes, or explains why the department must stay."""
    department = get_department_for_member(member, pk)
    if request.method == "POST":
        try:
            services.department_delete(department=department, actor=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("department-edit", org_slug=member.org.slug, pk=department.pk)
        messages.success(request, _("Department “%(name)s” deleted.") % {"name": department})
        return redirect("department-list", org_slug=member.org.slug)
    return render(request, "orgs/departments/confirm_delete.html", {"department": department})
