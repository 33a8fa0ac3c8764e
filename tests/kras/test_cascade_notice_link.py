"""The needs-review notice leads to what changed: the KRA, the KPI, or the objective at its
own row on the objectives page (which every member may read)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.services import kpi_create, kpi_update
from kras.models import KRALevel
from kras.services import kra_create, kra_update, objective_set_status, objective_update
from orgs.models import Notification
from tests.factories import DepartmentFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(org_a, alice, bob):
    """An objective, an organisation KRA laddering to it, and a department KRA below that,
    owned by bob."""
    objective = ObjectiveFactory(org=org_a, title="Grow revenue")
    top = kra_create(
        org=org_a,
        actor=alice,
        level=KRALevel.ORGANIZATION,
        title="Profitable growth",
        objective=objective,
        weight=Decimal("50"),
    )
    below = kra_create(
        org=org_a,
        actor=alice,
        level=KRALevel.DEPARTMENT,
        department=DepartmentFactory(org=org_a, name="Sales"),
        title="Channel revenue",
        parent=top,
        owner=bob,
        weight=Decimal("50"),
    )
    return objective, top, below


def _notice_for(member) -> Notification:
    return Notification.objects.filter(recipient=member, kind="kra.needs_review").latest("pk")


def test_a_changed_kra_leads_to_that_kra(alice, bob, ladder):
    _objective, top, _below = ladder
    kra_update(kra=top, actor=alice, title="Profitable, lasting growth")
    assert _notice_for(bob).url == reverse("kra-detail", args=["acme", top.pk])


def test_a_changed_kpi_leads_to_that_kpi(alice, bob, ladder):
    _objective, top, _below = ladder
    kpi = kpi_create(kra=top, actor=alice, name="Gross margin", target=Decimal("30"), unit="%")
    kpi_update(kpi=kpi, actor=alice, target=Decimal("35"))
    assert _notice_for(bob).url == reverse("kpi-detail", args=["acme", kpi.pk])


def test_a_changed_objective_leads_to_its_row_on_the_objectives_page(login, alice, bob, ladder):
    objective, _top, _below = ladder
    objective_update(objective=objective, actor=alice, title="Grow revenue 20%")

    url = _notice_for(bob).url
    assert url == reverse("objective-list", args=["acme"]) + f"#objective-{objective.pk}"
    # The row the link points at is on the page bob reads
    page = login(bob).get(url.split("#")[0]).content.decode()
    assert f'id="objective-{objective.pk}"' in page


def test_a_retired_objective_leads_to_its_row_among_the_retired(login, alice, bob, ladder):
    objective, _top, _below = ladder
    objective_set_status(objective=objective, actor=alice, retired=True)

    url = _notice_for(bob).url
    assert url == reverse("objective-list", args=["acme"]) + f"?retired=1#objective-{objective.pk}"
    page = login(bob).get(url.split("#")[0]).content.decode()
    assert f'id="objective-{objective.pk}"' in page


def test_opening_the_notice_goes_there(login, alice, bob, ladder):
    _objective, top, _below = ladder
    kra_update(kra=top, actor=alice, title="Profitable, lasting growth")
    note = _notice_for(bob)
    response = login(bob).post(reverse("notification-open", args=["acme", note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kra-detail", args=["acme", top.pk])
