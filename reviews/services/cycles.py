"""Writes of review cycles (docs/DOMAIN.md rules R51 to R60): create and update a cycle with
its validation, launch it (a task creates the reviews, set-based), ``review_create``,
reviewer delegation, close and reopen, and ``ensure_cycle_open``, the one guard every write
to a review calls.

The life of a cycle::

    draft ──launch──► open (launch: queued → running → done | failed; launch again: only the
      │                     │                          reviews still missing are created)
      └─ everything editable └──close──► closed ──reopen (reason)──► open
         while a draft         (every review locked)

Only HR and org admins manage cycles (``Action.MANAGE_REVIEW_CYCLES``). Every refusal is a
``ValidationError`` keyed by the field it is about, so pages and API say the same thing.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from orgs import audit, policy
from orgs.models import Department, Membership, Notification, Organization
from orgs.notifications import notify, notify_many
from orgs.people_rules import department_subtree
from orgs.policy import Action

from ..models import (
    DEFAULT_ACHIEVEMENT_BANDS,
    DEFAULT_RATING_SCALE,
    Agreement,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    Cadence,
    CycleDepartment,
    CycleParticipant,
    CycleStatus,
    GrowthGoal,
    ItemSource,
    LaunchStatus,
    ParticipantScope,
    Review,
    ReviewCycle,
    ReviewStatus,
)
from ..selectors_reviews import REVIEW_DELEGATE_GRANT
from . import delegates

#: The final score's components as the cycle stores their weights (docs/DOMAIN.md rule R54).
WEIGHT_FIELDS = ("weight_manager", "weight_achievement", "weight_self", "weight_growth")
#: A new cycle's weights unless HR says otherwise: the two components every review has.
DEFAULT_WEIGHTS = {
    "weight_manager": Decimal(60),
    "weight_achievement": Decimal(40),
    "weight_self": Decimal(0),
    "weight_growth": Decimal(0),
}
SCALE_MIN_POINTS, SCALE_MAX_POINTS = 2, 10
MAX_DIMENSIONS = 6
MAX_BANDS = 10
LABEL_MAX_LENGTH = 60
#: A window longer than this is not one cycle (an annual cycle in a leap year still fits).
MAX_WINDOW_DAYS = 366
#: How long after the window the acknowledgement may still be due.
MAX_DAYS_AFTER_WINDOW = 180
#: Agreements per launch batch: the launch's statements stay bounded whatever the headcount.
LAUNCH_BATCH = 500

CYCLE_FIELDS = (
    "name",
    "cadence",
    "window_start",
    "window_end",
    "participant_scope",
    "self_assessment_due",
    "manager_review_due",
    "acknowledgement_due",
    "rating_scale",
    "dimensions",
    *WEIGHT_FIELDS,
    "achievement_bands",
    "status",
)
#: What may still change once a cycle is launched: its name and deadlines.
EDITABLE_WHEN_OPEN = ("name", "self_assessment_due", "manager_review_due", "acknowledgement_due")


# --- shared steps ---------------------------------------------------------------------------


def _require(actor, obj=None) -> Membership:
    if not isinstance(actor, Membership):
        raise PermissionDenied("review cycles are managed by members of the organisation")
    policy.require(actor, Action.MANAGE_REVIEW_CYCLES, obj)
    return actor


def lock_cycle(cycle: ReviewCycle) -> ReviewCycle:
    """The cycle's row, locked until the transaction ends: exclusively, so it waits for the
    review writes holding ``ensure_cycle_open``'s shared lock, and they for it."""
    return (
        ReviewCycle.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(org_id=cycle.org_id, pk=cycle.pk)
    )


def cycle_path(cycle: ReviewCycle) -> str:
    try:
        return reverse("review-cycle-detail", kwargs={"org_slug": cycle.org.slug, "pk": cycle.pk})
    except NoReverseMatch:
        return f"/o/{cycle.org.slug}/reviews/cycles/{cycle.pk}/"


def review_path(org: Organization, review_id: int) -> str:
    """The review's page once the review pages are mounted; the path they take until then."""
    return f"{review_path_prefix(org)}{review_id}/"


def review_path_prefix(org: Organization) -> str:
    """The review pages' path up to the id: reversed once for many notices."""
    try:
        path = reverse("review-detail", kwargs={"org_slug": org.slug, "pk": 0})
    except NoReverseMatch:
        return f"/o/{org.slug}/reviews/"
    return path[: -len("0/")]


def my_reviews_path(org: Organization) -> str:
    """A member's list of reviews once the review pages are mounted; its path until then."""
    try:
        return reverse("my-reviews", kwargs={"org_slug": org.slug})
    except NoReverseMatch:
        return f"/o/{org.slug}/reviews/my/"


def local_today(org: Organization) -> datetime.date:
    """Today in the organisation's time zone: deadlines are its calendar days (R57)."""
    try:
        zone = zoneinfo.ZoneInfo(org.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.now().astimezone(zone).date()


def ensure_cycle_open(review_or_cycle) -> None:
    """Refuse a write to a review (or to a cycle's reviews) while its cycle is closed:
    docs/DOMAIN.md rule R58. Every service that changes a review calls it first.

    It reads the cycle's status under a shared lock on its row (``FOR SHARE``), held until
    the write's transaction ends: writes to one cycle's reviews run side by side, closing
    (``lock_cycle``, an exclusive lock) waits for the writes already past this check, and a
    write that comes after the close waits for it and then finds the cycle closed."""
    cycle = review_or_cycle if isinstance(review_or_cycle, ReviewCycle) else None
    if cycle is None:
        cycle = review_or_cycle.cycle
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, name FROM reviews_reviewcycle WHERE org_id = %s AND id = %s FOR SHARE",
            [cycle.org_id, cycle.pk],
        )
        row = cursor.fetchone()
    if row is None:  # deleted meanwhile: only a never-launched draft is, and it has no review
        raise ValidationError(_("This review cycle no longer exists."))
    cycle.status, cycle.name = row
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError(
            _("The cycle “%(name)s” is closed; its reviews can no longer change.")
            % {"name": cycle.name}
        )


# --- validation (docs/DOMAIN.md rules R52 to R55) -------------------------------------------


