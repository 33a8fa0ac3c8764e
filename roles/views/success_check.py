"""Answering a role's success check from the role page."""

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
    get_role_for_member,
)
from ..forms import (
    SuccessCheckForm,
)
from .role_page import (
    render_role_page,
    role_url,
)


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
            return redirect(role_url(member, role.pk, "#success-check"))
    return render_role_page(request, member, role, success_form=form)
