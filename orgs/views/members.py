"""People of an organisation: the member directory, editing a member's place in the org
chart, deactivation, and invitations."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import InvitationForm, MemberForm
from ..models import Invitation
from ..policy import Action
from ..services.invitations import invitation_status
from ..tenancy import (
    get_department_for_member,
    get_invitation_for_member,
    get_membership_for_member,
    scoped,
)
from .base import form_errors_from, org_view, paginate


@org_view(Action.VIEW_MEMBERS)
def member_list(request, member):
    # PostgreSQL cannot compare a string holding NUL; nobody's name contains one.
    search = request.GET.get("q", "").replace("\x00", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    department = None
    if request.GET.get("department"):
        department = get_department_for_member(member, request.GET["department"])
    members = selectors.member_list(
        org=member.org,
        search=search,
        include_inactive=show_inactive,
        department=department,
    )
    filters = {
        "q": search,
        "department": department.pk if department else "",
        "inactive": "1" if show_inactive else "",
    }
    return render(
        request,
        "orgs/members/list.html",
        {
            "page_obj": paginate(request, members, 25),
            "search": search,
            "show_inactive": show_inactive,
            "department": department,
            "department_options": [
                (node.department.pk, "— " * node.depth + node.department.name)
                for node in selectors.flatten_tree(selectors.department_tree(org=member.org))
            ],
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@org_view(Action.MANAGE_MEMBERS)
def member_edit(request, member, pk):
    membership = get_membership_for_member(member, pk)
    form = MemberForm(request.POST or None, org=member.org, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": membership.display_name})
            return redirect("member-list", org_slug=member.org.slug)
    return render(request, "orgs/members/form.html", {"form": form, "person": membership})


@require_POST
@org_view(Action.MANAGE_MEMBERS)
def member_deactivate(request, member, pk):
    membership = get_membership_for_member(member, pk)
    try:
        services.membership_deactivate(membership=membership, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s was deactivated; their history stays.") % {"name": membership.display_name},
        )
    return redirect("member-edit", org_slug=member.org.slug, pk=membership.pk)


@require_POST
@org_view(Action.MANAGE_MEMBERS)
def member_reactivate(request, member, pk):
    membership = get_membership_for_member(member, pk)
    services.membership_reactivate(membership=membership, actor=member)
    messages.success(request, _("%(name)s is active again.") % {"name": membership.display_name})
    return redirect("member-edit", org_slug=member.org.slug, pk=membership.pk)


@require_POST
@org_view(Action.MANAGE_MEMBERS)
def member_send_sign_in_link(request, member, pk):
    membership = get_membership_for_member(member, pk)
    if services.membership_send_sign_in_links(memberships=[membership], actor=member):
        messages.success(
            request,
            _("A sign-in link is on its way to %(email)s.") % {"email": membership.user.email},
        )
    else:
        messages.error(request, _("Deactivated members get no sign-in link."))
    return redirect("member-edit", org_slug=member.org.slug, pk=membership.pk)


@require_POST
@org_view(Action.MANAGE_MEMBERS)
def members_send_sign_in_links(request, member):
    """Everyone active who has never signed in gets a link (after an org-chart import)."""
    pending = services.members_without_sign_in(org=member.org)
    sent = services.membership_send_sign_in_links(memberships=pending, actor=member)
    messages.success(
        request,
        ngettext("Sign-in link sent to %(n)d person.", "Sign-in links sent to %(n)d people.", sent)
        % {"n": sent},
    )
    return redirect("member-list", org_slug=member.org.slug)


@org_view(Action.INVITE_MEMBERS)
def invitation_list(request, member):
    invitations = scoped(Invitation, member.org).select_related(
        "invited_by__user", "department", "manager__user"
    )
    page_obj = paginate(request, invitations, 25)
    page_obj.object_list = list(page_obj.object_list)
    for invitation in page_obj.object_list:
        invitation.status = invitation_status(invitation)
    return render(request, "orgs/members/invitation_list.html", {"page_obj": page_obj})


@org_view(Action.INVITE_MEMBERS)
def invitation_create(request, member):
    form = InvitationForm(request.POST or None, org=member.org)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _raw = services.invitation_create(
                org=member.org, actor=member, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("invitation-list", org_slug=member.org.slug)
    return render(request, "orgs/members/invitation_form.html", {"form": form})


@require_POST
@org_view(Action.INVITE_MEMBERS)
def invitation_revoke(request, member, pk):
    invitation = get_invitation_for_member(member, pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Invitation to %(email)s revoked.") % {"email": invitation.email}
        )
    return redirect("invitation-list", org_slug=member.org.slug)
