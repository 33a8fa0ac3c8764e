"""Recording results (docs/DOMAIN.md rule R43): the periods a KPI is measured in, the
checks on a value, and the writes of ``Measurement`` (record one, upsert many, confirm,
delete).

A value is refused, with a message naming what is wrong and nothing written, when it is not
a number, when a done / not done KPI is given anything but 1 or 0, when its period does not
start where the KPI's frequency says (a Monday, the first of a month, of a fiscal quarter,
of the fiscal year), when the period lies outside the KPI's dates, when the person does not
hold the role the KPI's KRA belongs to during the period, and when the actor may not record
for that person (the person, their management line and HR may: ``kpis/policy.py``).

A person's own value counts at once, or waits for their manager's confirmation when the
organisation's ``own_values_need_confirmation`` setting is on. Values sent with a source
reference are upserts: the same reference for the same KPI and person updates one row.

Every change marks the organisation's scores stale and schedules one debounced rollup
(``kpis/tasks.py`` ``schedule_rollup``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kras.models import KRALevel
from orgs import audit, policy
from orgs.models import Membership, Organization
from orgs.org_settings import org_setting
from roles.models import RoleAssignment

from .models import KPI, Frequency, Measurement, MeasurementStatus, MeasureType
from .policy import MeasurementAction, visible_person_ids

#: The most rows one bulk call takes.
BULK_LIMIT = 10_000
MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 4
NOTE_MAX = 2000
SOURCE_REF_MAX = 200

_TRUE = {"1", "true", "yes", "done"}
_FALSE = {"0", "false", "no", "not done"}

MEASUREMENT_FIELDS = (
    "kpi",
    "person",
    "period_start",
    "period_end",
    "value",
    "note",
    "evidence_url",
    "source_ref",
    "status",
)


# --- periods --------------------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}


def period_containing(
    frequency: str, day: datetime.date, fiscal_start_month: int = 1
) -> tuple[datetime.date, datetime.date]:
    """The KPI period of ``frequency`` that ``day`` falls in: a Monday-to-Sunday week, a
    calendar month, a quarter or a year of the organisation's fiscal year."""
    if frequency == Frequency.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    months = _MONTHS[frequency]
    offset = (day.month - fiscal_start_month) % months
    start = _add_months(day.replace(day=1), -offset)
    return start, _add_months(start, months) - datetime.timedelta(days=1)


def is_period_start(frequency: str, day: datetime.date, fiscal_start_month: int = 1) -> bool:
    return period_containing(frequency, day, fiscal_start_month)[0] == day


def fiscal_year(org: Organization, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The organisation's fiscal year that ``day`` falls in."""
    return period_containing(Frequency.ANNUAL, day, org.fiscal_year_start_month)


def _period_rule(frequency: str) -> str:
    return {
        Frequency.WEEKLY: _("a period is a week from Monday to Sunday"),
        Frequency.MONTHLY: _("a period starts on the first of a month"),
        Frequency.QUARTERLY: _("a period is a quarter of the fiscal year"),
        Frequency.ANNUAL: _("a period is the fiscal year"),
    }[frequency]


# --- checking one row ---------------------------------------------------------------------


def parse_value(kpi: KPI, raw) -> Decimal:
    """The value as a Decimal, or ValidationError saying what is wrong with it."""
    boolean = kpi.measure_type == MeasureType.BOOLEAN
    if isinstance(raw, bool):
        return Decimal(int(raw))
    text = str(raw if raw is not None else "").strip()
    if boolean and text.lower() in _TRUE | _FALSE:
        return Decimal(1 if text.lower() in _TRUE else 0)
    if text == "":
        raise ValidationError(_("Enter a value."))
    try:
        value = Decimal(text.replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a number; enter one such as 12 or 12.5.") % {"value": text[:40]}
        ) from None
    if not value.is_finite():
        raise ValidationError(_("Enter a number, such as 12 or 12.5."))
    if boolean:
        if value not in (0, 1):
            raise ValidationError(
                _("“%(kpi)s” is done / not done: enter 1 (done) or 0 (not done), not %(value)s.")
                % {"kpi": kpi.name, "value": text[:40]}
            )
        return Decimal(int(value))
    sign, digits, exponent = value.as_tuple()
    decimals = max(0, -exponent)
    if decimals > MAX_DECIMALS or len(digits) - decimals > MAX_INTEGER_DIGITS:
        raise ValidationError(
            _("Use at most %(int)s digits before the decimal point and %(dec)s after it.")
            % {"int": MAX_INTEGER_DIGITS, "dec": MAX_DECIMALS}
        )
    return value


def parse_day(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw or "").strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:40]}
        ) from None


