import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kras.models import KRA, KRALevel
from orgs.models import AuditEvent
from roles import services
from roles.models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment
from roles.selectors import roles_needing_justification
from tests.factories import MembershipFactory

from .conftest import AreaFactory, AssignmentFactory, ResponsibilityFactory, RoleFactory

TODAY = datetime.date(2026, 6, 15)


def _create(org, actor, **fields):
    fields.setdefault("title", "Account Executive")
    fields.setdefault("justification_kind", JustificationKind.REVENUE)
    return services.role_create(org=org, actor=actor, **fields)


# --- roles ----------------------------------------------------------------------------------


def test_create_records_every_top_field_and_the_audit_event(org_a, alice, sales):
    role = _create(
        org_a,
        alice,
        title="  Account Executive ",
        department=sales,
        purpose="Bring in new revenue.",
        mission_alignment="Customers first.",
        strategy_contribution="Opens the mid-market.",
        annual_cost=Decimal("80000"),
        expected_value=Decimal("240000"),
        currency="eur",
        job_description="Prospect, demo, close.",
    )
    role.refresh_from_db()
    assert role.title == "Account Executive"
    assert role.currency == "EUR"
    assert (role.annual_cost, role.expected_value) == (Decimal("80000"), Decimal("240000"))
    event = AuditEvent.objects.get(object_type="roles.role", object_id=str(role.pk))
    assert event.action == "role.create"
    assert event.actor == alice.user
    assert event.changes["title"] == {"old": None, "new": "Account Executive"}
    assert event.changes["department"]["new"]["id"] == sales.pk


def test_a_blank_title_is_refused(org_a, alice):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, title="   ")
    assert "title" in exc.value.message_dict
    assert not Role.objects.exists()


def test_a_role_not_yet_justified_needs_a_target_date(org_a, alice):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, justification_kind=JustificationKind.NOT_YET)
    assert "needs a date" in exc.value.message_dict["justification_target_date"][0]
    role = _create(
        org_a,
        alice,
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=datetime.date(2027, 1, 1),
    )
    assert role.justification_target_date == datetime.date(2027, 1, 1)


@pytest.mark.parametrize("field", ["annual_cost", "expected_value"])
def test_negative_cost_or_value_is_refused(org_a, alice, field):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, **{field: Decimal("-1")})
    assert field in exc.value.message_dict
    assert not Role.objects.exists()


def test_zero_cost_is_fine(org_a, alice):
    role = _create(org_a, alice, annual_cost=Decimal("0"), expected_value=Decimal("0"))
    assert role.annual_cost == 0


def test_a_bad_currency_code_is_refused(org_a, alice):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, currency="E1")
    assert "currency" in exc.value.message_dict


def test_the_same_title_in_the_same_department_is_refused_whatever_the_case(
    org_a, alice, sales, engineering, role
):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, title="account executive", department=sales)
    assert "already a role called" in exc.value.message_dict["title"][0]
    # Another department, or no department, is another place.
    _create(org_a, alice, title="Account Executive", department=engineering)
    _create(org_a, alice, title="Account Executive")
    with pytest.raises(ValidationError):
        _create(org_a, alice, title="ACCOUNT EXECUTIVE")


def test_department_and_reports_to_must_belong_to_the_org(org_a, alice, globex_ops, globex_role):
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, department=globex_ops)
    assert "department" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _create(org_a, alice, reports_to=globex_role)
    assert "reports_to" in exc.value.message_dict
    assert not Role.objects.filter(org=org_a).exists()


def test_update_changes_only_what_is_given_and_audits_old_and_new(alice, role):
    services.role_update(role=role, actor=alice, purpose="Grow the mid-market.")
    role.refresh_from_db()
    assert role.purpose == "Grow the mid-market."
    assert role.title == "Account Executive"
    event = AuditEvent.objects.get(action="role.update")
    assert event.changes == {
        "purpose": {"old": "Win and keep customers.", "new": "Grow the mid-market."}
    }


