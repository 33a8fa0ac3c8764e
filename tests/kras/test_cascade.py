"""The cascade (docs/DOMAIN.md rules R10 and R11): a change flags every KRA below it once, and
whoever answers for those KRAs hears about it once, in the inbox and by email."""

import datetime
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kras.models import KRA, KRALevel, KRAStatus
from kras.services import (
    flag_descendants,
    kra_confirm_still_holds,
    objective_set_status,
    objective_update,
)
from kras.services.cascade import confirm_checker, manage_checker, may_confirm
from orgs import policy
from orgs.models import AuditEvent, Notification, OrgRole
from roles.models import Role, RoleAssignment
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def kra(org, title, *, level=KRALevel.ROLE, **fields):
    return KRA.objects.create(org=org, level=level, title=title, weight=25, **fields)


def person(org, email, **fields):
    return MembershipFactory(org=org, user=UserFactory(email=email, full_name=email), **fields)


class World:
    """Acme's ladder, three levels deep under one objective:

    objective "Grow revenue"
      ├─ org KRA "Profitable growth" (owner alice)
      │    └─ dept KRA "Channel sales" (Sales; head dave)
      │         └─ role KRA "Partner revenue" (Sales Executive, held by bob)
      ├─ dept KRA "Revenue growth" (Sales; head dave)
      │    ├─ role KRA "Revenue generation" (Sales Executive, held by bob)
      │    ├─ role KRA "Client acquisition" (owner erin)
      │    └─ role KRA "Old pipeline" (retired)
    objective "Reliable systems"
      └─ dept KRA "Uptime" (IT; no head → org admins)
    """

    def __init__(self, org, alice, bob):
        self.org, self.alice, self.bob = org, alice, bob
        self.dave = person(org, "dave@acme.test", job_title="Head of Sales", manager=alice)
        self.erin = person(org, "erin@acme.test", job_title="Key Account Manager", manager=alice)
        self.sales = DepartmentFactory(org=org, name="Sales", head=self.dave)
        self.it = DepartmentFactory(org=org, name="IT")
        self.objective = ObjectiveFactory(org=org, title="Grow revenue")
        self.other_objective = ObjectiveFactory(org=org, title="Reliable systems")
        self.role = Role.objects.create(org=org, department=self.sales, title="Sales Executive")
        RoleAssignment.objects.create(
            org=org,
            role=self.role,
            member=bob,
            start_date=timezone.localdate() - datetime.timedelta(days=30),
        )
        self.org_kra = kra(
            org,
            "Profitable growth",
            level=KRALevel.ORGANIZATION,
            objective=self.objective,
            owner=alice,
        )
        self.channel = kra(
            org,
            "Channel sales",
            level=KRALevel.DEPARTMENT,
            department=self.sales,
            parent=self.org_kra,
        )
        self.partner = kra(org, "Partner revenue", role=self.role, parent=self.channel)
        self.revenue = kra(
            org,
            "Revenue growth",
            level=KRALevel.DEPARTMENT,
            department=self.sales,
            objective=self.objective,
        )
        self.generation = kra(org, "Revenue generation", role=self.role, parent=self.revenue)
        self.acquisition = kra(
            org,
            "Client acquisition",
            role=self.role,
            department=self.sales,
            parent=self.revenue,
            owner=self.erin,
        )
        self.old = kra(
            org,
            "Old pipeline",
            role=self.role,
            department=self.sales,
            parent=self.revenue,
            status=KRAStatus.RETIRED,
        )
        self.uptime = kra(
            org,
            "Uptime",
            level=KRALevel.DEPARTMENT,
            department=self.it,
            objective=self.other_objective,
        )

    @property
    def below_objective(self):
        return {
            self.org_kra,
            self.channel,
            self.partner,
            self.revenue,
            self.generation,
            self.acquisition,
        }


@pytest.fixture
def world(org_a, alice, bob):
    return World(org_a, alice, bob)


def statuses(kras):
    return {k.title: KRA.objects.get(pk=k.pk).status for k in kras}


