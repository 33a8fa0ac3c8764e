"""Who may do each sensitive thing, on the page and over the API alike.

The personas are those of tests/security/populate.py: a plain employee, the manager of
another branch (heads Engineering, has a report there), the target's own manager (heads
Sales), HR, the org admin, and platform staff who are not members of the organisation (they
get 404 like any outsider: staff work in the Django admin). ``MATRIX`` is the expected answer
for each (action, persona); a refused request must change no row and schedule no task, an
accepted write must change something, so that each row is known to exercise its action.

Roles, KRAs and KPIs follow the manager rules of ``orgs.policy``: an org admin manages every
one; a department head the roles, and the role and department KRAs, of the departments they
head and those below (``manager`` heads Sales, above Inside Sales where ``role`` sits);
organisation KRAs are the org admins' alone; everyone else reads. HR has a direct report, so
it passes the coarse "is a manager" check and meets the object rule instead.

HR reads everything in the organisation and manages people (members, invitations, the
org-chart import, sign-in links, everyone's API tokens, who holds which role), but does not
configure the organisation (profile, objectives, departments, rules) nor change org roles. A
manager assigns roles to their own people only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import Membership, OrgRole
from orgs.services import api_token_create
from tests.factories import PASSWORD, UserFactory

from .populate import PopulatedOrg, diff_snapshots, populate_org, snapshot

pytestmark = pytest.mark.django_db

PERSONAS = ("employee", "other_manager", "manager", "hr", "admin", "staff")
OK = "ok"  # the action's own success answer (Action.page_ok / Action.api_ok)
#: The page does not offer the choice: it answers 200 with the form's error, or without the
#: form when it has nothing to offer this member. The API, which takes any of the
#: organisation's ids, refuses the choice with 403.
NOT_OFFERED = "not offered"

# fmt: off
MATRIX: dict[str, tuple] = {
    #                                employee other_mgr manager hr   admin staff
    "view the organisation":         (OK,     OK,       OK,     OK,  OK,   404),
    "view the member directory":     (OK,     OK,       OK,     OK,  OK,   404),
    "search members (the pickers)":  (OK,     OK,       OK,     OK,  OK,   404),
    "change the org profile":        (403,    403,      403,    403, OK,   404),
    "add an objective":              (403,    403,      403,    403, OK,   404),
    "edit an objective":             (403,    403,      403,    403, OK,   404),
    "add a department":              (403,    403,      403,    403, OK,   404),
    "move a department":             (403,    403,      403,    403, OK,   404),
    "delete a department":           (403,    403,      403,    403, OK,   404),
    "read a person's page":          (OK,     OK,       OK,     OK,  OK,   404),
    "change a member's manager/department": (403, 403,  403,    OK,  OK,   404),
    "change a member's org role":    (403,    403,      403, NOT_OFFERED, OK, 404),
    "deactivate a member":           (403,    403,      403,    OK,  OK,   404),
    "invite someone":                (403,    403,      403,    OK,  OK,   404),
    "import the org chart":          (403,    403,      403,    OK,  OK,   404),
    "read the audit trail":          (403,    403,      403,    OK,  OK,   404),
    "send a member a sign-in link":  (403,    403,      403,    OK,  OK,   404),
    "send every sign-in link":       (403,    403,      403,    OK,  OK,   404),
    # One's own tokens page reaches one's own tokens only, even for an org admin...
    "revoke someone else's token":   (404,    404,      404,    404, 404,  404),
    # ...everyone's are on the organisation's token pages, for org admins and HR.
    "list everyone's API tokens":    (403,    403,      403,    OK,  OK,   404),
    "revoke a member's API token":   (403,    403,      403,    OK,  OK,   404),
    # Roles (MANAGE_ROLE), in Inside Sales, below the Sales that ``manager`` heads.
    "read roles":                    (OK,     OK,       OK,     OK,  OK,   404),
    "add a role in one's department": (403, NOT_OFFERED, OK,    403, OK,   404),
    "add a role in no department":   (403, NOT_OFFERED, NOT_OFFERED, 403, OK, 404),
    "edit a role":                   (403,    403,      OK,     403, OK,   404),
    "move a role to another department": (403, 403, NOT_OFFERED, 403, OK,  404),
    "delete a role":                 (403,    403,      OK,     403, OK,   404),
    "answer a role's success check": (403,    403,      OK,     403, OK,   404),
    "add an area of focus":          (403,    403,      OK,     403, OK,   404),
    "add a responsibility":          (403,    403,      OK,     403, OK,   404),
    "assign someone a role":         (403,    403,      OK,     OK,  OK,   404),
    # ``employee`` reports to HR, in no department: not one of ``manager``'s people.
    "assign someone outside one's line a role": (403, 403, NOT_OFFERED, OK, OK, 404),
    "end a role assignment":         (403,    403,      OK,     OK,  OK,   404),
    # KRAs and KPIs (MANAGE_KRA): organisation KRAs are leadership's.
    "read KRAs":                     (OK,     OK,       OK,     OK,  OK,   404),
    "open the role KRAs below a KRA": (OK,    OK,       OK,     OK,  OK,   404),
    "add an organisation KRA":       (403,    403,      403,    403, OK,   404),
    "edit an organisation KRA":      (403,    403,      403,    403, OK,   404),
    "add a department KRA":          (403,    403,      OK,     403, OK,   404),
    "edit a department KRA":         (403,    403,      OK,     403, OK,   404),
    "add a role KRA":                (403,    403,      OK,     403, OK,   404),
    "edit a role KRA":               (403,    403,      OK,     403, OK,   404),
    "reorder a role's KRAs":         (403,    403,      OK,     403, OK,   404),
    "retire a role KRA":             (403,    403,      OK,     403, OK,   404),
    "confirm a flagged KRA":         (403,    403,      OK,     403, OK,   404),
    "add a KPI":                     (403,    403,      OK,     403, OK,   404),
    "edit a KPI":                    (403,    403,      OK,     403, OK,   404),
    "delete a KPI":                  (403,    403,      OK,     403, OK,   404),
    "apply a template to a role":    (403, NOT_OFFERED, OK, NOT_OFFERED, OK, 404),
    "save a role as a template":     (403, NOT_OFFERED, OK, NOT_OFFERED, OK, 404),
    "change the KRA rules":          (403,    403,      403,    403, OK,   404),
    # Reminders: the log is HR's (and the org admins'); the stage settings are rules; each
    # person mutes their own.
    "read the reminder log":         (403,    403,      403,    OK,  OK,   404),
    "change the reminder settings":  (403,    403,      403,    403, OK,   404),
    "mute one's own reminders":      (OK,     OK,       OK,     OK,  OK,   404),
    # Results: a person's values are recorded, read, confirmed and deleted by the person,
    # their management line and HR (the target's manager heads Sales).
    "read one's KPIs this period":   (OK,     OK,       OK,     OK,  OK,   404),
    "record a value for someone": (NOT_OFFERED, NOT_OFFERED, OK, OK, OK, 404),
    "upload results for someone": (NOT_OFFERED, NOT_OFFERED, OK, OK, OK, 404),
    "read someone's value":          (404,    404,      OK,     OK,  OK,   404),
    "confirm someone's value":       (404,    404,      OK,     OK,  OK,   404),
    "delete someone's value":        (404,    404,      OK,     OK,  OK,   404),
    "read someone's results":        (403,    403,      OK,     OK,  OK,   404),
    "read how someone's scores are made": (403, 403,    OK,     OK,  OK,   404),
    # Everyone opens the team grid; it lists their own direct reports only.
    "read one's team results":       (OK,     OK,       OK,     OK,  OK,   404),
    # The same pages as downloads (CSV, XLSX): the page's own access.
    "export someone's results":      (403,    403,      OK,     OK,  OK,   404),
    "export one's team results":     (OK,     OK,       OK,     OK,  OK,   404),
    # Reports: HR and org admins the organisation; a department head their departments.
    "read the department report":    (403,    OK,       OK,     OK,  OK,   404),
    "read the objective report":     (403,    OK,       OK,     OK,  OK,   404),
    "read the score distribution":   (403,    OK,       OK,     OK,  OK,   404),
    "export the department report":  (403,    OK,       OK,     OK,  OK,   404),
    # Agreements: the target's is read by the person, their management line and HR.
    "list agreements":               (OK,     OK,       OK,     OK,  OK,   404),
    "read an agreement":             (403,    403,      OK,     OK,  OK,   404),
    "verify an agreement":           (403,    403,      OK,     OK,  OK,   404),
    "add a personal KRA to an agreement": (403, 403,    OK,     OK,  OK,   404),
    "void an agreement":             (403,    403,      403,    OK,  OK,   404),
    # Who countersigns in the manager of record's place is HR's to say.
    "let someone else countersign an agreement": (403, 403, 403, OK, OK,  404),
    "revoke a countersignature delegate": (403, 403,    403,    OK,  OK,   404),
    # Exporting everyone's signed agreements is HR's (and the org admins').
    "export the signed agreements":  (403,    403,      403,    OK,  OK,   404),
    "follow an export":              (403,    403,      403,    OK,  OK,   404),
    # Agreement pages. Everyone has a "my KRAs" and a "my team" page (empty without one).
    "read one's own KRAs":           (OK,     OK,       OK,     OK,  OK,   404),
    "read one's team's agreements":  (OK,     OK,       OK,     OK,  OK,   404),
    "start an agreement for someone": (403,   403,      OK,     OK,  OK,   404),
    "compare an agreement's versions": (403,  403,      OK,     OK,  OK,   404),
    "download an agreement's PDF":   (403,    403,      OK,     OK,  OK,   404),
    "comment on an agreement":       (403,    403,      OK,     OK,  OK,   404),
    "give a KPI a personal target":  (403,    403,      OK,     OK,  OK,   404),
    "remove a personal KRA":         (403,    403,      OK,     OK,  OK,   404),
    "remove a personal KPI":         (403,    403,      OK,     OK,  OK,   404),
    "add a growth goal":             (403,    403,      OK,     OK,  OK,   404),
    "edit a growth goal":            (403,    403,      OK,     OK,  OK,   404),
    "remove a growth goal":          (403,    403,      OK,     OK,  OK,   404),
    # The target's draft fails the readiness checks: those who may propose it are told why
    # (200, nothing frozen); the others are refused.
    "propose an agreement":          (403,    403,      OK,     OK,  OK,   404),
    # Only the person asks for changes, signs first, and nobody here is the target.
    "ask for changes to an agreement": (403,  403,      403,    403, 403,  404),
    # A draft has nothing to sign: who may read it is told so (200, nothing signed).
    "sign an agreement":             (403,    403,      OK,     OK,  OK,   404),
    # A draft is not in force: who may amend is told so (200, nothing started).
    "amend an agreement":            (403,    403,      OK,     OK,  OK,   404),
    # Each agreement of the role the caller may manage (none in force here: the action is
    # still taken and audited).
    "amend every agreement of a role": (403,  OK,       OK,     OK,  OK,   404),
    # HR and org admins: the organisation; a manager: the departments they head and below.
    "see the agreement figures":     (403,    OK,       OK,     OK,  OK,   404),
    # Check-ins: the target's are held with ``manager``; read by them, the target and HR
    # (with org admins), not by skip-level managers; recorded, edited and deleted (by
    # its author) only by those who hold them. ``manager``'s own check-in is held with the
    # org admin, its action done: reopened by ``manager`` and the admin.
    "read one's check-in actions":   (OK,     OK,       OK,     OK,  OK,   404),
    "read someone's check-ins":      (403,    403,      OK,     OK,  OK,   404),
    "read a check-in":               (403,    403,      OK,     OK,  OK,   404),
    "record a check-in for someone": (403,    403,      OK,     403, 403,  404),
    "edit a check-in":               (403,    403,      OK,     403, 403,  404),
    "delete a check-in":             (403,    403,      OK,     403, 403,  404),
    "mark a check-in action done":   (403,    403,      OK,     403, 403,  404),
    "reopen a check-in action":      (403,    403,      OK,     403, OK,   404),
    # Review cycles are HR's (with the org admins'): the populated one is launched, with the
    # target's review.
    "list review cycles":            (403,    403,      403,    OK,  OK,   404),
    "create a review cycle":         (403,    403,      403,    OK,  OK,   404),
    "edit a review cycle":           (403,    403,      403,    OK,  OK,   404),
    "launch a review cycle":         (403,    403,      403,    OK,  OK,   404),
    "read a review cycle's tracker": (403,    403,      403,    OK,  OK,   404),
    "export a review cycle's tracker": (403,  403,      403,    OK,  OK,   404),
    "read a review cycle's calibration": (403, 403,     403,    OK,  OK,   404),
    "close a review cycle":          (403,    403,      403,    OK,  OK,   404),
    # The populated cycle is open: who may reopen one is told so (nothing changes).
    "reopen a review cycle":         (403,    403,      403,    OK,  OK,   404),
    "let someone else write a review": (403,  403,      403,    OK,  OK,   404),
    "revoke a review's delegate":    (403,    403,      403,    OK,  OK,   404),
    # The target's review (docs/DOMAIN.md rules R41, R61 to R70): read by the reviewer
    # (``manager``), HR and the org admins; written by the target (self-assessment,
    # acknowledgement: nobody here) and the reviewer. Not yet submitted: sharing it and
    # turning its needs into goals are refused with the reason (200 page, 400 API).
    "list one's reviews":            (OK,     OK,       OK,     OK,  OK,   404),
    "read a review":                 (403,    403,      OK,     OK,  OK,   404),
    "download a review's PDF":       (403,    403,      OK,     OK,  OK,   404),
    "write a self-assessment":       (403,    403,      403,    403, 403,  404),
    "write a manager's review":      (403,    403,      OK,     403, 403,  404),
    "share a review":                (403,    403,      OK,     403, 403,  404),
    "acknowledge a review":          (403,    403,      403,    403, 403,  404),
    "turn development needs into goals": (403, 403,     OK,     OK,  OK,   404),
}
# fmt: on
# Whoever may import the org chart sees what their import did.
MATRIX["see the org-chart import result"] = MATRIX["import the org chart"]

Request = Callable[[Client, PopulatedOrg], object]


@dataclass(frozen=True)
class Action:
    page: Request
    #: None for a page that has no API twin (the API answers an import in its response).
    api: Request | None
    page_ok: int
    api_ok: int
    #: Whether success changes rows (reads and personal actions do not).
    writes: bool = True
    #: The form field whose choices a NOT_OFFERED answer leaves the request's value out of.
    choice: str = ""


def _post(
    name: str,
    kwargs: Callable[[PopulatedOrg], dict] = lambda o: {},
    body=None,
    query: Callable[[PopulatedOrg], dict] | None = None,
):
    def request(client, o):
        url = reverse(name, kwargs={"org_slug": o.slug, **kwargs(o)})
        if query is not None:
            url = f"{url}?{urlencode(query(o))}"
        return client.post(url, body(o) if body else {})

    return request


def _get(name: str, kwargs: Callable[[PopulatedOrg], dict] = lambda o: {}):
    return lambda client, o: client.get(reverse(name, kwargs={"org_slug": o.slug, **kwargs(o)}))


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


def _this_month() -> str:
    from django.utils import timezone

    return timezone.localdate().replace(day=1).isoformat()


def _results(o: PopulatedOrg) -> SimpleUploadedFile:
    rows = f"person,kpi,period start,value\n{o.target.user.email},{o.kpi.pk},{_this_month()},9\n"
    return SimpleUploadedFile("results.csv", rows.encode(), content_type="text/csv")


def _results_page(client, o):
    """Upload, then confirm the preview: the two steps of the page."""
    url = reverse("measurement-import", kwargs={"org_slug": o.slug})
    preview = client.post(url, {"file": _results(o)})
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode())
    if preview.status_code != 200 or digest is None:
        return preview
    return client.post(url, {"digest": digest[1]})


def _value(o: PopulatedOrg) -> dict:
    return {"kpi": o.kpi.pk, "person": o.target.pk, "period_start": _this_month(), "value": "9"}


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


def _role_form(o: PopulatedOrg, **changes) -> dict:
    """The role page's form for ``o.role`` as it stands, with ``changes``."""
    role = o.role
    return {
        "title": role.title,
        "department": role.department_id,
        "reports_to": role.reports_to_id or "",
        "purpose": role.purpose,
        "mission_alignment": "",
        "strategy_contribution": "",
        "annual_cost": "",
        "expected_value": "",
        "currency": "USD",
        "justification_kind": "revenue",
        "justification_target_date": "",
        "justification_note": "",
        "job_description": "",
        **changes,
    }


