"""Applying a valid org-chart file in one transaction: departments along the paths,
accounts, memberships and invitations for the new people, the changed members, then the
reporting lines, with one audit row per change."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit, people_rules, tenancy
from ..models import Department, Invitation, Membership, Organization, OrgRole, User
from ..services.departments import department_create
from ..services.invitations import invitations_for_import
from ..services.members import notify_new_manager
from .read import PreviewRow, Status
from .validate import State, path_key, preview_with_state, split_path

# Membership fields an import may set, in the order the audit trail shows them.
MEMBER_FIELDS = ("department", "manager", "job_title", "employee_id")
_ACCOUNT_BATCH = 1000


def _batches(items: list[str]) -> list[list[str]]:
    return [items[i : i + _ACCOUNT_BATCH] for i in range(0, len(items), _ACCOUNT_BATCH)]


@dataclass
class ImportResult:
    #: People added or invited. One number for both: whether an address already had an
    #: account (in another organisation) is not the importing organisation's to learn.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    departments_created: int = 0


def _ensure_departments(
    org: Organization, actor: Membership | None, rows: list[PreviewRow], state: State
) -> int:
    created = 0
    for row in rows:
        if not row.department:
            continue
        parts = split_path(row.department)
        parent = None
        for depth in range(1, len(parts) + 1):
            key = path_key(parts[:depth])
            department = state.departments.get(key)
            if department is None:
                department = department_create(
                    org=org, actor=actor, name=parts[depth - 1], parent=parent
                )
                state.departments[key] = department
                state.department_keys[department.pk] = key
                created += 1
            parent = department
    return created


def _levels(with_managers: list[PreviewRow], new_rows: list[PreviewRow]) -> dict[str, int]:
    """How far below the existing members each new row sits through new managers: 0 when its
    manager already exists (or it has none), 1 when its manager is a level-0 new row, …"""
    manager_of = {row.email: row.manager_email for row in with_managers}
    new = {row.email for row in new_rows}
    levels: dict[str, int] = {}
    for row in new_rows:
        chain: list[str] = []
        on_chain: set[str] = set()
        node = row.email
        # Walked iteratively: a file may hold one long chain of command. Validation has
        # refused cycles; on_chain only keeps a bug from looping forever.
        while node in new and node not in levels and node not in on_chain:
            chain.append(node)
            on_chain.add(node)
            node = manager_of.get(node, "")
        level = levels[node] if node in levels else -1
        for email in reversed(chain):
            level += 1
            levels[email] = level
    return levels


@transaction.atomic
def org_chart_import(
    *, org: Organization, actor: Membership | None, file_bytes: bytes
) -> ImportResult:
    """Apply an org-chart CSV: create missing departments along the paths, accounts and
    memberships for people without an account, invitations for people who have one, update
    existing members, then set the reporting lines.

    Raises ValidationError listing every problem ("Row 4: …") and writes nothing when any row
    is invalid. Only members whose data changes are written and audited.
    """
    # One import at a time per organisation, taking turns with the services' changes to the
    # reporting lines and departments: it validates against their result instead of racing it.
    people_rules.lock_org_chart(org.pk)
    preview, state = preview_with_state(org, file_bytes)
    if not preview.is_valid:
        raise ValidationError(preview.messages)
    assert state is not None
    columns = set(preview.columns)
    rows = preview.rows
    result = ImportResult()
    result.departments_created = _ensure_departments(org, actor, rows, state)

    def department_for(row: PreviewRow) -> Department | None:
        if not row.department:
            return None
        return state.departments[path_key(split_path(row.department))]

    # Accounts: people who have one are invited; the rest get one, made by the organisation
    # without a password (one unusable value for all: it opens nothing, and hashing 20,000
    # times is slow).
    # Row-level security shows an account to a look-up by its exact email only, so both the
    # check and the insert (which reads its rows back) name their emails, a batch at a time.
    new_rows = [row for row in rows if row.status == Status.NEW]
    existing: set[str] = set()
    for batch in _batches([row.email for row in new_rows]):
        tenancy.look_up_accounts(batch)
        existing.update(User.objects.filter(email__in=batch).values_list("email", flat=True))
    invite_rows = [row for row in new_rows if row.email in existing]
    add_rows = [row for row in new_rows if row.email not in existing]
    no_password = make_password(None)
    users = {
        row.email: User(email=row.email, full_name=row.full_name, password=no_password)
        for row in add_rows
    }
    for batch in _batches(list(users)):
        tenancy.look_up_accounts(batch)
        User.objects.bulk_create([users[email] for email in batch])

    changed_rows = [row for row in rows if row.status == Status.CHANGED]
    before = {
        row.email: audit.snapshot(state.members[row.email], MEMBER_FIELDS) for row in changed_rows
    }
    # Free the employee ids that move, so that two members may swap theirs.
    moving_ids = [
        state.members[row.email].pk for row in changed_rows if "employee_id" in row.changed_fields
    ]
    if moving_ids:
        Membership.objects.filter(pk__in=moving_ids).update(employee_id="")

    members = dict(state.members)
    # The invitations first, so that those reporting to an invited person can await them;
    # an invitation's own manager, when new too, is set once the members exist.
    invitations = dict(state.invited)
    invited = invitations_for_import(
        org=org,
        actor=actor,
        people=[
            {
                "email": row.email,
                "full_name": row.full_name,
                "job_title": row.job_title,
                "department": department_for(row),
                "manager": members.get(row.manager_email)
                if "manager_email" in columns and row.manager_email
                else None,
            }
            for row in invite_rows
        ],
    )
    invitations.update({invitation.email: invitation for invitation in invited})

    def reporting_line(row: PreviewRow) -> tuple[Membership | None, Invitation | None]:
        """(manager, awaited invitation) for the row's manager email."""
        if "manager_email" not in columns or not row.manager_email:
            return None, None
        if row.manager_email in members:
            return members[row.manager_email], None
        return None, invitations[row.manager_email]

    # New members go in managers first, level by level, so that each one's manager already
    # has an id when it is inserted and no second pass over thousands of rows is needed.
    created: list[Membership] = []
    levels = _levels(add_rows if "manager_email" in columns else [], add_rows)
    for level in sorted(set(levels.values())):
        batch = []
        for row in add_rows:
            if levels[row.email] != level:
                continue
            manager, awaited = reporting_line(row)
            batch.append(
                Membership(
                    org=org,
                    user=users[row.email],
                    role=OrgRole.MEMBER,
                    employee_id=row.employee_id,
                    job_title=row.job_title,
                    department=department_for(row),
                    manager=manager,
                    awaited_manager=awaited,
                    account_created_by_org=True,
                )
            )
        Membership.objects.bulk_create(batch, batch_size=1000)
        members.update({m.user.email.lower(): m for m in batch})
        created.extend(batch)

    late_managers = []
    for row, invitation in zip(invite_rows, invited, strict=True):
        if invitation.manager_id is None and row.manager_email in members:
            invitation.manager = members[row.manager_email]
            late_managers.append(invitation)
    Invitation.objects.bulk_update(late_managers, ["manager"], batch_size=500)

    new_manager = []
    for row in changed_rows:
        member = members[row.email]
        for name in row.changed_fields:
            if name == "department":
                member.department = department_for(row)
            elif name == "manager":
                member.manager, member.awaited_manager = reporting_line(row)
                if member.manager is not None and member.is_active:
                    new_manager.append(member)
            else:
                setattr(member, name, getattr(row, name))
    Membership.objects.bulk_update(
        [members[row.email] for row in changed_rows],
        [*MEMBER_FIELDS, "awaited_manager"],
        batch_size=500,
    )
    for member in new_manager:
        notify_new_manager(member, member.manager)

    def event(action: str, obj, changes: dict):
        return audit.event(org=org, actor=actor, action=action, obj=obj, changes=changes)

    events = [
        event(
            "membership.create",
            member,
            audit.diff({}, {"role": member.role, **audit.snapshot(member, MEMBER_FIELDS)}),
        )
        for member in created
    ]
    events.extend(
        event(
            "invitation.create",
            invitation,
            {
                "email": {"old": None, "new": invitation.email},
                "role": {"old": None, "new": invitation.role},
            },
        )
        for invitation in invited
    )
    events.extend(
        event(
            "membership.update",
            members[row.email],
            audit.diff(before[row.email], audit.snapshot(members[row.email], MEMBER_FIELDS)),
        )
        for row in changed_rows
    )
    result.created = len(created) + len(invited)
    result.updated = len(changed_rows)
    result.unchanged = sum(1 for row in rows if row.status == Status.UNCHANGED)
    if result.created or result.updated or result.departments_created:
        counts = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "departments_created": result.departments_created,
        }
        events.append(event("org_chart.import", org, counts))
    audit.record_many(events)
    return result
