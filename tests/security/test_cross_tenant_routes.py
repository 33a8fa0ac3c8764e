"""Every route and every API operation, called by the org admin of A against organisation B.

The URLconf and the OpenAPI schema are enumerated; each tenant route must have an entry in
ROUTES saying how to call it (which of B's objects go in the URL, what body a write sends,
which bodies point at B's objects), and each route that is not a tenant route must be in
NOT_TENANT with the reason. A route or operation added without either fails
``test_every_route_has_a_cross_tenant_case`` / ``test_every_api_operation_has_a_cross_tenant_case``
until it gets one, so the checks below cover it from its first day:

- B's ids under A's slug: 404 (never 403, never B's data, never 500), B unchanged.
- B's slug, with B's ids and with A's: 404, nothing changed anywhere.
- A's own pages and answers (lists, details, forms with their choices) hold nothing of B.
- Writes whose body points at B's objects are refused and change nothing; the same writes
  pointing at A's objects are accepted, so the refusal is the reference's doing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from kpis.models import KPI
from kras.models import KRA, KRATemplate, StrategicObjective
from orgs.models import (
    ApiToken,
    AuditEvent,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
)
from orgs.services import api_token_create
from roles.models import AreaOfFocus, Responsibility, Role, RoleAssignment

from .populate import (
    PopulatedOrg,
    add_member_of_both,
    diff_snapshots,
    populate_org,
    snapshot,
    tenant_models,
)

pytestmark = pytest.mark.django_db

Body = Callable[[PopulatedOrg], dict]
RefBody = Callable[[PopulatedOrg, PopulatedOrg], dict]


@dataclass(frozen=True)
class Case:
    """How one tenant route is called.

    ``kwargs(org)`` gives the URL's ids from one populated organisation (A's for A's calls,
    B's for the cross-tenant ones). ``body(a)`` is a valid write from A's side, sent with B's
    ids in the URL: were the lookup not scoped, it would change B. ``refs[method]`` are bodies
    ``ref(caller, other)`` that name ``other``'s objects; with other=B they must be refused,
    with other=A accepted. A write method without refs says why in ``no_refs``.
    """

    methods: tuple[str, ...]
    kwargs: Callable[[PopulatedOrg], dict] = lambda o: {}
    body: Body | None = None
    refs: dict[str, tuple[RefBody, ...]] = field(default_factory=dict)
    no_refs: str = ""
    #: What the ``id`` of a JSON answer is (API routes).
    kind: str | None = None
    #: Query strings for A's own GETs.
    queries: tuple[Body, ...] = (lambda o: {},)
    #: Query strings naming B's objects, sent with A's slug and ids.
    b_queries: tuple[Body, ...] = ()
    multipart: bool = False
    #: Why B's ids in this route's URL are a filter answered 200 (with nothing of B), not 404.
    filter_not_lookup: str = ""


def _csv(rows: list[str]) -> SimpleUploadedFile:
    content = "\n".join(["email,full_name,manager_email", *rows]) + "\n"
    return SimpleUploadedFile("chart.csv", content.encode(), content_type="text/csv")


def _import_body(caller: PopulatedOrg, other: PopulatedOrg) -> dict:
    # A new person reporting to ``other``'s manager.
    email = f"new.{other.slug}.{caller.slug}@{caller.slug}.test"
    return {"file": _csv([f"{email},New Person,{other.manager.user.email}"])}


def _api_import_body(caller: PopulatedOrg, other: PopulatedOrg) -> dict:
    return {**_import_body(caller, other), "dry_run": "false"}


def _page_member_body(a: PopulatedOrg) -> dict:
    target = a.target
    return {
        "role": target.role,
        "department": target.department_id or "",
        "manager": target.manager_id or "",
        "job_title": "Changed by A",
        "employee_id": target.employee_id,
        "start_date": target.start_date.isoformat() if target.start_date else "",
    }


_PAGE_MEMBER_REFS: tuple[RefBody, ...] = (
    lambda c, o: {**_page_member_body(c), "manager": o.manager.pk},
    lambda c, o: {**_page_member_body(c), "department": o.engineering.pk},
)


# Names and addresses that must be new on every call.
_serial = iter(range(1, 100_000))


def _new_email(caller: PopulatedOrg) -> str:
    return f"invitee{next(_serial)}@{caller.slug}.test"


def _profile(a: PopulatedOrg) -> dict:
    return {
        "name": "Renamed by A",
        "mission": "m",
        "vision": "v",
        "values": "",
        "strategy_summary": "",
        "fiscal_year_start_month": 1,
        "timezone": "UTC",
    }


def _department_refs() -> tuple[RefBody, ...]:
    return (
        lambda c, o: {"name": f"Moved {next(_serial)}", "parent": o.sales.pk, "head": ""},
        lambda c, o: {"name": f"Headed {next(_serial)}", "parent": "", "head": o.manager.pk},
    )


def _api_department_refs(*, named: bool) -> tuple[RefBody, ...]:
    def name() -> dict:
        return {"name": f"Department {next(_serial)}"} if named else {}

    return (
        lambda c, o: {**name(), "parent": o.sales.pk},
        lambda c, o: {**name(), "head": o.manager.pk},
    )


def _invitation_refs() -> tuple[RefBody, ...]:
    return (
        lambda c, o: {"email": _new_email(c), "role": "member", "department": o.sales.pk},
        lambda c, o: {"email": _new_email(c), "role": "member", "manager": o.manager.pk},
    )


def _objective(a: PopulatedOrg) -> dict:
    return {"title": "Changed by A", "description": "", "horizon_years": 2}


NO_OBJECT = "the body names no object of the organisation"

ROUTES: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "org-home": Case(methods=("GET",)),
    "inbox": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"page": 2})),
    "inbox-read-all": Case(methods=("POST",), no_refs="no body"),
    "notification-open": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.admin_notification.pk},
        no_refs="no body",
    ),
    "api-token-list": Case(
        methods=("GET", "POST"),
        body=lambda a: {"name": "made by A", "ttl_days": 30},
        no_refs=NO_OBJECT,
    ),
    "api-token-revoke": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.admin_token.pk}, no_refs="no body"
    ),
    "org-settings": Case(methods=("GET", "POST"), body=_profile, no_refs=NO_OBJECT),
    "audit-list": Case(methods=("GET",)),
    "audit-object": Case(
        methods=("GET",),
        kwargs=lambda o: {"object_type": "orgs.department", "object_id": o.sales.pk},
        filter_not_lookup="the trail of an object outlives it (deleted objects keep their "
        "history), so the page filters A's trail by type and id instead of fetching an object",
    ),
    "department-list": Case(methods=("GET",)),
    "department-create": Case(
        methods=("GET", "POST"),
        body=lambda a: {"name": "Made by A", "parent": "", "head": ""},
        refs={"POST": _department_refs()},
    ),
    "department-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.empty_department.pk},
        body=lambda a: {"name": "Renamed by A", "parent": "", "head": ""},
        refs={"POST": _department_refs()},
    ),
    "department-delete": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.empty_department.pk},
        no_refs="no body",
    ),
    "member-list": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"inactive": "1"},
            lambda o: {"q": o.marker},
            lambda o: {"department": o.sales.pk},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "member-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.target.pk},
        body=_page_member_body,
        refs={"POST": _PAGE_MEMBER_REFS},
    ),
    "member-deactivate": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.target.pk}, no_refs="no body"
    ),
    "member-reactivate": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.leaver.pk}, no_refs="no body"
    ),
    "member-sign-in-link": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.never_signed_in.pk}, no_refs="no body"
    ),
    "members-sign-in-links": Case(methods=("POST",), no_refs="no body"),
    "invitation-list": Case(methods=("GET",)),
    "invitation-create": Case(
        methods=("GET", "POST"),
        body=lambda a: {"email": _new_email(a), "role": "member"},
        refs={"POST": _invitation_refs()},
    ),
    "invitation-revoke": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.pending_invitation.pk}, no_refs="no body"
    ),
    "org-chart-import": Case(
        methods=("GET", "POST"),
        queries=(lambda o: {}, lambda o: {"example": "1"}),
        body=lambda a: _import_body(a, a),
        refs={"POST": (_import_body,)},
        multipart=True,
    ),
    "objective-list": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"retired": "1"})),
    "objective-create": Case(methods=("GET", "POST"), body=_objective, no_refs=NO_OBJECT),
    "objective-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.objective.pk},
        body=_objective,
        no_refs=NO_OBJECT,
    ),
    "objective-retire": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.objective.pk}, no_refs="no body"
    ),
    "objective-move": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.second_objective.pk},
        body=lambda a: {"direction": "up"},
        no_refs=NO_OBJECT,
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:organization": Case(
        methods=("GET", "PUT", "PATCH"),
        kind="organization",
        body=_profile,
        no_refs=NO_OBJECT,
    ),
    "api:org-chart-import": Case(
        methods=("POST",),
        body=lambda a: _api_import_body(a, a),
        refs={"POST": (_api_import_body,)},
        multipart=True,
    ),
    "api:department-list": Case(
        methods=("GET", "POST"),
        kind="department",
        body=lambda a: {"name": "Made by A"},
        refs={"POST": _api_department_refs(named=True)},
    ),
    "api:department-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="department",
        kwargs=lambda o: {"pk": o.empty_department.pk},
        body=lambda a: {"name": "Renamed by A"},
        refs={
            "PUT": _api_department_refs(named=True),
            "PATCH": _api_department_refs(named=False),
        },
        no_refs="DELETE has no body",
    ),
    "api:member-list": Case(
        methods=("GET",),
        kind="member",
        queries=(
            lambda o: {},
            lambda o: {"inactive": "1"},
            lambda o: {"q": o.marker},
            lambda o: {"department": o.sales.pk},
        ),
        b_queries=(lambda b: {"department": b.sales.pk}, lambda b: {"q": b.marker}),
    ),
    "api:member-send-sign-in-links": Case(methods=("POST",), no_refs="no body"),
    "api:member-detail": Case(
        methods=("GET", "PATCH"),
        kind="member",
        kwargs=lambda o: {"pk": o.target.pk},
        body=lambda a: {"job_title": "Changed by A"},
        refs={
            "PATCH": (
                lambda c, o: {"manager": o.manager.pk},
                lambda c, o: {"department": o.engineering.pk},
            )
        },
    ),
    "api:member-deactivate": Case(
        methods=("POST",), kind="member", kwargs=lambda o: {"pk": o.target.pk}, no_refs="no body"
    ),
    "api:member-reactivate": Case(
        methods=("POST",), kind="member", kwargs=lambda o: {"pk": o.leaver.pk}, no_refs="no body"
    ),
    "api:member-send-sign-in-link": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.never_signed_in.pk}, no_refs="no body"
    ),
    "api:invitation-list": Case(
        methods=("GET", "POST"),
        kind="invitation",
        body=lambda a: {"email": _new_email(a), "role": "member"},
        refs={"POST": _invitation_refs()},
    ),
    "api:invitation-detail": Case(
        methods=("GET",), kind="invitation", kwargs=lambda o: {"pk": o.pending_invitation.pk}
    ),
    "api:invitation-revoke": Case(
        methods=("POST",),
        kind="invitation",
        kwargs=lambda o: {"pk": o.pending_invitation.pk},
        no_refs="no body",
    ),
    "api:audit-event-list": Case(
        methods=("GET",),
        kind="audit_event",
        queries=(
            lambda o: {},
            lambda o: {"object_type": "orgs.department", "object_id": o.sales.pk},
        ),
        b_queries=(lambda b: {"object_type": "orgs.department", "object_id": b.sales.pk},),
    ),
    "api:notification-list": Case(
        methods=("GET",),
        kind="notification",
        queries=(lambda o: {}, lambda o: {"unread": "1"}),
    ),
    "api:notification-detail": Case(
        methods=("GET",), kind="notification", kwargs=lambda o: {"pk": o.admin_notification.pk}
    ),
    "api:notification-read": Case(
        methods=("POST",),
        kind="notification",
        kwargs=lambda o: {"pk": o.admin_notification.pk},
        no_refs="no body",
    ),
    "api:api-token-list": Case(
        methods=("GET", "POST"),
        kind="api_token",
        body=lambda a: {"name": "made by A", "ttl_days": 30},
        no_refs=NO_OBJECT,
    ),
    "api:api-token-detail": Case(
        methods=("GET",), kind="api_token", kwargs=lambda o: {"pk": o.admin_token.pk}
    ),
    "api:api-token-revoke": Case(
        methods=("POST",),
        kind="api_token",
        kwargs=lambda o: {"pk": o.admin_token.pk},
        no_refs="no body",
    ),
    "api:objective-list": Case(
        methods=("GET", "POST"),
        kind="objective",
        queries=(lambda o: {}, lambda o: {"status": "retired"}),
        body=lambda a: {"title": "Made by A", "horizon_years": 1},
        no_refs=NO_OBJECT,
    ),
    "api:objective-detail": Case(
        methods=("GET", "PUT", "PATCH"),
        kind="objective",
        kwargs=lambda o: {"pk": o.objective.pk},
        body=_objective,
        no_refs=NO_OBJECT,
    ),
    "api:objective-move": Case(
        methods=("POST",),
        kind="objective",
        kwargs=lambda o: {"pk": o.second_objective.pk},
        body=lambda a: {"direction": "up"},
        no_refs=NO_OBJECT,
    ),
    "api:objective-restore": Case(
        methods=("POST",),
        kind="objective",
        kwargs=lambda o: {"pk": o.retired_objective.pk},
        no_refs="no body",
    ),
    "api:objective-retire": Case(
        methods=("POST",),
        kind="objective",
        kwargs=lambda o: {"pk": o.objective.pk},
        no_refs="no body",
    ),
}

#: Routes outside any organisation, by name (or by pattern when unnamed), with the reason.
NOT_TENANT: dict[str, str] = {
    "": "redirects to the organisation picker",
    "login": "signing in happens before any organisation is chosen",
    "logout": "ends the person's session, whatever the organisation",
    "password_change": "the person's own account, shared by all their organisations",
    "password_change_done": "the person's own account",
    "password_reset": "account recovery by email, before any organisation is chosen",
    "password_reset_done": "account recovery",
    "password_reset_confirm": "account recovery through a one-time link",
    "password_reset_complete": "account recovery",
    "invitation-accept": "opened by the invitee through a one-time secret link, before they are "
    "a member; the secret, not the organisation, is the key",
    "org-picker": "lists the caller's own memberships (checked below to show nothing of B)",
    "api-schema": "the OpenAPI document, the same for everyone",
    "api-docs": "the Swagger UI page for the OpenAPI document",
    "api:auth-token": "exchanges an email, a password and an organisation slug for a token; "
    "the organisation is in the body and a non-member gets the wrong-password answer",
}

#: Whole namespaces outside any organisation.
NOT_TENANT_NAMESPACES = {
    "admin": "the Django admin is for platform staff, who manage every organisation there",
}

KINDS = {
    "organization": Organization,
    "department": Department,
    "member": Membership,
    "invitation": Invitation,
    "notification": Notification,
    "api_token": ApiToken,
    "audit_event": AuditEvent,
    "objective": StrategicObjective,
    "role": Role,
    "area_of_focus": AreaOfFocus,
    "responsibility": Responsibility,
    "role_assignment": RoleAssignment,
    "kra": KRA,
    "kpi": KPI,
    "kra_template": KRATemplate,
}
#: Form selects whose numbers are not ids.
NOT_REFERENCES = {"fiscal_year_start_month", "horizon_years"}
#: Foreign keys in JSON answers and form selects, and what they point at (a string value,
#: such as a member's org ``role``, is not a key and is left alone).
REFERENCE_KEYS = {
    "parent": "department",
    "department": "department",
    "head": "member",
    "manager": "member",
    "invited_by": "member",
    "recipient": "member",
    "owner": "member",
    "member": "member",
    "objective": "objective",
    "role": "role",
    "reports_to": "role",
    "area_of_focus": "area_of_focus",
    "area": "area_of_focus",
    "kra": "kra",
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# --- Enumeration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    namespace: str
    pattern: str
    kwargs: frozenset[str]
    callback: Callable

    @property
    def is_api(self) -> bool:
        return self.key.startswith("api:")

    def drf_methods(self) -> set[str] | None:
        """The methods a DRF view serves, or None for a plain Django view."""
        cls = getattr(self.callback, "cls", None)
        if cls is None:
            return None
        allowed = {m.upper() for m in cls.http_method_names} - {"OPTIONS", "HEAD", "TRACE"}
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            return {m.upper() for m in actions} & allowed
        return {m for m in allowed if hasattr(cls, m.lower())}


def all_routes() -> list[Route]:
    """Every URL pattern of the project, walked through every include."""
    routes: dict[tuple[str, str], Route] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
                kwargs |= set(re.findall(r"\(\?P<(\w+)>", pattern))
                route = Route(
                    key=name if name is not None else pattern,
                    namespace=namespace,
                    pattern=pattern,
                    kwargs=frozenset(kwargs),
                    callback=p.callback,
                )
                routes.setdefault((route.key, pattern), route)

    walk(get_resolver().url_patterns, "", "")
    return list(routes.values())


def api_operations() -> list[tuple[str, str, dict]]:
    """(METHOD, path, operation) of every operation in the project's OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _route_of_operation(path: str) -> str:
    sample = re.sub(r"\{org_slug\}", "some-org", path)
    sample = re.sub(r"\{\w+\}", "1", sample)
    match = resolve(sample)
    return match.view_name