def test_an_update_that_changes_nothing_writes_no_audit_row(alice, role):
    services.role_update(role=role, actor=alice, title="Account Executive")
    assert not AuditEvent.objects.filter(action="role.update").exists()


def test_update_switching_to_not_yet_needs_the_date(alice, role):
    with pytest.raises(ValidationError):
        services.role_update(role=role, actor=alice, justification_kind=JustificationKind.NOT_YET)
    role.refresh_from_db()
    assert role.justification_kind == JustificationKind.REVENUE


def test_reports_to_cannot_make_a_loop(org_a, alice):
    ceo = RoleFactory(org=org_a, title="CEO")
    vp = RoleFactory(org=org_a, title="VP Sales", reports_to=ceo)
    rep = RoleFactory(org=org_a, title="Rep", reports_to=vp)
    for boss in (ceo, rep):
        with pytest.raises(ValidationError) as exc:
            services.role_update(role=ceo, actor=alice, reports_to=boss)
        assert "cannot report to itself" in exc.value.message_dict["reports_to"][0]
    ceo.refresh_from_db()
    assert ceo.reports_to is None
    # A role may report to one beside it.
    other = RoleFactory(org=org_a, title="CFO")
    services.role_update(role=rep, actor=alice, reports_to=other)
    rep.refresh_from_db()
    assert rep.reports_to == other


def test_delete_a_role_without_kras_or_holders(alice, role):
    area = AreaFactory(role=role)
    ResponsibilityFactory(area=area)
    services.role_delete(role=role, actor=alice)
    assert not Role.objects.filter(pk=role.pk).exists()
    assert not AreaOfFocus.objects.exists() and not Responsibility.objects.exists()
    event = AuditEvent.objects.get(action="role.delete")
    assert event.object_repr == "Account Executive"


