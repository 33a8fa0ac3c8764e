"""The registry of reminder kinds. Each app that owns the data a reminder is about declares
its kinds in its own ``reminders`` module (reviews/reminders.py, kpis/reminders.py,
kras/reminders.py) and registers them from its ``AppConfig.ready()``: a framework hook, like
the policy registry (orgs/policy.py), so the orgs core names every kind and imports none of
those apps.

A kind is one SQL query of its candidates (docs/DOMAIN.md rule R44). The engine
(orgs/reminders/engine.py) wraps it, decides the stage and the recipients in the same
statement and claims the reminders. The query selects exactly these columns:

    person_id          the membership the reminder is about (batches are ranges of it)
    recipient_id       who is reminded before, on and after the deadline (active)
    manager_id         who the manager escalation goes to, or NULL for none
    escalate_hr        whether the HR escalation applies (boolean)
    object_key         text, at most 120 characters, unique per object and round
    deadline           date, in the organisation's time zone
    subject            what the recipient reads (at most 200 characters)
    escalation_subject what the manager and HR read (names the person)
    url                the page to act on, for the recipient
    escalation_url     the page for the manager and HR

and may use the parameters ``%(org_id)s``, ``%(lo)s`` / ``%(hi)s`` (its ``person_id`` must
lie between them: the batch), ``%(today)s``, ``%(tz)s`` (the organisation's time zone),
``%(deadline_from)s`` / ``%(deadline_to)s`` (the only deadlines that can have a stage
today), ``%(hr_ids)s`` (the active HR members' ids, an array) and the names its ``params``
adds. ``%%`` is a literal percent sign."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

#: ``(org, today, settings) -> (sql, params)``: the kind's candidates for one pass.
Candidates = Callable[[object, datetime.date, dict], tuple[str, dict]]


@dataclass(frozen=True)
class ReminderKind:
    """One kind of reminder: ``name`` (stored, e.g. ``agreement.signature``), ``label``
    (shown on the log), and ``candidates`` (its SQL, see the module's docstring)."""

    name: str
    label: str
    candidates: Candidates = field(compare=False)


_KINDS: dict[str, ReminderKind] = {}


def register(*kinds: ReminderKind) -> None:
    """Make ``kinds`` part of every reminder pass. Registering the same kind again is a
    no-op; another kind under a name already taken is a configuration error."""
    for kind in kinds:
        known = _KINDS.get(kind.name)
        if known is not None and known.candidates is not kind.candidates:
            raise ImproperlyConfigured(f"reminder kind {kind.name} is registered twice")
        _KINDS[kind.name] = kind


def kinds() -> list[ReminderKind]:
    return list(_KINDS.values())


def kind_named(name: str) -> ReminderKind | None:
    return _KINDS.get(name)


def labels() -> dict[str, str]:
    return {kind.name: str(kind.label) for kind in _KINDS.values()}
