"""The signed PDF (docs/DOMAIN.md rule R35), read back with poppler's pdftotext and
pdffonts: what it shows, that it shows the frozen version, in the shipped fonts, rendered
once per state."""

from __future__ import annotations

import datetime
import re
import subprocess
import zoneinfo
from decimal import Decimal

import pytest
import segno
from django.utils import timezone

from kra_platform import formatting
from kra_platform.pdf import SHIPPED_FONT_NAME
from kras.models import KRA
from reviews import pdf as agreement_pdf_module
from reviews.models import Signature
from reviews.pdf import QR_SCALE, agreement_pdf, verification_url
from reviews.services import (
    agreement_add_personal_kra,
    agreement_override_kpi_target,
    agreement_propose,
    agreement_set_kra_weight,
    agreement_void,
)
from reviews.verification_links import public_verification_path

from .conftest import KRA_TITLES

pytestmark = pytest.mark.usefixtures("local_cache")


@pytest.fixture
def local_cache(settings):
    """A cache of the test's own, so one test's PDFs are not another's."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pdf"}
    }


def pdf_text(data: bytes, tmp_path, *, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "agreement.pdf"
    path.write_bytes(data)
    pages = []
    if first:
        pages += ["-f", str(first)]
    if last:
        pages += ["-l", str(last)]
    return subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def page_count(data: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def berlin(org_a):
    org_a.timezone = "Europe/Berlin"
    org_a.save(update_fields=["timezone"])
    return zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def signed(berlin, org_a, alice, bob, draft, objective, sign):
    """An agreement with a personal KRA, a personal weight and target, signed by both."""
    first = draft.items.order_by("position").first()
    agreement_set_kra_weight(item=first, actor=alice, weight=30)
    agreement_override_kpi_target(
        kpi=first.kpis.get(), actor=alice, target=Decimal(18), reason="Larger territory"
    )
    agreement_add_personal_kra(
        agreement=draft,
        actor=alice,
        title="Partner channel revenue",
        definition="Deals brought in by partners.",
        weight=10,
        objective=objective,
        kpis=[
            {
                "name": "Partner deals closed per quarter",
                "unit": "deals",
                "target": Decimal(4),
                "frequency": "quarterly",
                "weight": 100,
                "due_date": draft.period_end,
            }
        ],
    )
    agreement_propose(agreement=draft, actor=alice)
    sign(draft, bob)
    sign(draft, alice)
    draft.refresh_from_db()
    return draft


def test_the_pdf_shows_the_agreement_its_signatures_and_its_hash(signed, berlin, tmp_path):
    data = agreement_pdf(agreement=signed)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    words = flat(text)
    # Who, what role, which period and version.
    for expected in ("Acme Robotics", "Bob Member", "Sales Executive", "Sales", "Alice Admin, COO"):
        assert expected in words
    assert "Win new customers and keep them." in words  # the role's purpose
    assert "Revenue funds the mission." in words  # and its alignment
    # Every KRA, the personal one marked, the role's numbers beside the personal ones.
    for title in (*KRA_TITLES, "Partner channel revenue"):
        assert title in words
    assert "PERSONAL" in words
    assert "role: 40 %" in words and "role: 15" in words
    assert "Partner deals closed per quarter" in words
    assert (
        "Ladder: Organisation: Recurring revenue growth › Objective: Grow recurring revenue"
        in words
    )
    # The growth plan.
    assert "Negotiation skills" in words and "Win three deals above list price" in words
    # Each signature: printed name, meaning, the time in the organisation's zone and in UTC.
    for signature in Signature.objects.filter(agreement=signed).order_by("sequence"):
        assert signature.printed_name in words
        assert signature.meaning in words
        with timezone.override(berlin):
            local = formatting.moment(signature.signed_at)
        assert f"{local} (Europe/Berlin)" in words
        assert (
            signature.signed_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") in words
        )
    # The content hash and the public verification link (not the signed-in page's).
    assert signed.current_version.content_hash in "".join(text.split())
    assert public_verification_path(signed) in "".join(text.split())
    assert f"/o/acme/agreements/{signed.pk}/verify/" not in "".join(text.split())
    # Page numbers, and the timeline on the last page.
    pages = page_count(data, tmp_path)
    assert f"Page 1 of {pages}" in words
    last = flat(pdf_text(data, tmp_path, first=pages, last=pages))
    assert last.startswith("Timeline")
    for event in (
        "Created",
        "Proposed",
        "Signed by the employee",
        "Countersigned by the manager",
        "In force",
    ):
        assert event in last


def test_the_printed_link_and_qr_code_open_the_public_verification_without_signing_in(
    signed, client, settings, tmp_path, monkeypatch
):
    pages = []
    real = agreement_pdf_module.render_pdf

    def keeping(html, **options):
        pages.append(html)
        return real(html, **options)

    monkeypatch.setattr(agreement_pdf_module, "render_pdf", keeping)
    text = "".join(pdf_text(agreement_pdf(agreement=signed), tmp_path).split())
    printed = re.search(re.escape(settings.SITE_URL) + r"/verify/[^/]+/", text).group(0)
    assert printed == verification_url(signed)
    # The QR code encodes the same public link.
    assert segno.make(printed, error="m").png_data_uri(scale=QR_SCALE, border=0) in pages[0]
    answer = client.get(printed.removeprefix(settings.SITE_URL))
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-testid="public-valid"' in body
    assert signed.current_version.content_hash in body
    assert "Bob Member" in body and "Alice Admin" in body
    # Only those facts: not the role, the KRAs, the organisation or the growth plan.
    for private in ("Sales Executive", "Acme", KRA_TITLES[0], "Negotiation skills"):
        assert private not in body, private


def test_the_pdf_embeds_only_the_fonts_that_ship_with_the_project(signed, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(agreement_pdf(agreement=signed))
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    fonts = [(line.split()[0], line.split()[-5]) for line in listing if line.strip()]
    assert fonts, "no font in the PDF"
    assert all(SHIPPED_FONT_NAME.match(name) for name, _emb in fonts), fonts
    assert {emb for _name, emb in fonts} == {"yes"}


def test_the_pdf_is_built_from_the_frozen_version_not_from_todays_rows(
    signed, org_a, tmp_path, monkeypatch
):
    role = signed.role
    role.title = "Renamed role"
    role.purpose = "A purpose written later."
    role.save()
    KRA.objects.filter(org=org_a, title=KRA_TITLES[1]).update(title="A later title")
    bob = signed.employee.user
    bob.full_name = "Robert Renamed"
    bob.save()
    words = flat(pdf_text(agreement_pdf(agreement=signed), tmp_path))
    assert "Sales Executive" in words and KRA_TITLES[1] in words and "Bob Member" in words
    for later in ("Renamed role", "A purpose written later.", "A later title", "Robert Renamed"):
        assert later not in words


def test_one_state_is_rendered_once_and_a_new_signature_or_voiding_shows_at_once(
    proposed, alice, bob, hannah, sign, monkeypatch, tmp_path
):
    renders = []
    real = agreement_pdf_module.render_pdf

    def counting(html, **options):
        renders.append(html)
        return real(html, **options)

    monkeypatch.setattr(agreement_pdf_module, "render_pdf", counting)
    first = agreement_pdf(agreement=proposed)
    assert agreement_pdf(agreement=proposed) == first
    assert len(renders) == 1
    assert "Not yet fully signed." in flat(pdf_text(first, tmp_path))
    sign(proposed, bob)
    proposed.refresh_from_db()
    assert "Bob Member" in flat(pdf_text(agreement_pdf(agreement=proposed), tmp_path))
    assert len(renders) == 2
    agreement_void(agreement=proposed, actor=hannah, reason="Bob changed teams.")
    proposed.refresh_from_db()
    assert "Voided: Bob changed teams." in flat(
        pdf_text(agreement_pdf(agreement=proposed), tmp_path)
    )
    assert len(renders) == 3


def test_a_draft_never_proposed_has_no_pdf(draft):
    with pytest.raises(ValueError):
        agreement_pdf(agreement=draft)


def test_every_document_reuses_the_processs_fonts_and_parsed_stylesheet(
    signed, monkeypatch, tmp_path
):
    """What does not change between documents is made once per process (docs/PERFORMANCE.md):
    the font configuration with the shipped fonts, and the agreement's stylesheet, parsed
    once rather than from a ``<style>`` element in each document."""
    from django.core.cache import cache

    from kra_platform import pdf as rendering

    pages = []
    real = agreement_pdf_module.render_pdf

    def keeping(html, **options):
        pages.append((html, options))
        return real(html, **options)

    monkeypatch.setattr(agreement_pdf_module, "render_pdf", keeping)
    first = agreement_pdf(agreement=signed)
    renderer = rendering._shared_renderer()
    sheets = dict(renderer.stylesheets)
    cache.clear()
    second = agreement_pdf(agreement=signed)
    assert len(pages) == 2
    assert rendering._shared_renderer() is renderer
    assert renderer.stylesheets == sheets and sheets
    html, options = pages[0]
    assert "<style" not in html
    assert options == {"stylesheet": agreement_pdf_module.stylesheet()}
    # The same document both times, in the same shipped fonts.
    assert flat(pdf_text(first, tmp_path)) == flat(pdf_text(second, tmp_path))
