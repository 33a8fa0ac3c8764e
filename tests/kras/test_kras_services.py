"""KRA services: what is refused (inconsistent levels, other organisations' objects, a
sideways or circular ladder) and what is never refused while drafting."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kras.models import KRA, KRALevel, KRAStatus, ObjectiveStatus
from kras.services import kra_create, kra_move, kra_retire, kra_update
from orgs.models import AuditEvent
from tests.factories import DepartmentFactory, MembershipFactory

from .test_kras_support import make_area, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


@pytest.fixture
def role(org_a, sales):
    return make_role(org_a, sales)


@pytest.fixture
def objective(org_a):
    return make_objective(org_a, title="Grow recurring revenue 30%")


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- create ---------------------------------------------------------------------------------


def test_it_creates_a_role_kra_at_the_end_of_the_roles_list_and_audits_it(
    org_a, alice, role, objective
):
    first = kra_create(
        org=org_a,
        actor=alice,
        level="role",
        role=role,
        title="  Revenue generation ",
        weight=40,
        objective=objective,
    )
    second = kra_create(org=org_a, actor=alice, level="role", role=role, title="Retention")
    assert first.title == "Revenue generation"
    assert (first.position, second.position) == (1, 2)
    event = AuditEvent.objects.get(object_type="kras.kra", object_id=str(first.pk))
    assert event.action == "kra.create" and event.actor == alice.user
    assert event.changes["weight"] == {"old": None, "new": "40"}


def test_a_role_kra_needs_its_role(org_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="role", title="Revenue")
    assert "role" in errors_of(excinfo)


def test_a_department_kra_needs_its_department_and_no_role(org_a, alice, role, sales):
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="department", title="Pipeline", role=role)
    assert set(errors_of(excinfo)) == {"role", "department"}
    kra = kra_create(org=org_a, actor=alice, level="department", department=sales, title="Pipe")
    assert kra.department == sales and kra.role is None


def test_an_organisation_kra_has_neither_role_nor_department(org_a, alice, role, sales):
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="organization", title="Growth", department=sales)
    assert "department" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="organization", title="Growth", role=role)
    assert "role" in errors_of(excinfo)
    assert not KRA.objects.exists()


def test_an_unknown_level_is_refused(org_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="team", title="x")
    assert "level" in errors_of(excinfo)


def test_a_role_kra_takes_its_department_from_its_role(org_a, alice, role, sales):
    kra = kra_create(
        org=org_a, actor=alice, level="role", role=role, department=sales, title="Revenue"
    )
    assert kra.department is None
    other = DepartmentFactory(org=org_a, name="Finance")
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="role", role=role, department=other, title="x")
    assert "department" in errors_of(excinfo)


def test_the_area_of_focus_must_be_the_roles_own(org_a, alice, role, sales):
    own = make_area(role)
    other_role = make_role(org_a, sales, title="Sales Manager")
    foreign = make_area(other_role, title="Coaching")
    kra = kra_create(
        org=org_a, actor=alice, level="role", role=role, area_of_focus=own, title="Conversion"
    )
    assert kra.area_of_focus == own
    with pytest.raises(ValidationError) as excinfo:
        kra_create(
            org=org_a, actor=alice, level="role", role=role, area_of_focus=foreign, title="x"
        )
    assert "area_of_focus" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(
            org=org_a,
            actor=alice,
            level="department",
            department=sales,
            area_of_focus=own,
            title="x",
        )
    assert "area_of_focus" in errors_of(excinfo)


def test_title_weight_and_priority_are_checked(org_a, alice, role):
    with pytest.raises(ValidationError) as excinfo:
        kra_create(
            org=org_a, actor=alice, level="role", role=role, title="   ", weight=120, priority=9
        )
    assert set(errors_of(excinfo)) == {"title", "weight", "priority"}


def test_drafting_never_blocks_on_counts_weights_ladder_or_activity_verbs(org_a, alice, role):
    # Given seven unladdered task-like KRAs weighing 50 each (every drafting rule broken)
    for n in range(7):
        kra_create(
            org=org_a,
            actor=alice,
            level="role",
            role=role,
            title=f"Conduct meeting {n}",
            weight=50,
        )
    # Then all of them are saved: the rules are warnings until an agreement is proposed
    assert KRA.objects.filter(role=role).count() == 7


# --- the ladder -----------------------------------------------------------------------------


def test_a_parent_must_be_of_a_higher_level(org_a, alice, role, sales):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline")
    peer = make_kra(org_a, role=role, title="Peer")
    kra = kra_create(org=org_a, actor=alice, level="role", role=role, title="R", parent=dept)
    assert kra.parent == dept
    assert kra_create(org=org_a, actor=alice, level="role", role=role, title="R2", parent=top)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="role", role=role, title="R3", parent=peer)
    assert "higher level" in errors_of(excinfo)["parent"][0]
    with pytest.raises(ValidationError):
        kra_create(
            org=org_a, actor=alice, level="department", department=sales, title="D", parent=dept
        )
    with pytest.raises(ValidationError):
        kra_create(org=org_a, actor=alice, level="organization", title="O", parent=top)


def test_a_kra_cannot_ladder_up_to_itself_or_to_what_sits_below_it(org_a, alice, role, sales):
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline")
    with pytest.raises(ValidationError) as excinfo:
        kra_update(kra=dept, actor=alice, parent=dept)
    assert "itself" in errors_of(excinfo)["parent"][0]
    # Bad data written around the services: an organisation KRA placed below a role KRA.
    child = make_kra(org_a, role=role, title="Child")
    odd = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Odd", parent=child)
    with pytest.raises(ValidationError) as excinfo:
        kra_update(kra=child, actor=alice, parent=odd)
    assert "sits below" in errors_of(excinfo)["parent"][0]


def test_a_retired_parent_or_objective_is_refused(org_a, alice, role, objective):
    retired = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Old", status=KRAStatus.RETIRED)
    old_objective = make_objective(org_a, title="Old goal", status=ObjectiveStatus.RETIRED)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(
            org=org_a,
            actor=alice,
            level="role",
            role=role,
            title="R",
            parent=retired,
            objective=old_objective,
        )
    assert set(errors_of(excinfo)) == {"parent", "objective"}


def test_other_organisations_objects_are_refused(org_a, org_b, alice, role, sales):
    their_role = make_role(org_b, title="Their role")
    their_dept = DepartmentFactory(org=org_b, name="Their dept")
    their_kra = make_kra(org_b, level=KRALevel.ORGANIZATION, title="Theirs")
    their_objective = make_objective(org_b)
    their_member = MembershipFactory(org=org_b)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(
            org=org_a,
            actor=alice,
            level="role",
            role=role,
            title="R",
            parent=their_kra,
            objective=their_objective,
            owner=their_member,
        )
    assert set(errors_of(excinfo)) == {"parent", "objective", "owner"}
    with pytest.raises(ValidationError):
        kra_create(org=org_a, actor=alice, level="role", role=their_role, title="R")
    with pytest.raises(ValidationError):
        kra_create(org=org_a, actor=alice, level="department", department=their_dept, title="D")
    assert not KRA.objects.filter(org=org_a).exists()


def test_an_inactive_owner_is_refused(org_a, alice, role):
    gone = MembershipFactory(org=org_a, is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        kra_create(org=org_a, actor=alice, level="role", role=role, title="R", owner=gone)
    assert "owner" in errors_of(excinfo)


def test_a_later_retired_objective_does_not_stop_other_edits(org_a, alice, role, objective):
    kra = kra_create(
        org=org_a, actor=alice, level="role", role=role, title="R", objective=objective
    )
    objective.status = ObjectiveStatus.RETIRED
    objective.save()
    kra = kra_update(kra=kra, actor=alice, title="Revenue", objective=objective)
    assert kra.title == "Revenue"


# --- update and the cascade -----------------------------------------------------------------


def test_changing_the_weight_flags_the_kras_below_with_old_and_new(org_a, alice, role, sales):
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline", weight=20)
    child = make_kra(org_a, role=role, title="Revenue", parent=dept)
    kra_update(kra=dept, actor=alice, weight=Decimal(30))
    child.refresh_from_db()
    assert child.status == KRAStatus.NEEDS_REVIEW
    assert "weight" in child.needs_review_reason and "20 → 30" in child.needs_review_reason
    assert child.needs_review_link == f"/o/acme/kras/{dept.pk}/"


def test_a_title_or_definition_change_flags_too_but_priority_does_not(org_a, alice, role, sales):
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline")
    child = make_kra(org_a, role=role, title="Revenue", parent=dept)
    kra_update(kra=dept, actor=alice, priority=1)
    child.refresh_from_db()
    assert child.status == KRAStatus.ACTIVE
    kra_update(kra=dept, actor=alice, title="Qualified pipeline")
    child.refresh_from_db()
    assert child.status == KRAStatus.NEEDS_REVIEW
    assert "“Pipeline” → “Qualified pipeline”" in child.needs_review_reason


def test_an_update_that_changes_nothing_records_nothing(org_a, alice, role):
    kra = kra_create(org=org_a, actor=alice, level="role", role=role, title="Revenue", weight=40)
    before = AuditEvent.objects.count()
    kra_update(kra=kra, actor=alice, title="Revenue", weight=Decimal("40.00"))
    assert AuditEvent.objects.count() == before


def test_level_role_and_department_are_fixed(org_a, alice, role):
    kra = make_kra(org_a, role=role)
    with pytest.raises(ValueError):
        kra_update(kra=kra, actor=alice, level="department")
    with pytest.raises(ValueError):
        kra_update(kra=kra, actor=alice, role=None)


# --- retire ---------------------------------------------------------------------------------


@pytest.fixture
def ladder(org_a, role, sales, objective):
    """An organisation KRA serving the objective, a department KRA below it, and two role
    KRAs below that."""
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    dept = make_kra(
        org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline", parent=top
    )
    a = make_kra(org_a, role=role, title="New accounts", parent=dept)
    b = make_kra(org_a, role=role, title="Upsell", parent=dept)
    return top, dept, a, b


def test_retiring_a_kra_with_children_without_a_choice_names_them_and_changes_nothing(
    alice, ladder
):
    _top, dept, a, b = ladder
    with pytest.raises(ValidationError) as excinfo:
        kra_retire(kra=dept, actor=alice)
    message = errors_of(excinfo)["children"][0]
    assert "“New accounts”" in message and "“Upsell”" in message
    dept.refresh_from_db()
    assert dept.status == KRAStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="kra.retire").exists()


def test_retire_and_reparent_moves_the_children_up_to_its_parent(alice, ladder):
    top, dept, a, b = ladder
    kra_retire(kra=dept, actor=alice, children="reparent")
    dept.refresh_from_db()
    a.refresh_from_db()
    assert dept.status == KRAStatus.RETIRED
    assert a.parent == top
    assert a.status == KRAStatus.NEEDS_REVIEW
    assert "Retired" in a.needs_review_reason


def test_reparenting_below_an_organisation_kra_takes_its_objective(alice, org_a, role, objective):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth", objective=objective)
    child = make_kra(org_a, role=role, title="Revenue", parent=top)
    kra_retire(kra=top, actor=alice, children="reparent")
    child.refresh_from_db()
    assert child.parent is None and child.objective == objective


def test_retire_and_retire_the_children_retires_everything_below(alice, ladder):
    top, dept, a, b = ladder
    kra_retire(kra=top, actor=alice, children="retire")
    for kra in (top, dept, a, b):
        kra.refresh_from_db()
        assert kra.status == KRAStatus.RETIRED
    assert AuditEvent.objects.filter(action="kra.retire").count() == 4


def test_retire_and_detach_leaves_the_children_without_a_parent(alice, ladder):
    _top, dept, a, b = ladder
    kra_retire(kra=dept, actor=alice, children="detach")
    a.refresh_from_db()
    assert a.parent is None and a.status == KRAStatus.NEEDS_REVIEW


def test_retiring_a_childless_kra_needs_no_choice_and_twice_is_harmless(alice, ladder):
    _top, _dept, a, _b = ladder
    kra_retire(kra=a, actor=alice)
    kra_retire(kra=a, actor=alice)
    a.refresh_from_db()
    assert a.status == KRAStatus.RETIRED
    assert AuditEvent.objects.filter(action="kra.retire").count() == 1


# --- move -----------------------------------------------------------------------------------


def test_move_swaps_neighbours_within_the_roles_list_only(org_a, alice, role, sales):
    other = make_role(org_a, sales, title="Sales Manager")
    first = kra_create(org=org_a, actor=alice, level="role", role=role, title="First")
    theirs = kra_create(org=org_a, actor=alice, level="role", role=other, title="Theirs")
    second = kra_create(org=org_a, actor=alice, level="role", role=role, title="Second")
    kra_move(kra=second, actor=alice, direction="up")
    ordered = list(
        KRA.objects.filter(role=role).order_by("position").values_list("title", flat=True)
    )
    assert ordered == ["Second", "First"]
    theirs.refresh_from_db()
    assert theirs.position == 1
    # At the top already: nothing moves.
    kra_move(kra=second, actor=alice, direction="up")
    first.refresh_from_db()
    assert first.position == 2
    with pytest.raises(ValidationError):
        kra_move(kra=first, actor=alice, direction="sideways")