def _kra_form(kra=None, **changes) -> dict:
    """The KRA form, for a new KRA or for ``kra`` as it stands, with ``changes``."""
    fields = {
        "title": "Market share",
        "definition": "",
        "weight": "10",
        "priority": "2",
        "objective": "",
        "parent": "",
        "owner": "",
        "area_of_focus": "",
    }
    if kra is not None:
        fields.update(
            title=kra.title,
            weight=str(kra.weight),
            objective=kra.objective_id or "",
            parent=kra.parent_id or "",
            owner=kra.owner_id or "",
            area_of_focus=kra.area_of_focus_id or "",
        )
    return {**fields, **changes}


def _kpi_form(o: PopulatedOrg, **changes) -> dict:
    return {
        "name": "Calls per week",
        "description": "",
        "measure_type": "number",
        "currency_code": "",
        "unit": "calls",
        "direction": "increase",
        "baseline": "",
        "target": "50",
        "target_low": "",
        "target_high": "",
        "frequency": "weekly",
        "aggregation": "sum",
        "weight": "50",
        "start_date": "",
        "due_date": "",
        "data_source": "manual",
        **changes,
    }


def _api_role(**fields):
    # "Not yet justified", the default, would also need a target date.
    return {"title": "Account Manager", "justification_kind": "revenue", **fields}