def test_a_change_at_the_top_flags_every_kra_below_once_and_each_owner_once(world, charlie):
    # Given charlie's organisation has a ladder of its own
    globex_objective = ObjectiveFactory(org=charlie.org, title="Globex growth")
    globex_kra = kra(
        charlie.org, "Globex revenue", level=KRALevel.ORGANIZATION, objective=globex_objective
    )

    # When alice rewords the objective
    objective_update(objective=world.objective, actor=world.alice, title="Grow revenue 20%")

    # Then every KRA below it, at every depth, needs review, with the reason and a link
    for item in world.below_objective:
        item.refresh_from_db()
        assert item.status == KRAStatus.NEEDS_REVIEW, item.title
        assert "Grow revenue" in item.needs_review_reason
        assert "Grow revenue 20%" in item.needs_review_reason
        assert item.needs_review_link == "/o/acme/objectives/"
        assert item.needs_review_since is not None
    # and nothing else: not the retired KRA, not another objective's, not another org's
    assert statuses([world.old, world.uptime, globex_kra]) == {
        "Old pipeline": KRAStatus.RETIRED,
        "Uptime": KRAStatus.ACTIVE,
        "Globex revenue": KRAStatus.ACTIVE,
    }

    # Each person who answers for flagged KRAs has exactly one notice listing them
    notices = Notification.objects.filter(kind="kra.needs_review")
    by_person = {n.recipient.user.email: n for n in notices}
    assert len(notices) == len(by_person) == 4
    assert "Profitable growth" in by_person["alice@acme.test"].body  # its owner
    dave = by_person["dave@acme.test"].body  # head of Sales: the department KRAs
    assert "Channel sales" in dave and "Revenue growth" in dave
    bob = by_person["bob@acme.test"].body  # holds the role
    assert "Revenue generation" in bob and "Partner revenue" in bob
    assert "Client acquisition" not in bob  # it has an owner of its own
    assert "Client acquisition" in by_person["erin@acme.test"].body
    # Those who may confirm are asked to; a role holder learns their manager will.
    assert "Please confirm" in dave and "Please confirm" in by_person["erin@acme.test"].body
    assert "Your manager will confirm" in bob
    # The notice leads to the objective that changed, at its row on the objectives page
    assert all(n.url == f"/o/acme/objectives/#objective-{world.objective.pk}" for n in notices)
    assert not Notification.objects.filter(org=charlie.org).exists()

    # And each flag is audited, once
    events = AuditEvent.objects.filter(action="kra.needs_review")
    assert sorted(int(e.object_id) for e in events) == sorted(k.pk for k in world.below_objective)
    assert all(e.actor == world.alice.user for e in events)
    assert all(e.changes["status"]["new"] == "needs_review" for e in events)


def test_the_same_change_reported_twice_flags_and_notifies_once(world):
    args = {"source": world.revenue, "reason": "Revenue growth changed", "link": "/x/"}
    assert flag_descendants(actor=world.alice, **args) == 2
    assert flag_descendants(actor=world.alice, **args) == 0
    assert Notification.objects.filter(kind="kra.needs_review").count() == 2  # bob, erin
    assert AuditEvent.objects.filter(action="kra.needs_review").count() == 2


def test_a_kra_change_flags_only_what_is_below_it(world):
    flagged = flag_descendants(
        source=world.org_kra, reason="Profitable growth changed", actor=world.alice, link="/k/"
    )
    assert flagged == 2
    assert statuses([world.channel, world.partner, world.org_kra, world.revenue]) == {
        "Channel sales": KRAStatus.NEEDS_REVIEW,
        "Partner revenue": KRAStatus.NEEDS_REVIEW,
        "Profitable growth": KRAStatus.ACTIVE,  # the source itself is what changed
        "Revenue growth": KRAStatus.ACTIVE,
    }


def test_who_answers_falls_back_from_owner_to_holders_to_head_to_admins(world, org_a):
    # A role nobody holds: its department's head answers; a department with no head: admins.
    empty_role = Role.objects.create(org=org_a, department=world.sales, title="Field Executive")
    unheld = kra(org_a, "Unheld", role=empty_role, parent=world.uptime)
    ended = kra(org_a, "Ended", role=world.role, parent=world.uptime)
    person(org_a, "zoe@acme.test", role=OrgRole.ADMIN)
    # bob's assignment ended: he no longer answers for the role's KRAs
    RoleAssignment.objects.filter(member=world.bob).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    flag_descendants(source=world.other_objective, reason="changed", actor=None, link="")
    recipients = {
        n.recipient.user.email: n.body for n in Notification.objects.filter(kind="kra.needs_review")
    }
    assert set(recipients) == {"alice@acme.test", "zoe@acme.test", "dave@acme.test"}
    assert "Uptime" in recipients["alice@acme.test"] and "Uptime" in recipients["zoe@acme.test"]
    assert "Unheld" in recipients["dave@acme.test"] and "Ended" in recipients["dave@acme.test"]
    assert KRA.objects.get(pk=unheld.pk).status == KRAStatus.NEEDS_REVIEW
    assert KRA.objects.get(pk=ended.pk).status == KRAStatus.NEEDS_REVIEW


