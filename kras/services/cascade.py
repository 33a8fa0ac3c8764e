"""The cascade (docs/DOMAIN.md rules R10 and R11): when an objective or a KRA changes, every
KRA below it needs review, and whoever answers for each of those KRAs hears about it once.

The KRA and KPI services call ``flag_descendants`` after a change of title, definition,
weight, status or target; the objective services call it after a change of wording,
horizon or a retirement. The owner (or the role's manager) then confirms the KRA still
holds, or edits it.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orgs import audit, notifications
from orgs.models import Department, Membership, Organization, OrgRole

from ..models import KRA, KRAStatus, ObjectiveStatus, StrategicObjective

NOTIFICATION_KIND = "kra.needs_review"
_FLAG_FIELDS = ("status", "needs_review_reason", "needs_review_link", "needs_review_since")

# A KRA can reach itself only through bad data (parent cycles); UNION (not UNION ALL) makes
# the walk stop at a row it has already seen, so such a cycle cannot loop forever.
_SUBTREE_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT k.id FROM kras_kra k WHERE k.org_id = %(org)s AND {start}
  UNION
    SELECT k.id FROM kras_kra k JOIN subtree s ON k.parent_id = s.id WHERE k.org_id = %(org)s
)
SELECT id FROM subtree
"""


def descendant_ids(source: StrategicObjective | KRA) -> list[int]:
    """Every KRA below ``source`` (one recursive query): for an objective, the KRAs that
    ladder to it and everything under them; for a KRA, its children, recursively."""
    if isinstance(source, StrategicObjective):
        start = "k.objective_id = %(source)s"
    elif isinstance(source, KRA):
        start = "k.parent_id = %(source)s"
    else:
        raise TypeError(f"cannot cascade from {type(source).__name__}")
    with connection.cursor() as cursor:
        cursor.execute(
            _SUBTREE_SQL.format(start=start), {"org": source.org_id, "source": source.pk}
        )
        ids = {row[0] for row in cursor.fetchall()}
    ids.discard(source.pk if isinstance(source, KRA) else None)
    return sorted(ids)


def _department_of(kra: KRA) -> int | None:
    return kra.department_id or (kra.role.department_id if kra.role_id else None)


def _current_holders(org: Organization, role_ids: set[int]) -> dict[int, list[Membership]]:
    """The active members holding each role today, by role id (one query)."""
    from roles.models import RoleAssignment
    from roles.selectors import current_assignments

    holders: dict[int, list[Membership]] = defaultdict(list)
    if not role_ids:
        return holders
    assignments = (
        RoleAssignment.objects.filter(org=org, role_id__in=role_ids, member__is_active=True)
        .filter(current_assignments(today=timezone.localdate()))
        .select_related("member__user")
        .order_by("member_id")
    )
    for assignment in assignments:
        if assignment.member not in holders[assignment.role_id]:
            holders[assignment.role_id].append(assignment.member)
    return holders


def _active_heads(org: Organization, department_ids: set[int]) -> dict[int, Membership]:
    """The active head of each department, by department id (one query)."""
    if not department_ids:
        return {}
    return {
        department.pk: department.head
        for department in Department.objects.filter(
            org=org, pk__in=department_ids, head__is_active=True
        ).select_related("head__user")
    }


def _recipients(org: Organization, kras: list[KRA]) -> dict[int, tuple[Membership, list[KRA]]]:
    """Who answers for each KRA, grouped by person: the KRA's owner; else, for a role KRA,
    the people holding the role now; else the head of the KRA's department; else the org
    admins. A bounded number of queries whatever the number of KRAs."""
    by_member: dict[int, tuple[Membership, list[KRA]]] = {}

    def add(member: Membership, kra: KRA) -> None:
        by_member.setdefault(member.pk, (member, []))[1].append(kra)

    pending = []
    for kra in kras:
        if kra.owner_id and kra.owner.is_active:
            add(kra.owner, kra)
        else:
            pending.append(kra)

    holders = _current_holders(org, {k.role_id for k in pending if k.role_id})
    heads = _active_heads(org, {_department_of(k) for k in pending} - {None})
    admins: list[Membership] | None = None
    for kra in pending:
        if kra.role_id and holders.get(kra.role_id):
            for member in holders[kra.role_id]:
                add(member, kra)
            continue
        head = heads.get(_department_of(kra))
        if head is not None:
            add(head, kra)
            continue
        if admins is None:
            admins = list(
                Membership.objects.filter(
                    org=org, role=OrgRole.ADMIN, is_active=True
                ).select_related("user")
            )
        for admin in admins:
            add(admin, kra)
    return by_member


def _changed_url(source: StrategicObjective | KRA, link: str) -> str:
    """Where the notice leads: the objective or KRA whose change flagged the KRAs (or the
    KPI, when ``link`` names the KPI that changed). An objective is read on the objectives
    list, which every member may open, at its own row."""
    if isinstance(source, StrategicObjective):
        try:
            url = reverse("objective-list", kwargs={"org_slug": source.org.slug})
        except NoReverseMatch:
            return link
        if source.status == ObjectiveStatus.RETIRED:
            url += "?retired=1"
        return f"{url}#objective-{source.pk}"
    if link.startswith("/"):
        return link
    try:
        return source.get_absolute_url()
    except NoReverseMatch:
        return link