def _pk(name: str):
    return lambda o: {"pk": getattr(o, name).pk}


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _check_in_form(o: PopulatedOrg) -> dict:
    """The check-in form: today, a win, and no action row."""
    return {
        "held_on": _today(),
        "wins": "A good week",
        "blockers": "",
        "notes": "",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "50",
    }


#: A role template shipped with the product.
LIBRARY_TEMPLATE = "sales.sales-executive"


def _personal_kra_form(o: PopulatedOrg) -> dict:
    return {
        "title": "Mentor a new hire",
        "definition": "",
        "weight": "10",
        "priority": "2",
        "parent": "",
        "objective": o.objective.pk,
        "kpi_name": "New hires ramped",
        "kpi_unit": "people",
        "kpi_direction": "increase",
        "kpi_baseline": "0",
        "kpi_target": "1",
        "kpi_frequency": "quarterly",
        "kpi_due_date": o.agreement.period_end.isoformat(),
    }


def _goal_form(o: PopulatedOrg) -> dict:
    return {
        "goal": "Public speaking",
        "measurable_target": "Two talks",
        "due_date": o.agreement.period_end.isoformat(),
        "measured_by": "Talks given",
    }


def _delegated(request: Request) -> Request:
    """``request`` once ``other_manager`` may countersign the agreement (a grant made
    outside the request, which the snapshot does not see: only the revocation's audit row
    tells that it happened)."""

    def call(client, o):
        from guardian.shortcuts import assign_perm

        assign_perm("reviews.sign_agreement", o.other_manager.user, o.agreement)
        return request(client, o)

    return call


