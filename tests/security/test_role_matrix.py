"""Who may do each sensitive thing, on the page and over the API alike.

The personas are those of tests/security/populate.py: a plain employee, the manager of
another branch (heads Engineering, has a report there), the target's own manager (heads
Sales), HR, the org admin, and platform staff who are not members of the organisation (they
get 404 like any outsider: staff work in the Django admin). ``MATRIX`` is the expected answer
for each (action, persona); a refused request must change no row and schedule no task, an
accepted write must change something, so that each row is known to exercise its action.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import OrgRole
from orgs.services import api_token_create
from tests.factories import UserFactory

from .populate import PopulatedOrg, diff_snapshots, populate_org, snapshot

pytestmark = pytest.mark.django_db

PERSONAS = ("employee", "other_manager", "manager", "hr", "admin", "staff")
OK = "ok"  # the action's own success answer (Action.page_ok / Action.api_ok)

# fmt: off
MATRIX: dict[str, tuple] = {
    #                                employee other_mgr manager hr   admin staff
    "view the organisation":         (OK,     OK,       OK,     OK,  OK,   404),
    "view the member directory":     (OK,     OK,       OK,     OK,  OK,   404),
    "change the org profile":        (403,    403,      403,    403, OK,   404),
    "add an objective":              (403,    403,      403,    403, OK,   404),
    "edit an objective":             (403,    403,      403,    403, OK,   404),
    "add a department":              (403,    403,      403,    403, OK,   404),
    "move a department":             (403,    403,      403,    403, OK,   404),
    "delete a department":           (403,    403,      403,    403, OK,   404),
    "change a member's role/manager": (403,   403,      403,    403, OK,   404),
    "deactivate a member":           (403,    403,      403,    403, OK,   404),
    "invite someone":                (403,    403,      403,    403, OK,   404),
    "import the org chart":          (403,    403,      403,    403, OK,   404),
    "read the audit trail":          (403,    403,      403,    403, OK,   404),
    "send a member a sign-in link":  (403,    403,      403,    403, OK,   404),
    "send every sign-in link":       (403,    403,      403,    403, OK,   404),
    # Tokens are personal: not even an org admin reaches someone else's.
    "revoke someone else's token":   (404,    404,      404,    404, 404,  404),
}
# fmt: on

Request = Callable[[Client, PopulatedOrg], object]


@dataclass(frozen=True)
class Action:
    page: Request
    api: Request
    page_ok: int
    api_ok: int
    #: Whether success changes rows (reads and personal actions do not).
    writes: bool = True


def _post(name: str, kwargs: Callable[[PopulatedOrg], dict] = lambda o: {}, body=None):
    def request(client, o):
        return client.post(
            reverse(name, kwargs={"org_slug": o.slug, **kwargs(o)}), body(o) if body else {}
        )

    return request


def _get(name: str):
    return lambda client, o: client.get(reverse(name, kwargs={"org_slug": o.slug}))


def _api(method: str, name: str, kwargs: Callable[[PopulatedOrg], dict] = lambda o: {}, body=None):
    def request(client, o):
        url = reverse(name, kwargs={"org_slug": o.slug, **kwargs(o)})
        send = getattr(client, method.lower())
        return send(url, body(o), format="json") if body else send(url)

    return request


def _chart(o: PopulatedOrg) -> SimpleUploadedFile:
    rows = (
        f"email,full_name,manager_email\nnew.hire@{o.slug}.test,New Hire,{o.manager.user.email}\n"
    )
    return SimpleUploadedFile("chart.csv", rows.encode(), content_type="text/csv")


def _import_page(client, o):
    """Upload, then confirm the preview: the two steps of the page."""
    url = reverse("org-chart-import", kwargs={"org_slug": o.slug})
    preview = client.post(url, {"file": _chart(o)})
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode())
    if preview.status_code != 200 or digest is None:
        return preview
    return client.post(url, {"digest": digest[1]})


def _import_api(client, o):
    url = reverse("api:org-chart-import", kwargs={"org_slug": o.slug})
    return client.post(url, {"file": _chart(o), "dry_run": "false"}, format="multipart")


def _profile(o):
    return {
        "name": o.org.name,
        "mission": "A new mission",
        "vision": o.org.vision,
        "values": o.org.values,
        "strategy_summary": o.org.strategy_summary,
        "fiscal_year_start_month": 4,
        "timezone": "UTC",
    }


def _member_edit(o):
    t = o.target
    return {
        "role": OrgRole.HR,
        "department": t.department_id,
        "manager": o.other_manager.pk,
        "job_title": t.job_title,
        "employee_id": t.employee_id,
        "start_date": t.start_date.isoformat(),
    }


def _target(o):
    return {"pk": o.target.pk}


ACTIONS: dict[str, Action] = {
    "view the organisation": Action(
        page=_get("org-home"),
        api=_api("GET", "api:organization"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "view the member directory": Action(
        page=_get("member-list"),
        api=_api("GET", "api:member-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "change the org profile": Action(
        page=_post("org-settings", body=_profile),
        api=_api("PATCH", "api:organization", body=lambda o: {"mission": "A new mission"}),
        page_ok=302,
        api_ok=200,
    ),
    "add an objective": Action(
        page=_post("objective-create", body=lambda o: {"title": "Enter Japan", "horizon_years": 2}),
        api=_api(
            "POST",
            "api:objective-list",
            body=lambda o: {"title": "Enter Japan", "horizon_years": 2},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit an objective": Action(
        page=_post(
            "objective-edit",
            lambda o: {"pk": o.objective.pk},
            lambda o: {"title": "Edited", "description": "", "horizon_years": 1},
        ),
        api=_api(
            "PATCH",
            "api:objective-detail",
            lambda o: {"pk": o.objective.pk},
            lambda o: {"title": "Edited"},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "add a department": Action(
        page=_post(
            "department-create",
            body=lambda o: {"name": "Legal", "parent": o.root.pk, "head": o.hr.pk},
        ),
        api=_api(
            "POST",
            "api:department-list",
            body=lambda o: {"name": "Legal", "parent": o.root.pk, "head": o.hr.pk},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "move a department": Action(
        page=_post(
            "department-edit",
            lambda o: {"pk": o.inside_sales.pk},
            lambda o: {"name": o.inside_sales.name, "parent": o.engineering.pk, "head": ""},
        ),
        api=_api(
            "PATCH",
            "api:department-detail",
            lambda o: {"pk": o.inside_sales.pk},
            lambda o: {"parent": o.engineering.pk},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "delete a department": Action(
        page=_post("department-delete", lambda o: {"pk": o.empty_department.pk}),
        api=_api("DELETE", "api:department-detail", lambda o: {"pk": o.empty_department.pk}),
        page_ok=302,
        api_ok=204,
    ),
    "change a member's role/manager": Action(
        page=_post("member-edit", _target, _member_edit),
        api=_api(
            "PATCH",
            "api:member-detail",
            _target,
            lambda o: {"role": OrgRole.HR, "manager": o.other_manager.pk},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "deactivate a member": Action(
        page=_post("member-deactivate", _target),
        api=_api("POST", "api:member-deactivate", _target),
        page_ok=302,
        api_ok=200,
    ),
    "invite someone": Action(
        page=_post(
            "invitation-create", body=lambda o: {"email": "newbie@else.test", "role": "member"}
        ),
        api=_api(
            "POST",
            "api:invitation-list",
            body=lambda o: {"email": "newbie@else.test", "role": "member"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "import the org chart": Action(page=_import_page, api=_import_api, page_ok=200, api_ok=200),
    "read the audit trail": Action(
        page=_get("audit-list"),
        api=_api("GET", "api:audit-event-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "send a member a sign-in link": Action(
        page=_post("member-sign-in-link", lambda o: {"pk": o.never_signed_in.pk}),
        api=_api("POST", "api:member-send-sign-in-link", lambda o: {"pk": o.never_signed_in.pk}),
        page_ok=302,
        api_ok=200,
    ),
    "send every sign-in link": Action(
        page=_post("members-sign-in-links"),
        api=_api("POST", "api:member-send-sign-in-links"),
        page_ok=302,
        api_ok=200,
    ),
    "revoke someone else's token": Action(
        page=_post("api-token-revoke", lambda o: {"pk": o.target_token.pk}),
        api=_api("POST", "api:api-token-revoke", lambda o: {"pk": o.target_token.pk}),
        page_ok=302,
        api_ok=200,
    ),
}


def test_the_matrix_covers_every_action():
    assert set(MATRIX) == set(ACTIONS)
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())


CASES = [
    pytest.param(action, persona, surface, id=f"{action}-{persona}-{surface}")
    for action in MATRIX
    for persona in PERSONAS
    for surface in ("page", "api")
]


@pytest.fixture
def org(db) -> PopulatedOrg:
    return populate_org(slug="acme", marker="Acme")


def _client(org: PopulatedOrg, persona: str, surface: str):
    if persona == "staff":
        user = UserFactory(email="staff@platform.test", is_staff=True, is_superuser=True)
        client = Client() if surface == "page" else APIClient()
        client.force_login(user)
        return client
    member = getattr(org, persona)
    if surface == "page":
        client = Client()
        client.force_login(member.user)
        return client
    _token, raw = api_token_create(member=member, name="role matrix")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize(("action", "persona", "surface"), CASES)
def test_role_matrix(org, action, persona, surface, django_capture_on_commit_callbacks):
    spec = ACTIONS[action]
    expected = MATRIX[action][PERSONAS.index(persona)]
    ok = spec.page_ok if surface == "page" else spec.api_ok
    client = _client(org, persona, surface)
    # The session and token were made above; from here on only the action may write.
    ignore = ("last_used_at", "last_login")
    before = snapshot(org.org, ignore=ignore)

    with django_capture_on_commit_callbacks() as scheduled:
        response = (spec.page if surface == "page" else spec.api)(client, org)

    changes = diff_snapshots(before, snapshot(org.org, ignore=ignore))
    if expected == OK:
        assert response.status_code == ok, response.content[:500]
        if spec.writes:
            assert changes, f"{action} answered {ok} but changed nothing"
    else:
        assert response.status_code == expected, response.content[:500]
        assert not changes, changes
        assert not scheduled, "a refused request scheduled a task"
