"""The signed agreement as a PDF (docs/DOMAIN.md rule R35).

Built from the frozen version only: every figure, name and text of the agreement comes from
the version's canonical JSON, never from today's rows (a role renamed since, a target
changed since, change nothing in a signed PDF). What happened after the freeze is added from
its own append-only rows: the signatures (each as it was recorded) and the timeline. The
organisation's logo is shown only while its file is still the one whose hash was signed.

One rendering function, ``agreement_pdf``; the result is cached under the content hash and
``TEMPLATE_VERSION`` together with what may still be added to a frozen version (its
signatures, the timeline, the agreement's status) and the time zone it is shown in, so a
countersignature or a voiding shows at once while a document asked for twice is rendered
once.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import zoneinfo
from functools import lru_cache

import segno
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import Aggregation, Direction, Frequency, MeasureType
from kra_platform import formatting
from kra_platform.pdf import render_pdf
from kras.models import KRALevel

from .document import logo_digest
from .models import (
    Agreement,
    AgreementEvent,
    AgreementStatus,
    AgreementVersion,
    ItemSource,
    Signature,
    SignerRole,
)
from .verification_links import public_verification_path

TEMPLATE = "reviews/agreement_pdf.html"
#: The template's stylesheet: a file of its own, so that it is parsed once per process
#: rather than once per document (kra_platform/pdf.py ``render_pdf(stylesheet=...)``).
STYLESHEET = "reviews/agreement_pdf.css"
#: Change it whenever the template, its stylesheet or this module changes what a PDF shows.
TEMPLATE_VERSION = "3"
#: The QR code as a PNG of 4 pixels a module, drawn without smoothing.
QR_SCALE = 4
CACHE_SECONDS = 7 * 24 * 60 * 60


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return render_to_string(STYLESHEET)


def qr_code(url: str) -> str:
    """The QR code of ``url`` as a ``data:`` URL of a PNG."""
    return segno.make(url, error="m").png_data_uri(scale=QR_SCALE, border=0)


def verification_url(agreement: Agreement) -> str:
    """The public link printed under the QR code (reviews/verification_links.py): whoever
    holds the paper, an auditor without an account among them, opens it without signing in
    and learns only whether the agreement is valid, its content hash and who signed it
    when. The signed-in verification page is reached from the agreement's own page."""
    return f"{settings.SITE_URL}{public_verification_path(agreement)}"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _date(text: str | None) -> str:
    return formatting.day(datetime.date.fromisoformat(text)) if text else ""


def _amount(kpi: dict, value: str | None) -> str:
    if value is None:
        return "—"
    if kpi["measure"] == MeasureType.CURRENCY:
        return formatting.money(value, kpi["currency"])
    if kpi["measure"] == MeasureType.PERCENT:
        return f"{formatting.number(value)} %"
    return formatting.number(value)


def _target(kpi: dict, prefix: str = "") -> str:
    if kpi["direction"] == Direction.BOOLEAN:
        return _("Done")
    low, high = kpi[f"{prefix}target_low"], kpi[f"{prefix}target_high"]
    if kpi["direction"] == Direction.RANGE:
        if low is None or high is None:
            return "—"
        return f"{_amount(kpi, low)} – {_amount(kpi, high)}"
    return _amount(kpi, kpi[f"{prefix}target"])


def _kpi_view(kpi: dict) -> dict:
    overridden = kpi["source"] == ItemSource.OVERRIDE
    return {
        **kpi,
        "source_label": _label(ItemSource, kpi["source"]),
        "is_role": kpi["source"] == ItemSource.ROLE,
        "measure_label": _label(MeasureType, kpi["measure"]),
        "direction_label": _label(Direction, kpi["direction"]),
        "frequency_label": _label(Frequency, kpi["frequency"]),
        "aggregation_label": _label(Aggregation, kpi["aggregation"]),
        "baseline_text": _amount(kpi, kpi["baseline"]),
        "target_text": _target(kpi),
        "role_target_text": _target(kpi, "role_") if overridden else "",
        "weight_text": formatting.number(kpi["weight"]),
        "unit_text": kpi["currency"] if kpi["measure"] == MeasureType.CURRENCY else kpi["unit"],
        "due_text": _date(kpi["due_date"]),
        "start_text": _date(kpi["start_date"]),
    }


def _ladder_text(step: dict) -> str:
    if step["kind"] == "objective":
        return _("Objective: %(title)s") % {"title": step["title"]}
    return f"{_label(KRALevel, step['level'])}: {step['title']}"