def _review_delegated(request: Request) -> Request:
    """``request`` once ``other_manager`` may write the target's review (a grant made
    outside the request: only the revocation's audit row tells that it happened)."""

    def call(client, o):
        from guardian.shortcuts import assign_perm

        assign_perm("reviews.review_as_reviewer", o.other_manager.user, o.cycle_review)
        return request(client, o)

    return call


def _cycle_review(o: PopulatedOrg) -> dict:
    return {"pk": o.review_cycle.pk, "review_pk": o.cycle_review.pk}


def _cycle_dates(o: PopulatedOrg, **fields) -> dict:
    """The populated cycle's dates under a new name: a launched cycle's edit."""
    cycle = o.review_cycle
    return {
        "name": "Renamed cycle",
        **{
            name: getattr(cycle, name).isoformat()
            for name in (
                "window_start",
                "window_end",
                "self_assessment_due",
                "manager_review_due",
                "acknowledgement_due",
            )
        },
        **fields,
    }


def _cycle_form(o: PopulatedOrg) -> dict:
    return {
        **_cycle_dates(o, name="Mid-year"),
        "cadence": "half_yearly",
        "participant_scope": "org",
        "weight_manager": "60",
        "weight_achievement": "40",
        "scale_value_0": "1",
        "scale_label_0": "Low",
        "scale_value_1": "2",
        "scale_label_1": "High",
        "band_at_least_0": "1",
        "band_rating_0": "2",
        "band_rating_1": "1",
    }


def _add_then_remove_personal_kpi(client, o):
    """Add a personal KRA (with its KPI), then remove that KPI; where the first step is
    refused, the second aims at a role KPI, which is refused too."""
    client.post(
        reverse("agreement-add-kra", kwargs={"org_slug": o.slug, "pk": o.agreement.pk}),
        _personal_kra_form(o),
    )
    kpis = o.agreement.kpis.order_by("-id")
    kpi = kpis.filter(source="personal").first() or kpis.first()
    return client.post(
        reverse(
            "agreement-remove-kpi",
            kwargs={"org_slug": o.slug, "pk": o.agreement.pk, "kpi_pk": kpi.pk},
        )
    )