def test_every_route_has_a_cross_tenant_case():
    problems = []
    seen = set()
    for route in all_routes():
        seen.add(route.key)
        if route.namespace.split(":")[0] in NOT_TENANT_NAMESPACES:
            continue
        if route.key in NOT_TENANT:
            if "org_slug" in route.kwargs:
                problems.append(
                    f"{route.key} ({route.pattern}) is a tenant route: move it "
                    "from NOT_TENANT to ROUTES"
                )
            continue
        case = ROUTES.get(route.key)
        if case is None:
            problems.append(
                f"new route {route.key} ({route.pattern}) has no cross-tenant case: add one to "
                "ROUTES (or to NOT_TENANT with the reason, if it is outside any organisation)"
            )
            continue
        if "org_slug" not in route.kwargs:
            problems.append(f"{route.key} ({route.pattern}) has no org slug: is it a tenant route?")
        served = route.drf_methods()
        if served is not None and served != set(case.methods):
            problems.append(
                f"{route.key} serves {sorted(served)} but ROUTES lists {sorted(case.methods)}"
            )
        for method in case.methods:
            if method != "GET" and method not in case.refs and not case.no_refs:
                problems.append(
                    f"{route.key} {method} takes a body: list in refs the bodies that point at "
                    "another organisation's objects, or say in no_refs why there are none"
                )
        if case.multipart and route.is_api and not any(m in case.methods for m in ("POST",)):
            problems.append(f"{route.key} is multipart but takes no POST")
    for key in [*ROUTES, *NOT_TENANT]:
        if key not in seen:
            problems.append(f"{key} is in the table but is no longer a route: remove it")
    assert not problems, "\n".join(problems)


