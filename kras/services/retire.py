"""Retiring a KRA, and what becomes of the KRAs below it (docs/DOMAIN.md rule R10: the
cascade learns of the change).

A KRA with active children needs a choice: move them up to its parent, retire them with it,
or detach them. A retired KRA stays in history and in signed agreements.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs import audit
from orgs.models import Membership

from ..models import KRA, KRAStatus
from .cascade import descendant_ids
from .kras import KRA_FIELDS, flag_below, quote

#: What happens to the children of a retired KRA.
CHILDREN_REPARENT = "reparent"
CHILDREN_RETIRE = "retire"
CHILDREN_DETACH = "detach"
CHILDREN_CHOICES = (CHILDREN_REPARENT, CHILDREN_RETIRE, CHILDREN_DETACH)


def active_children(kra: KRA) -> list[KRA]:
    return list(
        KRA.objects.filter(org_id=kra.org_id, parent_id=kra.pk)
        .exclude(status=KRAStatus.RETIRED)
        .order_by("level", "position", "id")
    )


@transaction.atomic
def kra_retire(*, kra: KRA, actor: Membership | None, children: str | None = None) -> KRA:
    """Retire a KRA (it stays in history and in signed agreements).

    A KRA with active children needs ``children`` to say what becomes of them:
    ``"reparent"`` moves them up to the retired KRA's own parent (and its objective, where
    a child has none of its own), ``"retire"`` retires them and everything below them,
    ``"detach"`` leaves them without a parent KRA. Without a choice nothing changes and the
    ValidationError names the children."""
    kra = KRA.objects.select_for_update(of=("self",)).select_related("org").get(pk=kra.pk)
    if kra.status == KRAStatus.RETIRED:
        return kra
    kids = active_children(kra)
    if kids and children not in CHILDREN_CHOICES:
        raise _children_choice_needed(kra, kids)
    before = audit.snapshot(kra, KRA_FIELDS)
    old_status = kra.get_status_display()
    kra.status = KRAStatus.RETIRED
    kra.updated_at = timezone.now()
    kra.save(update_fields=["status", "updated_at"])
    changes = audit.diff(before, audit.snapshot(kra, KRA_FIELDS))
    if kids:
        changes["children"] = {"old": [k.pk for k in kids], "new": children}
    audit.record(org=kra.org, actor=actor, action="kra.retire", obj=kra, changes=changes)

    reason = _("KRA “%(title)s” changed: status: %(old)s → %(new)s") % {
        "title": kra.title,
        "old": old_status,
        "new": kra.get_status_display(),
    }
    if children == CHILDREN_RETIRE:
        # Retired first: the cascade then has nothing left below to ask a review of.
        _retire_below(kra, actor=actor)
        flag_below(kra, reason=reason, actor=actor)
        return kra
    if kids:
        reason += (
            " "
            + {
                CHILDREN_REPARENT: _("(the KRAs below it now ladder up to its parent)"),
                CHILDREN_DETACH: _("(the KRAs below it are detached from it)"),
            }[children]
        )
    # Flagged while the children are still below it, so that each learns why its ladder
    # moved.
    flag_below(kra, reason=reason, actor=actor)
    _rehome_children(kra, kids, children)
    return kra


def _children_choice_needed(kra: KRA, kids: list[KRA]) -> ValidationError:
    return ValidationError(
        {
            "children": _(
                "“%(title)s” has KRAs below it: %(children)s. Choose whether to move them "
                "up to its parent, retire them too, or detach them."
            )
            % {"title": kra.title, "children": ", ".join(quote(k.title) for k in kids)}
        }
    )


def _retire_below(kra: KRA, *, actor: Membership | None) -> None:
    """Retire every KRA below ``kra`` that is not retired yet, each audited as retired with
    it."""
    below = list(
        KRA.objects.select_for_update()
        .filter(org_id=kra.org_id, pk__in=descendant_ids(kra))
        .exclude(status=KRAStatus.RETIRED)
    )
    KRA.objects.filter(pk__in=[k.pk for k in below]).update(
        status=KRAStatus.RETIRED, updated_at=timezone.now()
    )
    audit.record_many(
        audit.event(
            org=kra.org,
            actor=actor,
            action="kra.retire",
            obj=item,
            changes={
                "status": {"old": item.status, "new": KRAStatus.RETIRED.value},
                "retired_with": {"old": None, "new": kra.pk},
            },
        )
        for item in below
    )


def _rehome_children(kra: KRA, kids: list[KRA], children: str | None) -> None:
    """Move the retired KRA's children up to its parent (and its objective, where a child
    has none of its own), or detach them."""
    if children == CHILDREN_REPARENT:
        for child in kids:
            child.parent_id = kra.parent_id
            update = ["parent", "updated_at"]
            if child.objective_id is None and kra.objective_id is not None:
                child.objective_id = kra.objective_id
                update.append("objective")
            child.updated_at = timezone.now()
            child.save(update_fields=update)
    elif children == CHILDREN_DETACH:
        KRA.objects.filter(pk__in=[k.pk for k in kids]).update(
            parent=None, updated_at=timezone.now()
        )