def _text(value, field: str, *, required: bool = True, limit: int = 150) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it within %(n)d characters.") % {"n": limit}})
    return text


def _date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: _("Enter a date (YYYY-MM-DD).")}) from None


def _number(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def clean_window(start, end) -> tuple[datetime.date, datetime.date]:
    start, end = _date(start, "window_start"), _date(end, "window_end")
    if end < start:
        raise ValidationError({"window_end": _("The window ends before it starts.")})
    if (end - start).days + 1 > MAX_WINDOW_DAYS:
        raise ValidationError(
            {"window_end": _("A cycle's window is at most %(n)d days.") % {"n": MAX_WINDOW_DAYS}}
        )
    return start, end


def clean_deadlines(
    window: tuple[datetime.date, datetime.date], self_due, manager_due, acknowledgement_due
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Self-assessment, then manager review, then acknowledgement (each on or after the one
    before), none before the window starts, the last within ``MAX_DAYS_AFTER_WINDOW`` of its
    end: docs/DOMAIN.md rule R53."""
    start, end = window
    self_due = _date(self_due, "self_assessment_due")
    manager_due = _date(manager_due, "manager_review_due")
    ack_due = _date(acknowledgement_due, "acknowledgement_due")
    if self_due < start:
        raise ValidationError(
            {
                "self_assessment_due": _(
                    "The self-assessment cannot be due before the window starts."
                )
            }
        )
    if manager_due < self_due:
        raise ValidationError(
            {"manager_review_due": _("The manager review is due on or after the self-assessment.")}
        )
    if ack_due < manager_due:
        raise ValidationError(
            {"acknowledgement_due": _("The acknowledgement is due on or after the manager review.")}
        )
    if ack_due > end + datetime.timedelta(days=MAX_DAYS_AFTER_WINDOW):
        raise ValidationError(
            {
                "acknowledgement_due": _(
                    "Every deadline falls within %(n)d days of the window's end."
                )
                % {"n": MAX_DAYS_AFTER_WINDOW}
            }
        )
    return self_due, manager_due, ack_due


def clean_scale(points) -> list[dict]:
    """From 2 to 10 points, whole numbers in ascending order, each with its own label:
    docs/DOMAIN.md rule R52."""
    field = "rating_scale"
    if not isinstance(points, list | tuple) or not points:
        raise ValidationError({field: _("Give the rating scale's points and labels.")})
    if not SCALE_MIN_POINTS <= len(points) <= SCALE_MAX_POINTS:
        raise ValidationError(
            {
                field: _("A rating scale has from %(low)d to %(high)d points.")
                % {"low": SCALE_MIN_POINTS, "high": SCALE_MAX_POINTS}
            }
        )
    cleaned, labels = [], set()
    for point in points:
        value = point.get("value") if isinstance(point, dict) else None
        label = point.get("label") if isinstance(point, dict) else None
        number = _number(value, field) if value not in (None, "") else None
        if number is None or number != number.to_integral_value() or not 0 <= number <= 100:
            raise ValidationError(
                {field: _("Each point of the scale is a whole number from 0 to 100.")}
            )
        label = " ".join(str(label or "").split())
        if not label:
            raise ValidationError(
                {field: _("Point %(value)s needs a label.") % {"value": int(number)}}
            )
        if len(label) > LABEL_MAX_LENGTH:
            raise ValidationError(
                {field: _("Keep each label within %(n)d characters.") % {"n": LABEL_MAX_LENGTH}}
            )
        if label.casefold() in labels:
            raise ValidationError({field: _("“%(label)s” labels two points.") % {"label": label}})
        labels.add(label.casefold())
        if cleaned and number <= cleaned[-1]["value"]:
            raise ValidationError(
                {field: _("List the points from the lowest up, each higher than the one before.")}
            )
        cleaned.append({"value": int(number), "label": label})
    return cleaned


def clean_dimensions(names) -> list[str]:
    """Up to six distinct names, or none (one rating per KRA): docs/DOMAIN.md rule R52."""
    field = "dimensions"
    if names in (None, ""):
        return []
    if not isinstance(names, list | tuple):
        raise ValidationError({field: _("Give the dimensions as a list of names.")})
    cleaned, seen = [], set()
    for name in names:
        name = " ".join(str(name or "").split())
        if not name:
            continue
        if len(name) > LABEL_MAX_LENGTH:
            raise ValidationError(
                {field: _("Keep each name within %(n)d characters.") % {"n": LABEL_MAX_LENGTH}}
            )
        if name.casefold() in seen:
            raise ValidationError({field: _("“%(name)s” is listed twice.") % {"name": name}})
        seen.add(name.casefold())
        cleaned.append(name)
    if len(cleaned) > MAX_DIMENSIONS:
        raise ValidationError(
            {field: _("Rate a KRA on at most %(n)d dimensions.") % {"n": MAX_DIMENSIONS}}
        )
    return cleaned


def clean_weights(weights: dict) -> dict[str, Decimal]:
    """Each component's weight from 0 to 100, together exactly 100: docs/DOMAIN.md rule R54."""
    cleaned = {}
    for name in WEIGHT_FIELDS:
        value = weights.get(name, DEFAULT_WEIGHTS[name])
        number = _number(0 if value in (None, "") else value, name)
        if not Decimal(0) <= number <= Decimal(100):
            raise ValidationError({name: _("A weight is a percentage from 0 to 100.")})
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError({name: _("Use at most two decimal places.")})
        cleaned[name] = number
    total = sum(cleaned.values(), Decimal(0))
    if total != 100:
        raise ValidationError(
            {"weights": _("The weights total %(total)s; they must total 100.") % {"total": total}}
        )
    if cleaned["weight_manager"] == 0 and cleaned["weight_achievement"] == 0:
        raise ValidationError(
            {
                "weight_manager": _(
                    "Give the manager rating or the KPI achievement a weight: a final score "
                    "needs one of them."
                )
            }
        )
    return cleaned


def clean_bands(bands, scale: list[dict]) -> list[dict]:
    """Thresholds in descending order, each a rating on the scale, the last band taking
    everything below (no threshold); a higher achievement never a lower rating:
    docs/DOMAIN.md rule R55."""
    field = "achievement_bands"
    if not isinstance(bands, list | tuple) or not bands:
        raise ValidationError({field: _("Give at least one band.")})
    if len(bands) > MAX_BANDS:
        raise ValidationError({field: _("Use at most %(n)d bands.") % {"n": MAX_BANDS}})
    points = {point["value"] for point in scale}
    cleaned = []
    for index, band in enumerate(bands):
        last = index == len(bands) - 1
        threshold = band.get("at_least") if isinstance(band, dict) else None
        rating = band.get("rating") if isinstance(band, dict) else None
        if last:
            if threshold not in (None, ""):
                raise ValidationError(
                    {field: _("The last band takes everything below: leave its threshold empty.")}
                )
            at_least = None
        else:
            if threshold in (None, ""):
                raise ValidationError(
                    {field: _("Every band but the last needs an achievement threshold.")}
                )
            at_least = _number(threshold, field)
            if not Decimal(0) <= at_least <= Decimal(10):
                raise ValidationError(
                    {field: _("A threshold is an achievement from 0 to 10 (1 is the target).")}
                )
            if cleaned and at_least >= Decimal(cleaned[-1]["at_least"]):
                raise ValidationError(
                    {
                        field: _(
                            "List the thresholds from the highest down, each lower than the "
                            "one before."
                        )
                    }
                )
        rating_number = _number(rating, field) if rating not in (None, "") else None
        if rating_number is None or rating_number not in points:
            raise ValidationError({field: _("Each band's rating is a point of the rating scale.")})
        if cleaned and rating_number > cleaned[-1]["rating"]:
            raise ValidationError({field: _("A lower achievement cannot give a higher rating.")})
        cleaned.append(
            {
                "at_least": None if at_least is None else str(at_least.normalize()),
                "rating": int(rating_number),
            }
        )
    return cleaned


def _participants(org: Organization, scope, departments, members) -> tuple[str, list, list]:
    if scope not in ParticipantScope.values:
        raise ValidationError({"participant_scope": _("Choose who takes part.")})
    departments = list(departments or [])
    members = list(members or [])
    if scope == ParticipantScope.DEPARTMENTS:
        if not departments:
            raise ValidationError({"departments": _("Choose at least one department.")})
        if any(not isinstance(d, Department) or d.org_id != org.pk for d in departments):
            raise ValidationError({"departments": _("Choose departments of this organisation.")})
        return scope, departments, []
    if scope == ParticipantScope.LIST:
        if not members:
            raise ValidationError({"members": _("Choose at least one person.")})
        if any(
            not isinstance(m, Membership) or m.org_id != org.pk or not m.is_active for m in members
        ):
            raise ValidationError({"members": _("Choose active members of this organisation.")})
        return scope, [], members
    return scope, [], []


def _name(org: Organization, name, cycle: ReviewCycle | None = None) -> str:
    name = _text(name, "name")
    taken = ReviewCycle.objects.filter(org_id=org.pk, name__iexact=name)
    if cycle is not None:
        taken = taken.exclude(pk=cycle.pk)
    if taken.exists():
        raise ValidationError({"name": _("Another cycle is called “%(name)s”.") % {"name": name}})
    return name


def _set_participants(cycle: ReviewCycle, departments, members) -> None:
    CycleDepartment.objects.filter(org_id=cycle.org_id, cycle=cycle).delete()
    CycleParticipant.objects.filter(org_id=cycle.org_id, cycle=cycle).delete()
    CycleDepartment.objects.bulk_create(
        [CycleDepartment(org_id=cycle.org_id, cycle=cycle, department=d) for d in set(departments)]
    )
    CycleParticipant.objects.bulk_create(
        [CycleParticipant(org_id=cycle.org_id, cycle=cycle, member=m) for m in set(members)]
    )


def _participant_labels(cycle: ReviewCycle) -> dict:
    departments = sorted(
        CycleDepartment.objects.filter(org_id=cycle.org_id, cycle=cycle).values_list(
            "department__name", flat=True
        )
    )
    people = sorted(
        CycleParticipant.objects.filter(org_id=cycle.org_id, cycle=cycle).values_list(
            "member__user__full_name", flat=True
        )
    )
    return {"departments": departments, "people": people}


# --- create and update ----------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    org: Organization,
    actor: Membership,
    name: str,
    window_start,
    window_end,
    self_assessment_due,
    manager_review_due,
    acknowledgement_due,
    cadence: str = Cadence.ANNUAL,
    participant_scope: str = ParticipantScope.ORG,
    departments: Iterable[Department] = (),
    members: Iterable[Membership] = (),
    rating_scale=None,
    dimensions=None,
    weights: dict | None = None,
    achievement_bands=None,
) -> ReviewCycle:
    """A draft cycle, every setting checked (docs/DOMAIN.md rules R51 to R55). Audited."""
    _require(actor)
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": _("Choose a cadence.")})
    name = _name(org, name)
    window = clean_window(window_start, window_end)
    deadlines = clean_deadlines(
        window, self_assessment_due, manager_review_due, acknowledgement_due
    )
    scale = clean_scale(DEFAULT_RATING_SCALE if rating_scale is None else rating_scale)
    scope, departments, members = _participants(org, participant_scope, departments, members)
    cycle = ReviewCycle.objects.create(
        org=org,
        name=name,
        cadence=cadence,
        window_start=window[0],
        window_end=window[1],
        participant_scope=scope,
        self_assessment_due=deadlines[0],
        manager_review_due=deadlines[1],
        acknowledgement_due=deadlines[2],
        rating_scale=scale,
        dimensions=clean_dimensions(dimensions),
        achievement_bands=clean_bands(
            DEFAULT_ACHIEVEMENT_BANDS if achievement_bands is None else achievement_bands, scale
        ),
        created_by=actor,
        **clean_weights(weights or {}),
    )
    _set_participants(cycle, departments, members)
    audit.record_created(
        org=org,
        actor=actor,
        action="review_cycle.create",
        obj=cycle,
        fields=CYCLE_FIELDS,
        extra=audit.diff({}, _participant_labels(cycle)),
    )
    return cycle


_UNSET = object()


@transaction.atomic
def cycle_update(
    *,
    cycle: ReviewCycle,
    actor: Membership,
    departments=_UNSET,
    members=_UNSET,
    weights: dict | None = None,
    **fields,
) -> ReviewCycle:
    """Change a cycle's settings: all of them while it is a draft; once launched only its
    name and deadlines (the reviews were made by the rest); a closed cycle not at all
    (docs/DOMAIN.md rule R56). The same checks as ``cycle_create``. Audited."""
    _require(actor, cycle)
    cycle = lock_cycle(cycle)
    unknown = set(fields) - set(CYCLE_FIELDS) - {"participant_scope"}
    if unknown:
        raise TypeError(f"unknown cycle fields: {sorted(unknown)}")
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError(_("This cycle is closed; reopen it to change it."))
    changing = set(fields) | ({"weights"} if weights else set())
    changing |= {"departments"} if departments is not _UNSET else set()
    changing |= {"members"} if members is not _UNSET else set()
    if cycle.status != CycleStatus.DRAFT:
        frozen = sorted(changing - set(EDITABLE_WHEN_OPEN))
        frozen = [
            name
            for name in frozen
            if name in ("weights", "departments", "members")
            or fields.get(name) != getattr(cycle, name)
        ]
        if frozen:
            raise ValidationError(
                {frozen[0]: _("The cycle is launched: only its name and deadlines can change.")}
            )
    before = {**audit.snapshot(cycle, CYCLE_FIELDS), **_participant_labels(cycle)}
    org = cycle.org
    if "name" in fields:
        cycle.name = _name(org, fields["name"], cycle)
    if "cadence" in fields:
        if fields["cadence"] not in Cadence.values:
            raise ValidationError({"cadence": _("Choose a cadence.")})
        cycle.cadence = fields["cadence"]
    window = clean_window(
        fields.get("window_start", cycle.window_start), fields.get("window_end", cycle.window_end)
    )
    cycle.window_start, cycle.window_end = window
    (
        cycle.self_assessment_due,
        cycle.manager_review_due,
        cycle.acknowledgement_due,
    ) = clean_deadlines(
        window,
        fields.get("self_assessment_due", cycle.self_assessment_due),
        fields.get("manager_review_due", cycle.manager_review_due),
        fields.get("acknowledgement_due", cycle.acknowledgement_due),
    )
    if "rating_scale" in fields:
        cycle.rating_scale = clean_scale(fields["rating_scale"])
    if "dimensions" in fields:
        cycle.dimensions = clean_dimensions(fields["dimensions"])
    bands = fields.get("achievement_bands", cycle.achievement_bands)
    cycle.achievement_bands = clean_bands(bands, cycle.rating_scale)
    if weights:
        current = {name: getattr(cycle, name) for name in WEIGHT_FIELDS}
        for name, value in clean_weights({**current, **weights}).items():
            setattr(cycle, name, value)
    if "participant_scope" in fields or departments is not _UNSET or members is not _UNSET:
        existing = _participant_objects(cycle)
        scope, chosen_departments, chosen_members = _participants(
            org,
            fields.get("participant_scope", cycle.participant_scope),
            existing[0] if departments is _UNSET else departments,
            existing[1] if members is _UNSET else members,
        )
        cycle.participant_scope = scope
        _set_participants(cycle, chosen_departments, chosen_members)
    cycle.updated_at = timezone.now()
    cycle.save()
    changes = audit.diff(
        before, {**audit.snapshot(cycle, CYCLE_FIELDS), **_participant_labels(cycle)}
    )
    if changes:
        audit.record(org=org, actor=actor, action="review_cycle.update", obj=cycle, changes=changes)
    return cycle


def _participant_objects(cycle: ReviewCycle) -> tuple[list[Department], list[Membership]]:
    departments = [
        row.department
        for row in CycleDepartment.objects.filter(org_id=cycle.org_id, cycle=cycle).select_related(
            "department"
        )
    ]
    members = [
        row.member
        for row in CycleParticipant.objects.filter(org_id=cycle.org_id, cycle=cycle).select_related(
            "member"
        )
    ]
    return departments, members


@transaction.atomic
def cycle_delete(*, cycle: ReviewCycle, actor: Membership) -> None:
    """Delete a draft cycle (nothing was launched from it). Audited."""
    _require(actor, cycle)
    cycle = lock_cycle(cycle)
    if (
        cycle.status != CycleStatus.DRAFT
        or Review.objects.filter(org_id=cycle.org_id, cycle=cycle).exists()
    ):
        raise ValidationError(_("Only a draft cycle that was never launched can be deleted."))
    audit.record_deleted(
        org=cycle.org, actor=actor, action="review_cycle.delete", obj=cycle, fields=CYCLE_FIELDS
    )
    cycle.delete()


# --- the participants and their agreements (docs/DOMAIN.md rule R56) -------------------------


def cycle_participants(cycle: ReviewCycle):
    """The cycle's participants (active members) as a queryset: the whole organisation, the
    members of its departments and those below them, or its list."""
    people = Membership.objects.filter(org_id=cycle.org_id, is_active=True)
    if cycle.participant_scope == ParticipantScope.DEPARTMENTS:
        roots = CycleDepartment.objects.filter(org_id=cycle.org_id, cycle=cycle).values_list(
            "department_id", flat=True
        )
        people = people.filter(
            department_id__in=department_subtree(org_id=cycle.org_id, roots=list(roots))
        )
    elif cycle.participant_scope == ParticipantScope.LIST:
        people = people.filter(
            pk__in=CycleParticipant.objects.filter(org_id=cycle.org_id, cycle=cycle).values(
                "member_id"
            )
        )
    return people


def agreements_in_force(cycle: ReviewCycle):
    """Agreements that a review of ``cycle`` judges: active, signed, their period
    overlapping the window."""
    return Agreement.objects.filter(
        org_id=cycle.org_id,
        status=AgreementStatus.ACTIVE,
        current_version__isnull=False,
        period_start__lte=cycle.window_end,
        period_end__gte=cycle.window_start,
    )


def _without_agreement(cycle: ReviewCycle, people_ids: list[int]) -> list[dict]:
    """Each participant with no agreement in force for the window, and why (R56): the
    agreement waiting for signatures, or none at all. Two queries."""
    on_the_way = set(
        Agreement.objects.filter(
            org_id=cycle.org_id,
            employee_id__in=people_ids,
            status__in=[
                AgreementStatus.DRAFT,
                AgreementStatus.PROPOSED,
                AgreementStatus.EMPLOYEE_SIGNED,
                AgreementStatus.AWAITING_HR,
            ],
            period_start__lte=cycle.window_end,
            period_end__gte=cycle.window_start,
        ).values_list("employee_id", flat=True)
    )
    people = (
        Membership.objects.filter(org_id=cycle.org_id, pk__in=people_ids)
        .select_related("user", "department")
        .order_by("user__full_name", "id")
    )
    return [
        {
            "member": person.pk,
            "name": person.user.get_full_name(),
            "department": person.department.name if person.department_id else "",
            "reason": _("Agreement not yet signed")
            if person.pk in on_the_way
            else _("No agreement for the window"),
        }
        for person in people
    ]


# --- creating reviews ------------------------------------------------------------------------


def _window_figures(org_id: int, window, pairs: list[tuple[int, int]] | None) -> dict:
    """For each (person, KPI) of ``pairs`` (None: every one of the organisation, in one pass
    for a whole launch): over the window's periods, the mean achievement of the periods with
    data (docs/DOMAIN.md rule R21), the periods with data and expected (from the stored
    scores) and the actual (the mean of the periods' actuals; a KPI aggregated as "latest"
    shows its latest), from counted measurements. Two queries."""
    if pairs is not None and not pairs:
        return {}
    # Without pairs the filters match everything (NULL arrays: "no filter").
    people = sorted({p for p, _k in pairs}) if pairs is not None else None
    kpis = sorted({k for _p, k in pairs}) if pairs is not None else None
    figures: dict[tuple[int, int], dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.person_id, s.scope_id, avg(s.achievement), count(s.achievement),
                   sum(s.periods_expected)
            FROM kpis_score s
            WHERE s.org_id = %s AND s.scope = 'kpi' AND s."window" = 'period'
              AND (%s::bigint[] IS NULL OR s.person_id = ANY(%s::bigint[]))
              AND (%s::bigint[] IS NULL OR s.scope_id = ANY(%s::bigint[]))
              AND s.period_start BETWEEN %s AND %s
            GROUP BY s.person_id, s.scope_id
            """,
            [org_id, people, people, kpis, kpis, window[0], window[1]],
        )
        for person, kpi, achievement, with_data, expected in cursor.fetchall():
            figures[(person, kpi)] = {
                "achievement": achievement,
                "with_data": int(with_data or 0),
                "expected": int(expected or 0),
                "actual": None,
            }
        cursor.execute(
            """
            WITH per AS (
              SELECT m.person_id, m.kpi_id, m.period_start, kp.aggregation,
                CASE kp.aggregation
                  WHEN 'sum' THEN sum(m.value)
                  WHEN 'avg' THEN avg(m.value)
                  WHEN 'min' THEN min(m.value)
                  WHEN 'max' THEN max(m.value)
                  ELSE (array_agg(m.value ORDER BY m.entered_at DESC, m.id DESC))[1]
                END AS actual
              FROM kpis_measurement m JOIN kpis_kpi kp ON kp.id = m.kpi_id
              WHERE m.org_id = %s AND m.status = 'counted'
                AND (%s::bigint[] IS NULL OR m.person_id = ANY(%s::bigint[]))
                AND (%s::bigint[] IS NULL OR m.kpi_id = ANY(%s::bigint[]))
                AND m.period_start BETWEEN %s AND %s
              GROUP BY m.person_id, m.kpi_id, m.period_start, kp.aggregation
            )
            SELECT person_id, kpi_id,
                   CASE WHEN min(aggregation) = 'last'
                        THEN (array_agg(actual ORDER BY period_start DESC))[1]
                        ELSE avg(actual) END
            FROM per GROUP BY person_id, kpi_id
            """,
            [org_id, people, people, kpis, kpis, window[0], window[1]],
        )
        for person, kpi, actual in cursor.fetchall():
            entry = figures.setdefault(
                (person, kpi),
                {"achievement": None, "with_data": 0, "expected": 0, "actual": None},
            )
            entry["actual"] = actual
    return figures


def _text_number(value) -> str | None:
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.0001")).normalize()
    return format(value, "f")


def _weighted(rows: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ weight × achievement over the weights of the rows with data (R22, R23)."""
    with_data = [(w, a) for w, a in rows if a is not None]
    total = sum((w for w, _a in with_data), Decimal(0))
    if not with_data or total <= 0:
        return None
    return (sum((w * a for w, a in with_data), Decimal(0)) / total).quantize(Decimal("0.0001"))


def _reviewer(row: dict) -> int | None:
    """The person's current manager when active, else the agreement's manager of record
    (neither the person themselves)."""
    for manager, active in (
        (row["employee__manager_id"], row["employee__manager__is_active"]),
        (row["manager_id"], row["manager__is_active"]),
    ):
        if manager is not None and active and manager != row["employee_id"]:
            return manager
    return None


def _content(org_id: int, agreement_ids: list[int]) -> tuple[list, dict, dict, dict]:
    """The agreements (with who reviews them), their KRAs, KPIs and growth goals as plain
    rows, in order: four queries, no model instances (a launch reads tens of thousands)."""
    agreements = list(
        Agreement.objects.filter(org_id=org_id, pk__in=agreement_ids)
        .order_by("pk")
        .values(
            "pk",
            "employee_id",
            "current_version_id",
            "manager_id",
            "manager__is_active",
            "employee__manager_id",
            "employee__manager__is_active",
        )
    )
    items: dict[int, list[dict]] = defaultdict(list)
    for row in (
        AgreementItem.objects.filter(org_id=org_id, agreement_id__in=agreement_ids)
        .order_by("agreement_id", "position", "pk")
        .values("pk", "agreement_id", "title", "weight")
    ):
        items[row["agreement_id"]].append(row)
    kpis: dict[int, list[dict]] = defaultdict(list)
    for row in (
        AgreementKPI.objects.filter(org_id=org_id, agreement_id__in=agreement_ids)
        .order_by("item_id", "position", "pk")
        .values(
            "item_id",
            "source",
            "source_kpi_id",
            "name",
            "unit",
            "measure_type",
            "direction",
            "weight",
            "target",
            "target_low",
            "target_high",
            "override_target",
            "override_target_low",
            "override_target_high",
        )
    ):
        if row["source"] == ItemSource.OVERRIDE:
            row["target"] = row["override_target"]
            row["target_low"] = row["override_target_low"]
            row["target_high"] = row["override_target_high"]
        kpis[row["item_id"]].append(row)
    goals: dict[int, list[dict]] = defaultdict(list)
    for row in (
        GrowthGoal.objects.filter(org_id=org_id, agreement_id__in=agreement_ids)
        .order_by("agreement_id", "position", "pk")
        .values("pk", "agreement_id", "goal", "measurable_target")
    ):
        goals[row["agreement_id"]].append(row)
    return agreements, items, kpis, goals


@dataclass(frozen=True)
class NewReview:
    """A review the launch created: what the launch result and the notices need."""

    pk: int
    reviewee_id: int
    reviewer_id: int | None


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple], returning: str = ""):
    """Many rows in few statements (``INSERT … VALUES (…), (…)`` a thousand at a time),
    without building a model instance per row; ``returning`` names columns to answer."""
    if not rows:
        return []
    # The table and columns are this module's constants; the values go as parameters.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES %s"  # noqa: S608
    if returning:
        sql += f" ON CONFLICT DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        return execute_values(cursor.cursor, sql, rows, page_size=1000, fetch=bool(returning))