def test_every_api_operation_has_a_cross_tenant_case():
    problems = []
    documented: dict[str, set[str]] = {}
    for method, path, operation in api_operations():
        key = _route_of_operation(path)
        documented.setdefault(key, set()).add(method)
        if key in NOT_TENANT:
            continue
        case = ROUTES.get(key)
        if case is None or method not in case.methods:
            problems.append(
                f"new operation {method} {path} ({key}) has no cross-tenant case: add one to ROUTES"
            )
        if "404" not in operation["responses"]:
            problems.append(
                f"{method} {path} does not document its 404 (another organisation's id): "
                "decorate its view with orgs.api.schema.documents_tenant_errors"
            )
    for key, case in ROUTES.items():
        if key.startswith("api:"):
            missing = set(case.methods) - documented.get(key, set())
            if missing:
                problems.append(f"{key} {sorted(missing)} is served but not in the OpenAPI schema")
    assert not problems, "\n".join(problems)


# --- Two populated organisations and A's admin -----------------------------------------------


@dataclass
class World:
    a: PopulatedOrg
    b: PopulatedOrg
    dual_in_a: Membership
    dual_in_b: Membership
    pages: Client
    api_token: APIClient
    api_session: APIClient

    def client(self, key: str, api_auth: str = "token"):
        if not key.startswith("api:"):
            return self.pages
        return self.api_token if api_auth == "token" else self.api_session


