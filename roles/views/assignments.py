"""Who holds a role: assigning it and ending an assignment, from the role page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view

from .. import services
from ..access import (
    get_assignment_for_member,
    get_role_for_member,
)
from ..forms import (
    AssignForm,
    AssignmentEndForm,
)
from .role_page import (
    render_role_page,
    role_of,
    role_url,
)


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
            return redirect(role_url(member, role.pk, "#holders"))
    return render_role_page(request, member, role, assign_form=form)


@require_POST
@org_view(Action.ASSIGN_ROLE, fetch=get_assignment_for_member, policy_object=role_of)
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
    return redirect(role_url(member, assignment.role_id, "#holders"))
