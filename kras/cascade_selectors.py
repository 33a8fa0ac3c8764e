"""Reads of the cascade explorer: objectives → the KRAs laddering to them → the role KRAs
below → the people holding each role. Each takes the organisation explicitly;
``kras.selectors`` re-exports them."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Count

from orgs.models import Department, Organization

from .models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective

#: People shown under each role KRA; the rest are counted ("and 40 more").
CASCADE_HOLDER_PREVIEW = 8


class CascadeNode:
    """One KRA in the cascade tree, with the KRAs that ladder up to it.

    ``context`` marks a node shown only so that a filtered node below it keeps its place in
    the ladder. ``holders`` (the first few people holding the role, for a role KRA) and
    ``holder_count`` complete the last level of the tree."""

    __slots__ = (
        "kra",
        "children",
        "context",
        "holders",
        "holder_count",
        "aligned",
        "via",
        "below",
        "review_below",
    )

    def __init__(self, kra: KRA):
        self.kra = kra
        self.children: list[CascadeNode] = []
        self.context = False
        self.holders: list = []
        self.holder_count = 0
        self.aligned = False
        #: What the KRA ladders to: an objective, a parent KRA, or None.
        self.via = None
        #: In the explorer's first view: the role KRAs right below, left to load on demand.
        self.below = 0
        #: How many KRAs anywhere below this one need review.
        self.review_below = 0

    @property
    def answerable(self):
        """Who answers for the KRA: its owner, else the head of its department (role KRAs
        are also answered for by the people holding the role)."""
        kra = self.kra
        if kra.owner_id:
            return kra.owner
        department = kra.department or (kra.role.department if kra.role_id else None)
        return department.head if department is not None and department.head_id else None


class CascadeBranch(NamedTuple):
    objective: StrategicObjective
    nodes: list[CascadeNode]


class CascadeTree:
    def __init__(self):
        #: Each objective with the KRAs laddering straight to it, in the objectives' order.
        self.objectives: list[CascadeBranch] = []
        #: KRAs that reach no active objective: no ladder, or a ladder to a retired one.
        self.unaligned: list[CascadeNode] = []
        self.kra_count = 0
        self.needs_review_count = 0
        #: In the explorer's first view: role KRAs reaching no objective, not listed there.
        self.unaligned_below = 0

    @property
    def is_empty(self) -> bool:
        return not self.unaligned and not any(nodes for _o, nodes in self.objectives)


class _Loaded(NamedTuple):
    #: The active objectives, in their order.
    objectives: list[StrategicObjective]
    departments: dict[int, Department]
    #: Leadership's KRAs first, then departments', then roles', each in their own order.
    kras: list[KRA]


def _load(org: Organization) -> _Loaded:
    """The organisation's objectives, departments and KRAs (retired ones left out), in three
    queries."""
    every_objective = {o.pk: o for o in StrategicObjective.objects.filter(org=org)}
    objectives = sorted(
        (o for o in every_objective.values() if o.status == ObjectiveStatus.ACTIVE),
        key=lambda o: (o.position, o.pk),
    )
    departments = {d.pk: d for d in Department.objects.filter(org=org).select_related("head__user")}
    # Departments and objectives are few; attaching them here keeps the KRA rows narrow
    # (joining every KRA to its department, head and user made the big trees slow).
    kras = list(
        KRA.objects.filter(org=org)
        .exclude(status=KRAStatus.RETIRED)
        .select_related("owner__user", "role")
        .order_by("position", "id")
    )
    rank = {KRALevel.ORGANIZATION: 0, KRALevel.DEPARTMENT: 1, KRALevel.ROLE: 2}
    kras.sort(key=lambda k: (rank.get(k.level, 3), k.position, k.pk))
    for kra in kras:
        kra.department = departments.get(kra.department_id)
        if kra.role_id:
            kra.role.department = departments.get(kra.role.department_id)
        kra.objective = every_objective.get(kra.objective_id)
    return _Loaded(objectives, departments, kras)


def _link(
    kras: list[KRA], active_objectives: dict[int, StrategicObjective]
) -> tuple[dict[int, CascadeNode], dict[int, list[CascadeNode]], list[CascadeNode]]:
    """One node per KRA, hung under its parent KRA, else under its active objective (a
    parent wins over an objective), else among the unaligned roots."""
    nodes = {kra.pk: CascadeNode(kra) for kra in kras}
    roots: dict[int, list[CascadeNode]] = {pk: [] for pk in active_objectives}
    unaligned: list[CascadeNode] = []
    for node in nodes.values():
        kra = node.kra
        parent = nodes.get(kra.parent_id)
        if parent is not None and parent is not node:
            parent.children.append(node)
            node.via = parent.kra
        elif kra.objective_id in active_objectives:
            roots[kra.objective_id].append(node)
            node.via = active_objectives[kra.objective_id]
        else:
            unaligned.append(node)
    return nodes, roots, unaligned


def _mark_aligned(
    nodes: dict[int, CascadeNode],
    roots: dict[int, list[CascadeNode]],
    unaligned: list[CascadeNode],
) -> None:
    """Walk down from the objectives; a node reached marks everything below it aligned. A
    parent cycle (bad data) is reachable from nowhere: it joins the unaligned roots."""
    reached: set[int] = set()

    def walk(node: CascadeNode, aligned: bool) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if current.kra.pk in reached:
                continue
            reached.add(current.kra.pk)
            current.aligned = aligned
            stack.extend(current.children)

    for root_nodes in roots.values():
        for node in root_nodes:
            walk(node, True)
    for node in unaligned:
        walk(node, False)
    for pk, node in nodes.items():
        if pk not in reached:
            node.via = None
            unaligned.append(node)
            walk(node, False)


def _departments_within(
    departments: dict[int, Department], department: Department | None
) -> set[int] | None:
    """``department`` and every department below it; None when there is no such filter."""
    if department is None:
        return None
    below: dict[int | None, list[int]] = {}
    for d in departments.values():
        below.setdefault(d.parent_id, []).append(d.pk)
    department_ids, stack = set(), [department.pk]
    while stack:
        pk = stack.pop()
        if pk not in department_ids:
            department_ids.add(pk)
            stack.extend(below.get(pk, []))
    return department_ids


class _Filter(NamedTuple):
    """The explorer's filters; a node that fails them stays only as context above a match."""

    department_ids: set[int] | None
    needs_review_only: bool
    unaligned_only: bool

    @property
    def active(self) -> bool:
        return self.department_ids is not None or self.needs_review_only or self.unaligned_only

    def matches(self, node: CascadeNode) -> bool:
        kra = node.kra
        if self.department_ids is not None:
            dept = kra.department_id or (kra.role.department_id if kra.role_id else None)
            if dept not in self.department_ids:
                return False
        if self.needs_review_only and kra.status != KRAStatus.NEEDS_REVIEW:
            return False
        return not (self.unaligned_only and node.aligned)