@pytest.fixture
def world(db) -> World:
    a = populate_org(slug="acme", marker="Acme")
    b = populate_org(slug="globex", marker="Globex")
    dual_in_a, dual_in_b = add_member_of_both(a, b)

    pages = Client(raise_request_exception=False)
    pages.force_login(a.admin.user)
    _token, raw = api_token_create(member=a.admin, name="cross-tenant test")
    api_token = APIClient()
    api_token.raise_request_exception = False
    api_token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_session = APIClient()
    api_session.raise_request_exception = False
    api_session.force_login(a.admin.user)
    return World(a, b, dual_in_a, dual_in_b, pages, api_token, api_session)


def test_both_organisations_have_rows_in_every_tenant_table(world):
    # A tenant table that populate.py leaves empty would be checked by nothing below.
    empty = [
        model._meta.label
        for model in tenant_models()
        for org in (world.a.org, world.b.org)
        if not model._default_manager.filter(org=org).exists()
    ]
    assert not empty, f"populate.py creates no rows in {sorted(set(empty))}: add some"


def _call(client, key, case, method, *, slug, kwargs, body=None, query=None):
    url = reverse(key, kwargs={"org_slug": slug, **kwargs})
    if method == "GET":
        return client.get(url, query or {})
    if key.startswith("api:"):
        send = getattr(client, method.lower())
        if body is None:
            return send(url)
        return send(url, body, format="multipart" if case.multipart else "json")
    return client.post(url, body or {})