REVIEW_COLUMNS = (
    "org_id",
    "cycle_id",
    "reviewee_id",
    "reviewer_id",
    "agreement_id",
    "agreement_version_id",
    "status",
    "lessons_learned",
    "manager_comment",
    "development_needs",
    "disagreement",
    "kpi_achievement",
    "periods_with_data",
    "periods_expected",
    "breakdown",
    "created_at",
    "updated_at",
    "status_changed_at",
)
ITEM_COLUMNS = (
    "org_id",
    "review_id",
    "agreement_item_id",
    "title",
    "weight",
    "position",
    "actuals",
    "achievement",
    "periods_with_data",
    "periods_expected",
    "self_dimensions",
    "self_comment",
    "manager_dimensions",
    "manager_comment",
    "missed_twice",
)
GOAL_COLUMNS = (
    "org_id",
    "review_id",
    "growth_goal_id",
    "goal",
    "measurable_target",
    "comment",
    "position",
)


def create_reviews(
    cycle: ReviewCycle, agreement_ids: list[int], *, figures: dict | None = None
) -> list[NewReview]:
    """Create the reviews of ``cycle`` for ``agreement_ids`` that do not have one yet, with
    their items (actuals prefilled from the stored scores and counted measurements of the
    window) and goals, in a bounded number of statements whatever the count (R56). The
    agreements' content is frozen while they are active, so their rows are the signed
    version's. Returns the reviews created: an agreement already reviewed in the cycle is
    skipped, and the insert's ``ON CONFLICT DO NOTHING`` on ``review_once_per_agreement``
    makes a race create nothing twice either. ``figures``: the window's figures read once
    for a whole launch (``_window_figures``); read here for these agreements otherwise."""
    org_id = cycle.org_id
    existing = set(
        Review.objects.filter(
            org_id=org_id, cycle_id=cycle.pk, agreement_id__in=agreement_ids
        ).values_list("agreement_id", flat=True)
    )
    agreements, items_by, kpis_by, goals_by = _content(
        org_id, [pk for pk in agreement_ids if pk not in existing]
    )
    if not agreements:
        return []
    pairs = [
        (a["employee_id"], kpi["source_kpi_id"])
        for a in agreements
        for item in items_by[a["pk"]]
        for kpi in kpis_by[item["pk"]]
        if kpi["source_kpi_id"] is not None
    ]
    if figures is None:
        figures = _window_figures(org_id, (cycle.window_start, cycle.window_end), pairs)
    now = timezone.now()
    review_rows, items_of = [], {}
    for agreement in agreements:
        employee = agreement["employee_id"]
        item_rows, kra_figures, with_data_total, expected_total = [], [], 0, 0
        for position, item in enumerate(items_by[agreement["pk"]], 1):
            actuals, kpi_figures, with_data, expected = [], [], 0, 0
            for kpi in kpis_by[item["pk"]]:
                figure = figures.get((employee, kpi["source_kpi_id"]), {})
                achievement = figure.get("achievement")
                with_data += figure.get("with_data", 0)
                expected += figure.get("expected", 0)
                kpi_figures.append((kpi["weight"], achievement))
                actuals.append(
                    {
                        "name": kpi["name"],
                        "unit": kpi["unit"],
                        "measure": kpi["measure_type"],
                        "direction": kpi["direction"],
                        "target": _text_number(kpi["target"]),
                        "target_low": _text_number(kpi["target_low"]),
                        "target_high": _text_number(kpi["target_high"]),
                        "actual": _text_number(figure.get("actual")),
                        "achievement": _text_number(achievement),
                        "periods_with_data": figure.get("with_data", 0),
                        "periods_expected": figure.get("expected", 0),
                    }
                )
            achievement = _weighted(kpi_figures)
            kra_figures.append((item["weight"], achievement))
            with_data_total += with_data
            expected_total += expected
            item_rows.append(
                (
                    item["pk"],
                    item["title"],
                    item["weight"],
                    position,
                    json.dumps(actuals),
                    achievement,
                    with_data,
                    expected,
                )
            )
        items_of[agreement["pk"]] = item_rows
        review_rows.append(
            (
                org_id,
                cycle.pk,
                employee,
                _reviewer(agreement),
                agreement["pk"],
                agreement["current_version_id"],
                ReviewStatus.SELF_ASSESSMENT.value,
                "",
                "",
                "",
                "",
                _weighted(kra_figures),
                with_data_total,
                expected_total,
                "[]",
                now,
                now,
                now,
            )
        )
    created = _insert(
        "reviews_review", REVIEW_COLUMNS, review_rows, "id, agreement_id, reviewee_id, reviewer_id"
    )
    item_rows, goal_rows, reviews = [], [], []
    for review_id, agreement_id, reviewee_id, reviewer_id in created:
        reviews.append(NewReview(pk=review_id, reviewee_id=reviewee_id, reviewer_id=reviewer_id))
        item_rows.extend(
            (org_id, review_id, *row, "{}", "", "{}", "", False) for row in items_of[agreement_id]
        )
        goal_rows.extend(
            (org_id, review_id, goal["pk"], goal["goal"], goal["measurable_target"], "", position)
            for position, goal in enumerate(goals_by[agreement_id], 1)
        )
    _insert("reviews_reviewitem", ITEM_COLUMNS, item_rows)
    _insert("reviews_reviewgoal", GOAL_COLUMNS, goal_rows)
    return reviews


