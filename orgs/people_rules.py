"""The org chart's rules, each in one place: reporting lines and the department tree.

- A member's manager belongs to the organisation, is not the member, does not already
  report to the member (directly or through others: no reporting cycle), and is active when
  newly chosen (someone who has left may stay a manager, not become one).
- A department never sits inside itself or one of its own sub-departments.
- A department's head manages it and every department below it (``headed_department_ids``).
- A manager's reporting line is everyone who reports to them, directly or through others
  (``in_reporting_line``).

The walks are pure functions over a ``parent_of`` look-up (a dict's ``get``, or one query
per step), so the membership service, the org-chart import (which checks a whole file
before anything exists), the departments service and the policy decide alike. Changes to
an organisation's reporting lines or department tree take turns (``lock_org_chart``): two
concurrent changes A → B and B → A would otherwise each pass the walk on the other's
uncommitted line.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Department, Membership, Organization

K = TypeVar("K", bound=Hashable)


# --- walks (pure) ----------------------------------------------------------------------------


def chain_above(start: K | None, parent_of: Callable[[K], K | None]) -> list[K]:
    """``start`` and every node above it, nearest first. Stops at a node already met, so a
    cycle in bad data cannot loop forever."""
    chain: list[K] = []
    seen: set[K] = set()
    node = start
    while node is not None and node not in seen:
        chain.append(node)
        seen.add(node)
        node = parent_of(node)
    return chain


def would_cycle(node: K, new_parent: K | None, parent_of: Callable[[K], K | None]) -> bool:
    """Whether putting ``node`` under ``new_parent`` closes a loop: ``node`` is the new parent
    or sits above it."""
    return new_parent is not None and node in chain_above(new_parent, parent_of)


def find_cycles(parent_of: Mapping[K, K | None]) -> dict[K, list[K]]:
    """Each node of ``parent_of`` that sits on a cycle, mapped to the cycle's nodes in order
    (a whole org chart at once: the import's check)."""
    state: dict[K, int] = {}  # 1: on the walk in progress, 2: finished
    on_cycle: dict[K, list[K]] = {}
    for start in parent_of:
        if start in state:
            continue
        walk: list[K] = []
        position: dict[K, int] = {}
        node: K | None = start
        while node is not None and node not in state:
            state[node] = 1
            position[node] = len(walk)
            walk.append(node)
            node = parent_of.get(node)
        if node is not None and state[node] == 1:
            cycle = walk[position[node] :]
            for member in cycle:
                on_cycle[member] = cycle
        for member in walk:
            state[member] = 2
    return on_cycle


def children_of(pairs: Iterable[tuple[K, K | None]]) -> dict[K | None, list[K]]:
    """``{parent: [children]}`` from ``(node, parent)`` pairs."""
    children: dict[K | None, list[K]] = {}
    for node, parent in pairs:
        children.setdefault(parent, []).append(node)
    return children


def subtree(roots: Iterable[K], children: Mapping[K | None, Iterable[K]]) -> set[K]:
    """``roots`` and every node below them."""
    result: set[K] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, ()))
    return result


# --- messages: one wording wherever the rule is enforced --------------------------------------


def foreign_manager_message() -> str:
    return _("Choose a manager from this organisation.")


def own_manager_message() -> str:
    return _("A member cannot be their own manager.")


def inactive_manager_message() -> str:
    return _("Choose an active member as manager.")


def cycle_message(*, manager: str, member: str) -> str:
    return _(
        "%(manager)s already reports to %(member)s, directly or through others: that would "
        "make a reporting cycle."
    ) % {"manager": manager, "member": member}


def cycle_path_message(loop: Iterable[str]) -> str:
    """The cycle spelled out, back to where it starts: "a → b → a"."""
    return _("This would make a reporting cycle: %(cycle)s.") % {"cycle": " → ".join(loop)}


# --- reporting lines ---------------------------------------------------------------------------


def lock_org_chart(org_id: int) -> None:
    """Make changes to one organisation's reporting lines and department tree take turns (the
    organisation's row, locked until the transaction ends). Lock it before the rows being
    changed, as every service does, so that two of them cannot wait on each other."""
    Organization.objects.select_for_update().filter(pk=org_id).first()


def manager_choice_refusal(*, active: bool, kept: bool) -> str | None:
    """Why a manager may not be chosen, or None: a member who has left may stay someone's
    manager (``kept``: they already are) but not become one."""
    if active or kept:
        return None
    return inactive_manager_message()


def _manager_of(org_id: int) -> Callable[[int], int | None]:
    def parent_of(pk: int) -> int | None:
        return (
            Membership.objects.filter(org_id=org_id, pk=pk)
            .values_list("manager_id", flat=True)
            .first()
        )

    return parent_of


def check_manager(member: Membership, manager: Membership | None) -> None:
    """Refuse ``manager`` for ``member`` (ValidationError keyed "manager"): of another
    organisation, the member themselves, someone who reports to the member (a cycle), or
    someone who has left and is not already the member's manager. Reads the current rows,
    so call it after ``lock_org_chart``."""
    if manager is None:
        return
    if manager.org_id != member.org_id:
        raise ValidationError({"manager": foreign_manager_message()})
    if manager.pk == member.pk:
        raise ValidationError({"manager": own_manager_message()})
    if would_cycle(member.pk, manager.pk, _manager_of(member.org_id)):
        raise ValidationError(
            {"manager": cycle_message(manager=manager.display_name, member=member.display_name)}
        )
    active = (
        Membership.objects.filter(org_id=member.org_id, pk=manager.pk)
        .values_list("is_active", flat=True)
        .first()
    )
    refusal = manager_choice_refusal(active=bool(active), kept=manager.pk == member.manager_id)
    if refusal:
        raise ValidationError({"manager": refusal})


def in_reporting_line(manager: Membership, person: Membership) -> bool:
    """Whether ``person`` reports to ``manager``, directly or through others."""
    above = chain_above(person.manager_id, _manager_of(person.org_id))
    return manager.pk in above


# --- the department tree -----------------------------------------------------------------------


def department_parents(org_id: int) -> dict[int, int | None]:
    """``{department: its parent}`` for the whole organisation (one query)."""
    return dict(Department.objects.filter(org_id=org_id).values_list("pk", "parent_id"))


def department_would_cycle(department: Department, parent_id: int | None) -> bool:
    """Whether moving ``department`` under ``parent_id`` puts it inside itself or one of its
    own sub-departments. A department not saved yet has nothing below it."""
    if department.pk is None:
        return False
    return would_cycle(department.pk, parent_id, department_parents(department.org_id).get)


def department_subtree(*, org_id: int, roots: Iterable[int]) -> set[int]:
    """``roots`` and every department below them (one query)."""
    pairs = Department.objects.filter(org_id=org_id).values_list("pk", "parent_id")
    return subtree(roots, children_of(pairs))


def headed_department_ids(member: Membership) -> set[int]:
    """Departments the member heads, with every department below them (one query)."""
    rows = list(
        Department.objects.filter(org_id=member.org_id).values_list("pk", "parent_id", "head_id")
    )
    heads = [pk for pk, _parent, head in rows if head == member.pk]
    return subtree(heads, children_of((pk, parent) for pk, parent, _head in rows))