def _methods(key: str, case: Case) -> tuple[str, ...]:
    # Pages are tried with both: a method a page does not serve must not open it either.
    return case.methods if key.startswith("api:") else ("GET", "POST")


def _describe(response) -> str:
    text = response.content[:300].decode(errors="replace")
    exc = getattr(response, "exc_info", None)
    if exc:
        text = f"{exc[0].__name__}: {exc[1]}"
    return f"{response.status_code} {text!r}"


def _nothing_of(org: PopulatedOrg, response) -> str | None:
    """Why the answer shows something of ``org``, or None."""
    body = response.content.decode(errors="replace").lower()
    if org.marker.lower() in body or org.slug in body:
        index = max(body.find(org.marker.lower()), body.find(org.slug))
        return f"shows {org.marker}'s data: …{body[max(0, index - 80) : index + 80]}…"
    return None


def _expected_for_b_ids(key: str, case: Case, method: str) -> set[int]:
    served = key.startswith("api:") or method in case.methods
    found = {200} if case.filter_not_lookup else {404}
    return found if served else found | {405}


@pytest.mark.parametrize("api_auth", ["token", "session"])
def test_b_ids_under_a_slug_answer_404_and_change_nothing(world, api_auth):
    a, b = world.a, world.b
    before = snapshot(b.org)
    problems = []
    for key, case in ROUTES.items():
        if not case.kwargs(b) and not case.b_queries:
            continue
        client = world.client(key, api_auth)
        if case.kwargs(b):
            for method in _methods(key, case):
                body = case.body(a) if case.body and method != "GET" else None
                response = _call(
                    client, key, case, method, slug=a.slug, kwargs=case.kwargs(b), body=body
                )
                expected = _expected_for_b_ids(key, case, method)
                if response.status_code not in expected:
                    problems.append(
                        f"{method} {key} with B's ids: expected {sorted(expected)}, got "
                        f"{_describe(response)}"
                    )
                elif leak := _nothing_of(b, response):
                    problems.append(f"{method} {key} with B's ids {leak}")
        for query in case.b_queries:
            response = _call(
                client, key, case, "GET", slug=a.slug, kwargs=case.kwargs(a), query=query(b)
            )
            # The page looks the department up (404); the API filters by it (an empty list).
            expected = {200} if key.startswith("api:") else {404}
            if response.status_code not in expected:
                problems.append(
                    f"GET {key}?{query(b)} naming B's objects: expected {sorted(expected)}, got "
                    f"{_describe(response)}"
                )
            elif leak := _nothing_of(b, response):
                problems.append(f"GET {key}?{query(b)} {leak}")
            elif key.startswith("api:") and response.json().get("count") != 0:
                problems.append(f"GET {key}?{query(b)} listed rows: {response.json()}")
    assert not problems, "\n".join(problems)
    assert not diff_snapshots(before, snapshot(b.org)), diff_snapshots(before, snapshot(b.org))