@transaction.atomic
def review_create(*, cycle: ReviewCycle, agreement: Agreement) -> Review:
    """The review of ``agreement`` in ``cycle`` (docs/DOMAIN.md rule R56): the reviewer is
    the person's current manager (else the agreement's manager of record); one item per KRA
    of the signed version with its actuals prefilled from the stored scores of the window;
    one goal per growth-plan goal. Made once: asked again, the existing review is returned."""
    if agreement.org_id != cycle.org_id:
        raise ValidationError(_("The agreement belongs to another organisation."))
    ensure_cycle_open(cycle)
    if (
        agreement.status != AgreementStatus.ACTIVE
        or agreement.current_version_id is None
        or agreement.period_start > cycle.window_end
        or agreement.period_end < cycle.window_start
    ):
        raise ValidationError(_("Only an agreement in force for the cycle's window is reviewed."))
    create_reviews(cycle, [agreement.pk])
    return Review.objects.get(org_id=cycle.org_id, cycle_id=cycle.pk, agreement_id=agreement.pk)


# --- launching -------------------------------------------------------------------------------


@transaction.atomic
def cycle_launch(*, cycle: ReviewCycle, actor: Membership) -> ReviewCycle:
    """Launch a cycle, or launch it again to pick up agreements signed since (only the
    reviews still missing are made): the cycle opens and a task creates the reviews after
    this commits (docs/DOMAIN.md rule R56). Refused while a launch is under way and once the
    cycle is closed. Audited."""
    _require(actor, cycle)
    cycle = lock_cycle(cycle)
    ensure_cycle_open(cycle)
    if cycle.launch_status in (LaunchStatus.QUEUED, LaunchStatus.RUNNING):
        raise ValidationError(_("The cycle is being launched; wait for the launch to finish."))
    before = audit.snapshot(cycle, ("status", "launch_status"))
    now = timezone.now()
    cycle.status = CycleStatus.OPEN
    cycle.launch_status = LaunchStatus.QUEUED
    cycle.launch_total = cycle.launch_done = 0
    cycle.launched_at = now
    cycle.launched_by = actor
    cycle.updated_at = now
    cycle.save(
        update_fields=[
            "status",
            "launch_status",
            "launch_total",
            "launch_done",
            "launched_at",
            "launched_by",
            "updated_at",
        ]
    )
    audit.record(
        org=cycle.org,
        actor=actor,
        action="review_cycle.launch",
        obj=cycle,
        changes=audit.diff(before, audit.snapshot(cycle, ("status", "launch_status"))),
    )
    from ..tasks import launch_review_cycle

    org_id, cycle_id = cycle.org_id, cycle.pk
    transaction.on_commit(lambda: launch_review_cycle.delay(org_id=org_id, cycle_id=cycle_id))
    return cycle


