"""Amending every agreement built on a role at once, after the role changed: a page that
lists the holders with what changed since they signed, and asks to confirm."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgs import policy
from orgs.policy import Action
from orgs.views.base import org_view
from roles.access import get_role_for_member

from .. import selectors
from ..services.amendments import agreements_amend_for_role


def _may_read_role(member, role) -> bool:
    return policy.can(member, Action.VIEW_ROLES, role)


@require_http_methods(["GET", "POST"])
@org_view(
    Action.MANAGE_AGREEMENT,
    fetch=lambda member, role_pk: get_role_for_member(member, role_pk),
    object_action=_may_read_role,
)
def role_agreements_amend(request, member, role):
    """GET: the holders of ``role`` with an agreement in force and how the role changed
    since each signed; POST: one amendment for each of them (``agreements_amend_for_role``)."""
    if request.method == "POST":
        result = agreements_amend_for_role(role=role, actor=member)
        messages.success(
            request,
            _("Amendments started: %(created)d; already under way: %(skipped)d.")
            % {"created": len(result.created), "skipped": len(result.skipped)},
        )
        return redirect("my-team", org_slug=member.org.slug)
    rows = selectors.role_agreements_in_force(org=member.org, role=role, member=member)
    return render(
        request,
        "reviews/role_amend.html",
        {
            "role": role,
            "rows": rows,
            "to_amend": [row for row in rows if not row.under_way],
        },
    )
