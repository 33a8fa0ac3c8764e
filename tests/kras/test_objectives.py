import pytest
from django.urls import reverse

from kras.models import ObjectiveStatus, StrategicObjective
from orgs.models import AuditEvent
from tests.factories import ObjectiveFactory


@pytest.fixture
def objective(org_a):
    return ObjectiveFactory(org=org_a, title="Grow recurring revenue 30%")


def test_admin_creates_an_objective_and_the_audit_trail_records_it(login, alice):
    client = login(alice)
    response = client.post(
        reverse("objective-create", args=["acme"]),
        {"title": "Enter two new markets", "description": "EU and LATAM", "horizon_years": 2},
    )
    assert response.status_code == 302
    objective = StrategicObjective.objects.get(org=alice.org, title="Enter two new markets")
    event = AuditEvent.objects.get(
        object_type="kras.strategicobjective", object_id=str(objective.pk)
    )
    assert event.action == "objective.create"
    assert event.actor == alice.user
    assert event.changes["title"] == {"old": None, "new": "Enter two new markets"}


def test_a_blank_title_is_refused_with_a_message_and_nothing_is_saved(login, alice):
    response = login(alice).post(
        reverse("objective-create", args=["acme"]), {"title": "   ", "horizon_years": 1}
    )
    assert response.status_code == 200
    assert not StrategicObjective.objects.exists()
    assert (
        "This field is required" in response.content.decode()
        or "needs a title" in response.content.decode()
    )


def test_horizon_outside_one_to_three_years_is_refused(login, alice):
    response = login(alice).post(
        reverse("objective-create", args=["acme"]), {"title": "Ten-year dream", "horizon_years": 10}
    )
    assert response.status_code == 200
    assert not StrategicObjective.objects.exists()


def test_retire_and_restore_keep_the_objective(login, alice, objective):
    client = login(alice)
    client.post(reverse("objective-retire", args=["acme", objective.pk]))
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.RETIRED and objective.retired_at
    page = client.get(reverse("objective-list", args=["acme"])).content.decode()
    assert objective.title not in page
    client.post(reverse("objective-retire", args=["acme", objective.pk]), {"restore": "1"})
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.ACTIVE


def test_move_swaps_neighbours(login, alice, org_a):
    first = ObjectiveFactory(org=org_a, title="First", position=1)
    second = ObjectiveFactory(org=org_a, title="Second", position=2)
    login(alice).post(reverse("objective-move", args=["acme", second.pk]), {"direction": "up"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (1, 2)


def test_bob_reads_objectives_but_cannot_change_them(login, bob, objective):
    client = login(bob)
    assert client.get(reverse("objective-list", args=["acme"])).status_code == 200
    assert client.get(reverse("objective-create", args=["acme"])).status_code == 403
    response = client.post(
        reverse("objective-edit", args=["acme", objective.pk]),
        {"title": "Hacked", "horizon_years": 1},
    )
    assert response.status_code == 403
    objective.refresh_from_db()
    assert objective.title == "Grow recurring revenue 30%"


def test_charlie_gets_404_for_everything_of_acme(login, charlie, objective):
    client = login(charlie)
    assert client.get(reverse("objective-list", args=["acme"])).status_code == 404
    assert client.post(reverse("objective-retire", args=["acme", objective.pk])).status_code == 404
    # Through his own organisation's URL, acme's objective id is unknown too.
    assert client.get(reverse("objective-edit", args=["globex", objective.pk])).status_code == 404
    assert (
        client.post(reverse("objective-retire", args=["globex", objective.pk])).status_code == 404
    )
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.ACTIVE
    assert not AuditEvent.objects.filter(org=objective.org).exists()


def test_api_lists_creates_and_scopes_objectives(api, alice, bob, charlie, objective):
    url = reverse("api:objective-list", args=["acme"])
    listed = api(alice).get(url).json()
    assert [o["title"] for o in listed["results"]] == [objective.title]

    created = api(alice).post(url, {"title": "Halve churn", "horizon_years": 1})
    assert created.status_code == 201, created.content
    assert created.json()["position"] == objective.position + 1

    assert api(bob).post(url, {"title": "Nope", "horizon_years": 1}).status_code == 403
    assert api(charlie).get(url).status_code == 404
    detail = reverse("api:objective-detail", args=["globex", objective.pk])
    assert api(charlie).get(detail).status_code == 404
    assert api(charlie).patch(detail, {"title": "x"}).status_code == 404
    objective.refresh_from_db()
    assert objective.title == "Grow recurring revenue 30%"
    assert StrategicObjective.objects.filter(org=alice.org).count() == 2


def test_api_validation_errors_speak_the_service_message(api, alice):
    url = reverse("api:objective-list", args=["acme"])
    response = api(alice).post(url, {"title": "   ", "horizon_years": 2})
    assert response.status_code == 400
    assert "title" in response.json()


def test_objective_list_api_uses_a_constant_number_of_queries(
    api, alice, org_a, django_assert_max_num_queries
):
    ObjectiveFactory.create_batch(30, org=org_a)
    client = api(alice)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api:objective-list", args=["acme"]))
    assert response.json()["count"] == 30