def _prune(node_list: list[CascadeNode], seen: set[int], keep: _Filter) -> list[CascadeNode]:
    """The nodes that match, and those with a match below them (as context); each node once."""
    kept = []
    for node in node_list:
        if node.kra.pk in seen:
            continue
        seen.add(node.kra.pk)
        node.children = _prune(node.children, seen, keep)
        hit = keep.matches(node) if keep.active else True
        if hit or node.children:
            node.context = not hit
            kept.append(node)
    return kept


def _count_shown(tree: CascadeTree) -> list[CascadeNode]:
    """Every node the tree shows; counts the KRAs (context left out) and those needing
    review."""
    shown: list[CascadeNode] = []
    stack = [n for _o, kept in tree.objectives for n in kept] + list(tree.unaligned)
    while stack:
        node = stack.pop()
        shown.append(node)
        stack.extend(node.children)
    tree.kra_count = sum(1 for n in shown if not n.context)
    tree.needs_review_count = sum(
        1 for n in shown if not n.context and n.kra.status == KRAStatus.NEEDS_REVIEW
    )
    return shown


def cascade_tree(
    org: Organization,
    department: Department | None = None,
    needs_review_only: bool = False,
    unaligned_only: bool = False,
    with_holders: bool = True,
) -> CascadeTree:
    """Objectives → the KRAs laddering to them (organisation and department KRAs) → the KRAs
    below those (role KRAs) → the people holding each role, in six queries whatever the
    size of the organisation (four without ``with_holders``).

    Filters keep the KRAs that match, with the KRAs above them as context: ``department``
    (with the departments below it), ``needs_review_only``, ``unaligned_only`` (reaching
    no active objective: no parent and no objective, or a retired one)."""
    loaded = _load(org)
    nodes, roots, unaligned = _link(loaded.kras, {o.pk: o for o in loaded.objectives})
    _mark_aligned(nodes, roots, unaligned)
    keep = _Filter(
        _departments_within(loaded.departments, department), needs_review_only, unaligned_only
    )
    seen: set[int] = set()
    tree = CascadeTree()
    for objective in loaded.objectives:
        kept = _prune(roots[objective.pk], seen, keep)
        if kept or not keep.active:
            tree.objectives.append(CascadeBranch(objective, kept))
    tree.unaligned = _prune(unaligned, seen, keep)
    shown = _count_shown(tree)
    if with_holders:
        attach_holders(org, shown)
    return tree


