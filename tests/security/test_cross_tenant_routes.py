"""Every route and every API operation, called by the org admin of A against organisation B.

The URLconf and the OpenAPI schema are enumerated; each tenant route must have an entry in
ROUTES saying how to call it (which of B's objects go in the URL, what body a write sends,
which bodies point at B's objects), and each route that is not a tenant route must be in
NOT_TENANT with the reason. A route or operation added without either fails
``test_every_route_has_a_cross_tenant_case`` / ``test_every_api_operation_has_a_cross_tenant_case``
until it gets one, so the checks below cover it from its first day. A route whose query
string changes what it does (the level of a new KRA) has further cases in VARIANTS.

- B's ids under A's slug: 404 (never 403, never B's data, never 500), B unchanged.
- B's slug, with B's ids and with A's: 404, nothing changed anywhere.
- A's own pages and answers (lists, details, forms with their choices) hold nothing of B.
- Writes whose body points at B's objects are refused and change nothing; the same writes
  pointing at A's objects are accepted, so the refusal is the reference's doing.

Each check runs twice ("rls enforced", "rls bypassed"): the second time every request acts
as the maintenance role, which bypasses row-level security, so the answers above are the
application's own doing (access helpers, API bases, policy), not only the database's.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kpis.models import KPI, Measurement
from kra_platform import rls
from kras.models import KRA, KRATemplate, StrategicObjective
from orgs.models import (
    ApiToken,
    AuditEvent,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
    Reminder,
)
from orgs.selectors import fiscal_year_bounds
from orgs.services import api_token_create
from reviews.models import Agreement, CheckIn, CheckInAction, Review, ReviewCycle
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
    #: The query string every call carries, from the same organisation as ``kwargs`` (the
    #: level and role of a new KRA). Ids in it are looked up like the URL's: B's answer 404.
    url_query: Body = lambda o: {}
    #: Why this page answers B's ids in ``b_queries`` with an empty list rather than 404.
    b_query_filters: str = ""
    #: Sent as an htmx request: the route answers a fragment, and redirects a plain request.
    htmx: bool = False
    #: Keys and selects that point at something else here than in REFERENCE_KEYS (a KRA's
    #: ``parent`` is a KRA, a department's a department).
    references: dict[str, str] = field(default_factory=dict)

    def names_objects(self, a: PopulatedOrg, b: PopulatedOrg) -> bool:
        """Whether the URL or its query string holds ids of the organisation called."""
        return bool(self.kwargs(b)) or self.url_query(a) != self.url_query(b)


#: A results page as itself and as its CSV download (the export is the page's own view).
_WITH_EXPORT: tuple[Body, ...] = (lambda o: {}, lambda o: {"export": "csv"})


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


def _title(prefix: str) -> str:
    return f"{prefix} {next(_serial)}"


def _role_page(a: PopulatedOrg) -> dict:
    return {
        "title": _title("Role"),
        "department": a.sales.pk,
        "reports_to": "",
        "purpose": "",
        "mission_alignment": "",
        "strategy_contribution": "",
        "annual_cost": "",
        "expected_value": "",
        "currency": "USD",
        "justification_kind": "revenue",
        "justification_target_date": "",
        "justification_note": "",
        "job_description": "",
    }


_ROLE_PAGE_REFS: tuple[RefBody, ...] = (
    lambda c, o: {**_role_page(c), "department": o.sales.pk},
    lambda c, o: {**_role_page(c), "reports_to": o.lead_role.pk},
)
# A new role may start from one of the organisation's own templates.
_NEW_ROLE_TEMPLATE_REF: RefBody = lambda c, o: {  # noqa: E731
    **_role_page(c),
    "template": f"org-{o.kra_template.pk}",
    "kpi_year": "current",
}


def _api_role(**fields) -> dict:
    # "Not yet justified", the default, would also need a target date.
    return {"title": _title("Role"), "justification_kind": "revenue", **fields}


def _api_role_refs(*, named: bool) -> tuple[RefBody, ...]:
    def name() -> dict:
        return _api_role() if named else {}

    return (
        lambda c, o: {**name(), "department": o.sales.pk},
        lambda c, o: {**name(), "reports_to": o.lead_role.pk},
    )


def _kra_page(a: PopulatedOrg, **fields) -> dict:
    return {
        "title": _title("KRA"),
        "definition": "",
        "weight": "10",
        "priority": "2",
        "objective": "",
        "parent": "",
        "owner": "",
        **fields,
    }


def _role_kra_page(a: PopulatedOrg) -> dict:
    return _kra_page(a, parent=a.department_kra.pk, area_of_focus="")


#: What a role KRA's form can point at.
_ROLE_KRA_PAGE_REFS: tuple[RefBody, ...] = (
    lambda c, o: {**_role_kra_page(c), "parent": o.department_kra.pk},
    lambda c, o: {**_role_kra_page(c), "objective": o.objective.pk},
    lambda c, o: {**_role_kra_page(c), "owner": o.manager.pk},
    lambda c, o: {**_role_kra_page(c), "area_of_focus": o.area.pk},
)


def _kpi_page(a: PopulatedOrg) -> dict:
    return {
        "name": _title("KPI"),
        "description": "",
        "measure_type": "number",
        "currency_code": "",
        "unit": "deals",
        "direction": "increase",
        "baseline": "",
        "target": "10",
        "target_low": "",
        "target_high": "",
        "frequency": "monthly",
        "aggregation": "sum",
        "weight": "50",
        "start_date": "",
        "due_date": "",
        "data_source": "manual",
    }


def _api_kra(level: str, **fields) -> dict:
    return {"level": level, "title": _title("KRA"), "weight": "10", **fields}


def _template_key(o: PopulatedOrg) -> dict:
    return {"key": f"org-{o.kra_template.pk}"}


def _this_month() -> str:
    return timezone.localdate().replace(day=1).isoformat()


def _value(caller: PopulatedOrg, other: PopulatedOrg) -> dict:
    """A value of ``other``'s target for ``other``'s KPI, this month."""
    return {
        "kpi": other.kpi.pk,
        "person": other.target.pk,
        "period_start": _this_month(),
        "value": "4",
    }


def _measure_page(caller: PopulatedOrg, other: PopulatedOrg) -> dict:
    return {"person": other.target.pk, "period_start": _this_month(), "value": "4"}


def _results_body(caller: PopulatedOrg, other: PopulatedOrg) -> dict:
    row = f"{other.target.user.email},{caller.kpi.pk},{_this_month()},4"
    rows = f"person,kpi,period start,value\n{row}\n"
    return {"file": SimpleUploadedFile("results.csv", rows.encode(), content_type="text/csv")}


KRA_PARENT = {"parent": "kra"}
THE_URL = "the object it belongs to is the one in the URL"


def _agreement(o: PopulatedOrg) -> dict:
    return {"pk": o.agreement.pk}


def _export_job(o: PopulatedOrg) -> dict:
    return {"pk": o.export_job.pk}


def _new_agreement(a: PopulatedOrg, *, next_year: bool = False) -> dict:
    """An agreement for the manager in the role they hold (none exists yet), this fiscal
    year or the next one."""
    body = {"employee": a.manager.pk, "role": a.lead_role.pk}
    if next_year:
        start, end = fiscal_year_bounds(org=a.org)
        start = end + datetime.timedelta(days=1)
        body.update(
            period_start=start.isoformat(),
            period_end=fiscal_year_bounds(org=a.org, today=start)[1].isoformat(),
        )
    return body


def _signing(a: PopulatedOrg) -> dict:
    return {"password": "not the password", "meaning": True}


def _personal_kra_page(a: PopulatedOrg) -> dict:
    return {
        "title": _title("Personal KRA"),
        "definition": "",
        "weight": "10",
        "priority": "2",
        "parent": "",
        "objective": "",
        "kpi_name": "Deals",
        "kpi_unit": "deals",
        "kpi_direction": "increase",
        "kpi_baseline": "1",
        "kpi_target": "2",
        "kpi_frequency": "monthly",
        "kpi_due_date": a.agreement.period_end.isoformat(),
    }


def _goal_page(a: PopulatedOrg) -> dict:
    return {
        "goal": _title("Goal"),
        "measurable_target": "two talks",
        "due_date": a.agreement.period_end.isoformat(),
        "measured_by": "talks given",
    }


NO_OBJECT = "the body names no object of the organisation"


def _check_in_page(a: PopulatedOrg, **row) -> dict:
    """The check-in form with one new action row (the existing actions left as they are)."""
    return {
        "held_on": timezone.localdate().isoformat(),
        "wins": "Noted by A",
        "blockers": "",
        "notes": "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "50",
        "actions-0-description": "Follow up",
        "actions-0-owner": a.admin.pk,
        "actions-0-due_date": "",
        **{f"actions-0-{key}": value for key, value in row.items()},
    }


def _check_in_api(a: PopulatedOrg) -> dict:
    return {
        "held_on": timezone.localdate().isoformat(),
        "wins": "Noted by A",
        "actions": [{"description": "Follow up", "owner": a.admin.pk}],
    }


def _review_cycle(o: PopulatedOrg) -> dict:
    return {"pk": o.review_cycle.pk}


def _cycle_review(o: PopulatedOrg) -> dict:
    return {"pk": o.review_cycle.pk, "review_pk": o.cycle_review.pk}


def _cycle_dates(a: PopulatedOrg) -> dict:
    cycle = a.review_cycle
    return {
        name: getattr(cycle, name).isoformat()
        for name in (
            "window_start",
            "window_end",
            "self_assessment_due",
            "manager_review_due",
            "acknowledgement_due",
        )
    }


def _cycle_page(a: PopulatedOrg, **fields) -> dict:
    """The new-cycle form: its dates, the default weights; tables left to their defaults."""
    return {
        "name": _title("Cycle"),
        "cadence": "annual",
        "participant_scope": "org",
        **_cycle_dates(a),
        "weight_manager": "60",
        "weight_achievement": "40",
        "weight_self": "0",
        "weight_growth": "0",
        "scale_value_0": "1",
        "scale_label_0": "Low",
        "scale_value_1": "2",
        "scale_label_1": "High",
        "band_at_least_0": "1",
        "band_rating_0": "2",
        "band_rating_1": "1",
        **fields,
    }


def _cycle_api(a: PopulatedOrg, **fields) -> dict:
    return {"name": _title("Cycle"), **_cycle_dates(a), **fields}


def _target_review(o: PopulatedOrg) -> dict:
    return {"pk": o.cycle_review.pk}


def _lead_check_in(o: PopulatedOrg) -> dict:
    return {"pk": o.lead_check_in.pk}


def _done_action(o: PopulatedOrg) -> dict:
    return {"pk": o.done_check_in_action.pk}


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
    "reminder-log": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"kind": "agreement.signature"},
            lambda o: {"person": o.target.pk},
            lambda o: {"since": "2020-01-01", "until": "2099-12-31", "page": 2},
        ),
        b_queries=(lambda b: {"person": b.target.pk},),
        b_query_filters="a filter: B's person is not a choice, so the log lists A's own",
    ),
    "reminder-settings": Case(
        methods=("GET", "POST"),
        body=lambda a: {
            "reminder_days_before": 2,
            "reminder_days_after": 1,
            "reminder_escalate_manager_days": 4,
            "reminder_escalate_hr_days": 8,
            "reminder_hour": 9,
            "agreement_signature_days": 5,
            "kpi_value_grace_days": 3,
            "kra_review_days": 10,
        },
        no_refs="numbers only",
    ),
    "my-reminders": Case(
        methods=("GET", "POST"),
        queries=(lambda o: {}, lambda o: {"page": 2}),
        body=lambda a: {"muted": "on"},
        no_refs="a flag only",
    ),
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
            lambda o: {"status": "all"},
            lambda o: {"status": "inactive"},
            lambda o: {"q": o.marker},
            lambda o: {"department": o.sales.pk},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "member-detail": Case(
        methods=("GET",), kwargs=lambda o: {"pk": o.target.pk}, queries=(lambda o: {},)
    ),
    "org-token-list": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"status": "all"})),
    "org-token-revoke": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.target_token.pk}, no_refs="no body"
    ),
    "member-search": Case(
        methods=("GET",),
        htmx=True,
        queries=(lambda o: {}, lambda o: {"q": o.marker}, lambda o: {"q": "a", "picker": "id_x"}),
        b_queries=(lambda b: {"q": b.marker}, lambda b: {"q": b.manager.user.email}),
        b_query_filters="a search text, not an id: it matches nobody of another organisation",
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
    "org-chart-import-result": Case(methods=("GET",)),
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
    # Roles
    "role-list": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"q": o.marker},
            lambda o: {"department": o.sales.pk},
            lambda o: {"page": 2},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
        b_query_filters="the list filters by the department in its query string and says "
        "when nothing matches, whatever the reason",
    ),
    "role-create": Case(
        methods=("GET", "POST"),
        queries=(lambda o: {}, lambda o: {"department": o.sales.pk}),
        body=_role_page,
        refs={"POST": (*_ROLE_PAGE_REFS, _NEW_ROLE_TEMPLATE_REF)},
    ),
    "role-detail": Case(methods=("GET",), kwargs=lambda o: {"pk": o.role.pk}),
    "role-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.empty_role.pk},
        body=_role_page,
        refs={"POST": _ROLE_PAGE_REFS},
    ),
    "role-delete": Case(
        methods=("GET", "POST"), kwargs=lambda o: {"pk": o.empty_role.pk}, no_refs="no body"
    ),
    "role-success-check": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.role.pk},
        body=lambda a: {"is_complete": "no", "missing": "Changed by A", "unnecessary": ""},
        no_refs=NO_OBJECT,
    ),
    "role-assign": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.role.pk},
        body=lambda a: {"member": a.employee.pk, "start_date": "2030-01-01"},
        refs={"POST": (lambda c, o: {"member": o.other_manager.pk, "start_date": "2030-01-01"},)},
    ),
    "role-areas": Case(methods=("GET",), kwargs=lambda o: {"pk": o.role.pk}, htmx=True),
    "area-create": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.role.pk},
        body=lambda a: {"title": "Made by A", "description": ""},
        no_refs=THE_URL,
    ),
    "area-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.area.pk},
        body=lambda a: {"title": "Renamed by A", "description": ""},
        no_refs=THE_URL,
    ),
    "area-delete": Case(methods=("POST",), kwargs=lambda o: {"pk": o.area.pk}, no_refs="no body"),
    "area-move": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.area.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "responsibility-create": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.area.pk},
        body=lambda a: {"description": "Made by A"},
        no_refs=THE_URL,
    ),
    "responsibility-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.responsibility.pk},
        body=lambda a: {"description": "Changed by A"},
        no_refs=THE_URL,
    ),
    "responsibility-delete": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.responsibility.pk}, no_refs="no body"
    ),
    "responsibility-move": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.responsibility.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "role-assignment-end": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.assignment.pk},
        body=lambda a: {"end_date": "2031-12-31"},
        no_refs=NO_OBJECT,
    ),
    # KRAs and KPIs
    "kra-list": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"level": "role"},
            lambda o: {"department": o.sales.pk},
            lambda o: {"status": "needs_review"},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    # A role's KRA: the role is in the query string. VARIANTS has the other levels.
    "kra-create": Case(
        methods=("GET", "POST"),
        url_query=lambda o: {"level": "role", "role": o.role.pk},
        body=_role_kra_page,
        refs={"POST": _ROLE_KRA_PAGE_REFS},
        references=KRA_PARENT,
    ),
    "org-rules": Case(
        methods=("GET", "POST"),
        body=lambda a: {
            "kra_min": 3,
            "kra_max": 6,
            "kpi_min": 1,
            "kpi_max": 3,
            "require_alignment": "on",
            "activity_verbs": "conduct, attend",
        },
        no_refs=NO_OBJECT,
    ),
    "role-kras": Case(methods=("GET",), kwargs=lambda o: {"role_pk": o.role.pk}),
    "kra-detail": Case(methods=("GET",), kwargs=lambda o: {"pk": o.role_kra.pk}),
    "kra-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.role_kra.pk},
        body=_role_kra_page,
        refs={"POST": _ROLE_KRA_PAGE_REFS},
        references=KRA_PARENT,
    ),
    "kra-inline-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.role_kra.pk},
        body=lambda a: {"title": "Renamed by A", "weight": "90", "definition": ""},
        no_refs=NO_OBJECT,
        htmx=True,
    ),
    "kra-retire": Case(
        methods=("GET", "POST"), kwargs=lambda o: {"pk": o.flagged_kra.pk}, no_refs="no body"
    ),
    "kra-move": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.role_kra.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "kpi-create": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"kra_pk": o.role_kra.pk},
        body=_kpi_page,
        no_refs=THE_URL,
    ),
    "kpi-detail": Case(methods=("GET",), kwargs=lambda o: {"pk": o.kpi.pk}),
    "kpi-edit": Case(
        methods=("GET", "POST"), kwargs=lambda o: {"pk": o.kpi.pk}, body=_kpi_page, no_refs=THE_URL
    ),
    "kpi-delete": Case(
        methods=("GET", "POST"), kwargs=lambda o: {"pk": o.kpi.pk}, no_refs="no body"
    ),
    "kpi-move": Case(
        methods=("POST",),
        kwargs=lambda o: {"pk": o.kpi.pk},
        body=lambda a: {"direction": "up"},
        no_refs=NO_OBJECT,
    ),
    # The cascade and the template library
    "cascade": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"department": o.sales.pk},
            lambda o: {"needs_review": "1"},
            lambda o: {"unaligned": "1"},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "cascade-below": Case(methods=("GET",), kwargs=lambda o: {"pk": o.department_kra.pk}),
    "cascade-kra-confirm": Case(
        methods=("POST",), kwargs=lambda o: {"pk": o.flagged_kra.pk}, no_refs="no body"
    ),
    "kra-template-list": Case(
        methods=("GET",),
        queries=(lambda o: {}, lambda o: {"q": o.marker}, lambda o: {"q": "sales"}),
    ),
    # ?role= fills the form in from a role, looked up like an id in the URL.
    "kra-template-save": Case(
        methods=("GET", "POST"),
        url_query=lambda o: {"role": o.role.pk},
        body=lambda a: {"role": a.role.pk, "name": _title("Template"), "category": ""},
        refs={"POST": (lambda c, o: {"role": o.role.pk, "name": _title("Template")},)},
    ),
    "kra-template-detail": Case(methods=("GET",), kwargs=_template_key),
    "kra-template-apply": Case(
        methods=("GET", "POST"),
        kwargs=_template_key,
        # replace: the refs below apply the template to the same role more than once.
        body=lambda a: {"role": a.lead_role.pk, "replace": "on"},
        refs={"POST": (lambda c, o: {"role": o.lead_role.pk, "replace": "on"},)},
    ),
    "kra-template-delete": Case(methods=("POST",), kwargs=_template_key, no_refs="no body"),
    # Agreement pages
    "my-kras": Case(methods=("GET",)),
    "my-team": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"page": 2})),
    # The target holds the role; their agreement covers this fiscal year, so the next is free.
    "agreement-create": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"employee_pk": o.target.pk},
        body=lambda a: {"role": a.role.pk, "period": "next"},
        refs={"POST": (lambda c, o: {"role": o.role.pk, "period": "next"},)},
    ),
    "agreement-detail": Case(methods=("GET",), kwargs=_agreement, references=KRA_PARENT),
    "agreement-add-kra": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: _personal_kra_page(a),
        refs={
            "POST": (
                lambda c, o: {**_personal_kra_page(c), "parent": o.org_kra.pk},
                lambda c, o: {**_personal_kra_page(c), "objective": o.objective.pk},
            )
        },
        references=KRA_PARENT,
    ),
    "agreement-remove-kra": Case(
        methods=("POST",),
        kwargs=lambda o: {**_agreement(o), "item_pk": o.agreement.items.order_by("id")[0].pk},
        no_refs="no body",
    ),
    "agreement-kpi-target": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {**_agreement(o), "kpi_pk": o.agreement.kpis.order_by("id")[0].pk},
        body=lambda a: {"target": "12", "reason": "A stretch for A"},
        no_refs=NO_OBJECT,
        references=KRA_PARENT,
    ),
    "agreement-remove-kpi": Case(
        methods=("POST",),
        kwargs=lambda o: {**_agreement(o), "kpi_pk": o.agreement.kpis.order_by("id")[0].pk},
        no_refs="no body",
    ),
    "growth-goal-add": Case(
        methods=("POST",), kwargs=_agreement, body=_goal_page, no_refs=NO_OBJECT
    ),
    "growth-goal-edit": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {**_agreement(o), "goal_pk": o.agreement_goal.pk},
        body=_goal_page,
        no_refs=NO_OBJECT,
        references=KRA_PARENT,
    ),
    "growth-goal-remove": Case(
        methods=("POST",),
        kwargs=lambda o: {**_agreement(o), "goal_pk": o.agreement_goal.pk},
        no_refs="no body",
    ),
    "agreement-propose": Case(methods=("POST",), kwargs=_agreement, no_refs="no body"),
    "agreement-comment": Case(
        methods=("POST",), kwargs=_agreement, body=lambda a: {"body": "A word"}, no_refs=NO_OBJECT
    ),
    "agreement-request-changes": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {"comment": "Change it"},
        no_refs=NO_OBJECT,
    ),
    "agreement-sign": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {"password": "not the password", "meaning": "on", "version": 1},
        no_refs=NO_OBJECT,
    ),
    "agreement-void": Case(
        methods=("GET", "POST"),
        kwargs=_agreement,
        body=lambda a: {"reason": "Voided by A"},
        no_refs=NO_OBJECT,
    ),
    "agreement-amend": Case(methods=("POST",), kwargs=_agreement, no_refs="no body"),
    "agreement-delegate": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {"delegate": a.other_manager.pk},
        refs={"POST": (lambda c, o: {"delegate": o.other_manager.pk},)},
    ),
    # A's member who is no delegate: refused by the rule with a message, after the lookup.
    "agreement-revoke-delegate": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {"delegate": a.other_manager.pk},
        refs={"POST": (lambda c, o: {"delegate": o.other_manager.pk},)},
    ),
    "agreement-figures": Case(methods=("GET",)),
    "role-agreements-amend": Case(
        methods=("GET", "POST"), kwargs=lambda o: {"role_pk": o.role.pk}, no_refs="no body"
    ),
    "agreement-diff": Case(
        methods=("GET",),
        kwargs=_agreement,
        queries=(lambda o: {}, lambda o: {"from": 1, "to": 1}),
    ),
    "agreement-pdf": Case(methods=("GET",), kwargs=_agreement),
    # Check-ins (pages): the org admin manages ``manager`` and holds their check-ins.
    "check-in-list": Case(
        methods=("GET",),
        kwargs=lambda o: {"employee_pk": o.target.pk},
        queries=(lambda o: {}, lambda o: {"page": 2}),
    ),
    "check-in-create": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"employee_pk": o.manager.pk},
        body=lambda a: _check_in_page(a),
        refs={"POST": (lambda c, o: _check_in_page(c, owner=o.admin.pk),)},
    ),
    "check-in-detail": Case(methods=("GET",), kwargs=_lead_check_in),
    "check-in-edit": Case(
        methods=("GET", "POST"),
        kwargs=_lead_check_in,
        body=lambda a: _check_in_page(a),
        refs={"POST": (lambda c, o: _check_in_page(c, owner=o.admin.pk),)},
    ),
    "check-in-delete": Case(methods=("GET", "POST"), kwargs=_lead_check_in, no_refs="no body"),
    "check-in-action-done": Case(methods=("POST",), kwargs=_done_action, no_refs="no body"),
    "check-in-action-reopen": Case(methods=("POST",), kwargs=_done_action, no_refs="no body"),
    "my-actions": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"page": 2})),
    # Review cycles (pages): HR's; the populated cycle is launched, with the target's review.
    "review-cycles": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"page": 2})),
    "review-cycle-create": Case(
        methods=("GET", "POST"),
        body=lambda a: _cycle_page(a),
        refs={
            "POST": (
                lambda c, o: _cycle_page(
                    c, participant_scope="departments", departments=o.sales.pk
                ),
            )
        },
    ),
    "review-cycle-detail": Case(
        methods=("GET",), kwargs=_review_cycle, queries=(lambda o: {}, lambda o: {"part": "launch"})
    ),
    "review-cycle-edit": Case(
        methods=("GET", "POST"),
        kwargs=_review_cycle,
        body=lambda a: {"name": _title("Cycle"), **_cycle_dates(a)},
        no_refs="a launched cycle changes only its name and deadlines: no reference",
    ),
    "review-cycle-delete": Case(methods=("GET", "POST"), kwargs=_review_cycle, no_refs="no body"),
    "review-cycle-launch": Case(methods=("POST",), kwargs=_review_cycle, no_refs="no body"),
    "review-cycle-close": Case(methods=("GET", "POST"), kwargs=_review_cycle, no_refs="no body"),
    "review-cycle-reopen": Case(
        methods=("GET", "POST"),
        kwargs=_review_cycle,
        body=lambda a: {"reason": "Reopened by A"},
        no_refs="the body is a reason",
    ),
    "review-cycle-tracker": Case(
        methods=("GET",),
        kwargs=_review_cycle,
        queries=(
            lambda o: {},
            lambda o: {"department": o.sales.pk, "status": "self_assessment", "late": "on"},
            lambda o: {"export": "csv"},
            lambda o: {"page": 2},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "review-cycle-calibration": Case(methods=("GET",), kwargs=_review_cycle),
    "review-cycle-delegates": Case(
        methods=("GET", "POST"),
        kwargs=_cycle_review,
        body=lambda a: {"delegate": a.other_manager.pk},
        refs={"POST": (lambda c, o: {"delegate": o.other_manager.pk},)},
    ),
    # A's member who is no delegate: refused by the rule with a message, after the lookup.
    "review-cycle-revoke-delegate": Case(
        methods=("POST",),
        kwargs=_cycle_review,
        body=lambda a: {"delegate": a.other_manager.pk},
        refs={"POST": (lambda c, o: {"delegate": o.other_manager.pk},)},
    ),
    # Reviews (pages): the target's review in the populated cycle. Writes carry ratings and
    # comments of the review's own KRAs, or nothing: no reference to another object.
    "my-reviews": Case(methods=("GET",), queries=(lambda o: {}, lambda o: {"page": 2, "mine": 2})),
    "review-detail": Case(methods=("GET",), kwargs=_target_review),
    "review-pdf": Case(methods=("GET",), kwargs=_target_review),
    "review-self": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"action": "save", "lessons_learned": "Changed by A"},
        no_refs="ratings and comments of the review's own KRAs",
    ),
    "review-manager": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"action": "save", "manager_comment": "Changed by A"},
        no_refs="ratings and comments of the review's own KRAs",
    ),
    "review-share": Case(methods=("POST",), kwargs=_target_review, no_refs="no body"),
    "review-acknowledge": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"password": "x", "meaning": "1"},
        no_refs="a password and the statement",
    ),
    "review-development-goals": Case(methods=("POST",), kwargs=_target_review, no_refs="no body"),
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
            lambda o: {"status": "all"},
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
    "api:reminder-list": Case(
        methods=("GET",),
        kind="reminder",
        queries=(
            lambda o: {},
            lambda o: {"kind": "agreement.signature"},
            lambda o: {"person": o.target.pk},
            lambda o: {"since": "2020-01-01", "until": "2099-12-31"},
        ),
        b_queries=(lambda b: {"person": b.target.pk},),
        b_query_filters="a filter: B's person has no reminder in A",
    ),
    "api:reminder-settings": Case(
        methods=("GET", "PATCH"), body=lambda a: {"reminder_hour": 9}, no_refs="numbers only"
    ),
    "api:my-reminders": Case(
        methods=("GET", "PUT"), body=lambda a: {"muted": True}, no_refs="a flag only"
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
    "api:org-api-token-list": Case(
        methods=("GET",),
        kind="api_token",
        queries=(
            lambda o: {},
            lambda o: {"status": "all"},
            lambda o: {"member": o.target.pk},
        ),
        b_queries=(lambda b: {"member": b.target.pk},),
    ),
    "api:org-api-token-detail": Case(
        methods=("GET",), kind="api_token", kwargs=lambda o: {"pk": o.target_token.pk}
    ),
    "api:org-api-token-revoke": Case(
        methods=("POST",),
        kind="api_token",
        kwargs=lambda o: {"pk": o.target_token.pk},
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
    "api:role-list": Case(
        methods=("GET", "POST"),
        kind="role",
        queries=(
            lambda o: {},
            lambda o: {"q": o.marker},
            lambda o: {"department": o.sales.pk},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
        body=lambda a: _api_role(department=a.sales.pk),
        refs={"POST": _api_role_refs(named=True)},
    ),
    "api:role-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="role",
        kwargs=lambda o: {"pk": o.empty_role.pk},
        body=lambda a: {"title": _title("Role")},
        refs={"PUT": _api_role_refs(named=True), "PATCH": _api_role_refs(named=False)},
        no_refs="DELETE has no body",
    ),
    "api:role-success-check": Case(
        methods=("POST",),
        kind="role",
        kwargs=lambda o: {"pk": o.role.pk},
        body=lambda a: {"is_complete": True},
        no_refs=NO_OBJECT,
    ),
    "api:area-of-focus-list": Case(
        methods=("GET", "POST"),
        kind="area_of_focus",
        queries=(lambda o: {}, lambda o: {"role": o.role.pk}),
        b_queries=(lambda b: {"role": b.role.pk},),
        body=lambda a: {"role": a.role.pk, "title": "Made by A"},
        refs={"POST": (lambda c, o: {"role": o.role.pk, "title": _title("Area")},)},
    ),
    "api:area-of-focus-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="area_of_focus",
        kwargs=lambda o: {"pk": o.area.pk},
        body=lambda a: {"role": a.role.pk, "title": "Renamed by A"},
        refs={
            "PUT": (lambda c, o: {"role": o.role.pk, "title": _title("Area")},),
            "PATCH": (lambda c, o: {"role": o.role.pk},),
        },
        no_refs="DELETE has no body",
    ),
    "api:area-of-focus-move": Case(
        methods=("POST",),
        kind="area_of_focus",
        kwargs=lambda o: {"pk": o.area.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "api:responsibility-list": Case(
        methods=("GET", "POST"),
        kind="responsibility",
        queries=(lambda o: {}, lambda o: {"area": o.area.pk}, lambda o: {"role": o.role.pk}),
        b_queries=(lambda b: {"area": b.area.pk}, lambda b: {"role": b.role.pk}),
        body=lambda a: {"area": a.area.pk, "description": "Made by A"},
        refs={"POST": (lambda c, o: {"area": o.area.pk, "description": "Made by A"},)},
    ),
    "api:responsibility-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="responsibility",
        kwargs=lambda o: {"pk": o.responsibility.pk},
        body=lambda a: {"area": a.area.pk, "description": "Changed by A"},
        refs={
            "PUT": (lambda c, o: {"area": o.area.pk, "description": "Changed by A"},),
            "PATCH": (lambda c, o: {"area": o.area.pk},),
        },
        no_refs="DELETE has no body",
    ),
    "api:responsibility-move": Case(
        methods=("POST",),
        kind="responsibility",
        kwargs=lambda o: {"pk": o.responsibility.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "api:role-assignment-list": Case(
        methods=("GET", "POST"),
        kind="role_assignment",
        queries=(
            lambda o: {},
            lambda o: {"role": o.role.pk},
            lambda o: {"member": o.target.pk},
            lambda o: {"current": "1"},
        ),
        b_queries=(lambda b: {"role": b.role.pk}, lambda b: {"member": b.target.pk}),
        body=lambda a: {"role": a.role.pk, "member": a.employee.pk, "start_date": "2030-01-01"},
        # Each names another member: one person cannot hold a role twice over the same days.
        refs={
            "POST": (
                lambda c, o: {"role": o.role.pk, "member": c.hr.pk, "start_date": "2030-01-01"},
                lambda c, o: {"role": c.role.pk, "member": o.report.pk, "start_date": "2030-01-01"},
            )
        },
    ),
    "api:role-assignment-detail": Case(
        methods=("GET",), kind="role_assignment", kwargs=lambda o: {"pk": o.assignment.pk}
    ),
    "api:role-assignment-end": Case(
        methods=("POST",),
        kind="role_assignment",
        kwargs=lambda o: {"pk": o.assignment.pk},
        body=lambda a: {"end_date": "2031-12-31"},
        no_refs=NO_OBJECT,
    ),
    "api:role-readiness": Case(methods=("GET",), kwargs=lambda o: {"role_pk": o.role.pk}),
    "api:org-rules": Case(
        methods=("GET", "PATCH"),
        body=lambda a: {"kra_max": 6, "activity_verbs": ["conduct", "attend"]},
        no_refs=NO_OBJECT,
    ),
    "api:kra-list": Case(
        methods=("GET", "POST"),
        kind="kra",
        references=KRA_PARENT,
        queries=(
            lambda o: {},
            lambda o: {"level": "role"},
            lambda o: {"role": o.role.pk},
            lambda o: {"department": o.sales.pk},
            lambda o: {"status": "needs_review"},
        ),
        b_queries=(lambda b: {"role": b.role.pk}, lambda b: {"department": b.sales.pk}),
        body=lambda a: _api_kra("department", department=a.sales.pk),
        refs={
            "POST": (
                lambda c, o: _api_kra("department", department=o.sales.pk),
                lambda c, o: _api_kra("role", role=o.role.pk),
                lambda c, o: _api_kra("role", role=c.role.pk, area_of_focus=o.area.pk),
                lambda c, o: _api_kra("role", role=c.role.pk, parent=o.department_kra.pk),
                lambda c, o: _api_kra("department", department=c.sales.pk, parent=o.org_kra.pk),
                lambda c, o: _api_kra("organization", objective=o.objective.pk),
                lambda c, o: _api_kra("organization", owner=o.manager.pk),
            )
        },
    ),
    "api:kra-detail": Case(
        methods=("GET", "PUT", "PATCH"),
        kind="kra",
        references=KRA_PARENT,
        kwargs=lambda o: {"pk": o.role_kra.pk},
        body=lambda a: {"level": "role", "title": "Renamed by A"},
        refs={
            method: (
                lambda c, o: {"level": "role", "title": "A", "parent": o.department_kra.pk},
                lambda c, o: {"level": "role", "title": "A", "objective": o.objective.pk},
                lambda c, o: {"level": "role", "title": "A", "owner": o.manager.pk},
                lambda c, o: {"level": "role", "title": "A", "area_of_focus": o.area.pk},
                lambda c, o: {"level": "role", "title": "A", "role": o.role.pk},
            )
            for method in ("PUT", "PATCH")
        },
    ),
    "api:kra-move": Case(
        methods=("POST",),
        kind="kra",
        references=KRA_PARENT,
        kwargs=lambda o: {"pk": o.role_kra.pk},
        body=lambda a: {"direction": "down"},
        no_refs=NO_OBJECT,
    ),
    "api:kra-retire": Case(
        methods=("POST",),
        kind="kra",
        references=KRA_PARENT,
        kwargs=lambda o: {"pk": o.flagged_kra.pk},
        body=lambda a: {"children": "detach"},
        no_refs=NO_OBJECT,
    ),
    "api:cascade": Case(
        methods=("GET",),
        queries=(
            lambda o: {},
            lambda o: {"department": o.sales.pk},
            lambda o: {"needs_review": "true"},
            lambda o: {"unaligned": "true"},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "api:kra-confirm": Case(
        methods=("POST",), kind="kra", kwargs=lambda o: {"pk": o.flagged_kra.pk}, no_refs="no body"
    ),
    "api:kra-template-list": Case(
        methods=("GET", "POST"),
        queries=(
            lambda o: {},
            lambda o: {"q": o.marker},
            lambda o: {"source": "organization"},
            lambda o: {"source": "library", "q": "sales"},
        ),
        body=lambda a: {"role": a.role.pk, "name": _title("Template")},
        refs={"POST": (lambda c, o: {"role": o.role.pk, "name": _title("Template")},)},
    ),
    "api:kra-template-detail": Case(
        methods=("GET", "DELETE"), kwargs=_template_key, no_refs="no body"
    ),
    "api:kra-template-apply": Case(
        methods=("POST",),
        kwargs=_template_key,
        body=lambda a: {"role": a.lead_role.pk, "replace": True},
        refs={"POST": (lambda c, o: {"role": o.lead_role.pk, "replace": True},)},
    ),
    "api:kpi-list": Case(
        methods=("GET", "POST"),
        kind="kpi",
        queries=(lambda o: {}, lambda o: {"kra": o.role_kra.pk}, lambda o: {"role": o.role.pk}),
        b_queries=(lambda b: {"kra": b.role_kra.pk}, lambda b: {"role": b.role.pk}),
        body=lambda a: {"kra": a.role_kra.pk, "name": "Made by A", "target": "5"},
        refs={"POST": (lambda c, o: {"kra": o.role_kra.pk, "name": "Made by A", "target": "5"},)},
    ),
    "api:kpi-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="kpi",
        kwargs=lambda o: {"pk": o.kpi.pk},
        body=lambda a: {"kra": a.role_kra.pk, "name": "Renamed by A"},
        refs={
            "PUT": (lambda c, o: {"kra": o.role_kra.pk, "name": "Renamed by A"},),
            "PATCH": (lambda c, o: {"kra": o.role_kra.pk},),
        },
        no_refs="DELETE has no body",
    ),
    "api:kpi-move": Case(
        methods=("POST",),
        kind="kpi",
        kwargs=lambda o: {"pk": o.kpi.pk},
        body=lambda a: {"direction": "up"},
        no_refs=NO_OBJECT,
    ),
    # Results: values of the target's, recorded by A's admin.
    "my-kpis": Case(
        methods=("GET", "POST"),
        body=lambda a: {f"kpi-{a.kpi.pk}-value": "3"},
        no_refs="the member's own KPIs, named by the page it posts",
    ),
    "kpi-measure": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"pk": o.kpi.pk},
        body=lambda a: _measure_page(a, a),
        refs={"POST": (_measure_page,)},
    ),
    "measurement-import": Case(
        methods=("GET", "POST"),
        queries=(lambda o: {}, lambda o: {"example": "1"}),
        body=lambda a: _results_body(a, a),
        refs={"POST": (_results_body,)},
        multipart=True,
    ),
    "measurement-import-result": Case(methods=("GET",)),
    "person-results": Case(
        methods=("GET",), kwargs=lambda o: {"pk": o.target.pk}, queries=_WITH_EXPORT
    ),
    "person-results-breakdown": Case(methods=("GET",), kwargs=lambda o: {"pk": o.target.pk}),
    "team-results": Case(methods=("GET",), queries=_WITH_EXPORT),
    "report-departments": Case(methods=("GET",), queries=_WITH_EXPORT),
    "report-objectives": Case(methods=("GET",), queries=_WITH_EXPORT),
    "report-distribution": Case(methods=("GET",), queries=_WITH_EXPORT),
    "api:measurement-list": Case(
        methods=("GET", "POST"),
        kind="measurement",
        queries=(
            lambda o: {},
            lambda o: {"kpi": o.kpi.pk},
            lambda o: {"person": o.target.pk},
            lambda o: {"period": o.measurement.period_start.isoformat()},
        ),
        b_queries=(lambda b: {"kpi": b.kpi.pk}, lambda b: {"person": b.target.pk}),
        body=lambda a: _value(a, a),
        refs={
            "POST": (
                lambda c, o: {**_value(c, c), "kpi": o.kpi.pk},
                lambda c, o: {**_value(c, c), "person": o.target.pk},
            )
        },
    ),
    "api:measurement-detail": Case(
        methods=("GET", "DELETE"),
        kind="measurement",
        kwargs=lambda o: {"pk": o.measurement.pk},
        no_refs="DELETE has no body",
    ),
    "api:measurement-confirm": Case(
        methods=("POST",),
        kind="measurement",
        kwargs=lambda o: {"pk": o.awaiting_measurement.pk},
        no_refs="no body",
    ),
    "api:measurement-bulk": Case(
        methods=("POST",),
        body=lambda a: {"rows": [_value(a, a)]},
        refs={
            "POST": (
                lambda c, o: {"rows": [{**_value(c, c), "kpi": o.kpi.pk}]},
                lambda c, o: {"rows": [{**_value(c, c), "person": o.target.pk}]},
            )
        },
    ),
    # Agreements: verification and HR's export (pages)
    "agreement-verify": Case(
        methods=("GET", "POST"),
        kwargs=_agreement,
        no_refs="the body is a PDF file, which names no object",
    ),
    "agreement-export": Case(
        methods=("GET", "POST"),
        body=lambda a: {"department": ""},
        refs={"POST": (lambda c, o: {"department": o.sales.pk},)},
    ),
    "agreement-export-status": Case(methods=("GET",), kwargs=_export_job),
    "agreement-export-download": Case(
        methods=("GET",),
        kwargs=_export_job,
        # populate.py records a finished export without building its file: A's own download
        # answers 404, so only the cross-tenant calls are made.
        queries=(),
    ),
    # Agreements (API)
    "api:agreement-list": Case(
        methods=("GET", "POST"),
        queries=(
            lambda o: {},
            lambda o: {"status": "draft"},
            lambda o: {"employee": o.target.pk},
            lambda o: {"role": o.role.pk},
            lambda o: {"period": o.agreement.period_start.isoformat()},
        ),
        b_queries=(lambda b: {"employee": b.target.pk}, lambda b: {"role": b.role.pk}),
        body=_new_agreement,
        refs={
            "POST": (
                lambda c, o: {**_new_agreement(c), "employee": o.manager.pk},
                lambda c, o: {**_new_agreement(c, next_year=True), "role": o.lead_role.pk},
            )
        },
    ),
    "api:agreement-detail": Case(methods=("GET",), kwargs=_agreement, references=KRA_PARENT),
    "api:agreement-items": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {"title": _title("Personal KRA"), "weight": "10"},
        refs={
            "POST": (
                lambda c, o: {"title": _title("KRA"), "weight": "10", "parent": o.org_kra.pk},
                lambda c, o: {"title": _title("KRA"), "weight": "10", "objective": o.objective.pk},
            )
        },
        references=KRA_PARENT,
    ),
    "api:agreement-item": Case(
        methods=("DELETE",),
        kwargs=lambda o: {**_agreement(o), "item_pk": o.agreement.items.order_by("id")[0].pk},
        no_refs="DELETE has no body",
    ),
    "api:agreement-item-kpis": Case(
        methods=("POST",),
        kwargs=lambda o: {**_agreement(o), "item_pk": o.agreement.items.order_by("id")[0].pk},
        body=lambda a: {"name": _title("Personal KPI"), "target": "5", "unit": "calls"},
        no_refs=NO_OBJECT,
        references=KRA_PARENT,
    ),
    "api:agreement-kpi": Case(
        methods=("DELETE",),
        kwargs=lambda o: {**_agreement(o), "kpi_pk": o.agreement.kpis.order_by("id")[0].pk},
        no_refs="DELETE has no body",
    ),
    "api:agreement-kpi-target": Case(
        methods=("POST",),
        kwargs=lambda o: {**_agreement(o), "kpi_pk": o.agreement.kpis.order_by("id")[0].pk},
        body=lambda a: {"target": "12", "reason": "A stretch for A"},
        no_refs=NO_OBJECT,
        references=KRA_PARENT,
    ),
    "api:agreement-growth-goals": Case(
        methods=("POST",),
        kwargs=_agreement,
        body=lambda a: {
            "goal": "Public speaking",
            "measurable_target": "Two talks",
            "due_date": a.agreement.period_end.isoformat(),
            "measured_by": "Talks given",
        },
        no_refs=NO_OBJECT,
    ),
    "api:agreement-growth-goal": Case(
        methods=("PATCH", "DELETE"),
        kwargs=lambda o: {**_agreement(o), "goal_pk": o.agreement_goal.pk},
        body=lambda a: {"measured_by": "Changed by A"},
        no_refs=NO_OBJECT,
    ),
    "api:agreement-comments": Case(
        methods=("POST",), kwargs=_agreement, body=lambda a: {"body": "By A"}, no_refs=NO_OBJECT
    ),
    "api:agreement-propose": Case(methods=("POST",), kwargs=_agreement, no_refs="no body"),
    "api:agreement-sign": Case(
        methods=("POST",), kwargs=_agreement, body=_signing, no_refs=NO_OBJECT
    ),
    "api:agreement-countersign": Case(
        methods=("POST",), kwargs=_agreement, body=_signing, no_refs=NO_OBJECT
    ),
    "api:agreement-acknowledge": Case(
        methods=("POST",), kwargs=_agreement, body=_signing, no_refs=NO_OBJECT
    ),
    "api:agreement-request-changes": Case(
        methods=("POST",), kwargs=_agreement, body=lambda a: {"comment": "x"}, no_refs=NO_OBJECT
    ),
    "api:agreement-void": Case(
        methods=("POST",), kwargs=_agreement, body=lambda a: {"reason": "x"}, no_refs=NO_OBJECT
    ),
    "api:agreement-amend": Case(methods=("POST",), kwargs=_agreement, no_refs="no body"),
    "api:agreement-delegates": Case(
        methods=("GET", "POST"),
        kind="member",
        kwargs=_agreement,
        body=lambda a: {"delegate": a.employee.pk},
        refs={"POST": (lambda c, o: {"delegate": o.employee.pk},)},
    ),
    "api:agreement-revoke-delegate": Case(
        methods=("DELETE",),
        kwargs=lambda o: {**_agreement(o), "member_pk": o.employee.pk},
        no_refs="DELETE has no body; the member is in the URL",
    ),
    "api:agreement-figures": Case(methods=("GET",)),
    "api:report-departments": Case(methods=("GET",)),
    "api:report-objectives": Case(methods=("GET",)),
    "api:report-distribution": Case(methods=("GET",)),
    "api:agreement-amend-for-role": Case(
        methods=("POST",),
        body=lambda a: {"role": a.role.pk},
        refs={"POST": (lambda c, o: {"role": o.role.pk},)},
    ),
    "api:agreement-versions": Case(methods=("GET",), kwargs=_agreement),
    "api:agreement-version": Case(
        methods=("GET",), kwargs=lambda o: {**_agreement(o), "number": 1}
    ),
    "api:agreement-diff": Case(
        methods=("GET",),
        kwargs=_agreement,
        queries=(lambda o: {"from_version": 1, "to_version": 1},),
    ),
    "api:agreement-verify": Case(methods=("GET",), kwargs=_agreement),
    "api:agreement-pdf": Case(methods=("GET",), kwargs=_agreement),
    "api:agreement-export-list": Case(
        methods=("GET", "POST"),
        body=lambda a: {},
        refs={"POST": (lambda c, o: {"department": o.sales.pk},)},
    ),
    "api:agreement-export-detail": Case(methods=("GET",), kwargs=_export_job),
    "api:agreement-export-download": Case(
        methods=("GET",),
        kwargs=_export_job,
        # No file is built by populate.py (see agreement-export-download).
        queries=(),
    ),
    # Check-ins (API)
    "api:check-in-list": Case(
        methods=("GET", "POST"),
        kind="check_in",
        queries=(
            lambda o: {},
            lambda o: {"employee": o.target.pk},
            lambda o: {"held_from": "2020-01-01", "held_to": "2100-01-01"},
        ),
        b_queries=(lambda b: {"employee": b.target.pk},),
        b_query_filters="a filter: B's person has no check-in in A",
        body=lambda a: {**_check_in_api(a), "employee": a.manager.pk},
        refs={
            "POST": (
                lambda c, o: {**_check_in_api(c), "employee": o.manager.pk},
                lambda c, o: {
                    **_check_in_api(c),
                    "employee": c.manager.pk,
                    "actions": [{"description": "Follow up", "owner": o.admin.pk}],
                },
            )
        },
    ),
    "api:check-in-detail": Case(
        methods=("GET", "PATCH", "DELETE"),
        kind="check_in",
        kwargs=_lead_check_in,
        body=lambda a: {"wins": "Changed by A"},
        refs={"PATCH": (lambda c, o: {"actions": [{"description": "Call", "owner": o.admin.pk}]},)},
        no_refs="DELETE has no body",
    ),
    "api:check-in-action-list": Case(
        methods=("GET",),
        kind="check_in_action",
        queries=(
            lambda o: {},
            lambda o: {"status": "all", "mine": "true"},
            lambda o: {"employee": o.target.pk},
        ),
        b_queries=(lambda b: {"employee": b.target.pk},),
        b_query_filters="a filter: B's person has no action in A",
    ),
    "api:check-in-action-detail": Case(
        methods=("GET",), kind="check_in_action", kwargs=_done_action
    ),
    "api:check-in-action-done": Case(methods=("POST",), kwargs=_done_action, no_refs="no body"),
    "api:check-in-action-reopen": Case(methods=("POST",), kwargs=_done_action, no_refs="no body"),
    # Review cycles (API)
    "api:review-cycle-list": Case(
        methods=("GET", "POST"),
        kind="review_cycle",
        body=lambda a: _cycle_api(a),
        refs={
            "POST": (
                lambda c, o: _cycle_api(
                    c, participant_scope="departments", departments=[o.sales.pk]
                ),
                lambda c, o: _cycle_api(c, participant_scope="list", members=[o.employee.pk]),
            )
        },
    ),
    "api:review-cycle-detail": Case(
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kind="review_cycle",
        kwargs=_review_cycle,
        body=lambda a: _cycle_api(a),
        no_refs="a launched cycle changes only its name and deadlines: no reference; "
        "DELETE has no body",
    ),
    "api:review-list": Case(
        methods=("GET",),
        kind="review",
        queries=(
            lambda o: {},
            lambda o: {"cycle": o.review_cycle.pk, "status": "self_assessment"},
            lambda o: {"mine": "false"},
        ),
    ),
    "api:review-detail": Case(methods=("GET",), kind="review", kwargs=_target_review),
    "api:review-pdf": Case(methods=("GET",), kwargs=_target_review),
    "api:review-self-assessment": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"lessons_learned": "Changed by A", "submit": False},
        no_refs="ratings and comments of the review's own KRAs",
    ),
    "api:review-manager-review": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"manager_comment": "Changed by A", "submit": False},
        no_refs="ratings and comments of the review's own KRAs",
    ),
    "api:review-share": Case(methods=("POST",), kwargs=_target_review, no_refs="no body"),
    "api:review-acknowledge": Case(
        methods=("POST",),
        kwargs=_target_review,
        body=lambda a: {"password": "x", "meaning": True},
        no_refs="a password and the statement",
    ),
    "api:review-development-goals": Case(
        methods=("POST",), kwargs=_target_review, no_refs="no body"
    ),
    "api:review-cycle-launch": Case(methods=("POST",), kwargs=_review_cycle, no_refs="no body"),
    "api:review-cycle-close": Case(methods=("POST",), kwargs=_review_cycle, no_refs="no body"),
    "api:review-cycle-reopen": Case(
        methods=("POST",),
        kwargs=_review_cycle,
        body=lambda a: {"reason": "Reopened by A"},
        no_refs="the body is a reason",
    ),
    "api:review-cycle-tracker": Case(
        methods=("GET",),
        kwargs=_review_cycle,
        queries=(
            lambda o: {},
            lambda o: {"department": o.sales.pk, "status": "self_assessment", "late": "true"},
        ),
        b_queries=(lambda b: {"department": b.sales.pk},),
    ),
    "api:review-cycle-calibration": Case(methods=("GET",), kwargs=_review_cycle),
    "api:review-cycle-review-delegates": Case(
        methods=("GET", "POST"),
        kwargs=lambda o: {"cycle_pk": o.review_cycle.pk, "pk": o.cycle_review.pk},
        body=lambda a: {"delegate": a.other_manager.pk},
        refs={"POST": (lambda c, o: {"delegate": o.other_manager.pk},)},
    ),
    "api:review-cycle-review-revoke": Case(
        methods=("DELETE",),
        kwargs=lambda o: {
            "cycle_pk": o.review_cycle.pk,
            "pk": o.cycle_review.pk,
            "member_pk": o.other_manager.pk,
        },
        no_refs="DELETE has no body; the member is in the URL",
    ),
}

#: More ways to call a route whose query string changes what it does; checked like the
#: cases in ROUTES.
VARIANTS: dict[str, tuple[Case, ...]] = {
    "kra-create": (
        # A department KRA whose department is chosen in the form.
        Case(
            methods=("GET", "POST"),
            url_query=lambda o: {"level": "department"},
            body=lambda a: _kra_page(a, department=a.sales.pk),
            refs={
                "POST": (
                    lambda c, o: _kra_page(c, department=o.sales.pk),
                    lambda c, o: _kra_page(c, department=c.sales.pk, parent=o.org_kra.pk),
                    lambda c, o: _kra_page(c, department=c.sales.pk, objective=o.objective.pk),
                    lambda c, o: _kra_page(c, department=c.sales.pk, owner=o.manager.pk),
                )
            },
            references=KRA_PARENT,
        ),
        # A department KRA whose department is in the query string.
        Case(
            methods=("GET", "POST"),
            url_query=lambda o: {"level": "department", "department": o.sales.pk},
            body=_kra_page,
            refs={"POST": (lambda c, o: _kra_page(c, parent=o.org_kra.pk),)},
            references=KRA_PARENT,
        ),
        Case(
            methods=("GET", "POST"),
            url_query=lambda o: {"level": "organization"},
            body=_kra_page,
            refs={
                "POST": (
                    lambda c, o: _kra_page(c, objective=o.objective.pk),
                    lambda c, o: _kra_page(c, owner=o.manager.pk),
                )
            },
        ),
        # Added from the role's KRA panel.
        Case(
            methods=("GET", "POST"),
            url_query=lambda o: {"level": "role", "role": o.role.pk},
            body=lambda a: {"title": "Made by A", "weight": "10", "definition": ""},
            no_refs="the role is the one in the query string",
            htmx=True,
        ),
    ),
    "kra-edit": (
        Case(
            methods=("GET", "POST"),
            kwargs=lambda o: {"pk": o.department_kra.pk},
            body=lambda a: _kra_page(a, parent=a.org_kra.pk),
            refs={"POST": (lambda c, o: _kra_page(c, parent=o.org_kra.pk),)},
            references=KRA_PARENT,
        ),
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
    "agreement-public-verify": "a public link whose signed token names one agreement; it "
    "shows only valid or not, the content hash and who signed when",
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
    "reminder": Reminder,
    "api_token": ApiToken,
    "audit_event": AuditEvent,
    "objective": StrategicObjective,
    "role": Role,
    "area_of_focus": AreaOfFocus,
    "responsibility": Responsibility,
    "role_assignment": RoleAssignment,
    "kra": KRA,
    "kpi": KPI,
    "measurement": Measurement,
    "kra_template": KRATemplate,
    "check_in": CheckIn,
    "check_in_action": CheckInAction,
    "review_cycle": ReviewCycle,
    "review": Review,
}
#: Form selects whose numbers are not ids.
#: (``from`` and ``to`` are version numbers of one agreement.)
NOT_REFERENCES = {"fiscal_year_start_month", "horizon_years", "priority", "from", "to"}
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
    "success_checked_by": "member",
    "kra_id": "kra",
    "kpi_id": "kpi",
    "kpi": "kpi",
    "person": "member",
    "entered_by": "member",
    "confirmed_by": "member",
    "employee": "member",
    "done_by": "member",
    "created_by": "member",
    "check_in": "check_in",
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
    for key, variants in VARIANTS.items():
        if key not in ROUTES:
            problems.append(f"VARIANTS has {key}, which has no case in ROUTES")
        for variant in variants:
            if not set(variant.methods) <= set(ROUTES.get(key, variant).methods):
                problems.append(f"a variant of {key} calls methods its case does not list")
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


#: Every request of the checks below runs twice: under row-level security, and with it
#: bypassed, so that the application's own scoping (the access helpers, the API bases, the
#: policy) is proven on its own and not only by the database behind it.
RLS_MODES = ("rls enforced", "rls bypassed")


@pytest.fixture(params=RLS_MODES)
def rls_mode(request, settings, db) -> str:
    """Each request's transaction acts as ``DATABASE_APP_ROLE`` (kra_platform.rls
    swap_context); in the bypassed run that is the maintenance role, which has BYPASSRLS."""
    bypassed = request.param == "rls bypassed"
    if bypassed:
        settings.DATABASE_APP_ROLE = settings.DATABASE_MAINTENANCE_ROLE
    # The same switch a request makes: prove it takes the mode asked for.
    with rls.tenant_context():
        assert rls.connection_bypasses_rls() is bypassed
    return request.param


@pytest.fixture
def world(rls_mode) -> World:
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


def _cases():
    """(key, case) for every case: the one in ROUTES and the VARIANTS of each route."""
    for key, case in ROUTES.items():
        yield key, case
        for variant in VARIANTS.get(key, ()):
            yield key, variant


def _call(client, key, case, method, *, slug, side, body=None, query=None):
    """Call ``key`` under ``slug`` with the ids of ``side`` in its URL and query string."""
    url = reverse(key, kwargs={"org_slug": slug, **case.kwargs(side)})
    query = {**case.url_query(side), **(query or {})}
    extra = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    if method == "GET":
        return client.get(url, query, **extra)
    if query:
        url = f"{url}?{urlencode(query)}"
    if key.startswith("api:"):
        send = getattr(client, method.lower())
        if body is None:
            return send(url)
        return send(url, body, format="multipart" if case.multipart else "json")
    return client.post(url, body or {}, **extra)


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


def _lists_nothing(data: dict) -> bool:
    # A paginated list counts its rows (a keyset-paginated one has none on its only page);
    # the cascade tree counts its KRAs.
    if "count" not in data and "results" in data:
        return data["results"] == [] and data.get("next") is None
    return data.get("count", data.get("kra_count")) == 0


def _expected_for_b_ids(key: str, case: Case, method: str) -> set[int]:
    served = key.startswith("api:") or method in case.methods
    found = {200} if case.filter_not_lookup else {404}
    return found if served else found | {405}


@pytest.mark.parametrize("api_auth", ["token", "session"])
def test_b_ids_under_a_slug_answer_404_and_change_nothing(world, api_auth):
    a, b = world.a, world.b
    before = snapshot(b.org)
    problems = []
    for key, case in _cases():
        names_b = case.names_objects(a, b)
        if not names_b and not case.b_queries:
            continue
        client = world.client(key, api_auth)
        if names_b:
            for method in _methods(key, case):
                body = case.body(a) if case.body and method != "GET" else None
                response = _call(client, key, case, method, slug=a.slug, side=b, body=body)
                expected = _expected_for_b_ids(key, case, method)
                if response.status_code not in expected:
                    problems.append(
                        f"{method} {key} with B's ids: expected {sorted(expected)}, got "
                        f"{_describe(response)}"
                    )
                elif leak := _nothing_of(b, response):
                    problems.append(f"{method} {key} with B's ids {leak}")
        for query in case.b_queries:
            response = _call(client, key, case, "GET", slug=a.slug, side=a, query=query(b))
            # A page looks the department up (404), unless it says why it filters; the API
            # filters by it (an empty list).
            expected = {200} if key.startswith("api:") or case.b_query_filters else {404}
            if response.status_code not in expected:
                problems.append(
                    f"GET {key}?{query(b)} naming B's objects: expected {sorted(expected)}, got "
                    f"{_describe(response)}"
                )
            elif leak := _nothing_of(b, response):
                problems.append(f"GET {key}?{query(b)} {leak}")
            elif key.startswith("api:") and not _lists_nothing(response.json()):
                problems.append(f"GET {key}?{query(b)} listed rows: {response.json()}")
    assert not problems, "\n".join(problems)
    assert not diff_snapshots(before, snapshot(b.org)), diff_snapshots(before, snapshot(b.org))


@pytest.mark.parametrize("api_auth", ["token", "session"])
def test_b_slug_answers_404_everywhere_and_changes_nothing(world, api_auth):
    a, b = world.a, world.b
    before_a = snapshot(a.org, ignore=("last_used_at",))
    before_b = snapshot(b.org)
    problems = []
    for key, case in _cases():
        client = world.client(key, api_auth)
        methods = _methods(key, case) + (("OPTIONS",) if key.startswith("api:") else ())
        for whose, side in (("B's", b), ("A's", a)):
            if whose == "A's" and not case.names_objects(b, a):
                continue
            for method in methods:
                body = case.body(a) if case.body and method not in ("GET", "OPTIONS") else None
                response = _call(client, key, case, method, slug=b.slug, side=side, body=body)
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
    for key, case in _cases():
        if not key.startswith("api:"):
            continue
        for method in case.methods:
            body = case.body(b) if case.body and method != "GET" else None
            response = _call(client, key, case, method, slug=b.slug, side=b, body=body)
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


def _foreign_ids_in_json(
    org: PopulatedOrg, data, kind: str | None, references: dict[str, str]
) -> list[str]:
    """Ids in a JSON answer that are not ``org``'s. Nested objects (a role's areas, a KRA's
    KPIs, the cascade's nodes) are searched for references too; their own ``id`` is of a
    kind this test does not know, so it is left to the marker search."""
    found = []
    keys = {**REFERENCE_KEYS, **references}

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
            for key, value in node.items():
                if key in keys and isinstance(value, int) and not isinstance(value, bool):
                    check(KINDS[keys[key]], value, key)
                elif isinstance(value, list | dict):
                    walk(value, None)
            if "object_type" in node and "object_id" in node:
                model = apps.get_model(node["object_type"])
                check(model, node["object_id"], node["object_type"])

    walk(data, kind)
    return found


#: The start of every page path that ends in an object's id, and what the id is.
_AREAS = {
    "departments/": Department,
    "members/": Membership,
    "objectives/": StrategicObjective,
    "invitations/": Invitation,
    "inbox/": Notification,
    "account/tokens/": ApiToken,
    "roles/areas/": AreaOfFocus,
    "roles/responsibilities/": Responsibility,
    "roles/assignments/": RoleAssignment,
    "roles/": Role,
    "kras/role/": Role,
    "kras/": KRA,
    "agreements/": Agreement,
    "check-ins/actions/": CheckInAction,
    "check-ins/": CheckIn,
    "reviews/cycles/": ReviewCycle,
    "reviews/": Review,
    "kpis/new/": KRA,
    "kpis/": KPI,
    "cascade/kras/": KRA,
    "kra-templates/org-": KRATemplate,
}
_LINK = re.compile(
    r"/o/(?P<slug>[\w-]+)/(?P<area>"
    + "|".join(re.escape(area) for area in sorted(_AREAS, key=len, reverse=True))
    + r")(?P<pk>\d+)/"
)
_AUDIT_LINK = re.compile(r"/o/(?P<slug>[\w-]+)/audit/(?P<type>[\w.]+)/(?P<pk>\d+)/")
#: Links whose query string names objects (``kras/new/?level=role&role=5``).
_QUERY_LINK = re.compile(r'(?:href|hx-get|hx-post|action)="(?P<url>/o/[^"?]*\?[^"]*)"')
_SELECT = re.compile(r'<select\b[^>]*\bname="(?P<name>\w+)"[^>]*>(?P<options>.*?)</select>', re.S)
#: A member picker's chosen person (orgs/fields.py) and the member search's matches.
_PICKED = re.compile(
    r'<input type="hidden" name="(?P<name>\w+)" value="(?P<pk>\d+)"[^>]*\bdata-member-value'
)
_MEMBER_OPTION = re.compile(r'data-member-id="(?P<pk>\d+)"')


def _foreign_ids_in_html(org: PopulatedOrg, html: str, references: dict[str, str]) -> list[str]:
    """Links and choices on a page that lead outside ``org``."""
    found = []
    keys = {**REFERENCE_KEYS, **references}
    for m in _LINK.finditer(html):
        if m["slug"] != org.slug or not _owned_by(org, _AREAS[m["area"]], m["pk"]):
            found.append(m[0])
    for m in _AUDIT_LINK.finditer(html):
        if m["slug"] != org.slug or not _owned_by(org, apps.get_model(m["type"]), m["pk"]):
            found.append(m[0])
    for m in _QUERY_LINK.finditer(html):
        query = parse_qs(urlsplit(unescape(m["url"])).query)
        for name, values in query.items():
            if name in keys:
                found += [
                    f"{m['url']} ({name}={v})"
                    for v in values
                    if v.isdigit() and not _owned_by(org, KINDS[keys[name]], v)
                ]
    for m in _SELECT.finditer(html):
        values = re.findall(r'value="(\d+)"', m["options"])
        if not values or m["name"] in NOT_REFERENCES:
            continue
        kind = keys.get(m["name"])
        if kind is None:
            found.append(f"select {m['name']} lists ids this test cannot place: add it")
            continue
        found += [f"{m['name']}={v}" for v in values if not _owned_by(org, KINDS[kind], v)]
    for m in _PICKED.finditer(html):
        if not _owned_by(org, Membership, m["pk"]):
            found.append(f"picker {m['name']}={m['pk']}")
    for m in _MEMBER_OPTION.finditer(html):
        if not _owned_by(org, Membership, m["pk"]):
            found.append(f"search match {m['pk']}")
    return found


def test_nothing_of_b_shows_on_any_page_or_answer_of_a(world):
    a, b = world.a, world.b
    problems = []
    for key, case in _cases():
        calls = []
        if "GET" in case.methods:
            calls += [("GET", q(a)) for q in case.queries]
        if key.startswith("api:"):
            calls.append(("OPTIONS", None))
        for method, query in calls:
            response = _call(world.client(key), key, case, method, slug=a.slug, side=a, query=query)
            where = f"{method} {key}?{urlencode({**case.url_query(a), **(query or {})})}"
            if response.status_code != 200:
                problems.append(f"{where}: expected 200, got {_describe(response)}")
                continue
            if leak := _nothing_of(b, response):
                problems.append(f"{where} {leak}")
            if response["Content-Type"].startswith("application/json"):
                foreign = _foreign_ids_in_json(
                    a, response.json(), case.kind if method == "GET" else None, case.references
                )
            elif response["Content-Type"].startswith("text/html"):
                foreign = _foreign_ids_in_html(a, response.content.decode(), case.references)
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
    for key, case in _cases():
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
        response = _call(world.client(key), key, case, method, slug=a.slug, side=a, body=body)
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
            world.client(key), key, case, method, slug=world.a.slug, side=world.a, body=body
        )
        if why := _acceptance(key, response):
            problems.append(f"{method} {key} (reference #{number} to A) was refused: {why}")
    assert not problems, "\n".join(problems)