def _add_then_remove_personal_kra(client, o):
    """Add a personal KRA, then remove it: the two steps of the page. Where the first is
    refused, the second aims at a role KRA, which is refused too."""
    client.post(
        reverse("agreement-add-kra", kwargs={"org_slug": o.slug, "pk": o.agreement.pk}),
        _personal_kra_form(o),
    )
    items = o.agreement.items.order_by("-id")
    item = items.filter(source="personal").first() or items.first()
    return client.post(
        reverse(
            "agreement-remove-kra",
            kwargs={"org_slug": o.slug, "pk": o.agreement.pk, "item_pk": item.pk},
        )
    )


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
    "search members (the pickers)": Action(
        page=lambda client, o: client.get(
            reverse("member-search", kwargs={"org_slug": o.slug}), {"q": "a"}
        ),
        api=lambda client, o: client.get(
            reverse("api:member-list", kwargs={"org_slug": o.slug}), {"q": "a"}
        ),
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
    "read a person's page": Action(
        page=_get("member-detail", _target),
        api=_api("GET", "api:member-detail", _target),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "change a member's manager/department": Action(
        page=_post("member-edit", _target, lambda o: {**_member_edit(o), "role": o.target.role}),
        api=_api(
            "PATCH",
            "api:member-detail",
            _target,
            lambda o: {"manager": o.other_manager.pk, "department": o.engineering.pk},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "change a member's org role": Action(
        page=_post("member-edit", _target, _member_edit),
        api=_api("PATCH", "api:member-detail", _target, lambda o: {"role": OrgRole.HR}),
        page_ok=302,
        api_ok=200,
        choice="role",
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
    # The confirmation redirects to the result page (post/redirect/get).
    "import the org chart": Action(page=_import_page, api=_import_api, page_ok=302, api_ok=200),
    "see the org-chart import result": Action(
        page=_get("org-chart-import-result"), api=None, page_ok=200, api_ok=0, writes=False
    ),
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
    "list everyone's API tokens": Action(
        page=_get("org-token-list"),
        api=_api("GET", "api:org-api-token-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "revoke a member's API token": Action(
        page=_post("org-token-revoke", lambda o: {"pk": o.target_token.pk}),
        api=_api("POST", "api:org-api-token-revoke", lambda o: {"pk": o.target_token.pk}),
        page_ok=302,
        api_ok=200,
    ),
    # --- roles --------------------------------------------------------------------------------
    "read roles": Action(
        page=_get("role-detail", _pk("role")),
        api=_api("GET", "api:role-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "add a role in one's department": Action(
        page=_post(
            "role-create",
            body=lambda o: _role_form(o, title="Account Manager", reports_to=""),
        ),
        api=_api("POST", "api:role-list", body=lambda o: _api_role(department=o.inside_sales.pk)),
        page_ok=302,
        api_ok=201,
        choice="department",
    ),
    "add a role in no department": Action(
        page=_post(
            "role-create",
            body=lambda o: _role_form(o, title="Chief of Staff", department="", reports_to=""),
        ),
        api=_api("POST", "api:role-list", body=lambda o: _api_role(title="Chief of Staff")),
        page_ok=302,
        api_ok=201,
        choice="department",
    ),
    "edit a role": Action(
        page=_post("role-edit", _pk("role"), lambda o: _role_form(o, purpose="A new purpose")),
        api=_api("PATCH", "api:role-detail", _pk("role"), lambda o: {"purpose": "A new purpose"}),
        page_ok=302,
        api_ok=200,
    ),
    "move a role to another department": Action(
        page=_post("role-edit", _pk("role"), lambda o: _role_form(o, department=o.engineering.pk)),
        api=_api(
            "PATCH", "api:role-detail", _pk("role"), lambda o: {"department": o.engineering.pk}
        ),
        page_ok=302,
        api_ok=200,
        choice="department",
    ),
    "delete a role": Action(
        page=_post("role-delete", _pk("empty_role")),
        api=_api("DELETE", "api:role-detail", _pk("empty_role")),
        page_ok=302,
        api_ok=204,
    ),
    "answer a role's success check": Action(
        page=_post(
            "role-success-check",
            _pk("role"),
            lambda o: {"is_complete": "no", "missing": "Renewals", "unnecessary": ""},
        ),
        api=_api(
            "POST",
            "api:role-success-check",
            _pk("role"),
            lambda o: {"is_complete": False, "missing": "Renewals"},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "add an area of focus": Action(
        page=_post("area-create", _pk("role"), lambda o: {"title": "Renewals"}),
        api=_api(
            "POST",
            "api:area-of-focus-list",
            body=lambda o: {"role": o.role.pk, "title": "Renewals"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "add a responsibility": Action(
        page=_post("responsibility-create", _pk("area"), lambda o: {"description": "Call back"}),
        api=_api(
            "POST",
            "api:responsibility-list",
            body=lambda o: {"area": o.area.pk, "description": "Call back"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "assign someone a role": Action(
        page=_post(
            "role-assign",
            _pk("role"),
            lambda o: {"member": o.never_signed_in.pk, "start_date": "2030-01-01"},
        ),
        api=_api(
            "POST",
            "api:role-assignment-list",
            body=lambda o: {
                "role": o.role.pk,
                "member": o.never_signed_in.pk,
                "start_date": "2030-01-01",
            },
        ),
        page_ok=302,
        api_ok=201,
    ),
    "assign someone outside one's line a role": Action(
        page=_post(
            "role-assign",
            _pk("role"),
            lambda o: {"member": o.employee.pk, "start_date": "2030-01-01"},
        ),
        api=_api(
            "POST",
            "api:role-assignment-list",
            body=lambda o: {"role": o.role.pk, "member": o.employee.pk, "start_date": "2030-01-01"},
        ),
        page_ok=302,
        api_ok=201,
        choice="member",
    ),
    "end a role assignment": Action(
        page=_post("role-assignment-end", _pk("assignment"), lambda o: {"end_date": "2031-12-31"}),
        api=_api(
            "POST",
            "api:role-assignment-end",
            _pk("assignment"),
            lambda o: {"end_date": "2031-12-31"},
        ),
        page_ok=302,
        api_ok=200,
    ),
    # --- KRAs and KPIs ------------------------------------------------------------------------
    "read KRAs": Action(
        page=_get("kra-detail", _pk("org_kra")),
        api=_api("GET", "api:kra-detail", _pk("org_kra")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "open the role KRAs below a KRA": Action(
        page=_get("cascade-below", _pk("department_kra")),
        api=_api("GET", "api:cascade"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "add an organisation KRA": Action(
        page=_post(
            "kra-create", body=lambda o: _kra_form(), query=lambda o: {"level": "organization"}
        ),
        api=_api(
            "POST",
            "api:kra-list",
            body=lambda o: {"level": "organization", "title": "Market share", "weight": "10"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit an organisation KRA": Action(
        page=_post("kra-edit", _pk("org_kra"), lambda o: _kra_form(o.org_kra, title="Renamed")),
        api=_api("PATCH", "api:kra-detail", _pk("org_kra"), lambda o: {"title": "Renamed"}),
        page_ok=302,
        api_ok=200,
    ),
    "add a department KRA": Action(
        page=_post(
            "kra-create",
            body=lambda o: _kra_form(parent=o.org_kra.pk),
            query=lambda o: {"level": "department", "department": o.sales.pk},
        ),
        api=_api(
            "POST",
            "api:kra-list",
            body=lambda o: {
                "level": "department",
                "department": o.sales.pk,
                "title": "Market share",
                "parent": o.org_kra.pk,
            },
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit a department KRA": Action(
        page=_post(
            "kra-edit",
            _pk("department_kra"),
            lambda o: _kra_form(o.department_kra, title="Renamed"),
        ),
        api=_api("PATCH", "api:kra-detail", _pk("department_kra"), lambda o: {"title": "Renamed"}),
        page_ok=302,
        api_ok=200,
    ),
    "add a role KRA": Action(
        page=_post(
            "kra-create",
            body=lambda o: _kra_form(parent=o.department_kra.pk),
            query=lambda o: {"level": "role", "role": o.role.pk},
        ),
        api=_api(
            "POST",
            "api:kra-list",
            body=lambda o: {"level": "role", "role": o.role.pk, "title": "Market share"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit a role KRA": Action(
        page=_post("kra-edit", _pk("role_kra"), lambda o: _kra_form(o.role_kra, weight="80")),
        api=_api("PATCH", "api:kra-detail", _pk("role_kra"), lambda o: {"weight": "80"}),
        page_ok=302,
        api_ok=200,
    ),
    "reorder a role's KRAs": Action(
        page=_post("kra-move", _pk("flagged_kra"), lambda o: {"direction": "up"}),
        api=_api("POST", "api:kra-move", _pk("flagged_kra"), lambda o: {"direction": "up"}),
        page_ok=302,
        api_ok=200,
    ),
    "retire a role KRA": Action(
        page=_post("kra-retire", _pk("flagged_kra")),
        api=_api("POST", "api:kra-retire", _pk("flagged_kra"), lambda o: {"children": None}),
        page_ok=302,
        api_ok=200,
    ),
    "confirm a flagged KRA": Action(
        page=_post("cascade-kra-confirm", _pk("flagged_kra")),
        api=_api("POST", "api:kra-confirm", _pk("flagged_kra")),
        page_ok=302,
        api_ok=200,
    ),
    "add a KPI": Action(
        page=_post("kpi-create", lambda o: {"kra_pk": o.role_kra.pk}, _kpi_form),
        api=_api(
            "POST",
            "api:kpi-list",
            body=lambda o: {"kra": o.role_kra.pk, "name": "Calls per week", "target": "50"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit a KPI": Action(
        page=_post(
            "kpi-edit",
            _pk("kpi"),
            lambda o: _kpi_form(o, name=o.kpi.name, unit="deals", target="12", weight="100"),
        ),
        api=_api("PATCH", "api:kpi-detail", _pk("kpi"), lambda o: {"target": "12"}),
        page_ok=302,
        api_ok=200,
    ),
    "delete a KPI": Action(
        page=_post("kpi-delete", _pk("kpi")),
        api=_api("DELETE", "api:kpi-detail", _pk("kpi")),
        page_ok=302,
        api_ok=204,
    ),
    "apply a template to a role": Action(
        page=_post(
            "kra-template-apply",
            lambda o: {"key": LIBRARY_TEMPLATE},
            lambda o: {"role": o.empty_role.pk},
        ),
        api=_api(
            "POST",
            "api:kra-template-apply",
            lambda o: {"key": LIBRARY_TEMPLATE},
            lambda o: {"role": o.empty_role.pk},
        ),
        page_ok=302,
        api_ok=201,
        choice="role",
    ),
    "save a role as a template": Action(
        page=_post(
            "kra-template-save",
            body=lambda o: {"role": o.role.pk, "name": "Sales playbook", "category": ""},
        ),
        api=_api(
            "POST",
            "api:kra-template-list",
            body=lambda o: {"role": o.role.pk, "name": "Sales playbook"},
        ),
        page_ok=302,
        api_ok=201,
        choice="role",
    ),
    # --- results ------------------------------------------------------------------------------
    "read one's KPIs this period": Action(
        page=_get("my-kpis"),
        api=_api("GET", "api:measurement-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "record a value for someone": Action(
        page=_post(
            "kpi-measure",
            _pk("kpi"),
            lambda o: {"person": o.target.pk, "period_start": _this_month(), "value": "9"},
        ),
        api=_api("POST", "api:measurement-list", body=_value),
        page_ok=302,
        api_ok=201,
        choice="person",
    ),
    "upload results for someone": Action(
        page=_results_page,
        api=_api("POST", "api:measurement-bulk", body=lambda o: {"rows": [_value(o)]}),
        page_ok=302,
        api_ok=200,
        choice="person",
    ),
    "read someone's value": Action(
        page=None,
        api=_api("GET", "api:measurement-detail", _pk("measurement")),
        page_ok=0,
        api_ok=200,
        writes=False,
    ),
    "confirm someone's value": Action(
        page=None,
        api=_api("POST", "api:measurement-confirm", _pk("awaiting_measurement")),
        page_ok=0,
        api_ok=200,
    ),
    "delete someone's value": Action(
        page=None,
        api=_api("DELETE", "api:measurement-detail", _pk("measurement")),
        page_ok=0,
        api_ok=204,
    ),
    "read someone's results": Action(
        page=_get("person-results", _pk("target")),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read how someone's scores are made": Action(
        page=_get("person-results-breakdown", _pk("target")),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read one's team results": Action(
        page=_get("team-results"),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "export someone's results": Action(
        page=lambda client, o: client.get(
            reverse("person-results", kwargs={"org_slug": o.slug, "pk": o.target.pk}),
            {"export": "csv"},
        ),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "export one's team results": Action(
        page=lambda client, o: client.get(
            reverse("team-results", kwargs={"org_slug": o.slug}), {"export": "xlsx"}
        ),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read the department report": Action(
        page=_get("report-departments"),
        api=_api("GET", "api:report-departments"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "read the objective report": Action(
        page=_get("report-objectives"),
        api=_api("GET", "api:report-objectives"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "read the score distribution": Action(
        page=_get("report-distribution"),
        api=_api("GET", "api:report-distribution"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "export the department report": Action(
        page=lambda client, o: client.get(
            reverse("report-departments", kwargs={"org_slug": o.slug}), {"export": "csv"}
        ),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read the reminder log": Action(
        page=_get("reminder-log"),
        api=_api("GET", "api:reminder-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "change the reminder settings": Action(
        page=_post(
            "reminder-settings",
            body=lambda o: {
                "reminder_days_before": 2,
                "reminder_days_after": 1,
                "reminder_escalate_manager_days": 4,
                "reminder_escalate_hr_days": 8,
                "reminder_hour": 9,
                "agreement_signature_days": 5,
                "kpi_value_grace_days": 3,
                "kra_review_days": 10,
            },
        ),
        api=_api("PATCH", "api:reminder-settings", body=lambda o: {"reminder_hour": 9}),
        page_ok=302,
        api_ok=200,
    ),
    # A personal setting: whether it changes a row depends on what the person had chosen.
    "mute one's own reminders": Action(
        page=_post("my-reminders", body=lambda o: {"muted": "on"}),
        api=_api("PUT", "api:my-reminders", body=lambda o: {"muted": True}),
        page_ok=302,
        api_ok=200,
        writes=False,
    ),
    "change the KRA rules": Action(
        page=_post(
            "org-rules",
            body=lambda o: {
                "kra_min": 3,
                "kra_max": 6,
                "kpi_min": 1,
                "kpi_max": 3,
                "require_alignment": "on",
                "activity_verbs": "conduct",
            },
        ),
        api=_api("PATCH", "api:org-rules", body=lambda o: {"kra_max": 6}),
        page_ok=302,
        api_ok=200,
    ),
    "list agreements": Action(
        page=None,
        api=_api("GET", "api:agreement-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "read an agreement": Action(
        page=_get("agreement-detail", _pk("agreement")),
        api=_api("GET", "api:agreement-detail", _pk("agreement")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "verify an agreement": Action(
        page=_get("agreement-verify", _pk("agreement")),
        api=_api("GET", "api:agreement-verify", _pk("agreement")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "add a personal KRA to an agreement": Action(
        page=_post("agreement-add-kra", _pk("agreement"), _personal_kra_form),
        api=_api(
            "POST",
            "api:agreement-items",
            _pk("agreement"),
            lambda o: {"title": "Mentor a new hire", "weight": "10"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "void an agreement": Action(
        page=_post("agreement-void", _pk("agreement"), lambda o: {"reason": "Left"}),
        api=_api("POST", "api:agreement-void", _pk("agreement"), lambda o: {"reason": "Left"}),
        page_ok=302,
        api_ok=200,
    ),
    "let someone else countersign an agreement": Action(
        page=_post(
            "agreement-delegate", _pk("agreement"), lambda o: {"delegate": o.other_manager.pk}
        ),
        api=_api(
            "POST",
            "api:agreement-delegates",
            _pk("agreement"),
            lambda o: {"delegate": o.other_manager.pk},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "revoke a countersignature delegate": Action(
        page=_delegated(
            _post(
                "agreement-revoke-delegate",
                _pk("agreement"),
                lambda o: {"delegate": o.other_manager.pk},
            )
        ),
        api=_delegated(
            _api(
                "DELETE",
                "api:agreement-revoke-delegate",
                lambda o: {"pk": o.agreement.pk, "member_pk": o.other_manager.pk},
            )
        ),
        page_ok=302,
        api_ok=204,
    ),
    "export the signed agreements": Action(
        page=_post("agreement-export", body=lambda o: {"department": ""}),
        api=_api("POST", "api:agreement-export-list", body=lambda o: {"department": None}),
        page_ok=302,
        api_ok=201,
    ),
    "follow an export": Action(
        page=_get("agreement-export-status", _pk("export_job")),
        api=_api("GET", "api:agreement-export-detail", _pk("export_job")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    # --- agreement pages ----------------------------------------------------------------------
    "read one's own KRAs": Action(
        page=_get("my-kras"), api=None, page_ok=200, api_ok=0, writes=False
    ),
    "read one's team's agreements": Action(
        page=_get("my-team"), api=None, page_ok=200, api_ok=0, writes=False
    ),
    # The target holds the role; their agreement covers this fiscal year, not the next.
    "start an agreement for someone": Action(
        page=_post(
            "agreement-create",
            lambda o: {"employee_pk": o.target.pk},
            lambda o: {"role": o.role.pk, "period": "next"},
        ),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "compare an agreement's versions": Action(
        page=_get("agreement-diff", _pk("agreement")), api=None, page_ok=200, api_ok=0, writes=False
    ),
    "download an agreement's PDF": Action(
        page=_get("agreement-pdf", _pk("agreement")), api=None, page_ok=200, api_ok=0, writes=False
    ),
    "comment on an agreement": Action(
        page=_post("agreement-comment", _pk("agreement"), lambda o: {"body": "Looks fair"}),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "give a KPI a personal target": Action(
        page=_post(
            "agreement-kpi-target",
            lambda o: {"pk": o.agreement.pk, "kpi_pk": o.agreement.kpis.order_by("id")[0].pk},
            lambda o: {"target": "12", "reason": "A bigger territory"},
        ),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "remove a personal KRA": Action(
        page=_add_then_remove_personal_kra, api=None, page_ok=302, api_ok=0
    ),
    "remove a personal KPI": Action(
        page=_add_then_remove_personal_kpi, api=None, page_ok=302, api_ok=0
    ),
    "add a growth goal": Action(
        page=_post("growth-goal-add", _pk("agreement"), _goal_form), api=None, page_ok=302, api_ok=0
    ),
    "edit a growth goal": Action(
        page=_post(
            "growth-goal-edit",
            lambda o: {"pk": o.agreement.pk, "goal_pk": o.agreement_goal.pk},
            _goal_form,
        ),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "remove a growth goal": Action(
        page=_post(
            "growth-goal-remove", lambda o: {"pk": o.agreement.pk, "goal_pk": o.agreement_goal.pk}
        ),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "propose an agreement": Action(
        page=_post("agreement-propose", _pk("agreement")),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "ask for changes to an agreement": Action(
        page=_post(
            "agreement-request-changes", _pk("agreement"), lambda o: {"comment": "Lower it"}
        ),
        api=None,
        page_ok=302,
        api_ok=0,
    ),
    "sign an agreement": Action(
        page=_post(
            "agreement-sign",
            _pk("agreement"),
            lambda o: {"password": PASSWORD, "meaning": "on", "version": 1},
        ),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "amend an agreement": Action(
        page=_post("agreement-amend", _pk("agreement")),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "see the agreement figures": Action(
        page=_get("agreement-figures"),
        api=_api("GET", "api:agreement-figures"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "amend every agreement of a role": Action(
        page=_post("role-agreements-amend", lambda o: {"role_pk": o.role.pk}),
        api=_api("POST", "api:agreement-amend-for-role", body=lambda o: {"role": o.role.pk}),
        page_ok=302,
        api_ok=201,
    ),
    "read one's check-in actions": Action(
        page=_get("my-actions"),
        api=_api("GET", "api:check-in-action-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "read someone's check-ins": Action(
        page=_get("check-in-list", lambda o: {"employee_pk": o.target.pk}),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read a check-in": Action(
        page=_get("check-in-detail", _pk("check_in")),
        api=_api("GET", "api:check-in-detail", _pk("check_in")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "record a check-in for someone": Action(
        page=_post("check-in-create", lambda o: {"employee_pk": o.target.pk}, _check_in_form),
        api=_api(
            "POST",
            "api:check-in-list",
            body=lambda o: {"employee": o.target.pk, "held_on": _today(), "wins": "Good"},
        ),
        page_ok=302,
        api_ok=201,
    ),
    "edit a check-in": Action(
        page=_post("check-in-edit", _pk("check_in"), _check_in_form),
        api=_api(
            "PATCH", "api:check-in-detail", _pk("check_in"), body=lambda o: {"wins": "Better"}
        ),
        page_ok=302,
        api_ok=200,
    ),
    "delete a check-in": Action(
        page=_post("check-in-delete", _pk("check_in")),
        api=_api("DELETE", "api:check-in-detail", _pk("check_in")),
        page_ok=302,
        api_ok=204,
    ),
    "mark a check-in action done": Action(
        page=_post("check-in-action-done", _pk("check_in_action")),
        api=_api("POST", "api:check-in-action-done", _pk("check_in_action")),
        page_ok=302,
        api_ok=200,
    ),
    "reopen a check-in action": Action(
        page=_post("check-in-action-reopen", _pk("done_check_in_action")),
        api=_api("POST", "api:check-in-action-reopen", _pk("done_check_in_action")),
        page_ok=302,
        api_ok=200,
    ),
    # --- review cycles ------------------------------------------------------------------------
    "list review cycles": Action(
        page=_get("review-cycles"),
        api=_api("GET", "api:review-cycle-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "create a review cycle": Action(
        page=_post("review-cycle-create", body=lambda o: _cycle_form(o)),
        api=_api("POST", "api:review-cycle-list", body=lambda o: _cycle_dates(o, name="Q9")),
        page_ok=302,
        api_ok=201,
    ),
    "edit a review cycle": Action(
        page=_post("review-cycle-edit", _pk("review_cycle"), lambda o: _cycle_dates(o)),
        api=_api(
            "PATCH", "api:review-cycle-detail", _pk("review_cycle"), lambda o: {"name": "Renamed"}
        ),
        page_ok=302,
        api_ok=200,
    ),
    "launch a review cycle": Action(
        page=_post("review-cycle-launch", _pk("review_cycle")),
        api=_api("POST", "api:review-cycle-launch", _pk("review_cycle")),
        page_ok=302,
        api_ok=202,
    ),
    "read a review cycle's tracker": Action(
        page=_get("review-cycle-tracker", _pk("review_cycle")),
        api=_api("GET", "api:review-cycle-tracker", _pk("review_cycle")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "export a review cycle's tracker": Action(
        page=lambda client, o: client.get(
            reverse("review-cycle-tracker", kwargs={"org_slug": o.slug, "pk": o.review_cycle.pk}),
            {"export": "xlsx"},
        ),
        api=None,
        page_ok=200,
        api_ok=0,
        writes=False,
    ),
    "read a review cycle's calibration": Action(
        page=_get("review-cycle-calibration", _pk("review_cycle")),
        api=_api("GET", "api:review-cycle-calibration", _pk("review_cycle")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "close a review cycle": Action(
        page=_post("review-cycle-close", _pk("review_cycle")),
        api=_api("POST", "api:review-cycle-close", _pk("review_cycle")),
        page_ok=302,
        api_ok=200,
    ),
    "reopen a review cycle": Action(
        page=_post("review-cycle-reopen", _pk("review_cycle"), lambda o: {"reason": "Appeal"}),
        api=_api(
            "POST", "api:review-cycle-reopen", _pk("review_cycle"), lambda o: {"reason": "Appeal"}
        ),
        page_ok=200,
        api_ok=400,
        writes=False,
    ),
    "let someone else write a review": Action(
        page=_post(
            "review-cycle-delegates", _cycle_review, lambda o: {"delegate": o.other_manager.pk}
        ),
        api=_api(
            "POST",
            "api:review-cycle-review-delegates",
            lambda o: {"cycle_pk": o.review_cycle.pk, "pk": o.cycle_review.pk},
            lambda o: {"delegate": o.other_manager.pk},
        ),
        page_ok=302,
        api_ok=200,
    ),
    # --- reviews ------------------------------------------------------------------------------
    "list one's reviews": Action(
        page=_get("my-reviews"),
        api=_api("GET", "api:review-list"),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "read a review": Action(
        page=_get("review-detail", _pk("cycle_review")),
        api=_api("GET", "api:review-detail", _pk("cycle_review")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "download a review's PDF": Action(
        page=_get("review-pdf", _pk("cycle_review")),
        api=_api("GET", "api:review-pdf", _pk("cycle_review")),
        page_ok=200,
        api_ok=200,
        writes=False,
    ),
    "write a self-assessment": Action(
        page=_post(
            "review-self", _pk("cycle_review"), lambda o: {"action": "save", "lessons_learned": "L"}
        ),
        api=_api(
            "POST", "api:review-self-assessment", _pk("cycle_review"), lambda o: {"submit": False}
        ),
        page_ok=302,
        api_ok=200,
    ),
    "write a manager's review": Action(
        page=_post(
            "review-manager",
            _pk("cycle_review"),
            lambda o: {"action": "save", "manager_comment": "M"},
        ),
        api=_api(
            "POST",
            "api:review-manager-review",
            _pk("cycle_review"),
            lambda o: {"manager_comment": "M", "submit": False},
        ),
        page_ok=302,
        api_ok=200,
    ),
    "share a review": Action(
        page=_post("review-share", _pk("cycle_review")),
        api=_api("POST", "api:review-share", _pk("cycle_review")),
        page_ok=200,
        api_ok=400,
        writes=False,
    ),
    "acknowledge a review": Action(
        page=_post(
            "review-acknowledge",
            _pk("cycle_review"),
            lambda o: {"password": PASSWORD, "meaning": "1"},
        ),
        api=_api(
            "POST",
            "api:review-acknowledge",
            _pk("cycle_review"),
            lambda o: {"password": PASSWORD, "meaning": True},
        ),
        page_ok=200,
        api_ok=400,
        writes=False,
    ),
    "turn development needs into goals": Action(
        page=_post("review-development-goals", _pk("cycle_review")),
        api=_api("POST", "api:review-development-goals", _pk("cycle_review")),
        page_ok=200,
        api_ok=400,
        writes=False,
    ),
    "revoke a review's delegate": Action(
        page=_review_delegated(
            _post(
                "review-cycle-revoke-delegate",
                _cycle_review,
                lambda o: {"delegate": o.other_manager.pk},
            )
        ),
        api=_review_delegated(
            _api(
                "DELETE",
                "api:review-cycle-review-revoke",
                lambda o: {
                    "cycle_pk": o.review_cycle.pk,
                    "pk": o.cycle_review.pk,
                    "member_pk": o.other_manager.pk,
                },
            )
        ),
        page_ok=302,
        api_ok=204,
    ),
}


def test_the_matrix_covers_every_action():
    assert set(MATRIX) == set(ACTIONS)
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())
    assert all(ACTIONS[action].choice for action, row in MATRIX.items() if NOT_OFFERED in row)


CASES = [
    pytest.param(action, persona, surface, id=f"{action}-{persona}-{surface}")
    for action in MATRIX
    for persona in PERSONAS
    for surface in ("page", "api")
    if getattr(ACTIONS[action], surface) is not None
]


@pytest.fixture
def org(db) -> PopulatedOrg:
    populated = populate_org(slug="acme", marker="Acme")
    # The person who never signed in was made by the org-chart import: a sign-in link may go
    # to them.
    Membership.objects.filter(pk=populated.never_signed_in.pk).update(account_created_by_org=True)
    populated.never_signed_in.account_created_by_org = True
    return populated


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
    elif expected == NOT_OFFERED:
        if surface == "page":
            body = response.content.decode()
            assert response.status_code == 200, response.content[:500]
            shows_error = "field-error" in body or "form-errors" in body
            assert shows_error or f'name="{spec.choice}"' not in body, "the form took the choice"
        else:
            assert response.status_code == 403, response.content[:500]
        assert not changes, changes
        assert not scheduled, "a refused request scheduled a task"
    else:
        assert response.status_code == expected, response.content[:500]
        assert not changes, changes
        assert not scheduled, "a refused request scheduled a task"


# --- links: shown only to those who may follow them ---------------------------------------------


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "staff"])
def test_agreement_links_show_only_to_those_who_may_follow_them(org, persona):
    """The navigation's export link, the agreement page's verification link and its
    delegation form appear exactly for the personas whose row in ``MATRIX`` says OK."""
    row = PERSONAS.index(persona)
    client = _client(org, persona, "page")
    kwargs = {"org_slug": org.slug}
    home = client.get(reverse("my-kras", kwargs=kwargs)).content.decode()
    export = f'href="{reverse("agreement-export", kwargs=kwargs)}"'
    assert (export in home) == (MATRIX["export the signed agreements"][row] == OK)
    detail = client.get(reverse("agreement-detail", kwargs={**kwargs, "pk": org.agreement.pk}))
    may_verify = MATRIX["verify an agreement"][row] == OK
    assert (detail.status_code == 200) == may_verify
    body = detail.content.decode()
    verify = f'href="{reverse("agreement-verify", kwargs={**kwargs, "pk": org.agreement.pk})}"'
    assert (verify in body) == may_verify
    may_delegate = MATRIX["let someone else countersign an agreement"][row] == OK
    assert ('data-testid="delegate-form"' in body) == may_delegate
