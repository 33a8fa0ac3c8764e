"""The cascade explorer: objectives → KRAs → role KRAs → the people holding each role, and
the "still holds" confirmation of a KRA flagged for review. Mounted at /o/<org_slug>/cascade/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import get_department_for_member, scoped
from orgs.views.base import org_view

from .. import selectors
from ..access import get_kra_for_member
from ..services import kra_confirm_still_holds
from ..services.cascade import confirm_checker, manage_checker, may_confirm


def _flag(request, name: str) -> bool:
    return request.GET.get(name) in ("1", "on", "true")


def _shown(tree) -> list:
    stack = [n for _o, nodes in tree.objectives for n in nodes] + list(tree.unaligned)
    shown = []
    while stack:
        node = stack.pop()
        shown.append(node)
        stack.extend(node.children)
    return shown


@org_view(Action.VIEW_ROLES)
def cascade(request, member):
    department_id = request.GET.get("department") or ""
    department = get_department_for_member(member, department_id) if department_id else None
    needs_review_only = _flag(request, "needs_review")
    unaligned_only = _flag(request, "unaligned")
    filtering = bool(department or needs_review_only or unaligned_only)
    if filtering:
        # The matching KRAs, wherever they are, with the ladder above them.
        tree = selectors.cascade_tree(
            member.org,
            department=department,
            needs_review_only=needs_review_only,
            unaligned_only=unaligned_only,
        )
    else:
        # Organisation and department KRAs; the role KRAs below open on demand.
        tree = selectors.cascade_overview(member.org)
    shown = _shown(tree)
    may_manage, may_confirm_kra = manage_checker(member), confirm_checker(member)
    return render(
        request,
        "kras/cascade.html",
        {
            "tree": tree,
            "departments": scoped(Department, member.org).order_by("name"),
            "department": department,
            "needs_review_only": needs_review_only,
            "unaligned_only": unaligned_only,
            "filtering": filtering,
            "manageable": {n.kra.pk for n in shown if may_manage(n.kra)},
            "confirmable": {n.kra.pk for n in shown if may_confirm_kra(n.kra)},
            "here": request.get_full_path(),
        },
    )


@require_GET
@org_view(Action.VIEW_ROLES)
def cascade_below(request, member, pk):
    """The role KRAs right below one KRA, with the people holding each role: a fragment the
    explorer loads on demand (htmx), or a page of its own without htmx."""
    kra = get_kra_for_member(member, pk)
    nodes = selectors.cascade_below(member.org, kra)
    may_manage, may_confirm_kra = manage_checker(member), confirm_checker(member)
    context = {
        "kra": kra,
        "nodes": nodes,
        "filtering": False,
        "manageable": {n.kra.pk for n in nodes if may_manage(n.kra)},
        "confirmable": {n.kra.pk for n in nodes if may_confirm_kra(n.kra)},
        "here": (
            reverse("cascade", kwargs={"org_slug": member.org.slug})
            if request.htmx
            else request.get_full_path()
        ),
    }
    if request.htmx:
        return render(request, "kras/_cascade_below.html", context)
    return render(request, "kras/cascade_below.html", context)


@require_POST
@org_view(Action.VIEW_ROLES, fetch=get_kra_for_member, object_action=may_confirm)
def kra_confirm(request, member, kra):
    try:
        kra = kra_confirm_still_holds(kra=kra, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if request.htmx:
            return render(request, "kras/_cascade_review.html", {"kra": kra, "confirmed": True})
        messages.success(request, _("Confirmed: “%(title)s” still holds.") % {"title": kra.title})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not back.startswith(reverse("cascade", kwargs={"org_slug": member.org.slug})):
        back = reverse("cascade", kwargs={"org_slug": member.org.slug})
    return redirect(back)
