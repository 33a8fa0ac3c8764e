"""Writes of the KRA template library: apply a template to a role, save a role as an
organisation's template, delete one.

They live in kpis, not kras, because a template is KRAs *with their KPIs*: building one
creates KPIs, and saving one reads them, and kras may not depend on kpis (docs/DOMAIN.md
section 2). KRAs and KPIs are created through their own services, so a template cannot
produce anything the editors would refuse.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from kras import library
from kras.models import KRA, KRALevel, KRAStatus, KRATemplate
from kras.services import kra_create, kra_retire
from orgs import audit
from orgs.models import Membership
from orgs.selectors import fiscal_year_bounds
from roles.models import AreaOfFocus, Role
from roles.services import area_create, role_create

from .models import KPI
from .readiness import drafting_warnings
from .services import kpi_create

_TEMPLATE_FIELDS = ("name", "category", "description")
_KPI_KEYS = (
    "measure_type",
    "currency_code",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_low",
    "target_high",
    "frequency",
    "aggregation",
)
_NUMERIC = {"baseline", "target", "target_low", "target_high"}


@dataclass
class Applied:
    """What applying a template did to a role."""

    kras: list[KRA] = field(default_factory=list)
    kpis: int = 0
    areas_created: int = 0
    retired: int = 0
    purpose_set: bool = False


@dataclass(frozen=True)
class TemplateSource:
    """A template to apply, from the library or from the organisation's own."""

    name: str
    content: dict
    library_key: str = ""
    org_template: KRATemplate | None = None


@dataclass(frozen=True)
class TimeFrame:
    """A fiscal year the KPIs built from a template can be time-boxed to."""

    key: str  # "current" or "next"
    start: datetime.date
    end: datetime.date

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return self.start, self.end


def kpi_time_frames(*, org, today: datetime.date | None = None) -> list[TimeFrame]:
    """The fiscal years a template's KPIs may run over: the current one, and the next one too
    when less than a quarter of the current one is left (a plan made in February for a
    year ending in March is most likely for the coming year)."""
    start, end = fiscal_year_bounds(org=org, today=today)
    frames = [TimeFrame("current", start, end)]
    today = today or timezone.localdate()
    left = (end - today).days + 1
    if left * 4 < (end - start).days + 1:
        next_start, next_end = fiscal_year_bounds(org=org, today=end + datetime.timedelta(days=1))
        frames.append(TimeFrame("next", next_start, next_end))
    return frames


def source_from_library(key: str) -> TemplateSource:
    try:
        template = library.get(key)
    except KeyError:
        raise ValidationError(_("There is no template “%(key)s” in the library.") % {"key": key})
    return TemplateSource(name=template.title, content=template.content, library_key=key)


def source_from_org_template(template: KRATemplate) -> TemplateSource:
    return TemplateSource(name=template.name, content=template.content, org_template=template)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _json_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _kpi_fields(kpi: dict) -> dict:
    return {
        key: _decimal(kpi[key]) if key in _NUMERIC else (kpi[key] or "")
        for key in _KPI_KEYS
        if key in kpi
    }


def active_role_kras(role: Role) -> list[KRA]:
    return list(
        KRA.objects.filter(org_id=role.org_id, level=KRALevel.ROLE, role=role)
        .exclude(status=KRAStatus.RETIRED)
        .order_by("position", "id")
    )