def _walk(nodes: list[CascadeNode]) -> list[CascadeNode]:
    """Every node of ``nodes`` and below, parents before children."""
    out: list[CascadeNode] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def _count_reviews_below(nodes: list[CascadeNode]) -> None:
    for node in reversed(_walk(nodes)):
        node.review_below = sum(
            child.review_below + (child.kra.status == KRAStatus.NEEDS_REVIEW)
            for child in node.children
        )


def _is_role_kra(node: CascadeNode) -> bool:
    return node.kra.level == KRALevel.ROLE


def cascade_overview(org: Organization) -> CascadeTree:
    """The explorer's first view: objectives with their organisation and department KRAs.
    Each node counts the role KRAs right below it (``below``, loaded on demand by
    ``cascade_below``) and the KRAs anywhere below that need review (``review_below``); the
    role KRAs that reach no objective are only counted (``unaligned_below``). A role KRA
    laddering straight to an objective (no KRA between) stays, with its first holders. What
    it shows grows with the organisation's structure, never with its headcount."""
    tree = cascade_tree(org, with_holders=False)
    roots = [n for _o, nodes in tree.objectives for n in nodes] + tree.unaligned
    _count_reviews_below(roots)
    for node in _walk(roots):
        node.below = sum(1 for child in node.children if _is_role_kra(child))
        node.children = [child for child in node.children if not _is_role_kra(child)]
    attach_holders(org, [n for _o, nodes in tree.objectives for n in nodes if _is_role_kra(n)])
    tree.unaligned_below = sum(1 for n in tree.unaligned if _is_role_kra(n))
    tree.unaligned = [n for n in tree.unaligned if not _is_role_kra(n)]
    return tree


def cascade_below(org: Organization, kra: KRA) -> list[CascadeNode]:
    """The role KRAs right below ``kra`` in the cascade, with the people holding each role:
    what the explorer's first view leaves to load on demand."""
    tree = cascade_tree(org, with_holders=False)
    roots = [n for _o, nodes in tree.objectives for n in nodes] + tree.unaligned
    node = next((n for n in _walk(roots) if n.kra.pk == kra.pk), None)
    if node is None:  # retired: nothing ladders to it in the explorer
        return []
    children = [child for child in node.children if _is_role_kra(child)]
    _count_reviews_below(children)
    attach_holders(org, children)
    return children


def attach_holders(org: Organization, nodes: list[CascadeNode]) -> None:
    """Give each role KRA of ``nodes`` the first people holding its role (longest-serving
    first) and how many hold it, in two queries whatever their number."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber
    from django.utils import timezone

    from orgs.models import Membership
    from roles.models import RoleAssignment
    from roles.selectors import current_assignments

    by_role: dict[int, list[CascadeNode]] = {}
    for node in nodes:
        if node.kra.role_id:
            by_role.setdefault(node.kra.role_id, []).append(node)
    if by_role:
        # The first holders of each role (longest-serving first) and how many there are, in
        # one pass; then only those few members are loaded.
        first = (
            RoleAssignment.objects.filter(
                org=org, role_id__in=list(by_role), member__is_active=True
            )
            .filter(current_assignments(today=timezone.localdate()))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("role_id")],
                    order_by=[F("start_date").asc(), F("id").asc()],
                ),
                total=Window(Count("id"), partition_by=[F("role_id")]),
            )
            .filter(rank__lte=CASCADE_HOLDER_PREVIEW)
            .order_by("role_id", "rank")
            .values_list("role_id", "member_id", "total")
        )
        rows = list(first)
        people = {
            m.pk: m
            for m in Membership.objects.filter(
                org=org, pk__in={member_id for _r, member_id, _t in rows}
            ).select_related("user")
        }
        holders: dict[int, list] = {}
        counts: dict[int, int] = {}
        for role_id, member_id, total in rows:
            holders.setdefault(role_id, []).append(people[member_id])
            counts[role_id] = total
        for role_id, role_nodes in by_role.items():
            for node in role_nodes:
                node.holders = holders.get(role_id, [])
                node.holder_count = counts.get(role_id, 0)