def test_retiring_an_objective_flags_and_restoring_it_does_not(world):
    objective_set_status(objective=world.objective, actor=world.alice, retired=True)
    revenue = KRA.objects.get(pk=world.revenue.pk)
    assert revenue.status == KRAStatus.NEEDS_REVIEW
    assert "retired" in revenue.needs_review_reason
    kra_confirm_still_holds(kra=revenue, actor=world.alice)
    objective_set_status(objective=world.objective, actor=world.alice, retired=False)
    assert KRA.objects.get(pk=world.revenue.pk).status == KRAStatus.ACTIVE


def test_saving_an_objective_without_a_change_flags_nothing(world):
    objective_update(objective=world.objective, actor=world.alice, title="Grow revenue")
    assert not KRA.objects.filter(status=KRAStatus.NEEDS_REVIEW).exists()
    assert not Notification.objects.exists()


def test_confirming_clears_the_flag_and_is_audited(world):
    objective_update(objective=world.objective, actor=world.alice, description="Now with EU")
    generation = KRA.objects.get(pk=world.generation.pk)
    assert generation.status == KRAStatus.NEEDS_REVIEW

    confirmed = kra_confirm_still_holds(kra=generation, actor=world.dave)

    assert confirmed.status == KRAStatus.ACTIVE
    assert confirmed.needs_review_reason == confirmed.needs_review_link == ""
    assert confirmed.needs_review_since is None
    event = AuditEvent.objects.get(action="kra.confirm_still_holds")
    assert event.object_id == str(generation.pk) and event.actor == world.dave.user
    assert event.changes["status"] == {"old": "needs_review", "new": "active"}
    # Confirming again changes nothing and records nothing.
    kra_confirm_still_holds(kra=confirmed, actor=world.dave)
    assert AuditEvent.objects.filter(action="kra.confirm_still_holds").count() == 1


def test_a_retired_kra_cannot_be_confirmed(world):
    with pytest.raises(ValidationError):
        kra_confirm_still_holds(kra=world.old, actor=world.alice)
    assert KRA.objects.get(pk=world.old.pk).status == KRAStatus.RETIRED


def test_a_parent_cycle_in_bad_data_does_not_loop(world, org_a):
    a = kra(org_a, "Cycle A", level=KRALevel.DEPARTMENT, department=world.it)
    b = kra(org_a, "Cycle B", level=KRALevel.DEPARTMENT, department=world.it, parent=a)
    KRA.objects.filter(pk=a.pk).update(parent=b)
    assert flag_descendants(source=a, reason="cycle", actor=None, link="") == 1
    assert KRA.objects.get(pk=b.pk).status == KRAStatus.NEEDS_REVIEW


def test_flagging_costs_the_same_queries_for_few_or_many_kras(world, org_a):
    def flagged_queries(count: int, reason: str) -> int:
        parent = kra(org_a, f"Parent {reason}", level=KRALevel.DEPARTMENT, department=world.it)
        for i in range(count):
            kra(org_a, f"{reason} {i}", role=world.role, parent=parent)
        with CaptureQueriesContext(connection) as queries:
            assert flag_descendants(source=parent, reason=reason, actor=None, link="") == count
        return len(queries)

    assert flagged_queries(2, "few") == flagged_queries(40, "many")


def test_the_confirm_checkers_agree_with_the_policy(world, org_a, bob):
    # An org KRA, department KRAs of two departments, role KRAs; personas: admin, the head
    # of Sales, a plain member, and bob made the explicit owner of one KRA.
    KRA.objects.filter(pk=world.partner.pk).update(owner=bob)
    kras = list(KRA.objects.filter(org=org_a).select_related("role"))
    for member in (world.alice, world.dave, world.erin, bob):
        manages, confirms = manage_checker(member), confirm_checker(member)
        for item in kras:
            expected = policy.can(member, policy.Action.MANAGE_KRA, item)
            assert manages(item) == expected, (member, item)
            assert confirms(item) == may_confirm(member, item), (member, item)
    assert may_confirm(bob, KRA.objects.get(pk=world.partner.pk))
    assert not may_confirm(bob, world.generation)


def _wait_for(predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_each_owner_gets_exactly_one_email_from_a_real_worker(celery_worker, org_a, alice, bob):
    world = World(org_a, alice, bob)
    mail.outbox.clear()

    # When the objective changes (the service commits, then the tasks are enqueued)
    objective_update(objective=world.objective, actor=alice, title="Grow revenue 25%")

    # Then the worker sends one email to each of the four people, and no more
    assert _wait_for(lambda: len(mail.outbox) >= 4)
    time.sleep(1)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "alice@acme.test",
        "bob@acme.test",
        "dave@acme.test",
        "erin@acme.test",
    ]
    assert all("need" in message.subject for message in mail.outbox)
    assert all(n.emailed_at for n in Notification.objects.filter(kind="kra.needs_review"))