@transaction.atomic
def template_apply(
    *,
    role: Role,
    actor: Membership | None,
    template_key: str | None = None,
    template: KRATemplate | None = None,
    replace: bool = False,
    time_frame: tuple[datetime.date, datetime.date] | None = None,
) -> Applied:
    """Build ``role``'s KRAs and KPIs from a library template (``template_key``) or one of
    the organisation's own (``template``): missing areas of focus are added, each KRA goes
    in its area with the template's weights, laddered to nothing yet (the manager chooses
    the ladder next), and a role without a purpose takes the template's. The KPIs run from
    ``time_frame``'s start to its end (the current fiscal year when not given; see
    ``kpi_time_frames``).

    A role that already has KRAs is refused unless ``replace``, which retires them first
    (they stay in history and in signed agreements)."""
    if (template_key is None) == (template is None):
        raise ValueError("give template_key or template")
    if template is not None:
        if template.org_id != role.org_id:
            raise ValidationError(_("Choose a template of this organisation."))
        source = source_from_org_template(template)
    else:
        source = source_from_library(template_key)
    problems = library.validate_content(source.content, strict=False)
    if problems:
        raise ValidationError(
            _("The template “%(name)s” cannot be applied: %(problems)s")
            % {"name": source.name, "problems": "; ".join(problems)}
        )

    # One template application at a time per role, so two cannot both find it empty.
    role = (
        Role.objects.select_for_update(of=("self",))
        .select_related("org", "department")
        .get(pk=role.pk)
    )
    result = Applied()
    existing = active_role_kras(role)
    if existing and not replace:
        raise ValidationError(
            _(
                "“%(role)s” already has %(count)d KRAs. Edit them, or apply the template "
                "with “replace” to retire them first."
            )
            % {"role": role.title, "count": len(existing)}
        )
    for kra in existing:
        kra_retire(kra=kra, actor=actor, children="detach")
        result.retired += 1

    content = source.content
    if content.get("purpose") and not role.purpose.strip():
        # Only the purpose is written: role_update would re-check the whole role, and an
        # unfinished cost justification must not stop a template from being applied.
        with audit.tracked(role, ["purpose"], actor=actor, action="role.update"):
            role.purpose = content["purpose"].strip()
            role.updated_at = timezone.now()
            role.save(update_fields=["purpose", "updated_at"])
        result.purpose_set = True

    areas = {
        area.title.strip().lower(): area
        for area in AreaOfFocus.objects.filter(org_id=role.org_id, role=role)
    }
    for title in content.get("areas_of_focus", []):
        if title.strip().lower() not in areas:
            areas[title.strip().lower()] = area_create(role=role, actor=actor, title=title)
            result.areas_created += 1

    year_start, year_end = time_frame or fiscal_year_bounds(org=role.org)
    for index, item in enumerate(content["kras"]):
        kra = kra_create(
            org=role.org,
            actor=actor,
            level=KRALevel.ROLE,
            title=item["title"],
            definition=item.get("definition", ""),
            role=role,
            area_of_focus=areas.get((item.get("area") or "").strip().lower()),
            weight=_decimal(item["weight"]),
            priority=min(index + 1, 5),
        )
        for kpi in item["kpis"]:
            # A template's targets are yearly plans: time-box them to this fiscal year.
            kpi_create(
                kra=kra,
                actor=actor,
                name=kpi["name"],
                description=kpi.get("description", ""),
                weight=_decimal(kpi["weight"]),
                **{"start_date": year_start, "due_date": year_end, **_kpi_fields(kpi)},
            )
            result.kpis += 1
        result.kras.append(kra)

    audit.record(
        org=role.org,
        actor=actor,
        action="role.template_apply",
        obj=role,
        changes={
            "template": {"old": None, "new": source.library_key or source.name},
            "kras": {"old": [k.pk for k in existing] or None, "new": [k.pk for k in result.kras]},
        },
    )
    return result


@transaction.atomic
def role_create_from_template(
    *,
    org,
    actor: Membership | None,
    title: str,
    template_key: str | None = None,
    template: KRATemplate | None = None,
    time_frame: tuple[datetime.date, datetime.date] | None = None,
    **role_fields,
) -> tuple[Role, Applied]:
    """Create a role and build its KRAs and KPIs from a template in one step: both happen,
    or neither (a template that cannot be applied leaves no empty role behind)."""
    role = role_create(org=org, actor=actor, title=title, **role_fields)
    applied = template_apply(
        role=role,
        actor=actor,
        template_key=template_key,
        template=template,
        time_frame=time_frame,
    )
    return role, applied