@pytest.mark.parametrize("api_auth", ["token", "session"])
def test_b_slug_answers_404_everywhere_and_changes_nothing(world, api_auth):
    a, b = world.a, world.b
    before_a = snapshot(a.org, ignore=("last_used_at",))
    before_b = snapshot(b.org)
    problems = []
    for key, case in ROUTES.items():
        client = world.client(key, api_auth)
        methods = _methods(key, case) + (("OPTIONS",) if key.startswith("api:") else ())
        for whose, side in (("B's", b), ("A's", a)):
            if whose == "A's" and not case.kwargs(a):
                continue
            for method in methods:
                body = case.body(a) if case.body and method not in ("GET", "OPTIONS") else None
                response = _call(
                    client, key, case, method, slug=b.slug, kwargs=case.kwargs(side), body=body
                )
                expected = {404} if key.startswith("api:") or method in case.methods else {404, 405}
                if response.status_code not in expected:
                    problems.append(
                        f"{method} {key} with B's slug and {whose} ids: expected "
                        f"{sorted(expected)}, got {_describe(response)}"
                    )
                elif leak := _nothing_of(b, response):
                    problems.append(f"{method} {key} with B's slug {leak}")
    assert not problems, "\n".join(problems)
    assert not diff_snapshots(before_b, snapshot(b.org))
    assert not diff_snapshots(before_a, snapshot(a.org, ignore=("last_used_at",)))