def check_period(kpi: KPI, start: datetime.date, fiscal_start_month: int) -> datetime.date:
    """The period's end, or ValidationError: the start must begin one of the KPI's periods,
    and the period must overlap the KPI's dates."""
    period_start, period_end = period_containing(kpi.frequency, start, fiscal_start_month)
    if period_start != start:
        raise ValidationError(
            _(
                "“%(kpi)s” is measured %(frequency)s: %(rule)s. The period holding %(day)s "
                "starts on %(start)s."
            )
            % {
                "kpi": kpi.name,
                "frequency": kpi.get_frequency_display().lower(),
                "rule": _period_rule(kpi.frequency),
                "day": start.isoformat(),
                "start": period_start.isoformat(),
            }
        )
    if (kpi.start_date and period_end < kpi.start_date) or (
        kpi.due_date and period_start > kpi.due_date
    ):
        raise ValidationError(
            _("The period %(start)s to %(end)s lies outside the KPI's dates (%(dates)s).")
            % {
                "start": period_start.isoformat(),
                "end": period_end.isoformat(),
                "dates": _("from %(a)s until %(b)s")
                % {
                    "a": kpi.start_date.isoformat() if kpi.start_date else "—",
                    "b": kpi.due_date.isoformat() if kpi.due_date else "—",
                },
            }
        )
    return period_end


@dataclass
class _Context:
    """What checking many rows needs, read once: the KPIs, the people, who holds which role
    when, and whom the actor may record for."""

    org: Organization
    actor: Membership | None
    fiscal_start_month: int
    kpis: dict[int, KPI] = field(default_factory=dict)
    people: dict[int, Membership] = field(default_factory=dict)
    holdings: dict[tuple[int, int], list[tuple]] = field(default_factory=dict)
    allowed: set[int] | None = None

    @classmethod
    def load(cls, *, org, actor, kpi_ids: Iterable[int], person_ids: Iterable[int]):
        ctx = cls(org=org, actor=actor, fiscal_start_month=org.fiscal_year_start_month)
        kpi_ids, person_ids = set(kpi_ids), set(person_ids)
        ctx.kpis = {
            k.pk: k for k in KPI.objects.filter(org=org, pk__in=kpi_ids).select_related("kra__role")
        }
        ctx.people = {
            m.pk: m
            for m in Membership.objects.filter(org=org, pk__in=person_ids).select_related("user")
        }
        role_ids = {k.kra.role_id for k in ctx.kpis.values() if k.kra.role_id}
        for member_id, role_id, start, end in RoleAssignment.objects.filter(
            org=org, member_id__in=ctx.people, role_id__in=role_ids
        ).values_list("member_id", "role_id", "start_date", "end_date"):
            ctx.holdings.setdefault((member_id, role_id), []).append((start, end))
        if isinstance(actor, Membership):
            visible = visible_person_ids(actor)
            ctx.allowed = None if visible is None else visible | {actor.pk}
        return ctx

    def may_record(self, person: Membership) -> bool:
        if not isinstance(self.actor, Membership):
            return True  # the system: imports run by operators, the demo builder
        if not self.actor.is_active:
            return False
        return self.allowed is None or person.pk in self.allowed

    def holds(self, person: Membership, kpi: KPI, start, end) -> bool:
        for held_from, held_until in self.holdings.get((person.pk, kpi.kra.role_id), ()):
            if held_from <= end and (held_until is None or held_until >= start):
                return True
        return False