def template_content_from_role(role: Role) -> dict:
    """The role's current KRAs and KPIs in the library's shape."""
    kras = (
        KRA.objects.filter(org_id=role.org_id, level=KRALevel.ROLE, role=role)
        .exclude(status=KRAStatus.RETIRED)
        .select_related("area_of_focus")
        .order_by("position", "id")
    )
    kpis_by_kra: dict[int, list[KPI]] = {}
    for kpi in KPI.objects.filter(org_id=role.org_id, kra__in=kras).order_by("position", "id"):
        kpis_by_kra.setdefault(kpi.kra_id, []).append(kpi)
    items = []
    for kra in kras:
        item = {"title": kra.title, "definition": kra.definition}
        if kra.area_of_focus_id:
            item["area"] = kra.area_of_focus.title
        item["weight"] = _json_number(kra.weight)
        item["kpis"] = [
            {
                "name": kpi.name,
                "description": kpi.description,
                "measure_type": kpi.measure_type,
                "currency_code": kpi.currency_code,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "baseline": _json_number(kpi.baseline),
                "target": _json_number(kpi.target),
                "target_low": _json_number(kpi.target_low),
                "target_high": _json_number(kpi.target_high),
                "frequency": kpi.frequency,
                "aggregation": kpi.aggregation,
                "weight": _json_number(kpi.weight),
            }
            for kpi in kpis_by_kra.get(kra.pk, [])
        ]
        items.append(item)
    return {
        "purpose": role.purpose,
        "areas_of_focus": list(
            AreaOfFocus.objects.filter(org_id=role.org_id, role=role)
            .order_by("position", "id")
            .values_list("title", flat=True)
        ),
        "kras": items,
    }


def template_save_warnings(role: Role) -> list[str]:
    """What drafting warns about the role's KPIs, which a saved template keeps as they are
    (the same check, the same severity: a warning, not a refusal)."""
    kpis = (
        KPI.objects.filter(org_id=role.org_id, kra__role=role, kra__level=KRALevel.ROLE)
        .exclude(kra__status=KRAStatus.RETIRED)
        .order_by("kra__position", "kra_id", "position", "id")
    )
    return [f"{kpi.name}: {message}" for kpi in kpis for message in drafting_warnings(kpi)]


@transaction.atomic
def template_save_from_role(
    *,
    role: Role,
    actor: Membership | None,
    name: str,
    category: str = "",
    description: str = "",
) -> KRATemplate:
    """Save ``role``'s current KRAs and KPIs as one of the organisation's templates. What
    drafting accepts is accepted here too; ``template_save_warnings`` says what drafting
    warns about."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the template.")
    elif (
        KRATemplate.objects.filter(org_id=role.org_id)
        .annotate(lower=Lower("name"))
        .filter(lower=name.lower())
        .exists()
    ):
        errors["name"] = _("The organisation already has a template called “%(name)s”.") % {
            "name": name
        }
    content = template_content_from_role(role)
    if not content["kras"]:
        errors["role"] = _("“%(role)s” has no KRAs to save yet.") % {"role": role.title}
    if errors:
        raise ValidationError(errors)
    problems = library.validate_content(content, strict=False)
    if problems:
        raise ValidationError({"role": problems})
    template = KRATemplate(
        org_id=role.org_id,
        name=name,
        category=(category or (role.department.name if role.department_id else "")).strip(),
        description=(description or "").strip(),
        content=content,
        created_by=actor if isinstance(actor, Membership) else None,
    )
    template.full_clean(exclude=["org", "created_by", "content"])
    template.save()
    audit.record_created(
        org=role.org,
        actor=actor,
        action="kra_template.create",
        obj=template,
        fields=_TEMPLATE_FIELDS,
        extra={
            "role": {"old": None, "new": role.pk},
            "kras": {"old": None, "new": len(content["kras"])},
        },
    )
    return template


@transaction.atomic
def template_delete(*, template: KRATemplate, actor: Membership | None) -> None:
    """Delete one of the organisation's templates. Roles built from it keep their KRAs."""
    audit.record_deleted(
        org=template.org,
        actor=actor,
        action="kra_template.delete",
        obj=template,
        fields=_TEMPLATE_FIELDS,
    )
    template.delete()
