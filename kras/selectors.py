"""Reads of the kras app; each takes the organisation explicitly."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orgs.models import Department, Organization
from orgs.org_settings import rule_settings
from roles.models import Role

from .kra_numbers import plain
from .models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective


def objective_list(*, org: Organization, include_retired: bool = False) -> QuerySet:
    qs = StrategicObjective.objects.filter(org=org)
    if not include_retired:
        qs = qs.filter(status=ObjectiveStatus.ACTIVE)
    return qs.order_by("position", "id")


# --- KRAs -----------------------------------------------------------------------------------

#: What a KRA row shows, and its ladder up to the top (an organisation KRA has no parent, so
#: a role KRA's chain is at most role → department → organisation → objective).
KRA_RELATED = (
    "org",
    "role",
    "department",
    "area_of_focus",
    "owner__user",
    "objective",
    "parent__objective",
    "parent__parent__objective",
)

#: Highest level first: organisation, department, role.
_LEVEL_ORDER = Case(
    When(level=KRALevel.ORGANIZATION, then=Value(0)),
    When(level=KRALevel.DEPARTMENT, then=Value(1)),
    default=Value(2),
)

BLOCKING = "blocking"
WARNING = "warning"

_ACTIVITY_SUFFIXES = ("", "s", "es", "ing", "ed", "d")


def _with_kpis(queryset: QuerySet[KRA]) -> QuerySet[KRA]:
    # KPIs come through the reverse relation (ordered by KPI.Meta), so that kras need not
    # import kpis: the dependency points the other way.
    return queryset.select_related(*KRA_RELATED).prefetch_related("kpis")


def _active(queryset: QuerySet[KRA], include_retired: bool) -> QuerySet[KRA]:
    return queryset if include_retired else queryset.exclude(status=KRAStatus.RETIRED)


def role_kras(role: Role, *, include_retired: bool = False) -> list[KRA]:
    """A role's KRAs in order, each with its KPIs and its ladder: three queries whatever
    their number."""
    qs = KRA.objects.filter(org_id=role.org_id, level=KRALevel.ROLE, role_id=role.pk)
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def kra_with_related(kra: KRA) -> KRA:
    """``kra`` again, with its KPIs and ladder loaded (after a write)."""
    return _with_kpis(KRA.objects.filter(org_id=kra.org_id, pk=kra.pk)).get()


def department_kras(department: Department, *, include_retired: bool = False) -> list[KRA]:
    qs = KRA.objects.filter(
        org_id=department.org_id, level=KRALevel.DEPARTMENT, department_id=department.pk
    )
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def org_kras(org: Organization, *, include_retired: bool = False) -> list[KRA]:
    qs = KRA.objects.filter(org=org, level=KRALevel.ORGANIZATION)
    return list(_with_kpis(_active(qs, include_retired)).order_by("position", "id"))


def kra_list(
    *,
    org: Organization,
    levels: tuple[str, ...] = (KRALevel.ORGANIZATION, KRALevel.DEPARTMENT),
    department: Department | None = None,
    role: Role | None = None,
    status: str | None = None,
) -> QuerySet[KRA]:
    """KRAs of ``levels``, filtered; retired ones only when ``status`` asks for them. A role
    KRA matches ``department`` through its role."""
    qs = KRA.objects.filter(org=org, level__in=levels)
    if department is not None:
        qs = qs.filter(Q(department=department) | Q(role__department=department))
    if role is not None:
        qs = qs.filter(role=role)
    qs = qs.filter(status=status) if status else qs.exclude(status=KRAStatus.RETIRED)
    return (
        qs.select_related(*KRA_RELATED)
        .annotate(kpi_count=Count("kpis", distinct=True))
        .order_by(_LEVEL_ORDER, "department__name", "role__title", "position", "id")
    )


def kra_children(kra: KRA) -> list[KRA]:
    """The KRAs directly below ``kra``, each with those below it (a ladder has at most
    three levels, so two levels down is everything)."""
    below = KRA.objects.exclude(status=KRAStatus.RETIRED).select_related("role", "department")
    return list(
        below.filter(org_id=kra.org_id, parent_id=kra.pk)
        .prefetch_related(Prefetch("children", queryset=below.order_by("position", "id")))
        .order_by("level", "position", "id")
    )


def ladder_up(kra: KRA) -> list:
    """The chain above ``kra``: its parent KRAs, nearest first, then the objectives they
    serve (highest last)."""
    steps: list = []
    objectives: list = []
    node, seen = kra, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.objective_id and node.objective not in objectives:
            objectives.append(node.objective)
        node = node.parent
        if node is not None:
            steps.append(node)
    return steps + objectives


def ladder_status(kra: KRA) -> tuple[bool, str]:
    """Does ``kra`` reach an active strategic objective, directly or through the KRAs above
    it? With a message saying where it reaches, or where the ladder breaks."""
    node, seen = kra, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        objective = node.objective if node.objective_id else None
        if objective is not None and objective.status == ObjectiveStatus.ACTIVE:
            if node is kra:
                return True, _("“%(kra)s” ladders up to “%(objective)s”.") % {
                    "kra": kra.title,
                    "objective": objective.title,
                }
            return True, _("“%(kra)s” ladders up to “%(objective)s” through “%(via)s”.") % {
                "kra": kra.title,
                "objective": objective.title,
                "via": node.title,
            }
        parent = node.parent if node.parent_id else None
        if parent is not None and parent.status == KRAStatus.RETIRED:
            return False, _(
                "“%(kra)s” supports no strategic objective: “%(parent)s” above it is retired."
            ) % {"kra": kra.title, "parent": parent.title}
        node = parent
    if kra.parent_id is None and not kra.objective_id:
        return False, _("“%(kra)s” supports no strategic objective.") % {"kra": kra.title}
    return False, _(
        "“%(kra)s” supports no strategic objective: nothing above it reaches an active one."
    ) % {"kra": kra.title}


def activity_verb(title: str, verbs) -> str | None:
    """The activity verb ``title`` starts with ("Conduct …", "Handling …"), if any."""
    words = re.findall(r"[^\W\d_]+", (title or "").lower())
    if not words:
        return None
    first = words[0]
    for verb in verbs:
        verb = verb.strip().lower()
        stem = verb[:-1] if verb.endswith("e") else verb
        if verb and any(first in (verb + s, stem + s) for s in _ACTIVITY_SUFFIXES):
            return verb
    return None


def make_check(code: str, ok: bool, message: str, severity: str, *, kra=None, kpi=None) -> dict:
    return {
        "code": code,
        "ok": ok,
        "message": message,
        "severity": severity,
        "kra_id": kra.pk if kra is not None else None,
        "kpi_id": kpi.pk if kpi is not None else None,
    }


def kra_checks(kra: KRA, *, rules: dict | None = None) -> list[dict]:
    """The drafting rules of one KRA (docs/DOMAIN.md rules R8, R6, R2 and R4): its title is
    an outcome, it ladders up, it has kpi_min..kpi_max KPIs whose weights total 100. Uses the KRA's
    prefetched KPIs and ladder when present."""
    rules = rules or rule_settings(kra.org)
    checks = []
    verb = activity_verb(kra.title, rules["activity_verbs"])
    checks.append(
        make_check(
            "activity_verb",
            verb is None,
            _("“%(kra)s” names an outcome.") % {"kra": kra.title}
            if verb is None
            else _("“%(kra)s” starts with “%(verb)s”: KRAs are outcomes, not tasks.")
            % {"kra": kra.title, "verb": verb},
            WARNING,
            kra=kra,
        )
    )
    laddered, message = ladder_status(kra)
    checks.append(
        make_check(
            "ladder",
            laddered,
            message,
            BLOCKING if rules["require_alignment"] else WARNING,
            kra=kra,
        )
    )
    kpis = list(kra.kpis.all())
    low, high = rules["kpi_min"], rules["kpi_max"]
    count_message = ngettext(
        "“%(kra)s”: %(count)d KPI; the organisation asks for %(low)d to %(high)d per KRA.",
        "“%(kra)s”: %(count)d KPIs; the organisation asks for %(low)d to %(high)d per KRA.",
        len(kpis),
    ) % {"kra": kra.title, "count": len(kpis), "low": low, "high": high}
    checks.append(
        make_check("kpi_count", low <= len(kpis) <= high, count_message, BLOCKING, kra=kra)
    )
    if kpis:
        total = sum((k.weight for k in kpis), Decimal(0))
        checks.append(
            make_check(
                "kpi_weights",
                total == 100,
                _("“%(kra)s”: KPI weights total %(total)s of 100.")
                % {"kra": kra.title, "total": plain(total)},
                BLOCKING,
                kra=kra,
            )
        )
    return checks


def weight_total(kras) -> Decimal:
    return sum((k.weight for k in kras), Decimal(0))


# --- The cascade explorer -------------------------------------------------------------------

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
    every_objective = {o.pk: o for o in StrategicObjective.objects.filter(org=org)}
    objectives = sorted(
        (o for o in every_objective.values() if o.status == ObjectiveStatus.ACTIVE),
        key=lambda o: (o.position, o.pk),
    )
    active_objectives = {o.pk: o for o in objectives}
    departments = {d.pk: d for d in Department.objects.filter(org=org).select_related("head__user")}
    # Departments and objectives are few; attaching them here keeps the KRA rows narrow
    # (joining every KRA to its department, head and user made the big trees slow).
    kras = list(
        KRA.objects.filter(org=org)
        .exclude(status=KRAStatus.RETIRED)
        .select_related("owner__user", "role")
        .order_by("position", "id")
    )
    # Leadership's KRAs first, then departments', then roles', each in their own order.
    rank = {KRALevel.ORGANIZATION: 0, KRALevel.DEPARTMENT: 1, KRALevel.ROLE: 2}
    kras.sort(key=lambda k: (rank.get(k.level, 3), k.position, k.pk))
    for kra in kras:
        kra.department = departments.get(kra.department_id)
        if kra.role_id:
            kra.role.department = departments.get(kra.role.department_id)
        kra.objective = every_objective.get(kra.objective_id)
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

    # Walk down from the objectives; a node reached marks everything below it aligned. A
    # parent cycle (bad data) is reachable from nowhere: it joins the unaligned roots.
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

    department_ids = None
    if department is not None:
        below: dict[int | None, list[int]] = {}
        for d in departments.values():
            below.setdefault(d.parent_id, []).append(d.pk)
        department_ids, stack = set(), [department.pk]
        while stack:
            pk = stack.pop()
            if pk not in department_ids:
                department_ids.add(pk)
                stack.extend(below.get(pk, []))

    def matches(node: CascadeNode) -> bool:
        kra = node.kra
        if department_ids is not None:
            dept = kra.department_id or (kra.role.department_id if kra.role_id else None)
            if dept not in department_ids:
                return False
        if needs_review_only and kra.status != KRAStatus.NEEDS_REVIEW:
            return False
        return not (unaligned_only and node.aligned)

    filtering = department_ids is not None or needs_review_only or unaligned_only

    def prune(node_list: list[CascadeNode], seen: set[int]) -> list[CascadeNode]:
        kept = []
        for node in node_list:
            if node.kra.pk in seen:
                continue
            seen.add(node.kra.pk)
            node.children = prune(node.children, seen)
            hit = matches(node) if filtering else True
            if hit or node.children:
                node.context = not hit
                kept.append(node)
        return kept

    seen: set[int] = set()
    tree = CascadeTree()
    for objective in objectives:
        kept = prune(roots[objective.pk], seen)
        if kept or not filtering:
            tree.objectives.append(CascadeBranch(objective, kept))
    tree.unaligned = prune(unaligned, seen)

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