def _as_id(value) -> int | None:
    if isinstance(value, KPI | Membership):
        return value.pk
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _check_row(ctx: _Context, row: Mapping) -> tuple[dict, dict[str, str]]:
    """One row, cleaned, and its errors by field (empty when it may be written)."""
    errors: dict[str, str] = {}
    clean: dict = {}
    kpi = ctx.kpis.get(_as_id(row.get("kpi")))
    person = ctx.people.get(_as_id(row.get("person")))
    if kpi is None:
        errors["kpi"] = _("No such KPI in this organisation.")
    if person is None:
        errors["person"] = _("No such person in this organisation.")
    try:
        start = parse_day(row.get("period_start"))
    except ValidationError as exc:
        errors["period_start"] = exc.messages[0]
        start = None
    if kpi is not None:
        try:
            clean["value"] = parse_value(kpi, row.get("value"))
        except ValidationError as exc:
            errors["value"] = exc.messages[0]
        if start is not None:
            try:
                clean["period_end"] = check_period(kpi, start, ctx.fiscal_start_month)
            except ValidationError as exc:
                errors["period_start"] = exc.messages[0]
    if kpi is not None and person is not None:
        if not ctx.may_record(person):
            errors["person"] = _("You may not record results for %(name)s.") % {
                "name": person.user.full_name or person.user.email
            }
        elif kpi.kra.level != KRALevel.ROLE or kpi.kra.role_id is None:
            errors["kpi"] = _(
                "“%(kpi)s” belongs to a KRA of no role; only the KPIs of a role's KRAs are "
                "recorded for a person."
            ) % {"kpi": kpi.name}
        elif "period_end" in clean and not ctx.holds(person, kpi, start, clean["period_end"]):
            errors["person"] = _(
                "%(name)s does not hold the role “%(role)s” of “%(kpi)s” during this period."
            ) % {
                "name": person.user.full_name or person.user.email,
                "role": kpi.kra.role.title,
                "kpi": kpi.name,
            }
    note = str(row.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}
    evidence = str(row.get("evidence_url") or "").strip()
    if evidence:
        try:
            URLValidator(schemes=["http", "https"])(evidence)
        except ValidationError:
            errors["evidence_url"] = _("Give the evidence as a web address (https://…).")
        if len(evidence) > 500:
            errors["evidence_url"] = _("Keep the evidence link under 500 characters.")
    source_ref = str(row.get("source_ref") or "").strip()
    if len(source_ref) > SOURCE_REF_MAX:
        errors["source_ref"] = _("Keep the source reference under %(n)s characters.") % {
            "n": SOURCE_REF_MAX
        }
    clean.update(
        kpi=kpi,
        person=person,
        period_start=start,
        note=note,
        evidence_url=evidence,
        source_ref=source_ref,
    )
    return clean, errors


@dataclass(frozen=True)
class RowError:
    """The errors of one row of a bulk call (``row`` counts from 1)."""

    row: int
    errors: dict[str, str]
    #: The actor may not record for the row's person (the API answers 403).
    forbidden: bool = False


