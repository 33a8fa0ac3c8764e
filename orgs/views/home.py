from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kras.selectors import objective_list
from reviews import selectors as agreement_selectors
from roles.selectors import roles_needing_justification

from .. import notifications, policy, selectors
from ..tenancy import get_notification_for_member
from .base import org_view, paginate


def pending_actions(member) -> list[dict]:
    """What the signed-in person must do about agreements, most pressing first: sign their
    own, countersign or acknowledge others', answer change requests, start the agreements
    their reports lack. Each entry: ``kind``, ``count`` and the ``agreement`` when there is
    one to open."""
    org = member.org
    pending = agreement_selectors.pending_signatures(org=org, member=member)
    own = [a for a in pending if a.employee_id == member.pk]
    countersign = [
        a for a in pending if a.employee_id != member.pk and a.status == "employee_signed"
    ]
    acknowledge = [a for a in pending if a.employee_id != member.pk and a.status == "awaiting_hr"]
    actions = [{"kind": "sign", "count": 1, "agreement": a} for a in own]
    for kind, rows in (("countersign", countersign), ("acknowledge", acknowledge)):
        if rows:
            actions.append(
                {"kind": kind, "count": len(rows), "agreement": rows[0] if len(rows) == 1 else None}
            )
    team = agreement_selectors.team_agreements(org=org, manager=member)
    answer = [
        r.agreement
        for r in team
        if r.status == agreement_selectors.TeamStatus.DRAFT and r.agreement.current_version_id
    ]
    if answer:
        actions.append(
            {
                "kind": "answer",
                "count": len(answer),
                "agreement": answer[0] if len(answer) == 1 else None,
            }
        )
    missing = sum(1 for r in team if r.status == agreement_selectors.TeamStatus.NONE)
    if missing:
        actions.append({"kind": "missing", "count": missing, "agreement": None})
    return actions


@org_view()
def org_home(request, member):
    org = member.org
    figures = selectors.org_home_figures(org=org)
    # Retired objectives are history: the home page counts and lists the active ones.
    active_objectives = objective_list(org=org, include_retired=False)
    objectives = list(active_objectives[:5])
    figures["objectives"] = active_objectives.count()
    is_admin = policy.is_admin(member)
    next_steps = []
    attention_roles = []
    if is_admin:
        attention_roles = list(
            roles_needing_justification(org=org, today=timezone.localdate())[:10]
        )
        if not (org.mission and org.vision):
            next_steps.append(("profile", "org-settings"))
        if not figures["objectives"]:
            next_steps.append(("objectives", "objective-create"))
        if not figures["departments"]:
            next_steps.append(("departments", "department-create"))
        if figures["members"] <= 1:
            next_steps.append(("members", "invitation-create"))
    return render(
        request,
        "orgs/home.html",
        {
            "figures": figures,
            "objectives": objectives,
            "next_steps": next_steps,
            "attention_roles": attention_roles,
            "standing": selectors.member_standing(org=org, member=member),
            "pending_actions": pending_actions(member),
            "reports": selectors.member_list(org=org).filter(manager=member)[:10],
            "may_see_figures": policy.can(member, policy.Action.MANAGE_AGREEMENT),
        },
    )


@org_view()
def inbox(request, member):
    page_obj = paginate(request, selectors.inbox(member=member))
    return render(request, "orgs/inbox.html", {"page_obj": page_obj})


@require_POST
@org_view()
def notification_open(request, member, pk):
    note = get_notification_for_member(member, pk)
    notifications.notification_mark_read(notification=note)
    return redirect(note.url or "inbox", **({} if note.url else {"org_slug": member.org.slug}))


@require_POST
@org_view()
def inbox_mark_all_read(request, member):
    notifications.inbox_mark_all_read(member=member)
    return redirect("inbox", org_slug=member.org.slug)