def test_delete_is_refused_while_the_role_has_kras_or_assignments(org_a, alice, role):
    KRA.objects.create(org=org_a, level=KRALevel.ROLE, role=role, title="Revenue Generation")
    AssignmentFactory(role=role, end_date=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.role_delete(role=role, actor=alice)
    message = exc.value.messages[0]
    assert "“Account Executive” still has 1 KRA(s) and 1 assignment(s)" in message
    assert Role.objects.filter(pk=role.pk).exists()
    assert not AuditEvent.objects.filter(action="role.delete").exists()


# --- areas and responsibilities -------------------------------------------------------------


def test_areas_are_added_at_the_end_and_audited(alice, role):
    first = services.area_create(role=role, actor=alice, title="Lead Generation")
    second = services.area_create(role=role, actor=alice, title=" Closing ", description="Deals")
    assert (first.position, second.position) == (1, 2)
    assert second.title == "Closing"
    assert AuditEvent.objects.filter(action="area.create").count() == 2


def test_an_area_needs_a_title(alice, role):
    with pytest.raises(ValidationError) as exc:
        services.area_create(role=role, actor=alice, title="  ")
    assert "title" in exc.value.message_dict
    area = services.area_create(role=role, actor=alice, title="Closing")
    with pytest.raises(ValidationError):
        services.area_update(area=area, actor=alice, title="")
    area.refresh_from_db()
    assert area.title == "Closing"


def test_area_update_records_the_change(alice, role):
    area = AreaFactory(role=role, title="Closing")
    services.area_update(area=area, actor=alice, title="Closing deals", description="Win")
    event = AuditEvent.objects.get(action="area.update")
    assert event.changes["title"] == {"old": "Closing", "new": "Closing deals"}


def test_moving_areas_swaps_neighbours_and_renumbers(alice, role):
    a = AreaFactory(role=role, title="A", position=5)
    b = AreaFactory(role=role, title="B", position=9)
    c = AreaFactory(role=role, title="C", position=12)
    services.area_move(area=c, actor=alice, direction="up")
    assert list(role.areas.order_by("position").values_list("title", "position")) == [
        ("A", 1),
        ("C", 2),
        ("B", 3),
    ]
    event = AuditEvent.objects.get(action="area.reorder")
    assert event.changes == {"position": {"old": 3, "new": 2}}
    # At the edge a move does nothing, and records nothing.
    services.area_move(area=a, actor=alice, direction="up")
    assert AuditEvent.objects.filter(action="area.reorder").count() == 1
    with pytest.raises(ValidationError):
        services.area_move(area=b, actor=alice, direction="sideways")


def test_moving_an_area_leaves_other_roles_alone(org_a, alice, role):
    other = RoleFactory(org=org_a)
    theirs = AreaFactory(role=other, position=1)
    AreaFactory(role=role, position=1)
    mine = AreaFactory(role=role, position=2)
    services.area_move(area=mine, actor=alice, direction="up")
    theirs.refresh_from_db()
    assert theirs.position == 1


def test_deleting_an_area_takes_its_responsibilities_and_records_them(alice, role):
    area = AreaFactory(role=role, title="Closing")
    ResponsibilityFactory(area=area, description="Send proposals")
    services.area_delete(area=area, actor=alice)
    assert not AreaOfFocus.objects.exists() and not Responsibility.objects.exists()
    event = AuditEvent.objects.get(action="area.delete")
    assert event.changes["responsibilities"] == {"old": ["Send proposals"], "new": None}


def test_responsibilities_keep_priority_order(alice, role):
    area = AreaFactory(role=role)
    one = services.responsibility_create(area=area, actor=alice, description="Prospect")
    two = services.responsibility_create(area=area, actor=alice, description="Demo")
    three = services.responsibility_create(area=area, actor=alice, description="Close")
    assert [one.position, two.position, three.position] == [1, 2, 3]
    services.responsibility_move(responsibility=one, actor=alice, direction="down")
    assert list(
        area.responsibilities.order_by("position").values_list("description", flat=True)
    ) == [
        "Demo",
        "Prospect",
        "Close",
    ]
    assert AuditEvent.objects.filter(action="responsibility.reorder").count() == 1


def test_a_responsibility_needs_words_and_fits_300_characters(alice, role):
    area = AreaFactory(role=role)
    with pytest.raises(ValidationError):
        services.responsibility_create(area=area, actor=alice, description=" ")
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(area=area, actor=alice, description="x" * 301)
    assert "under 300" in exc.value.message_dict["description"][0]
    assert not Responsibility.objects.exists()


def test_responsibility_update_and_delete_are_audited(alice, role):
    responsibility = ResponsibilityFactory(area=AreaFactory(role=role), description="Demo")
    services.responsibility_update(responsibility=responsibility, actor=alice, description="Demos")
    responsibility.refresh_from_db()
    assert responsibility.description == "Demos"
    services.responsibility_delete(responsibility=responsibility, actor=alice)
    assert not Responsibility.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"responsibility.update", "responsibility.delete"} <= actions


# --- success check --------------------------------------------------------------------------


def test_success_check_records_answers_date_and_who(alice, role):
    services.role_success_check_record(
        role=role,
        actor=alice,
        is_complete=False,
        missing=" Referral generation ",
        unnecessary="Attend trade shows",
    )
    role.refresh_from_db()
    assert role.success_is_complete is False
    assert role.success_missing == "Referral generation"
    assert role.success_unnecessary == "Attend trade shows"
    assert role.success_checked_by == alice
    assert role.success_checked_at is not None
    assert AuditEvent.objects.filter(action="role.success_check").count() == 1


def test_success_check_needs_an_answer_and_says_what_is_missing(alice, role):
    with pytest.raises(ValidationError) as exc:
        services.role_success_check_record(role=role, actor=alice, is_complete=None)
    assert "is_complete" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.role_success_check_record(role=role, actor=alice, is_complete=False)
    assert "missing" in exc.value.message_dict
    role.refresh_from_db()
    assert role.success_checked_at is None
    services.role_success_check_record(role=role, actor=alice, is_complete=True)
    role.refresh_from_db()
    assert role.success_is_complete is True


# --- assignments ----------------------------------------------------------------------------


