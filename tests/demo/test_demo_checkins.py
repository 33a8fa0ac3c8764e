"""The demo's check-ins (docs/DOMAIN.md rules R71 to R75): each manager and report have a
few, within both review cycles' windows, with KRAs of the person's agreement, and actions
done and open; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.checkins import checkins_seed
from orgs.models import Membership, Organization
from reviews.models import CheckIn, CheckInAction, CheckInTopic, CycleStatus, ReviewCycle
from reviews.selectors_checkins import agreed_kras, check_ins_in_window, open_actions_of

pytestmark = pytest.mark.django_db


def _counts(org) -> tuple[int, int, int, int]:
    return (
        CheckIn.objects.filter(org=org).count(),
        CheckInTopic.objects.filter(org=org).count(),
        CheckInAction.objects.filter(org=org).count(),
        CheckInAction.objects.filter(org=org, done_at__isnull=True).count(),
    )


def test_every_manager_and_report_have_check_ins_with_open_actions_and_a_rerun_adds_nothing():
    call_command("seed_demo", "--employees", "40", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    reports = Membership.objects.filter(org=org, is_active=True, manager__isnull=False)
    assert set(CheckIn.objects.filter(org=org).values_list("employee", flat=True)) == set(
        reports.values_list("pk", flat=True)
    )
    for check_in in CheckIn.objects.filter(org=org).select_related("employee"):
        assert check_in.manager_id == check_in.employee.manager_id
    sofia = reports.get(user__email="employee@demo.kra")
    # The KRAs discussed are the person's agreed ones, held within both cycles' windows.
    items = {item.pk for item in agreed_kras(person=sofia)}
    topics = CheckInTopic.objects.filter(check_in__employee=sofia)
    assert topics.exists() and set(topics.values_list("agreement_item", flat=True)) <= items
    for status in (CycleStatus.CLOSED, CycleStatus.OPEN):
        cycle = ReviewCycle.objects.get(org=org, status=status)
        assert check_ins_in_window(sofia, cycle.window_start, cycle.window_end, viewer=sofia)
    # Some actions are done, some open; an open one of an earlier check-in carries over.
    latest = CheckIn.objects.filter(employee=sofia).order_by("-held_on").first()
    carried = open_actions_of(person=sofia, exclude_check_in=latest)
    assert carried and all(
        a.due_date and a.owner_id in (sofia.pk, sofia.manager_id) for a in carried
    )
    assert CheckInAction.objects.filter(org=org, done_at__isnull=False).exists()
    before = _counts(org)
    assert before[3] > 0

    call_command("seed_demo", "--employees", "40", stdout=StringIO())
    assert checkins_seed(org) == 0
    assert _counts(org) == before
