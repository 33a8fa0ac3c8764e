"""Who may record, confirm and read a person's results (docs/DOMAIN.md rule R40): the kpis
app's actions and their object rules, registered with orgs' policy
(``orgs.policy.Action.RECORD_MEASUREMENT``) in ``KpisConfig.ready()``.

The object is the person the results are about (a ``Membership``), or a ``Measurement``
(decided on its person). A person records their own values; their management line (their
manager, anyone above, the heads of their department and those above) and HR record,
confirm and read them. Nobody confirms their own values.
"""

from __future__ import annotations

import enum

from django.db import connection

from orgs.models import Membership
from orgs.people_rules import headed_department_ids
from orgs.policy import in_management_line, is_hr, is_manager


class MeasurementAction(enum.StrEnum):
    VIEW_RESULTS = "view_results"
    RECORD_MEASUREMENT = "record_measurement"
    CONFIRM_MEASUREMENT = "confirm_measurement"
    #: The department and organisation reports (docs/DOMAIN.md rule R40): HR and org admins
    #: for the organisation, a department head for the departments they head and below.
    VIEW_REPORTS = "view_reports"


def _person_of(obj) -> Membership | None:
    if isinstance(obj, Membership):
        return obj
    return getattr(obj, "person", None)


def decide(member: Membership, action: MeasurementAction, obj=None) -> bool:
    """The kpis app's rule for its actions (orgs' ``can`` has already refused an inactive
    member). Without an object: may the member do it for anyone (everyone: for themselves;
    confirming: HR and managers)."""
    if action == MeasurementAction.VIEW_REPORTS:
        return is_hr(member) or bool(report_department_ids(member))
    if obj is None:
        if action == MeasurementAction.CONFIRM_MEASUREMENT:
            return is_hr(member) or is_manager(member)
        return True
    person = _person_of(obj)
    if person is None or person.org_id != member.org_id:
        return False
    own = person.pk == member.pk
    if own and action != MeasurementAction.CONFIRM_MEASUREMENT:
        return True
    if own:
        return False
    return is_hr(member) or in_management_line(member, person)


# Everyone below ``me`` in the reporting tree (``me`` included), then the people of the
# departments ``me`` heads: walked in the database, so the cost follows the people found, not
# the organisation's size. UNION (not UNION ALL) ends the walk on a cycle.
_VISIBLE_PEOPLE = """
WITH RECURSIVE below(id) AS (
  SELECT id FROM orgs_membership WHERE id = %(me)s AND org_id = %(org)s
  UNION
  SELECT m.id FROM orgs_membership m JOIN below b ON m.manager_id = b.id
  WHERE m.org_id = %(org)s
)
SELECT id FROM below
UNION
SELECT id FROM orgs_membership
WHERE org_id = %(org)s AND department_id = ANY(%(departments)s)
"""


def visible_person_ids(member: Membership) -> set[int] | None:
    """The people whose results ``member`` reads (``VIEW_RESULTS`` for many people at once,
    two queries): None for HR and org admins (everyone); otherwise themselves, everyone who
    reports to them (directly or through others) and the people of the departments they head
    (and below)."""
    if is_hr(member):
        return None
    departments = sorted(headed_department_ids(member))
    with connection.cursor() as cursor:
        cursor.execute(
            _VISIBLE_PEOPLE, {"me": member.pk, "org": member.org_id, "departments": departments}
        )
        return {pk for (pk,) in cursor.fetchall()}


def report_department_ids(member: Membership) -> set[int] | None:
    """The departments whose reports ``member`` reads: None for every one and everyone (HR,
    org admins), else the departments they head and every one below (one query; empty:
    none)."""
    if is_hr(member):
        return None
    return headed_department_ids(member)