def _notify_launch(cycle: ReviewCycle, reviews: list[NewReview]) -> None:
    """One inbox notice per reviewee (their review) and one per reviewer (how many reviews
    they write), made in a few INSERTs and emailed after commit."""
    org = cycle.org
    notes = []
    per_reviewer: dict[int, int] = defaultdict(int)
    active = set(
        Membership.objects.filter(
            org_id=org.pk,
            is_active=True,
            pk__in={r.reviewee_id for r in reviews}
            | {r.reviewer_id for r in reviews if r.reviewer_id},
        ).values_list("pk", flat=True)
    )
    prefix = review_path_prefix(org)
    now = timezone.now()
    title = (_("Your review in “%(cycle)s” has started") % {"cycle": cycle.name})[:200]
    body = _("Your self-assessment is due on %(date)s.") % {
        "date": cycle.self_assessment_due.isoformat()
    }
    for review in reviews:
        if review.reviewee_id in active:
            notes.append(
                Notification(
                    org_id=org.pk,
                    recipient_id=review.reviewee_id,
                    kind="review.launched",
                    title=title,
                    body=body,
                    url=f"{prefix}{review.pk}/",
                    created_at=now,
                )
            )
        if review.reviewer_id in active:
            per_reviewer[review.reviewer_id] += 1
    body = _("Your manager reviews are due on %(date)s.") % {
        "date": cycle.manager_review_due.isoformat()
    }
    for reviewer_id, count in per_reviewer.items():
        title = (
            _("%(n)d reviews to write in “%(cycle)s”")
            if count > 1
            else _("A review to write in “%(cycle)s”")
        ) % {"n": count, "cycle": cycle.name}
        notes.append(
            Notification(
                org_id=org.pk,
                recipient_id=reviewer_id,
                kind="review.to_write",
                title=title[:200],
                body=body,
                url=my_reviews_path(org),
                created_at=now,
            )
        )
    notify_many(org_id=org.pk, notices=notes)