class MeasurementRowsInvalid(ValidationError):
    """A bulk call refused as a whole: ``row_errors`` lists every row that failed."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        self.forbidden = any(e.forbidden for e in row_errors)
        super().__init__(
            {
                f"row {e.row}: {name}": [message]
                for e in row_errors
                for name, message in e.errors.items()
            }
        )


def check_rows(
    *, org: Organization, actor: Membership | None, rows: list[Mapping]
) -> tuple[list[dict], list[RowError]]:
    """Every row checked (a constant number of queries whatever their number): the cleaned
    rows and every row's errors. Two rows with the same KPI, person and source reference
    are refused too, as one call cannot send the same value twice."""
    if len(rows) > BULK_LIMIT:
        raise ValidationError(
            _("Send at most %(n)s rows at a time; this has %(count)s.")
            % {"n": f"{BULK_LIMIT:,}", "count": f"{len(rows):,}"}
        )
    ctx = _Context.load(
        org=org,
        actor=actor,
        kpi_ids=filter(None, (_as_id(r.get("kpi")) for r in rows)),
        person_ids=filter(None, (_as_id(r.get("person")) for r in rows)),
    )
    cleaned, failed, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        clean, errors = _check_row(ctx, row)
        if clean["source_ref"] and clean["kpi"] and clean["person"]:
            key = (clean["kpi"].pk, clean["person"].pk, clean["source_ref"])
            if key in seen:
                errors.setdefault(
                    "source_ref",
                    _("Row %(row)s has the same source reference for this KPI and person.")
                    % {"row": seen[key]},
                )
            seen.setdefault(key, number)
        cleaned.append(clean)
        if errors:
            person = clean["person"]
            forbidden = person is not None and not ctx.may_record(person)
            failed.append(RowError(number, errors, forbidden))
    return cleaned, failed


# --- writes --------------------------------------------------------------------------------


def _status_for(org: Organization, actor, person: Membership) -> str:
    own = isinstance(actor, Membership) and actor.pk == person.pk
    if own and org_setting(org, "own_values_need_confirmation"):
        return MeasurementStatus.AWAITING_CONFIRMATION
    return MeasurementStatus.COUNTED


_UPSERT = """
INSERT INTO kpis_measurement (
    org_id, kpi_id, person_id, period_start, period_end, value, entered_by_id, entered_at,
    note, evidence_url, source_ref, status, confirmed_by_id, confirmed_at, created_at,
    updated_at
)
SELECT %(org)s, r.kpi_id, r.person_id, r.period_start, r.period_end, r.value, %(actor)s,
       %(now)s, r.note, r.evidence_url, r.source_ref, r.status, NULL, NULL, %(now)s, %(now)s
FROM unnest(
    %(kpi)s::bigint[], %(person)s::bigint[], %(start)s::date[], %(end)s::date[],
    %(value)s::numeric[], %(note)s::text[], %(evidence)s::text[], %(source)s::text[],
    %(status)s::text[]
) AS r(kpi_id, person_id, period_start, period_end, value, note, evidence_url, source_ref,
       status)
ON CONFLICT (org_id, kpi_id, person_id, source_ref) WHERE NOT (source_ref = '')
DO UPDATE SET period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
    value = EXCLUDED.value, entered_by_id = EXCLUDED.entered_by_id,
    entered_at = EXCLUDED.entered_at, note = EXCLUDED.note,
    evidence_url = EXCLUDED.evidence_url, status = EXCLUDED.status,
    confirmed_by_id = NULL, confirmed_at = NULL, updated_at = EXCLUDED.updated_at
