"""Check-ins (1:1s): recording, carry-over of open actions, validation, edits and their
trail, deletion, visibility, and every page's and endpoint's access (docs/DOMAIN.md rules
R71 to R75)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgs.models import AuditEvent, Notification
from reviews.models import CheckIn
from reviews.selectors_checkins import check_ins_in_window
from reviews.services.checkins import (
    EDIT_WINDOW_DAYS,
    TEXT_MAX_LENGTH,
    ActionInput,
    check_in_action_done,
    check_in_action_reopen,
    check_in_delete,
    check_in_record,
    check_in_update,
)
from tests.factories import MembershipFactory, UserFactory

from .factories_checkins import record_check_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _fields(**changes) -> dict:
    base = {"held_on": TODAY(), "kras": [], "wins": "", "blockers": "", "notes": "", "actions": []}
    return {**base, **changes}


# --- recording -------------------------------------------------------------------------------


def test_the_manager_records_a_check_in_with_agreed_kras_and_the_employee_is_told(
    alice, bob, draft
):
    items = list(draft.items.order_by("position", "id"))
    check_in = check_in_record(
        actor=alice,
        employee=bob,
        **_fields(
            kras=[items[0].pk, items[2].pk],
            wins="Closed Initech",
            blockers="Waiting on legal",
            actions=[ActionInput(description="Send the proposal", owner=bob)],
        ),
    )
    assert check_in.manager == alice
    assert [t.title for t in check_in.topics.all()] == [items[0].title, items[2].title]
    assert [a.description for a in check_in.actions.all()] == ["Send the proposal"]
    note = Notification.objects.get(recipient=bob, kind="check_in.recorded")
    assert reverse("check-in-detail", kwargs={"org_slug": "acme", "pk": check_in.pk}) == note.url
    event = AuditEvent.objects.get(action="check_in.record", object_id=str(check_in.pk))
    assert event.changes["kras"]["new"] == [items[0].title, items[2].title]
    assert not Notification.objects.filter(recipient=alice, kind="check_in.recorded").exists()


def test_the_employee_records_their_own_and_the_manager_is_told(alice, bob):
    record_check_in(bob, actor=bob)
    assert Notification.objects.filter(recipient=alice, kind="check_in.recorded").exists()


def test_the_kras_come_from_the_agreement_in_force_or_else_the_open_draft(alice, bob, draft, dave):
    other_kras = list(draft.items.values_list("pk", flat=True))
    # dave has no agreement: no KRA of anyone else's may be chosen.
    with pytest.raises(ValidationError) as refused:
        check_in_record(actor=alice, employee=dave, **_fields(kras=other_kras[:1]))
    assert "kras" in refused.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": None}, "held_on", "Give the date"),
        ({"held_on": "tomorrow"}, "held_on", "cannot be after today"),
        ({"wins": "x" * (TEXT_MAX_LENGTH + 1)}, "wins", "at most"),
        ({"actions": "owner"}, "actions", "owner is the employee or their manager"),
        ({"actions": "due"}, "actions", "cannot be before the check-in"),
    ],
)
def test_invalid_input_is_refused_with_a_message_and_nothing_is_written(
    alice, bob, hannah, changes, field, message
):
    today = TODAY()
    actions = {
        "owner": [ActionInput(description="Book training", owner=hannah)],
        "due": [
            ActionInput(
                description="Book training", owner=bob, due_date=today - datetime.timedelta(days=1)
            )
        ],
    }
    if changes.get("held_on") == "tomorrow":
        changes = {"held_on": today + datetime.timedelta(days=1)}
    if "actions" in changes:
        changes = {"actions": actions[changes["actions"]]}
    with pytest.raises(ValidationError) as refused:
        check_in_record(actor=alice, employee=bob, **_fields(**changes))
    assert message in " ".join(refused.value.message_dict[field])
    assert not CheckIn.objects.exists()
    assert not Notification.objects.filter(kind="check_in.recorded").exists()


def test_a_person_without_a_manager_has_no_check_in(alice):
    with pytest.raises(ValidationError, match="no manager"):
        check_in_record(actor=alice, employee=alice, **_fields())


def test_hr_skip_levels_and_colleagues_do_not_record_someone_elses(alice, bob, hannah, dave):
    for actor in (hannah, dave):
        with pytest.raises(PermissionDenied):
            check_in_record(actor=actor, employee=bob, **_fields())
    assert not CheckIn.objects.exists()


# --- carry-over --------------------------------------------------------------------------------


def test_open_actions_carry_to_the_next_check_in_until_done(alice, bob, login):
    first = record_check_in(bob, actions=[("Send the proposal", bob), ("Intro to CFO", alice)])
    second = record_check_in(bob, actions=[("Book the training", bob)])
    client = login(alice)
    new_form = client.get(reverse("check-in-create", args=["acme", bob.pk])).content.decode()
    for text in ("Send the proposal", "Intro to CFO", "Book the training"):
        assert text in new_form
    # The second check-in's page carries the first one's open actions.
    page = client.get(reverse("check-in-detail", args=["acme", second.pk])).content.decode()
    assert "Send the proposal" in page and "Open actions from earlier check-ins" in page

    action = first.actions.get(description="Send the proposal")
    answer = client.post(
        reverse("check-in-action-done", args=["acme", action.pk]),
        {"next": reverse("check-in-create", args=["acme", bob.pk])},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("check-in-create", args=["acme", bob.pk])
    action.refresh_from_db()
    assert action.done_at is not None and action.done_by == alice
    client.get(reverse("my-actions", args=["acme"]))  # shows the "marked done" message
    new_form = client.get(reverse("check-in-create", args=["acme", bob.pk])).content.decode()
    assert "Send the proposal" not in new_form and "Intro to CFO" in new_form

    check_in_action_reopen(action=action, actor=bob)
    action.refresh_from_db()
    assert action.done_at is None
    trail = AuditEvent.objects.filter(object_id=str(action.pk)).values_list("action", flat=True)
    assert sorted(trail) == ["check_in_action.done", "check_in_action.reopen"]


def test_the_next_link_of_a_one_click_done_never_leaves_the_site(alice, bob, login):
    action = record_check_in(bob, actions=[("Send it", bob)]).actions.get()
    answer = login(alice).post(
        reverse("check-in-action-done", args=["acme", action.pk]),
        {"next": "https://evil.example/"},
    )
    assert answer["Location"] == reverse("check-in-detail", args=["acme", action.check_in_id])


def test_a_new_check_in_from_the_page_with_an_added_action_row(alice, bob, draft, login):
    client = login(alice)
    url = reverse("check-in-create", args=["acme", bob.pk])
    item = draft.items.order_by("id").first()
    data = {
        "held_on": TODAY().isoformat(),
        "kras": [str(item.pk)],
        "wins": "A good month",
        "blockers": "",
        "notes": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "50",
        "actions-0-description": "Draft the plan",
        "actions-0-owner": str(bob.pk),
        "actions-0-due_date": "",
        "actions-1-description": "",
        "actions-1-owner": str(bob.pk),
        "actions-1-due_date": "",
    }
    more = client.post(url, {**data, "add_action": "1"})
    assert more.status_code == 200
    assert 'name="actions-2-description"' in more.content.decode()
    assert "Draft the plan" in more.content.decode()
    assert not CheckIn.objects.exists()

    saved = client.post(url, data)
    assert saved.status_code == 302
    check_in = CheckIn.objects.get()
    assert [a.description for a in check_in.actions.all()] == ["Draft the plan"]
    assert [t.title for t in check_in.topics.all()] == [item.title]

    refused = client.post(url, {**data, "held_on": (TODAY() + datetime.timedelta(days=2))})
    assert refused.status_code == 400
    assert "cannot be after today" in refused.content.decode()
    wrong_owner = client.post(url, {**data, "actions-0-owner": "999999"})
    assert wrong_owner.status_code == 400
    assert CheckIn.objects.count() == 1


# --- edits and deletion -----------------------------------------------------------------------


def test_edits_by_the_employee_and_the_manager_are_audited_with_old_and_new(alice, bob, hannah):
    check_in = record_check_in(bob, actions=[("Send the proposal", bob)])
    action = check_in.actions.get()
    check_in_update(
        check_in=check_in,
        actor=bob,
        **_fields(
            wins="Closed Initech and Globex",
            actions=[
                ActionInput(id=action.pk, description="Send the final proposal", owner=alice),
                ActionInput(description="Ask for references", owner=bob),
            ],
        ),
    )
    event = AuditEvent.objects.get(action="check_in.update", object_id=str(check_in.pk))
    assert event.changes["wins"] == {
        "old": "Closed the Initech deal",
        "new": "Closed Initech and Globex",
    }
    assert "Send the final proposal" in event.changes["actions"]["new"][0]
    assert check_in.actions.count() == 2
    with pytest.raises(PermissionDenied):
        check_in_update(check_in=check_in, actor=hannah, **_fields())


def test_after_the_edit_window_the_notes_stand_as_written(alice, bob, login):
    check_in = record_check_in(bob, actions=[("Send it", bob)])
    old = timezone.now() - datetime.timedelta(days=EDIT_WINDOW_DAYS + 1)
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=old)
    check_in.refresh_from_db()
    with pytest.raises(ValidationError, match="stand as written"):
        check_in_update(check_in=check_in, actor=alice, **_fields(wins="Rewritten"))
    client = login(alice)
    assert client.get(reverse("check-in-edit", args=["acme", check_in.pk])).status_code == 302
    page = client.get(reverse("check-in-detail", args=["acme", check_in.pk])).content.decode()
    assert 'data-testid="edit-check-in"' not in page
    # Its actions are still marked done.
    check_in_action_done(action=check_in.actions.get(), actor=bob)


def test_only_the_author_deletes_and_only_while_no_action_is_done(alice, bob, login):
    check_in = record_check_in(bob, actions=[("Send it", bob)])
    with pytest.raises(ValidationError, match="Only the person who recorded"):
        check_in_delete(check_in=check_in, actor=bob)
    check_in_action_done(action=check_in.actions.get(), actor=bob)
    with pytest.raises(ValidationError, match="actions are done"):
        check_in_delete(check_in=check_in, actor=alice)
    check_in_action_reopen(action=check_in.actions.get(), actor=bob)

    client = login(alice)
    url = reverse("check-in-delete", args=["acme", check_in.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'data-testid="confirm-delete"' in confirm.content.decode()
    assert CheckIn.objects.filter(pk=check_in.pk).exists()
    assert client.post(url).status_code == 302
    assert not CheckIn.objects.filter(pk=check_in.pk).exists()
    assert AuditEvent.objects.filter(action="check_in.delete", object_id=str(check_in.pk)).exists()


# --- visibility ---------------------------------------------------------------------------------


@pytest.fixture
def team(org_a, alice):
    """mia manages erin; nick is another manager; hannah is HR; bob a colleague."""

    def person(local, name, **kwargs):
        return MembershipFactory(
            org=org_a, user=UserFactory(email=f"{local}@acme.test", full_name=name), **kwargs
        )

    mia = person("mia", "Mia Manager", manager=alice)
    nick = person("nick", "Nick Next", manager=alice)
    erin = person("erin", "Erin Employee", manager=mia)
    return {"mia": mia, "nick": nick, "erin": erin}


def test_who_sees_a_persons_check_ins(team, alice, bob, hannah, charlie, client, api):
    mia, nick, erin = team["mia"], team["nick"], team["erin"]
    held_by_mia = record_check_in(erin, wins="With Mia")
    erin.manager = nick
    erin.save(update_fields=["manager"])
    held_by_nick = record_check_in(erin, wins="With Nick")

    def page(member, url):
        client.force_login(member.user)
        return client.get(url)

    list_url = reverse("check-in-list", args=["acme", erin.pk])
    expected = {
        "erin": {held_by_mia.pk, held_by_nick.pk},
        "nick": {held_by_mia.pk, held_by_nick.pk},  # the current manager: all of them
        "mia": {held_by_mia.pk},  # a former manager: the ones they held
        "hannah": {held_by_mia.pk, held_by_nick.pk},
        "alice": {held_by_mia.pk, held_by_nick.pk},  # org admin
    }
    people = {"erin": erin, "nick": nick, "mia": mia, "hannah": hannah, "alice": alice}
    for name, visible in expected.items():
        body = page(people[name], list_url).content.decode()
        shown = {c.pk for c in (held_by_mia, held_by_nick) if f"/check-ins/{c.pk}/" in body}
        assert shown == visible, name
        for c in (held_by_mia, held_by_nick):
            detail = page(people[name], reverse("check-in-detail", args=["acme", c.pk]))
            assert detail.status_code == (200 if c.pk in visible else 403), (name, c.pk)
        answer = api(people[name]).get(
            reverse("api:check-in-list", args=["acme"]), {"employee": erin.pk}
        )
        assert {row["id"] for row in answer.json()["results"]} == visible, name
    # A colleague, and the skip-level manager who is not an org admin, see nothing.
    assert page(bob, list_url).status_code == 403
    assert page(bob, reverse("check-in-detail", args=["acme", held_by_mia.pk])).status_code == 403
    answer = api(bob).get(reverse("api:check-in-list", args=["acme"]), {"employee": erin.pk})
    assert answer.json()["count"] == 0
    assert (
        api(bob).get(reverse("api:check-in-detail", args=["acme", held_by_mia.pk])).status_code
        == 403
    )
    # Another organisation: 404.
    assert page(charlie, list_url).status_code == 404
    assert (
        page(charlie, reverse("check-in-detail", args=["acme", held_by_mia.pk])).status_code == 404
    )
    # The former manager edits what they held; only the employee and its manager edit it.
    check_in_update(check_in=held_by_mia, actor=mia, **_fields(wins="Still mine"))
    with pytest.raises(PermissionDenied):
        check_in_update(check_in=held_by_nick, actor=mia, **_fields())


def test_the_review_window_shows_the_check_ins_held_in_it(alice, bob):
    today = TODAY()
    old = record_check_in(bob, held_on=today - datetime.timedelta(days=40))
    recent = record_check_in(bob, held_on=today - datetime.timedelta(days=5))
    window = check_ins_in_window(bob, today - datetime.timedelta(days=30), today, viewer=bob)
    assert [c.pk for c in window] == [recent.pk]
    both = check_ins_in_window(bob, today - datetime.timedelta(days=60), today, viewer=alice)
    assert [c.pk for c in both] == [old.pk, recent.pk]


# --- access: alice (admin and manager), bob (not allowed), charlie (another org) ----------------


@pytest.fixture
def daves(alice, dave):
    """A check-in of dave's (alice's report) with one open action, recorded by alice."""
    return record_check_in(dave, actions=[("Prepare the quarterly plan", dave)])


def _page_routes(check_in, dave):
    action = check_in.actions.get()
    return [
        ("GET", reverse("check-in-list", args=["acme", dave.pk]), 200),
        ("GET", reverse("check-in-create", args=["acme", dave.pk]), 200),
        ("GET", reverse("check-in-detail", args=["acme", check_in.pk]), 200),
        ("GET", reverse("check-in-edit", args=["acme", check_in.pk]), 200),
        ("GET", reverse("check-in-delete", args=["acme", check_in.pk]), 200),
        ("POST", reverse("check-in-action-done", args=["acme", action.pk]), 302),
        ("POST", reverse("check-in-action-reopen", args=["acme", action.pk]), 302),
    ]


def test_page_access_alice_bob_charlie(daves, dave, alice, bob, charlie, client):
    for person, expected in ((alice, None), (bob, 403), (charlie, 404)):
        client.force_login(person.user)
        for method, url, ok in _page_routes(daves, dave):
            answer = client.get(url) if method == "GET" else client.post(url)
            assert answer.status_code == (expected or ok), (person, url)
    for person in (alice, bob):
        client.force_login(person.user)
        assert client.get(reverse("my-actions", args=["acme"])).status_code == 200
    client.force_login(charlie.user)
    assert client.get(reverse("my-actions", args=["acme"])).status_code == 404


def test_api_access_alice_bob_charlie(daves, dave, alice, bob, charlie, api):
    action = daves.actions.get()
    routes = [
        ("get", reverse("api:check-in-list", args=["acme"]), None, 200, 200),
        ("get", reverse("api:check-in-detail", args=["acme", daves.pk]), None, 200, 403),
        (
            "patch",
            reverse("api:check-in-detail", args=["acme", daves.pk]),
            {"wins": "More"},
            200,
            403,
        ),
        ("get", reverse("api:check-in-action-list", args=["acme"]), None, 200, 200),
        ("get", reverse("api:check-in-action-detail", args=["acme", action.pk]), None, 200, 403),
        ("post", reverse("api:check-in-action-done", args=["acme", action.pk]), None, 200, 403),
        ("post", reverse("api:check-in-action-reopen", args=["acme", action.pk]), None, 200, 403),
        (
            "post",
            reverse("api:check-in-list", args=["acme"]),
            {"employee": dave.pk, "held_on": TODAY().isoformat()},
            201,
            403,
        ),
        ("delete", reverse("api:check-in-detail", args=["acme", daves.pk]), None, 204, 403),
    ]
    for method, url, body, alice_ok, bob_answer in routes:
        send = getattr(api(bob), method)
        assert (send(url, body, format="json") if body else send(url)).status_code == bob_answer, (
            url
        )
        send = getattr(api(charlie), method)
        assert (send(url, body, format="json") if body else send(url)).status_code == 404, url
        send = getattr(api(alice), method)
        answer = send(url, body, format="json") if body else send(url)
        assert answer.status_code == alice_ok, (url, answer.content[:300])
    # bob's lists hold nothing of dave's.
    assert api(bob).get(reverse("api:check-in-list", args=["acme"])).json()["count"] == 0


def test_the_api_answers_with_the_services_messages(alice, dave, api):
    answer = api(alice).post(
        reverse("api:check-in-list", args=["acme"]),
        {
            "employee": dave.pk,
            "held_on": (TODAY() + datetime.timedelta(days=3)).isoformat(),
            "actions": [{"description": "Call", "owner": alice.pk, "due_date": "2000-01-01"}],
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "cannot be after today" in str(answer.json()["held_on"])
    assert "cannot be before the check-in" in str(answer.json()["actions"])
    assert not CheckIn.objects.exists()


def test_an_api_edit_without_a_date_keeps_the_date_and_every_omitted_field(alice, dave, api):
    held_on = TODAY() - datetime.timedelta(days=2)
    check_in = record_check_in(dave, held_on=held_on, blockers="Legal", actions=[("Call", dave)])
    answer = api(alice).patch(
        reverse("api:check-in-detail", args=["acme", check_in.pk]), {"wins": "More"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["held_on"] == held_on.isoformat() and body["wins"] == "More"
    assert body["blockers"] == "Legal" and [a["description"] for a in body["actions"]] == ["Call"]


def test_the_schema_documents_the_edit_with_every_field_optional_and_no_default():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    patch = schema["paths"]["/api/v1/orgs/{org_slug}/check-ins/{id}/"]["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    edit = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "held_on" in edit["properties"] and not edit.get("required")
    assert not [name for name, field in edit["properties"].items() if "default" in field]
    create = schema["components"]["schemas"]["CheckInCreateRequest"]
    assert {"held_on", "employee"} <= set(create["required"])


# --- query counts ----------------------------------------------------------------------------


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_check_in_list_costs_the_same_at_two_sizes(alice, dave, draft, client, api, surface):
    item_pks = []  # dave has no agreement: check-ins without KRAs, but with actions
    if surface == "page":
        client.force_login(alice.user)
        url = reverse("check-in-list", args=["acme", dave.pk])
        caller = client
    else:
        url = reverse("api:check-in-list", args=["acme"]) + f"?employee={dave.pk}"
        caller = api(alice)

    def add(n):
        for i in range(n):
            record_check_in(
                dave, actions=[(f"Action {i}a", dave), (f"Action {i}b", alice)], kras=item_pks
            )

    add(2)
    small = _list_queries(caller, url)
    add(12)
    large = _list_queries(caller, url)
    assert large == small
    assert small <= 20


def test_my_actions_lists_what_i_own_at_a_fixed_cost(alice, dave, client):
    client.force_login(alice.user)
    url = reverse("my-actions", args=["acme"])
    record_check_in(dave, actions=[("Intro to CFO", alice)])
    small = _list_queries(client, url)
    for i in range(10):
        record_check_in(dave, actions=[(f"Call {i}", alice), (f"Own {i}", dave)])
    large = _list_queries(client, url)
    assert large == small
    body = client.get(url).content.decode()
    assert "Intro to CFO" in body and "Own 3" not in body


def test_empty_states(alice, dave, client):
    client.force_login(dave.user)
    body = client.get(reverse("check-in-list", args=["acme", dave.pk])).content.decode()
    assert 'data-testid="no-check-ins"' in body
    body = client.get(reverse("my-actions", args=["acme"])).content.decode()
    assert 'data-testid="no-actions"' in body
    client.force_login(alice.user)
    # alice has no manager: nobody to hold a check-in with.
    page = client.get(reverse("check-in-create", args=["acme", alice.pk]))
    assert page.status_code == 200 and 'data-testid="no-manager"' in page.content.decode()
    assert client.post(reverse("check-in-create", args=["acme", alice.pk])).status_code == 200
    assert not CheckIn.objects.exists()


# --- the review page -------------------------------------------------------------------------


def test_the_review_page_shows_the_check_ins_of_its_window(client, org_a, active, alice, bob):
    from .factories_reviews import make_cycle, make_review

    today = TODAY()
    item = active.items.order_by("id").first()
    inside = record_check_in(bob, kras=[item.pk], wins="Inside the window")
    outside = record_check_in(
        bob, held_on=today - datetime.timedelta(days=400), wins="Long before the window"
    )
    review = make_review(make_cycle(org_a), active)
    client.force_login(alice.user)
    body = client.get(reverse("review-detail", args=["acme", review.pk])).content.decode()
    assert 'data-testid="review-check-ins"' in body
    assert "Inside the window" in body and item.title in body
    assert reverse("check-in-detail", args=["acme", inside.pk]) in body
    assert "Long before the window" not in body
    assert outside.pk != inside.pk
