"""The reminders about agreements and reviews (docs/DOMAIN.md rule R44), registered with
orgs' reminder registry (orgs/reminders/registry.py) from ``ReviewsConfig.ready()``.

Reviews of an open cycle, each against the cycle's own date: the self-assessment (the
employee, until they submit it or the review is shared, whether or not the manager submitted
first; due ``self_assessment_due``), the manager review (the reviewer and each active member
HR let write it in their place, until it is shared; due ``manager_review_due``), the
acknowledgement (the employee, once shared; due ``acknowledgement_due``). The manager
escalation goes to the reviewer for the employee's steps, and to the reviewer's manager for
the reviewer's.

Agreement awaiting signature: the employee while it is proposed, the manager of record once
the employee has signed, HR while it awaits HR's acknowledgement; the deadline is
``agreement_signature_days`` after it entered that status. Each status entered is a new
round (its time is part of the object key), so an agreement proposed again is reminded
again."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.org_settings import Setting
from orgs.reminders.registry import ReminderKind

from .models import AgreementStatus, CycleStatus, ReviewStatus
from .selectors_reviews import REVIEW_DELEGATE_GRANT

#: A review's statuses before it is shared: the person's self-assessment may still come.
UNSHARED = (ReviewStatus.SELF_ASSESSMENT, ReviewStatus.MANAGER_REVIEW, ReviewStatus.READY_TO_SHARE)

SETTINGS = (
    # Days an agreement may wait for the next signature before it is due.
    Setting(
        "agreement_signature_days",
        7,
        clean=int,
        validate=lambda days: None if 1 <= days <= 90 else _("Choose from 1 to 90 days."),
        unreadable=gettext_lazy("Enter a whole number of days."),
    ),
)


def _url_prefix(org) -> str:
    """The agreement page's path with the id left for SQL to append."""
    return reverse("agreement-detail", args=[org.slug, 0])[: -len("0/")]


_AGREEMENTS = """
SELECT a.employee_id AS person_id,
       CASE a.status WHEN %(proposed)s THEN a.employee_id ELSE a.manager_id END AS recipient_id,
       CASE a.status WHEN %(proposed)s THEN a.manager_id ELSE mgr.manager_id END AS manager_id,
       true AS escalate_hr,
       'agreement:' || a.id || ':' || a.status || ':'
           || floor(extract(epoch FROM a.status_changed_at))::bigint AS object_key,
       (a.status_changed_at AT TIME ZONE %(tz)s)::date + %(agreement_days)s::int AS deadline,
       CASE a.status WHEN %(proposed)s THEN %(s_employee)s
            ELSE replace(%(s_manager)s, '{name}', coalesce(nullif(eu.full_name, ''), eu.email))
       END AS subject,
       CASE a.status
            WHEN %(proposed)s THEN replace(
                     %(e_employee)s, '{name}', coalesce(nullif(eu.full_name, ''), eu.email))
            ELSE replace(
                     replace(%(e_manager)s, '{name}', coalesce(nullif(eu.full_name, ''), eu.email)),
                     '{manager}', coalesce(nullif(mu.full_name, ''), mu.email, ''))
       END AS escalation_subject,
       %(url)s || a.id || '/' AS url,
       %(url)s || a.id || '/' AS escalation_url
  FROM reviews_agreement a
  JOIN orgs_membership emp ON emp.id = a.employee_id
  JOIN orgs_user eu ON eu.id = emp.user_id
  LEFT JOIN orgs_membership mgr ON mgr.id = a.manager_id
  LEFT JOIN orgs_user mu ON mu.id = mgr.user_id
 WHERE a.org_id = %(org_id)s
   AND a.employee_id BETWEEN %(lo)s AND %(hi)s
   AND a.status IN (%(proposed)s, %(employee_signed)s)
   AND (a.status = %(proposed)s OR a.manager_id IS NOT NULL)
   AND (a.status_changed_at AT TIME ZONE %(tz)s)::date + %(agreement_days)s::int
       BETWEEN %(deadline_from)s AND %(deadline_to)s
UNION ALL
SELECT a.employee_id, h.id, NULL, false,
       'agreement:' || a.id || ':' || a.status || ':'
           || floor(extract(epoch FROM a.status_changed_at))::bigint,
       (a.status_changed_at AT TIME ZONE %(tz)s)::date + %(agreement_days)s::int,
       replace(%(s_hr)s, '{name}', coalesce(nullif(eu.full_name, ''), eu.email)),
       replace(%(s_hr)s, '{name}', coalesce(nullif(eu.full_name, ''), eu.email)),
       %(url)s || a.id || '/',
       %(url)s || a.id || '/'
  FROM reviews_agreement a
  JOIN orgs_membership emp ON emp.id = a.employee_id
  JOIN orgs_user eu ON eu.id = emp.user_id
 CROSS JOIN unnest(%(hr_ids)s::bigint[]) AS h(id)
 WHERE a.org_id = %(org_id)s
   AND a.employee_id BETWEEN %(lo)s AND %(hi)s
   AND a.status = %(awaiting_hr)s
   AND (a.status_changed_at AT TIME ZONE %(tz)s)::date + %(agreement_days)s::int
       BETWEEN %(deadline_from)s AND %(deadline_to)s
"""