RETURNING id, (xmax = 0) AS inserted
"""


def _write(org: Organization, actor, cleaned: list[dict]) -> list[tuple[int, bool]]:
    """One INSERT … ON CONFLICT for every row: (id, inserted) per row, in order."""
    params = {
        "org": org.pk,
        "actor": actor.pk if isinstance(actor, Membership) else None,
        "now": timezone.now(),
        "kpi": [r["kpi"].pk for r in cleaned],
        "person": [r["person"].pk for r in cleaned],
        "start": [r["period_start"] for r in cleaned],
        "end": [r["period_end"] for r in cleaned],
        "value": [r["value"] for r in cleaned],
        "note": [r["note"] for r in cleaned],
        "evidence": [r["evidence_url"] for r in cleaned],
        "source": [r["source_ref"] for r in cleaned],
        "status": [_status_for(org, actor, r["person"]) for r in cleaned],
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, params)
        return [(pk, inserted) for pk, inserted in cursor.fetchall()]


def _changed(org: Organization) -> None:
    from .tasks import schedule_rollup

    transaction.on_commit(lambda: schedule_rollup(org.pk))


@transaction.atomic
def measurement_record(
    *,
    kpi: KPI,
    person: Membership,
    actor: Membership | None,
    period_start,
    value,
    note: str = "",
    evidence_url: str = "",
    source_ref: str = "",
) -> Measurement:
    """Record one value (an upsert when ``source_ref`` is given). ValidationError by field
    for bad input, PermissionDenied when ``actor`` may not record for ``person``."""
    if isinstance(actor, Membership) and not policy.can(
        actor, MeasurementAction.RECORD_MEASUREMENT, person
    ):
        raise PermissionDenied(_("You may not record results for this person."))
    org = kpi.org
    row = {
        "kpi": kpi,
        "person": person,
        "period_start": period_start,
        "value": value,
        "note": note,
        "evidence_url": evidence_url,
        "source_ref": source_ref,
    }
    cleaned, failed = check_rows(org=org, actor=actor, rows=[row])
    if failed:
        raise ValidationError(failed[0].errors)
    [(pk, inserted)] = _write(org, actor, cleaned)
    measurement = Measurement.objects.select_related("kpi", "person__user").get(pk=pk)
    audit.record(
        org=org,
        actor=actor,
        action="measurement.record" if inserted else "measurement.update",
        obj=measurement,
        changes=audit.diff({}, audit.snapshot(measurement, MEASUREMENT_FIELDS)),
    )
    _changed(org)
    return measurement


@dataclass(frozen=True)
class BulkResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@transaction.atomic
def measurement_bulk_upsert(
    *, org: Organization, actor: Membership | None, rows: list[Mapping], source: str = "api"
) -> BulkResult:
    """Record up to ``BULK_LIMIT`` values at once, all or nothing: any bad row refuses the
    whole call with every row's errors (``MeasurementRowsInvalid``). Each row names ``kpi``
    and ``person`` (ids or objects), ``period_start``, ``value`` and optionally ``note``,
    ``evidence_url`` and ``source_ref``. One audit row tells what the call did."""
    cleaned, failed = check_rows(org=org, actor=actor, rows=rows)
    if failed:
        raise MeasurementRowsInvalid(failed)
    if not cleaned:
        return BulkResult(0, 0)
    written = _write(org, actor, cleaned)
    created = sum(1 for _pk, inserted in written if inserted)
    result = BulkResult(created=created, updated=len(written) - created)
    audit.record(
        org=org,
        actor=actor,
        action="measurement.bulk_upsert",
        obj=org,
        changes={
            "source": {"old": None, "new": source},
            "created": {"old": None, "new": result.created},
            "updated": {"old": None, "new": result.updated},
        },
    )
    _changed(org)
    return result


@transaction.atomic
def measurement_confirm(*, measurement: Measurement, actor: Membership) -> Measurement:
    """The manager (or HR) confirms a person's own value, so it counts. Nobody confirms
    their own; a value already counted is left as it is."""
    measurement = (
        Measurement.objects.select_for_update(of=("self",))
        .select_related("person", "org")
        .get(pk=measurement.pk)
    )
    policy.require(actor, MeasurementAction.CONFIRM_MEASUREMENT, measurement)
    if measurement.status == MeasurementStatus.COUNTED:
        return measurement
    with audit.tracked(measurement, ("status",), actor=actor, action="measurement.confirm"):
        measurement.status = MeasurementStatus.COUNTED
        measurement.confirmed_by = actor
        measurement.confirmed_at = timezone.now()
        measurement.updated_at = measurement.confirmed_at
        measurement.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    _changed(measurement.org)
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement, actor: Membership | None) -> None:
    """Remove a value: whoever may record for its person."""
    measurement = (
        Measurement.objects.select_for_update(of=("self",))
        .select_related("person", "org")
        .get(pk=measurement.pk)
    )
    if isinstance(actor, Membership):
        policy.require(actor, MeasurementAction.RECORD_MEASUREMENT, measurement)
    org = measurement.org
    audit.record(
        org=org,
        actor=actor,
        action="measurement.delete",
        obj=measurement,
        changes=audit.diff(audit.snapshot(measurement, MEASUREMENT_FIELDS), {}),
    )
    measurement.delete()
    _changed(org)