def test_a_token_of_a_person_in_both_organisations_opens_nothing_of_b(world):
    """Dana belongs to A and B. Her token is for A: B's slug must not take it."""
    b = world.b
    _token, raw = api_token_create(member=world.dual_in_a, name="A only")
    client = APIClient()
    client.raise_request_exception = False
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = snapshot(b.org)
    problems = []
    for key, case in ROUTES.items():
        if not key.startswith("api:"):
            continue
        for method in case.methods:
            body = case.body(b) if case.body and method != "GET" else None
            response = _call(
                client, key, case, method, slug=b.slug, kwargs=case.kwargs(b), body=body
            )
            if response.status_code != 404:
                problems.append(f"{method} {key} on B with A's token: {_describe(response)}")
    assert not problems, "\n".join(problems)
    assert not diff_snapshots(before, snapshot(b.org))


# --- A's own pages and answers -----------------------------------------------------------------


def _owned_by(org: PopulatedOrg, model, pk) -> bool:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return False
    if model is Organization:
        return pk == org.org.pk
    return model._default_manager.filter(org=org.org, pk=pk).exists()


def _foreign_ids_in_json(org: PopulatedOrg, data, kind: str | None) -> list[str]:
    """Ids in a JSON answer that are not ``org``'s."""
    found = []

    def check(model, pk, where):
        if pk is not None and not _owned_by(org, model, pk):
            found.append(f"{where}={pk}")

    def walk(node, kind):
        if isinstance(node, list):
            for item in node:
                walk(item, kind)
        elif isinstance(node, dict):
            if "results" in node and isinstance(node["results"], list):
                walk(node["results"], kind)
                return
            if kind and "id" in node:
                check(KINDS[kind], node["id"], "id")
            for key, ref_kind in REFERENCE_KEYS.items():
                if isinstance(node.get(key), int):
                    check(KINDS[ref_kind], node[key], key)
            if "object_type" in node and "object_id" in node:
                model = apps.get_model(node["object_type"])
                check(model, node["object_id"], node["object_type"])

    walk(data, kind)
    return found


_LINK = re.compile(
    r"/o/(?P<slug>[\w-]+)/(?P<area>departments|members|objectives|invitations|inbox|"
    r"account/tokens)/(?P<pk>\d+)/"
)
_AUDIT_LINK = re.compile(r"/o/(?P<slug>[\w-]+)/audit/(?P<type>[\w.]+)/(?P<pk>\d+)/")
_AREAS = {
    "departments": Department,
    "members": Membership,
    "objectives": StrategicObjective,
    "invitations": Invitation,
    "inbox": Notification,
    "account/tokens": ApiToken,
}
_SELECT = re.compile(r'<select name="(?P<name>\w+)"[^>]*>(?P<options>.*?)</select>', re.S)


def _foreign_ids_in_html(org: PopulatedOrg, html: str) -> list[str]:
    """Links and choices on a page that lead outside ``org``."""
    found = []
    for m in _LINK.finditer(html):
        if m["slug"] != org.slug or not _owned_by(org, _AREAS[m["area"]], m["pk"]):
            found.append(m[0])
    for m in _AUDIT_LINK.finditer(html):
        if m["slug"] != org.slug or not _owned_by(org, apps.get_model(m["type"]), m["pk"]):
            found.append(m[0])
    for m in _SELECT.finditer(html):
        values = re.findall(r'value="(\d+)"', m["options"])
        if not values or m["name"] in NOT_REFERENCES:
            continue
        kind = REFERENCE_KEYS.get(m["name"])
        if kind is None:
            found.append(f"select {m['name']} lists ids this test cannot place: add it")
            continue
        found += [f"{m['name']}={v}" for v in values if not _owned_by(org, KINDS[kind], v)]
    return found


