"""Writes of check-ins (1:1s): recording one, editing it while it is fresh, deleting it,
and marking its actions done or open again (docs/DOMAIN.md rules R71 to R75).

A check-in is between a person and their manager: either of them records it, with the KRAs
discussed (chosen from the person's agreed KRAs), wins, blockers, notes and actions, each
owned by the person or the manager, with an optional due date. The other one is notified.
An action stays open, and shows on every later check-in of the person, until it is marked
done. Every write is audited; an edit records what it changed.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs import audit, policy
from orgs.models import Membership, Organization
from orgs.notifications import notify
from orgs.policy import Action

from ..models import AgreementItem, CheckIn, CheckInAction, CheckInTopic
from ..selectors_checkins import agreed_kras

#: A check-in's notes, KRAs and actions can be changed for this many days after it was
#: recorded (docs/DOMAIN.md rule R74); then they stand as written. Its actions are marked
#: done or reopened at any time.
EDIT_WINDOW_DAYS = 14
#: The longest wins, blockers or notes text, in characters.
TEXT_MAX_LENGTH = 5000
#: The longest action, in characters (the column's size).
ACTION_MAX_LENGTH = 300
#: The most actions one check-in may agree.
MAX_ACTIONS = 20

FIELDS = ("held_on", "manager", "wins", "blockers", "notes")
ACTION_FIELDS = ("description", "owner", "due_date", "done_at", "done_by")


@dataclass(frozen=True)
class ActionInput:
    """One action row of a check-in's form: a new one (``id`` None) or an existing one of
    the check-in, to change or (``remove``) to delete."""

    description: str
    owner: Membership | None
    due_date: datetime.date | None = None
    id: int | None = None
    remove: bool = False


def local_today(org: Organization) -> datetime.date:
    try:
        zone = zoneinfo.ZoneInfo(org.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.now().astimezone(zone).date()


def edit_deadline(check_in: CheckIn) -> datetime.date:
    """The last day the check-in can be edited or deleted, in the organisation's time."""
    try:
        zone = zoneinfo.ZoneInfo(check_in.org.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return check_in.created_at.astimezone(zone).date() + datetime.timedelta(days=EDIT_WINDOW_DAYS)


def is_editable(check_in: CheckIn) -> bool:
    return local_today(check_in.org) <= edit_deadline(check_in)


def may_delete(check_in: CheckIn, member: Membership) -> bool:
    """Whether ``member`` may delete the check-in now: its author, while it can still be
    edited and none of its actions is done (docs/DOMAIN.md rule R74)."""
    return (
        check_in.created_by_id == member.pk
        and is_editable(check_in)
        and not check_in.actions.filter(done_at__isnull=False).exists()
    )


def _url(check_in: CheckIn) -> str:
    return reverse("check-in-detail", kwargs={"org_slug": check_in.org.slug, "pk": check_in.pk})


# --- validation ------------------------------------------------------------------------------


def _check_text(errors: dict, name: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX_LENGTH:
        errors.setdefault(name, []).append(
            _("%(label)s: at most %(max)s characters (this has %(n)s).")
            % {"label": label, "max": TEXT_MAX_LENGTH, "n": len(value)}
        )
    return value


def _check_date(errors: dict, org: Organization, held_on) -> None:
    if held_on is None:
        errors.setdefault("held_on", []).append(_("Give the date of the check-in."))
    elif held_on > local_today(org):
        errors.setdefault("held_on", []).append(
            _("A check-in is recorded once it has happened: the date cannot be after today.")
        )


def _check_kras(
    errors: dict, person: Membership, kras: Iterable, kept: Iterable[int] = ()
) -> list[AgreementItem]:
    """The chosen KRAs, from the person's agreed KRAs (or already on the check-in)."""
    allowed = {item.pk: item for item in agreed_kras(person=person)}
    kept = set(kept)
    chosen, unknown = [], []
    for value in kras:
        pk = value.pk if isinstance(value, AgreementItem) else value
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            unknown.append(str(value))
            continue
        if pk in allowed:
            chosen.append(allowed[pk])
        elif pk in kept:
            chosen.append(pk)
        else:
            unknown.append(str(pk))
    if unknown:
        errors.setdefault("kras", []).append(
            _("Choose the KRAs discussed from %(name)s's agreed KRAs.")
            % {"name": person.display_name}
        )
    return chosen


def _check_actions(
    errors: dict,
    actions: Iterable[ActionInput],
    *,
    people: tuple[Membership, Membership | None],
    held_on,
    existing: dict[int, CheckInAction],
) -> list[ActionInput]:
    employee, manager = people
    owners = {employee.pk} | ({manager.pk} if manager is not None else set())
    rows = [a for a in actions if a.remove or a.id is not None or (a.description or "").strip()]
    messages = []
    for number, row in enumerate(rows, start=1):
        if row.id is not None and row.id not in existing:
            messages.append(_("Action %(n)s is not one of this check-in's.") % {"n": number})
            continue
        if row.remove:
            if existing[row.id].done_at is not None:
                messages.append(_("Action %(n)s is done: it stays on the record.") % {"n": number})
            continue
        description = (row.description or "").strip()
        if not description:
            messages.append(_("Action %(n)s: say what is to be done.") % {"n": number})
        elif len(description) > ACTION_MAX_LENGTH:
            messages.append(
                _("Action %(n)s: at most %(max)s characters.")
                % {"n": number, "max": ACTION_MAX_LENGTH}
            )
        if row.owner is None or row.owner.pk not in owners:
            messages.append(
                _("Action %(n)s: the owner is the employee or their manager.") % {"n": number}
            )
        if row.due_date is not None and held_on is not None and row.due_date < held_on:
            messages.append(
                _("Action %(n)s: the due date cannot be before the check-in.") % {"n": number}
            )
    if len([r for r in rows if not r.remove]) > MAX_ACTIONS:
        messages.append(_("At most %(max)s actions per check-in.") % {"max": MAX_ACTIONS})
    if messages:
        errors.setdefault("actions", []).extend(messages)
    return rows


def _topics(check_in: CheckIn) -> list[str]:
    return [t.title for t in check_in.topics.order_by("id")]


def _action_lines(check_in: CheckIn) -> list[str]:
    lines = []
    for a in check_in.actions.select_related("owner__user").order_by("id"):
        due = f", due {a.due_date.isoformat()}" if a.due_date else ""
        lines.append(f"{a.description} ({a.owner.display_name}{due})")
    return lines


def _add_action(check_in: CheckIn, row: ActionInput) -> CheckInAction:
    return CheckInAction.objects.create(
        org=check_in.org,
        check_in=check_in,
        employee=check_in.employee,
        description=row.description.strip(),
        owner=row.owner,
        due_date=row.due_date,
    )


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def check_in_record(
    *,
    actor: Membership,
    employee: Membership,
    held_on: datetime.date | None,
    kras: Iterable = (),
    wins: str = "",
    blockers: str = "",
    notes: str = "",
    actions: Iterable[ActionInput] = (),
) -> CheckIn:
    """Record a check-in of ``employee`` with their current manager (docs/DOMAIN.md rule
    R71), by either of them, and notify the other one."""
    policy.require(actor, Action.RECORD_CHECK_IN, employee)
    org = employee.org
    manager = employee.manager
    errors: dict[str, list] = {}
    if manager is None:
        raise ValidationError(
            _("%(name)s has no manager to hold a check-in with.") % {"name": employee.display_name}
        )
    _check_date(errors, org, held_on)
    chosen = _check_kras(errors, employee, kras)
    wins = _check_text(errors, "wins", wins, _("Wins"))
    blockers = _check_text(errors, "blockers", blockers, _("Blockers"))
    notes = _check_text(errors, "notes", notes, _("Notes"))
    rows = _check_actions(errors, actions, people=(employee, manager), held_on=held_on, existing={})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    check_in = CheckIn.objects.create(
        org=org,
        employee=employee,
        manager=manager,
        held_on=held_on,
        wins=wins,
        blockers=blockers,
        notes=notes,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    CheckInTopic.objects.bulk_create(
        CheckInTopic(org=org, check_in=check_in, agreement_item=item, title=item.title)
        for item in chosen
    )
    for row in rows:
        if not row.remove:
            _add_action(check_in, row)
    audit.record_created(
        org=org,
        actor=actor,
        action="check_in.record",
        obj=check_in,
        fields=("employee", *FIELDS),
        extra={
            "kras": {"old": None, "new": _topics(check_in)},
            "actions": {"old": None, "new": _action_lines(check_in)},
        },
    )
    other = manager if actor.pk == employee.pk else employee
    if other.pk != actor.pk and other.is_active:
        notify(
            recipient=other,
            kind="check_in.recorded",
            title=_("%(name)s recorded your check-in of %(date)s")
            % {"name": actor.display_name, "date": held_on.isoformat()},
            body=_("See the notes and the actions agreed."),
            url=_url(check_in),
        )
    return check_in


@transaction.atomic
def check_in_update(
    *,
    check_in: CheckIn,
    actor: Membership,
    held_on: datetime.date | None,
    kras: Iterable = (),
    wins: str = "",
    blockers: str = "",
    notes: str = "",
    actions: Iterable[ActionInput] = (),
) -> CheckIn:
    """Change a check-in: its employee or the manager who held it, within
    ``EDIT_WINDOW_DAYS`` of recording it (docs/DOMAIN.md rule R74). ``actions`` holds the
    check-in's actions to change or remove and new ones to add; an action left out stays as
    it is. A done action is never removed. Every change is audited, old and new."""
    check_in = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("org", "employee", "manager")
        .get(pk=check_in.pk, org_id=check_in.org_id)
    )
    policy.require(actor, Action.EDIT_CHECK_IN, check_in)
    if not is_editable(check_in):
        raise ValidationError(
            _(
                "This check-in was recorded more than %(days)s days ago: its notes stand as "
                "written. Record what changed in the next check-in."
            )
            % {"days": EDIT_WINDOW_DAYS}
        )
    errors: dict[str, list] = {}
    _check_date(errors, check_in.org, held_on)
    kept = [t.agreement_item_id for t in check_in.topics.all() if t.agreement_item_id]
    chosen = _check_kras(errors, check_in.employee, kras, kept=kept)
    wins = _check_text(errors, "wins", wins, _("Wins"))
    blockers = _check_text(errors, "blockers", blockers, _("Blockers"))
    notes = _check_text(errors, "notes", notes, _("Notes"))
    existing = {a.pk: a for a in check_in.actions.select_for_update()}
    rows = _check_actions(
        errors,
        actions,
        people=(check_in.employee, check_in.manager),
        held_on=held_on,
        existing=existing,
    )
    if errors:
        raise ValidationError(errors)

    before = {
        **audit.snapshot(check_in, FIELDS),
        "kras": _topics(check_in),
        "actions": _action_lines(check_in),
    }
    check_in.held_on = held_on
    check_in.wins, check_in.blockers, check_in.notes = wins, blockers, notes
    chosen_ids = {item.pk if isinstance(item, AgreementItem) else item for item in chosen}
    topics = {t.agreement_item_id: t for t in check_in.topics.all()}
    for item_id, topic in topics.items():
        if item_id is not None and item_id not in chosen_ids:
            topic.delete()
    CheckInTopic.objects.bulk_create(
        CheckInTopic(org=check_in.org, check_in=check_in, agreement_item=item, title=item.title)
        for item in chosen
        if isinstance(item, AgreementItem) and item.pk not in topics
    )
    for row in rows:
        if row.id is None:
            if not row.remove:
                _add_action(check_in, row)
            continue
        action = existing[row.id]
        if row.remove:
            action.delete()
            continue
        action.description = row.description.strip()
        action.owner = row.owner
        action.due_date = row.due_date
        action.save(update_fields=["description", "owner", "due_date"])
    after = {
        **audit.snapshot(check_in, FIELDS),
        "kras": _topics(check_in),
        "actions": _action_lines(check_in),
    }
    changes = audit.diff(before, after)
    if changes:
        check_in.updated_at = timezone.now()
        check_in.save(update_fields=["held_on", "wins", "blockers", "notes", "updated_at"])
        audit.record(
            org=check_in.org, actor=actor, action="check_in.update", obj=check_in, changes=changes
        )
    return check_in


@transaction.atomic
def check_in_delete(*, check_in: CheckIn, actor: Membership) -> None:
    """Delete a check-in: only its author, only while it can be edited and none of its
    actions is done (docs/DOMAIN.md rule R74). The audit trail keeps what it said."""
    check_in = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("org", "employee")
        .get(pk=check_in.pk, org_id=check_in.org_id)
    )
    policy.require(actor, Action.EDIT_CHECK_IN, check_in)
    if check_in.created_by_id != actor.pk:
        raise ValidationError(_("Only the person who recorded a check-in can delete it."))
    if not is_editable(check_in):
        raise ValidationError(
            _("This check-in was recorded more than %(days)s days ago: it stays on the record.")
            % {"days": EDIT_WINDOW_DAYS}
        )
    if check_in.actions.filter(done_at__isnull=False).exists():
        raise ValidationError(_("Some of its actions are done: the check-in stays on the record."))
    audit.record(
        org=check_in.org,
        actor=actor,
        action="check_in.delete",
        obj=check_in,
        changes=audit.diff(
            {
                **audit.snapshot(check_in, ("employee", *FIELDS)),
                "kras": _topics(check_in),
                "actions": _action_lines(check_in),
            },
            {},
        ),
    )
    check_in.delete()


def _set_done(action: CheckInAction, actor: Membership, done: bool) -> CheckInAction:
    action = (
        CheckInAction.objects.select_for_update(of=("self",))
        .select_related("check_in__employee", "check_in__org")
        .get(pk=action.pk, org_id=action.org_id)
    )
    policy.require(actor, Action.UPDATE_CHECK_IN_ACTION, action)
    if (action.done_at is not None) == done:
        return action  # already so: nothing to record
    with audit.tracked(
        action,
        ("done_at", "done_by"),
        actor=actor,
        action="check_in_action.done" if done else "check_in_action.reopen",
        org=action.check_in.org,
    ):
        action.done_at = timezone.now() if done else None
        action.done_by = actor if done else None
        action.save(update_fields=["done_at", "done_by"])
    return action


@transaction.atomic
def check_in_action_done(*, action: CheckInAction, actor: Membership) -> CheckInAction:
    """Mark an action done: the person, the manager who held its check-in or their current
    manager (docs/DOMAIN.md rule R72). Done twice is done once."""
    return _set_done(action, actor, True)


@transaction.atomic
def check_in_action_reopen(*, action: CheckInAction, actor: Membership) -> CheckInAction:
    """Open a done action again: it carries to the next check-in once more."""
    return _set_done(action, actor, False)