def agreement_candidates(org, today: datetime.date, settings: dict) -> tuple[str, dict]:
    """Agreements waiting for a signature (one query per batch)."""
    return _AGREEMENTS, {
        "proposed": AgreementStatus.PROPOSED,
        "employee_signed": AgreementStatus.EMPLOYEE_SIGNED,
        "awaiting_hr": AgreementStatus.AWAITING_HR,
        "agreement_days": settings["agreement_signature_days"],
        "url": _url_prefix(org),
        "s_employee": _("Your KRA agreement awaits your signature"),
        "s_manager": _("{name}'s KRA agreement awaits your countersignature"),
        "s_hr": _("{name}'s KRA agreement awaits HR's acknowledgement"),
        "e_employee": _("{name}'s KRA agreement awaits their signature"),
        "e_manager": _("{name}'s KRA agreement awaits {manager}'s countersignature"),
    }


AGREEMENT_SIGNATURE = ReminderKind(
    name="agreement.signature",
    label=gettext_lazy("Agreement awaiting signature"),
    candidates=agreement_candidates,
)

_NAME = "coalesce(nullif({u}.full_name, ''), {u}.email)"

_REVIEWS = """
SELECT r.reviewee_id AS person_id,
       who.id AS recipient_id,
       {manager} AS manager_id,
       true AS escalate_hr,
       'review:' || r.id || ':' || %(step)s AS object_key,
       c.{due_field} AS deadline,
       replace(replace(%(subject)s, '{{cycle}}', c.name), '{{name}}', {employee})
           AS subject,
       replace(replace(replace(%(escalation)s, '{{cycle}}', c.name), '{{name}}', {employee}),
               '{{reviewer}}', coalesce({reviewer}, '')) AS escalation_subject,
       %(url)s || r.id || '/' AS url,
       %(url)s || r.id || '/' AS escalation_url
  FROM reviews_review r
  JOIN reviews_reviewcycle c ON c.id = r.cycle_id AND c.status = %(open)s
  JOIN orgs_membership emp ON emp.id = r.reviewee_id
  JOIN orgs_user eu ON eu.id = emp.user_id
  LEFT JOIN orgs_membership rev ON rev.id = r.reviewer_id
  LEFT JOIN orgs_user ru ON ru.id = rev.user_id
 CROSS JOIN LATERAL ({recipients}) AS who(id)
 WHERE r.org_id = %(org_id)s
   AND r.reviewee_id BETWEEN %(lo)s AND %(hi)s
   AND r.status = ANY(%(statuses)s){condition}
   AND who.id IS NOT NULL
   AND c.{due_field} BETWEEN %(deadline_from)s AND %(deadline_to)s
"""