def launch_run(cycle_id: int, *, org_id: int, progress=None) -> dict:
    """The launch itself (the task's body, in its one transaction): the cycle's row locked,
    every participant's agreements in force reviewed in batches (``create_reviews``), the
    participants without one listed with the reason, reviewees and reviewers told. Safe to
    run twice: only missing reviews are made. ``progress(done, total)`` after each batch."""
    cycle = (
        ReviewCycle.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(org_id=org_id, pk=cycle_id)
    )
    if cycle.launch_status not in (LaunchStatus.QUEUED, LaunchStatus.RUNNING):
        return cycle.launch_report
    people = list(cycle_participants(cycle).values_list("pk", flat=True))
    agreement_rows = list(
        agreements_in_force(cycle)
        .filter(employee_id__in=people)
        .order_by("pk")
        .values_list("pk", "employee_id")
    )
    covered = {employee for _pk, employee in agreement_rows}
    ids = [pk for pk, _employee in agreement_rows]
    total = len(ids)
    if progress is not None:
        progress(0, total)
    created: list[NewReview] = []
    figures = _window_figures(org_id, (cycle.window_start, cycle.window_end), None)
    for start in range(0, total, LAUNCH_BATCH):
        batch = ids[start : start + LAUNCH_BATCH]
        created.extend(create_reviews(cycle, batch, figures=figures))
        if progress is not None:
            progress(min(start + LAUNCH_BATCH, total), total)
    report = {
        "participants": len(people),
        "agreements": total,
        "created": len(created),
        "already": total - len(created),
        "without_reviewer": sum(1 for r in created if r.reviewer_id is None),
        "without_agreement": _without_agreement(cycle, [pk for pk in people if pk not in covered]),
    }
    _notify_launch(cycle, created)
    ReviewCycle.objects.filter(org_id=org_id, pk=cycle_id).update(
        launch_status=LaunchStatus.DONE,
        launch_total=total,
        launch_done=total,
        launch_report=report,
        updated_at=timezone.now(),
    )
    return report