@transaction.atomic
def flag_descendants(*, source: StrategicObjective | KRA, reason: str, actor, link: str) -> int:
    """Mark every KRA below ``source`` that is not retired as needing review, with
    ``reason``, ``link`` (where the change can be seen) and the time; audit each one and
    notify each person who answers for them once (inbox and email). Returns how many KRAs
    were flagged.

    A KRA already flagged with this very reason and link is left alone, so a service that
    reports the same change twice does not notify twice."""
    org = source.org
    ids = descendant_ids(source)
    if not ids:
        return 0
    kras = list(
        KRA.objects.select_for_update(of=("self",))
        .filter(org=org, pk__in=ids)
        .exclude(status=KRAStatus.RETIRED)
        .exclude(status=KRAStatus.NEEDS_REVIEW, needs_review_reason=reason, needs_review_link=link)
        .select_related("owner__user", "role")
        .order_by("pk")
    )
    if not kras:
        return 0
    now = timezone.now()
    KRA.objects.filter(org=org, pk__in=[k.pk for k in kras]).update(
        status=KRAStatus.NEEDS_REVIEW,
        needs_review_reason=reason,
        needs_review_link=link,
        needs_review_since=now,
    )
    events = []
    for kra in kras:
        changes = {
            "status": {"old": kra.status, "new": KRAStatus.NEEDS_REVIEW.value},
            "needs_review_reason": {"old": kra.needs_review_reason or None, "new": reason},
            "needs_review_link": {"old": kra.needs_review_link or None, "new": link},
        }
        kra.status = KRAStatus.NEEDS_REVIEW
        kra.needs_review_reason, kra.needs_review_link = reason, link
        kra.needs_review_since = now
        events.append(
            audit.event(org=org, actor=actor, action="kra.needs_review", obj=kra, changes=changes)
        )
    audit.record_many(events)  # one INSERT for many KRAs

    _notify_answerable(org, kras, reason=reason, url=_changed_url(source, link))
    return len(kras)


def _notify_answerable(org: Organization, kras: list[KRA], *, reason: str, url: str) -> None:
    """One notice per person who answers for some of ``kras``, listing theirs."""
    for member, owned in _recipients(org, kras).values():
        titles = "\n".join(f"• {k.title}" for k in owned)
        notifications.notify(
            recipient=member,
            kind=NOTIFICATION_KIND,
            title=ngettext(
                "A KRA you answer for needs review",
                "%(count)d KRAs you answer for need review",
                len(owned),
            )
            % {"count": len(owned)},
            body=(
                _("%(reason)s\n\nPlease confirm each still holds, or edit it:\n%(titles)s")
                if all(map(confirm_checker(member), owned))
                else _(
                    "%(reason)s\n\nYour manager will confirm each still holds or change it; "
                    "talk it through with them:\n%(titles)s"
                )
            )
            % {"reason": reason, "titles": titles},
            url=url,
        )


def may_confirm(member: Membership, kra: KRA) -> bool:
    """Those who may manage the KRA, and its named owner, may confirm it still holds."""
    from orgs import policy

    if kra.owner_id and kra.owner_id == member.pk and member.is_active:
        return True
    return policy.can(member, policy.Action.MANAGE_KRA, kra)


@transaction.atomic
def kra_confirm_still_holds(*, kra: KRA, actor) -> KRA:
    """Clear the needs-review flag: the KRA still holds after the change above it.
    Confirming a KRA that is not flagged changes nothing."""
    current = KRA.objects.select_for_update().get(org=kra.org_id, pk=kra.pk)
    if current.status == KRAStatus.RETIRED:
        raise ValidationError(_("A retired KRA cannot be confirmed."))
    if current.status != KRAStatus.NEEDS_REVIEW:
        return current
    with audit.tracked(current, _FLAG_FIELDS, actor=actor, action="kra.confirm_still_holds"):
        current.status = KRAStatus.ACTIVE
        current.needs_review_reason = current.needs_review_link = ""
        current.needs_review_since = None
        current.updated_at = timezone.now()
        current.save(update_fields=[*_FLAG_FIELDS, "updated_at"])
    return current


def manage_checker(member: Membership):
    """``policy.can(member, MANAGE_KRA, kra)`` for many KRAs at once, with one query for the
    departments the member heads instead of one per KRA. A test holds the two equal."""
    from orgs import policy
    from roles.policy import held_role_ids

    if not member.is_active:
        return lambda kra: False
    if policy.is_admin(member):
        return lambda kra: True
    headed = policy.headed_department_ids(member)
    held = held_role_ids(member)

    def check(kra: KRA) -> bool:
        if kra.level == "organization":
            return False
        if kra.role_id is not None and kra.role_id in held:
            return False  # one's own role's KRAs are one's manager's to change
        department_id = kra.role.department_id if kra.role_id else kra.department_id
        return department_id is not None and department_id in headed

    return check


def confirm_checker(member: Membership):
    """``may_confirm`` for many KRAs at once (see ``manage_checker``)."""
    manages = manage_checker(member)

    def check(kra: KRA) -> bool:
        return bool(kra.owner_id and kra.owner_id == member.pk and member.is_active) or manages(kra)

    return check