#: The reviewer of record and every active member granted the review's writing in their
#: place (the grant ``selectors_reviews.delegated_reviews`` reads, docs/DOMAIN.md rule R59),
#: each claimed on their own.
_REVIEWER_AND_DELEGATES = """
SELECT r.reviewer_id
UNION
SELECT dm.id
  FROM guardian_userobjectpermission g
  JOIN auth_permission p ON p.id = g.permission_id AND p.codename = %(delegate_grant)s
  JOIN django_content_type ct
    ON ct.id = p.content_type_id AND ct.app_label = 'reviews' AND ct.model = 'review'
  JOIN orgs_membership dm
    ON dm.user_id = g.user_id AND dm.org_id = r.org_id AND dm.is_active
 WHERE g.content_type_id = ct.id AND g.object_pk = r.id::text
"""


def _review_sql(*, recipients: str, manager: str, due_field: str, condition: str = "") -> str:
    return _REVIEWS.format(
        recipients=recipients,
        manager=manager,
        due_field=due_field,
        condition=f"\n   AND {condition}" if condition else "",
        employee=_NAME.format(u="eu"),
        reviewer=_NAME.format(u="ru"),
    )


def _review_url(org) -> str:
    return reverse("review-detail", args=[org.slug, 0])[: -len("0/")]


# The self-assessment is due until it is submitted, whoever submitted first: the manager's
# review before it leaves the review ready to share with the person's part still open.
_SELF_SQL = _review_sql(
    recipients="SELECT r.reviewee_id",
    manager="r.reviewer_id",
    due_field="self_assessment_due",
    condition="r.self_submitted_at IS NULL",
)
_MANAGER_SQL = _review_sql(
    recipients=_REVIEWER_AND_DELEGATES, manager="rev.manager_id", due_field="manager_review_due"
)
_ACK_SQL = _review_sql(
    recipients="SELECT r.reviewee_id", manager="r.reviewer_id", due_field="acknowledgement_due"
)


def self_assessment_candidates(org, today, settings) -> tuple[str, dict]:
    """Reviews whose self-assessment is not submitted, before they are shared (one query per
    batch)."""
    return _SELF_SQL, {
        "step": "self",
        "open": CycleStatus.OPEN,
        "statuses": [status.value for status in UNSHARED],
        "url": _review_url(org),
        "subject": _("Your self-assessment for {cycle} is due"),
        "escalation": _("{name}'s self-assessment for {cycle} is due"),
    }


def manager_review_candidates(org, today, settings) -> tuple[str, dict]:
    """Reviews awaiting the reviewer's rating or sharing: the reviewer and their active
    delegates, each reminded once (one query per batch)."""
    return _MANAGER_SQL, {
        "step": "manager",
        "delegate_grant": REVIEW_DELEGATE_GRANT,
        "open": CycleStatus.OPEN,
        "statuses": [ReviewStatus.MANAGER_REVIEW.value, ReviewStatus.READY_TO_SHARE.value],
        "url": _review_url(org),
        "subject": _("Your review of {name} for {cycle} is due"),
        "escalation": _("{reviewer}'s review of {name} for {cycle} is due"),
    }


def acknowledgement_candidates(org, today, settings) -> tuple[str, dict]:
    """Shared reviews awaiting the employee's acknowledgement (one query per batch)."""
    return _ACK_SQL, {
        "step": "ack",
        "open": CycleStatus.OPEN,
        "statuses": [ReviewStatus.SHARED.value],
        "url": _review_url(org),
        "subject": _("Your review for {cycle} awaits your acknowledgement"),
        "escalation": _("{name}'s review for {cycle} awaits their acknowledgement"),
    }


SELF_ASSESSMENT_DUE = ReminderKind(
    name="review.self_assessment",
    label=gettext_lazy("Self-assessment due"),
    candidates=self_assessment_candidates,
)
MANAGER_REVIEW_DUE = ReminderKind(
    name="review.manager_review",
    label=gettext_lazy("Manager review due"),
    candidates=manager_review_candidates,
)
ACKNOWLEDGEMENT_PENDING = ReminderKind(
    name="review.acknowledgement",
    label=gettext_lazy("Acknowledgement pending"),
    candidates=acknowledgement_candidates,
)

KINDS = (AGREEMENT_SIGNATURE, SELF_ASSESSMENT_DUE, MANAGER_REVIEW_DUE, ACKNOWLEDGEMENT_PENDING)