def launch_failed(cycle_id: int, *, org_id: int, error: str) -> None:
    """Record that a launch failed (its reviews were rolled back): the cycle page says so
    and HR may launch again."""
    ReviewCycle.objects.filter(org_id=org_id, pk=cycle_id).update(
        launch_status=LaunchStatus.FAILED,
        launch_report={"error": error[:500]},
        updated_at=timezone.now(),
    )


# --- reviewer delegation (docs/DOMAIN.md rule R59) --------------------------------------------


def _lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("org", "cycle", "reviewee__user", "reviewer__user")
        .get(org_id=review.org_id, pk=review.pk)
    )


@transaction.atomic
def review_delegate_reviewer(*, review: Review, actor: Membership, delegate) -> Review:
    """HR lets ``delegate`` write ``review`` in the reviewer's place: django-guardian's
    ``reviews.review_as_reviewer`` on this one review. Refused: someone outside the
    organisation or deactivated, the reviewee, the reviewer (who writes it anyway), a review
    whose manager part is done, a closed cycle, and a delegate who already holds the grant.
    Audited; the delegate is told."""
    _require(actor, review)
    review = _lock_review(review)
    ensure_cycle_open(review)
    delegate = delegates.active_member(review, delegate)
    if delegate.pk == review.reviewee_id:
        raise ValidationError({"delegate": _("Nobody reviews themselves.")})
    if delegate.pk == review.reviewer_id:
        raise ValidationError({"delegate": _("The reviewer writes this review already.")})
    if review.manager_submitted_at is not None:
        raise ValidationError(_("The manager review is submitted; there is nothing to delegate."))
    delegates.grant(
        review,
        actor=actor,
        delegate=delegate,
        codename=REVIEW_DELEGATE_GRANT,
        action="review.delegate_reviewer",
        already=_("%(name)s may review already."),
    )
    notify(
        recipient=delegate,
        kind="review.delegated",
        title=_("You may write the review of %(name)s in “%(cycle)s”")
        % {"name": review.reviewee.user.get_full_name(), "cycle": review.cycle.name},
        url=review_path(review.org, review.pk),
    )
    return review