def test_nothing_of_b_shows_on_any_page_or_answer_of_a(world):
    a, b = world.a, world.b
    problems = []
    for key, case in ROUTES.items():
        calls = []
        if "GET" in case.methods:
            calls += [("GET", q(a)) for q in case.queries]
        if key.startswith("api:"):
            calls.append(("OPTIONS", None))
        for method, query in calls:
            client = world.client(key)
            url = reverse(key, kwargs={"org_slug": a.slug, **case.kwargs(a)})
            if method == "GET":
                response = client.get(url, query)
            else:
                response = client.options(url)
            where = f"{method} {key}?{query or ''}"
            if response.status_code != 200:
                problems.append(f"{where}: expected 200, got {_describe(response)}")
                continue
            if leak := _nothing_of(b, response):
                problems.append(f"{where} {leak}")
            if response["Content-Type"].startswith("application/json"):
                foreign = _foreign_ids_in_json(
                    a, response.json(), case.kind if method == "GET" else None
                )
            elif response["Content-Type"].startswith("text/html"):
                foreign = _foreign_ids_in_html(a, response.content.decode())
            else:
                foreign = []
            if foreign:
                problems.append(f"{where} shows ids that are not A's: {foreign}")
    # The one non-tenant page that lists organisations.
    response = world.pages.get(reverse("org-picker"), {"stay": "1"})
    if leak := _nothing_of(b, response):
        problems.append(f"org-picker {leak}")
    assert not problems, "\n".join(problems)


# --- Writes that point at B's objects ---------------------------------------------------------


def _refusal(key: str, response) -> str | None:
    """Why ``response`` is not a refusal, or None."""
    if key.startswith("api:"):
        return None if response.status_code in (400, 404) else _describe(response)
    if response.status_code == 404:
        return None
    body = response.content.decode(errors="replace")
    if response.status_code in (200, 400) and ("field-error" in body or "form-errors" in body):
        return None
    return _describe(response)


def _acceptance(key: str, response) -> str | None:
    if key.startswith("api:"):
        return None if response.status_code in (200, 201) else _describe(response)
    body = response.content.decode(errors="replace")
    if response.status_code == 302 or (
        response.status_code == 200 and "field-error" not in body and "form-errors" not in body
    ):
        return None
    return _describe(response)


def _ref_calls(world: World, other: PopulatedOrg):
    for key, case in ROUTES.items():
        for method, bodies in case.refs.items():
            for number, ref in enumerate(bodies, start=1):
                yield key, case, method, number, ref(world.a, other)


def test_writes_that_point_at_b_objects_are_refused_and_change_nothing(world):
    a, b = world.a, world.b
    before_a = snapshot(a.org, ignore=("last_used_at",))
    before_b = snapshot(b.org)
    problems = []
    calls = list(_ref_calls(world, b))
    assert calls, "no write in ROUTES names another organisation's objects"
    for key, case, method, number, body in calls:
        response = _call(
            world.client(key), key, case, method, slug=a.slug, kwargs=case.kwargs(a), body=body
        )
        if why := _refusal(key, response):
            problems.append(f"{method} {key} (reference #{number} to B) was not refused: {why}")
    assert not problems, "\n".join(problems)
    assert not diff_snapshots(before_b, snapshot(b.org))
    assert not diff_snapshots(before_a, snapshot(a.org, ignore=("last_used_at",)))


def test_the_same_writes_pointing_at_a_own_objects_are_accepted(world):
    """The control for the test above: the bodies are valid but for the reference."""
    problems = []
    for key, case, method, number, body in _ref_calls(world, world.a):
        response = _call(
            world.client(key),
            key,
            case,
            method,
            slug=world.a.slug,
            kwargs=case.kwargs(world.a),
            body=body,
        )
        if why := _acceptance(key, response):
            problems.append(f"{method} {key} (reference #{number} to A) was refused: {why}")
    assert not problems, "\n".join(problems)
