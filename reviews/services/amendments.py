"""Amending every agreement built on a role at once: after the role's KRAs or KPIs changed,
its manager starts one amendment per holder whose agreement is in force (docs/DOMAIN.md
rule R29), instead of opening each agreement in turn."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from orgs import audit, policy
from orgs.policy import Action
from roles.models import Role

from ..models import OPEN_STATUSES, Agreement, AgreementStatus
from .agreements import _member_required, agreement_amend, tell


@dataclass
class RoleAmendments:
    """What ``agreements_amend_for_role`` did: the amendments it started, and the agreements
    in force it left alone because an amendment of them was already under way."""

    created: list[Agreement] = field(default_factory=list)
    skipped: list[Agreement] = field(default_factory=list)


@transaction.atomic
def agreements_amend_for_role(*, role: Role, actor) -> RoleAmendments:
    """One amendment (a draft copied from the agreement in force, ``agreement_amend``) for
    each agreement in force built on ``role`` that ``actor`` may manage, skipping those with
    an amendment already under way; each holder is told (inbox now, email after commit),
    and the whole action is audited on the role besides each amendment's own row."""
    actor = _member_required(actor)
    policy.require(actor, Action.MANAGE_AGREEMENT)
    in_force = list(
        Agreement.objects.filter(org_id=role.org_id, role=role, status=AgreementStatus.ACTIVE)
        .select_related("org", "employee__user", "manager__user", "role")
        .order_by("employee__user__full_name", "period_start", "id")
    )
    manageable = [a for a in in_force if policy.can(actor, Action.MANAGE_AGREEMENT, a)]
    under_way = set(
        Agreement.objects.filter(
            org_id=role.org_id,
            role=role,
            status__in=OPEN_STATUSES,
            employee_id__in=[a.employee_id for a in manageable],
        ).values_list("employee_id", "period_start")
    )
    result = RoleAmendments()
    for agreement in manageable:
        if (agreement.employee_id, agreement.period_start) in under_way:
            result.skipped.append(agreement)
            continue
        amendment = agreement_amend(agreement=agreement, actor=actor)
        result.created.append(amendment)
        tell(
            [agreement.employee],
            agreement=amendment,
            kind="agreement.amendment_started",
            title=_("Your agreement for %(role)s is being amended") % {"role": role.title},
            body=_(
                "The role's KRAs or KPIs changed since you signed. Your manager is preparing "
                "an amendment for you to read and sign; your agreement stays in force until then."
            ),
        )
    audit.record(
        org=role.org,
        actor=actor,
        action="agreement.amend_for_role",
        obj=role,
        changes={
            "amendments": {"old": None, "new": [a.pk for a in result.created]},
            "skipped": {"old": None, "new": [a.pk for a in result.skipped]},
        },
    )
    return result