@transaction.atomic
def review_revoke_delegate(*, review: Review, actor: Membership, delegate) -> Review:
    """HR takes back a delegate's grant to write ``review``. Audited."""
    _require(actor, review)
    review = _lock_review(review)
    delegates.revoke(
        review,
        actor=actor,
        delegate=delegate,
        codename=REVIEW_DELEGATE_GRANT,
        action="review.revoke_delegate",
    )
    return review


# --- closing and reopening (docs/DOMAIN.md rule R58) ------------------------------------------


@transaction.atomic
def cycle_close(*, cycle: ReviewCycle, actor: Membership) -> ReviewCycle:
    """Close an open cycle: every review in it is locked (``ensure_cycle_open`` refuses their
    writes). Refused for a draft, a closed cycle and during a launch. Audited."""
    _require(actor, cycle)
    cycle = lock_cycle(cycle)
    if cycle.status != CycleStatus.OPEN:
        raise ValidationError(_("Only an open cycle can be closed."))
    if cycle.launch_status in (LaunchStatus.QUEUED, LaunchStatus.RUNNING):
        raise ValidationError(_("The cycle is being launched; wait for the launch to finish."))
    with audit.tracked(cycle, ("status", "closed_at"), actor=actor, action="review_cycle.close"):
        now = timezone.now()
        cycle.status = CycleStatus.CLOSED
        cycle.closed_at = now
        cycle.closed_by = actor
        cycle.updated_at = now
        cycle.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    return cycle


REOPEN_REASON_MAX = 1000


@transaction.atomic
def cycle_reopen(*, cycle: ReviewCycle, actor: Membership, reason: str) -> ReviewCycle:
    """Reopen a closed cycle with a reason, kept in the audit trail and shown on the cycle
    page: its reviews can change again. Audited."""
    _require(actor, cycle)
    cycle = lock_cycle(cycle)
    if cycle.status != CycleStatus.CLOSED:
        raise ValidationError(_("Only a closed cycle can be reopened."))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the cycle is reopened.")})
    if len(reason) > REOPEN_REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason within %(n)d characters.") % {"n": REOPEN_REASON_MAX}}
        )
    before = audit.snapshot(cycle, ("status", "closed_at"))
    cycle.status = CycleStatus.OPEN
    cycle.closed_at = None
    cycle.closed_by = None
    cycle.updated_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    audit.record(
        org=cycle.org,
        actor=actor,
        action="review_cycle.reopen",
        obj=cycle,
        changes={
            **audit.diff(before, audit.snapshot(cycle, ("status", "closed_at"))),
            "reason": {"old": None, "new": reason},
        },
    )
    return cycle