def test_assign_a_member_from_a_date(alice, bob, role):
    assignment = services.role_assign(
        role=role, actor=alice, member=bob, start_date=datetime.date(2026, 1, 1)
    )
    assert (assignment.member, assignment.end_date) == (bob, None)
    event = AuditEvent.objects.get(action="role.assign")
    assert event.changes["member"]["new"]["id"] == bob.pk


@pytest.mark.parametrize(
    "start, end",
    [
        (datetime.date(2026, 6, 1), None),  # open-ended existing one already covers it
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)),  # ends on its first day
        (datetime.date(2025, 1, 1), None),
    ],
)
def test_an_overlapping_assignment_of_the_same_member_is_refused(alice, bob, role, start, end):
    services.role_assign(role=role, actor=alice, member=bob, start_date=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.role_assign(role=role, actor=alice, member=bob, start_date=start, end_date=end)
    assert "already holds this role" in exc.value.message_dict["member"][0]
    assert RoleAssignment.objects.count() == 1


def test_back_to_back_and_other_assignments_are_fine(org_a, alice, bob, role, eng_role):
    services.role_assign(
        role=role,
        actor=alice,
        member=bob,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    services.role_assign(role=role, actor=alice, member=bob, start_date=datetime.date(2026, 1, 1))
    # Another member in the same role, and the same member in another role, at once.
    services.role_assign(
        role=role, actor=alice, member=MembershipFactory(org=org_a), start_date=TODAY
    )
    services.role_assign(role=eng_role, actor=alice, member=bob, start_date=TODAY)
    assert RoleAssignment.objects.count() == 4


def test_assignment_dates_in_order_and_members_of_the_org_only(alice, bob, charlie, role):
    with pytest.raises(ValidationError) as exc:
        services.role_assign(
            role=role,
            actor=alice,
            member=bob,
            start_date=datetime.date(2026, 2, 1),
            end_date=datetime.date(2026, 1, 1),
        )
    assert "end_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.role_assign(role=role, actor=alice, member=charlie, start_date=TODAY)
    assert "member" in exc.value.message_dict
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError) as exc:
        services.role_assign(role=role, actor=alice, member=bob, start_date=TODAY)
    assert "active member" in exc.value.message_dict["member"][0]
    assert not RoleAssignment.objects.exists()


def test_ending_an_assignment(alice, bob, role):
    assignment = AssignmentFactory(role=role, member=bob, start_date=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.role_assignment_end(
            assignment=assignment, actor=alice, end_date=datetime.date(2025, 12, 31)
        )
    services.role_assignment_end(assignment=assignment, actor=alice, end_date=TODAY)
    assignment.refresh_from_db()
    assert assignment.end_date == TODAY
    with pytest.raises(ValidationError) as exc:
        services.role_assignment_end(assignment=assignment, actor=alice, end_date=TODAY)
    assert "already ended" in exc.value.messages[0]
    assert AuditEvent.objects.filter(action="role.assignment_end").count() == 1


# --- the attention list ---------------------------------------------------------------------


def test_roles_needing_justification_are_not_yet_ones_past_their_date(org_a, org_b):
    late = RoleFactory(
        org=org_a,
        title="Late",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=TODAY - datetime.timedelta(days=1),
    )
    RoleFactory(
        org=org_a,
        title="Due today",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=TODAY,
    )
    RoleFactory(
        org=org_a,
        title="Justified",
        justification_kind=JustificationKind.COMPLIANCE,
        justification_target_date=TODAY - datetime.timedelta(days=30),
    )
    RoleFactory(
        org=org_b,
        title="Elsewhere",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=TODAY - datetime.timedelta(days=30),
    )
    assert list(roles_needing_justification(org=org_a, today=TODAY)) == [late]


def test_the_same_amount_written_differently_is_no_change(alice, role):
    services.role_update(role=role, actor=alice, annual_cost=Decimal("80000"))
    services.role_update(role=role, actor=alice, annual_cost=Decimal("80000.00"))
    assert AuditEvent.objects.filter(action="role.update").count() == 1
