"""The reminder about KRAs (docs/DOMAIN.md rule R44), registered with orgs' reminder
registry (orgs/reminders/registry.py) from ``KrasConfig.ready()``.

KRA needs review: the KRA's owner, until they confirm or change it (docs/DOMAIN.md rules
R10 and R11); the deadline is ``kra_review_days`` after it was flagged. A KRA flagged again
is a new round (the flag's time is part of the object key). A KRA without an active owner
is not reminded: its flag's notice went to those who answer for it (R11)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.org_settings import Setting
from orgs.reminders.registry import ReminderKind

from .models import KRAStatus

SETTINGS = (
    # Days a flagged KRA may wait for its owner's review before it is due.
    Setting(
        "kra_review_days",
        14,
        clean=int,
        validate=lambda days: None if 1 <= days <= 90 else _("Choose from 1 to 90 days."),
        unreadable=gettext_lazy("Enter a whole number of days."),
    ),
)

_KRAS = """
SELECT k.owner_id AS person_id,
       k.owner_id AS recipient_id,
       owner.manager_id AS manager_id,
       true AS escalate_hr,
       'kra:' || k.id || ':' || floor(extract(epoch FROM k.needs_review_since))::bigint
           AS object_key,
       (k.needs_review_since AT TIME ZONE %(tz)s)::date + %(kra_days)s::int AS deadline,
       replace(%(subject)s, '{title}', k.title) AS subject,
       replace(replace(%(escalation)s, '{name}', coalesce(nullif(u.full_name, ''), u.email)),
               '{title}', k.title) AS escalation_subject,
       %(url)s || k.id || '/' AS url,
       %(url)s || k.id || '/' AS escalation_url
  FROM kras_kra k
  JOIN orgs_membership owner ON owner.id = k.owner_id AND owner.is_active
  JOIN orgs_user u ON u.id = owner.user_id
 WHERE k.org_id = %(org_id)s
   AND k.status = %(needs_review)s
   AND k.needs_review_since IS NOT NULL
   AND k.owner_id BETWEEN %(lo)s AND %(hi)s
   AND (k.needs_review_since AT TIME ZONE %(tz)s)::date + %(kra_days)s::int
       BETWEEN %(deadline_from)s AND %(deadline_to)s
"""


def kra_candidates(org, today: datetime.date, settings: dict) -> tuple[str, dict]:
    """Flagged KRAs with an active owner (one query per batch)."""
    return _KRAS, {
        "needs_review": KRAStatus.NEEDS_REVIEW,
        "kra_days": settings["kra_review_days"],
        "url": reverse("kra-detail", args=[org.slug, 0])[: -len("0/")],
        "subject": _("Your KRA “{title}” needs review"),
        "escalation": _("{name}'s KRA “{title}” needs review"),
    }


KRA_NEEDS_REVIEW = ReminderKind(
    name="kra.needs_review",
    label=gettext_lazy("KRA needs review"),
    candidates=kra_candidates,
)

KINDS = (KRA_NEEDS_REVIEW,)
