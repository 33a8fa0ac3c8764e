"""People of an organisation: the member directory, a person's page, editing a member's
place in the org chart, deactivation, invitations, and everyone's API tokens."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reviews import selectors as agreement_selectors
from roles.selectors import assignments_of_member

from .. import policy, selectors, services
from ..forms import InvitationForm, MemberForm
from ..models import Invitation, OrgRole
from ..policy import Action
from ..services.invitations import invitation_status
from ..services.tokens import api_token_revoke_by_manager
from ..tenancy import (
    get_department_for_member,
    get_invitation_for_member,
    get_membership_for_member,
    get_org_api_token_for_member,
    scoped,
)
from .base import form_errors_from, org_view, paginate


def member_status_filter(member, requested: str) -> str:
    """The people list's status filter as this member may use it: only org admins and HR
    see deactivated members; everyone else sees the active ones whatever they ask."""
    if not policy.can(member, Action.VIEW_INACTIVE_MEMBERS):
        return "active"
    return requested if requested in selectors.MEMBER_STATUSES else "active"


def _visible_person(member, pk):
    """The person, 404 when not in the organisation or (for those who may not see them)
    deactivated."""
    person = get_membership_for_member(member, pk)
    if not person.is_active and not policy.can(member, Action.VIEW_INACTIVE_MEMBERS):
        raise Http404
    return person


@org_view(Action.VIEW_MEMBERS)
def member_list(request, member):
    # PostgreSQL cannot compare a string holding NUL; nobody's name contains one.
    search = request.GET.get("q", "").replace("\x00", "").strip()
    # "inactive=1" is the older spelling of status=all.
    requested = request.GET.get("status") or ("all" if request.GET.get("inactive") == "1" else "")
    status = member_status_filter(member, requested)
    department = None
    if request.GET.get("department"):
        department = get_department_for_member(member, request.GET["department"])
    members = selectors.member_list(
        org=member.org,
        search=search,
        status=status,
        department=department,
    )
    filters = {
        "q": search,
        "department": department.pk if department else "",
        "status": status if status != "active" else "",
    }
    return render(
        request,
        "orgs/members/list.html",
        {
            "page_obj": paginate(request, members, 25),
            "search": search,
            "status": status,
            "show_inactive": status != "active",
            "may_see_inactive": policy.can(member, Action.VIEW_INACTIVE_MEMBERS),
            "may_manage": policy.can(member, Action.MANAGE_MEMBERS),
            "department": department,
            "department_options": [
                (node.department.pk, "— " * node.depth + node.department.name)
                for node in selectors.flatten_tree(selectors.department_tree(org=member.org))
            ],
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


@org_view(Action.VIEW_MEMBERS)
def member_detail(request, member, pk):
    """A person's page: their place in the organisation, the roles they hold, their
    manager and direct reports; for org admins and HR, their API tokens too."""
    person = _visible_person(member, pk)
    may_manage = policy.can(member, Action.MANAGE_MEMBERS)
    reports = selectors.direct_reports(
        org=member.org,
        manager=person,
        include_inactive=policy.can(member, Action.VIEW_INACTIVE_MEMBERS),
    )
    tokens = None
    if policy.can(member, Action.MANAGE_API_TOKENS):
        tokens = list(selectors.api_tokens(org=member.org, user=person.user))
    manager = person.manager
    if manager is not None and not manager.is_active and not may_manage:
        manager = None  # a deactivated manager is not shown to everyone
    agreement, versions = _person_agreement(member, person)
    return render(
        request,
        "orgs/people/detail.html",
        {
            "person": person,
            "manager": manager,
            "assignments": assignments_of_member(
                org=member.org, member=person, today=timezone.localdate()
            ),
            "reports_page": paginate(request, reports, 20),
            "tokens": tokens,
            "may_manage": may_manage,
            "may_view_history": policy.can(member, Action.VIEW_AUDIT),
            "agreement": agreement,
            "agreement_versions": versions,
            "may_view_agreements": policy.can(member, Action.VIEW_AGREEMENT, person),
            "may_view_check_ins": policy.can(member, Action.VIEW_CHECK_INS, person),
        },
    )


def _person_agreement(member, person):
    """The person's current KRA agreement (one in force, else one under way) and its
    versions, for those who may read their agreements; (None, []) otherwise."""
    if not policy.can(member, Action.VIEW_AGREEMENT, person):
        return None, []
    agreements = list(agreement_selectors.agreements_for_person(org=member.org, member=person))
    current = next((a for a in agreements if a.status == "active"), None) or next(
        (a for a in agreements if a.status not in ("superseded", "voided")), None
    )
    if current is None:
        return None, []
    return current, agreement_selectors.agreement_versions(agreement=current)


def _member_form(request, member, membership) -> MemberForm:
    form = MemberForm(request.POST or None, org=member.org, membership=membership)
    if not policy.can(member, Action.CHANGE_ORG_ROLES):
        # HR manages people but not who is an org admin: the role stays as it is.
        form.fields["role"].choices = [
            (value, label) for value, label in OrgRole.choices if value == membership.role
        ]
        form.fields["role"].help_text = _("Only org admins change org roles.")
    return form


@org_view(Action.MANAGE_MEMBERS)
def member_edit(request, member, pk):
    membership = get_membership_for_member(member, pk)
    form = _member_form(request, member, membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": membership.display_name})
            return redirect("member-detail", org_slug=member.org.slug, pk=membership.pk)
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
    try:
        services.membership_reactivate(membership=membership, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s is active again.") % {"name": membership.display_name}
        )
    return redirect("member-edit", org_slug=member.org.slug, pk=membership.pk)


@require_POST
@org_view(Action.MANAGE_MEMBERS)
def member_send_sign_in_link(request, member, pk):
    membership = get_membership_for_member(member, pk)
    try:
        sent = services.membership_send_sign_in_links(memberships=[membership], actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member-edit", org_slug=member.org.slug, pk=membership.pk)
    if sent:
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
    if not policy.can(member, Action.CHANGE_ORG_ROLES):
        form.fields["role"].choices = [
            (value, label) for value, label in OrgRole.choices if value != OrgRole.ADMIN
        ]
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


# --- everyone's API tokens (org admins and HR) ------------------------------------------


@org_view(Action.MANAGE_API_TOKENS)
def org_token_list(request, member):
    """Every member's API tokens in the organisation, usable ones first; revoked and
    expired ones with ?status=all."""
    show_all = request.GET.get("status") == "all"
    tokens = selectors.api_tokens(org=member.org, include_revoked=show_all)
    return render(
        request,
        "orgs/people/tokens.html",
        {"page_obj": paginate(request, tokens, 50), "show_all": show_all},
    )


@require_POST
@org_view(Action.MANAGE_API_TOKENS)
def org_token_revoke(request, member, pk):
    token = get_org_api_token_for_member(member, pk)
    api_token_revoke_by_manager(token=token, actor=member)
    messages.success(
        request,
        _("%(owner)s's token “%(name)s” revoked.")
        % {"owner": token.user.get_full_name(), "name": token.name},
    )
    # Back to where the revoke was asked (the person's page or the list), if it is here.
    back = request.POST.get("next", "")
    prefix = f"/o/{member.org.slug}/"
    if back.startswith(prefix) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("org-token-list", org_slug=member.org.slug)