def _kra_view(kra: dict) -> dict:
    return {
        **kra,
        "is_personal": kra["source"] == ItemSource.PERSONAL,
        "weight_text": formatting.number(kra["weight"]),
        "role_weight_text": formatting.number(kra["role_weight"]) if kra["role_weight"] else "",
        "ladder_steps": [_ladder_text(step) for step in kra["ladder"]],
        "kpi_rows": [_kpi_view(kpi) for kpi in kra["kpis"]],
    }


def _moments(value: datetime.datetime, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """The moment in the organisation's zone (with the zone's name), and in UTC to the
    second as it is recorded."""
    with timezone.override(zone):
        local = f"{formatting.moment(value)} ({zone.key})"
    utc = value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return local, utc


def _logo(org, digest: str | None) -> str:
    if not digest or logo_digest(org) != digest:
        return ""
    kinds = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}
    with org.logo.open("rb") as handle:
        data = handle.read()
    kind = next((k for magic, k in kinds.items() if data.startswith(magic)), "")
    if not kind:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def _zone(org) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(org.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _cache_key(version, agreement, signatures, events, zone) -> str:
    state = "|".join(
        [
            TEMPLATE_VERSION,
            version.content_hash,
            agreement.status,
            zone.key,
            # The printed link is signed with the site's key: a new key prints a new link.
            verification_url(agreement),
            ",".join(sig.row_hash for sig in signatures),
            ",".join(str(event.pk) for event in events),
        ]
    )
    return (
        f"reviews:agreement-pdf:{TEMPLATE_VERSION}:{version.content_hash}:"
        + hashlib.sha256(state.encode()).hexdigest()
    )


def agreement_pdf(*, agreement: Agreement, version: AgreementVersion | None = None) -> bytes:
    """The PDF of ``version`` (the current one by default) of ``agreement``."""
    version = version or agreement.current_version
    if version is None:
        raise ValueError("an agreement that was never proposed has no document to print")
    if version.agreement_id != agreement.pk:
        raise ValueError("that version belongs to another agreement")
    org = agreement.org
    signatures = list(
        Signature.objects.filter(org_id=agreement.org_id, version=version).order_by("sequence")
    )
    events = list(
        AgreementEvent.objects.filter(org_id=agreement.org_id, agreement=agreement)
        .select_related("version")
        .order_by("created_at", "id")
    )
    zone = _zone(org)
    key = _cache_key(version, agreement, signatures, events, zone)
    cached = cache.get(key)
    if cached is not None:
        return cached
    pdf = render_pdf(_html(agreement, version, signatures, events, zone), stylesheet=stylesheet())
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def _html(agreement, version, signatures, events, zone) -> str:
    document = json.loads(version.canonical_json)
    url = verification_url(agreement)
    signed = []
    for sig in signatures:
        local, utc = _moments(sig.signed_at, zone)
        signed.append(
            {
                "name": sig.printed_name,
                "job_title": sig.job_title,
                "role": _label(SignerRole, sig.signer_role),
                "meaning": sig.meaning,
                "local": local,
                "utc": utc,
                "sequence": sig.sequence,
                "row_hash": sig.row_hash,
            }
        )
    timeline = []
    for event in events:
        local, utc = _moments(event.created_at, zone)
        timeline.append(
            {
                "label": event.get_kind_display(),
                "actor": event.actor_name,
                "local": local,
                "utc": utc,
                "note": event.note if event.kind in ("changes_requested", "voided") else "",
                "version": event.version.number if event.version_id else None,
            }
        )
    meta = document["agreement"]
    context = {
        "doc": document,
        "org": document["organisation"],
        "person": document["person"],
        "manager": document["manager"],
        "role": document["role"],
        "kras": [_kra_view(kra) for kra in document["kras"]],
        "growth_plan": [
            {**goal, "due_text": _date(goal["due_date"])} for goal in document["growth_plan"]
        ],
        "version_number": meta["version"],
        "period": f"{_date(meta['period_start'])} – {_date(meta['period_end'])}",
        "amends": meta["amends"],
        "logo": _logo(agreement.org, document["organisation"]["logo_sha256"]),
        "signatures": signed,
        "timeline": timeline,
        "content_hash": version.content_hash,
        "verification_url": url,
        "qr_png": qr_code(url),
        "status": agreement.status,
        "is_voided": agreement.status == AgreementStatus.VOIDED,
        "void_reason": agreement.void_reason,
        "is_superseded": agreement.status == AgreementStatus.SUPERSEDED,
        "fully_signed": agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.SUPERSEDED),
        "zone": zone.key,
        "frozen_local": _moments(version.created_at, zone)[0],
    }
    return render_to_string(TEMPLATE, context)
