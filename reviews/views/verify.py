"""Verifying an agreement (docs/DOMAIN.md rule R34), for the signed-in people who may read
it: every version's hash and the signature chain recomputed from what is stored, and a PDF
checked against the versions by the content hash printed in it. The QR code of a signed PDF
carries the public link instead (reviews/pdf.py ``verification_url``), which needs no
account and shows only validity, hash and signers."""

from __future__ import annotations

import io
import re

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from orgs.policy import Action
from orgs.tenancy import enter_organization
from orgs.views.base import org_view

from .. import selectors, services
from ..access import get_agreement_for_member, get_agreement_for_verification_link
from ..verification_links import public_verification_path, read_token

#: Larger PDFs are refused before they are read: an agreement's PDF is far smaller.
MAX_PDF_BYTES = 10 * 1024 * 1024
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("A PDF of this agreement"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("That file is too large to be an agreement's PDF."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("That file is not a PDF."))
        return upload


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page by page; empty when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError):
        return ""


def match_pdf(data: bytes, versions) -> dict:
    """Which version of ``versions`` the PDF's printed content hash names. A hash may be
    broken over lines in the text, so each known hash is looked for in the text without
    its white space."""
    text = pdf_text(data)
    compact = re.sub(r"\s+", "", text)
    matched = [v for v in versions if v.content_hash in compact]
    return {
        "readable": bool(text.strip()),
        "version": matched[-1] if matched else None,
        "hashes": sorted(set(_HEX64.findall(text))),
    }


@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_verify(request, member, agreement):
    versions = selectors.agreement_versions(agreement=agreement)
    result = services.agreement_verify(agreement=agreement)
    asked = request.GET.get("hash", "").strip().lower()
    asked_version = next((v for v in versions if v.content_hash == asked), None) if asked else None
    form = PdfCheckForm()
    check = None
    if request.method == "POST":
        form = PdfCheckForm(request.POST, request.FILES)
        if form.is_valid():
            check = match_pdf(form.cleaned_data["pdf"].read(), versions)
    return render(
        request,
        "reviews/verify.html",
        {
            "agreement": agreement,
            "versions": versions,
            "result": result,
            "signatures": selectors.agreement_signatures(agreement=agreement),
            "asked": asked,
            "asked_version": asked_version,
            "form": form,
            "check": check,
            "public_path": public_verification_path(agreement),
        },
    )


@require_safe
def agreement_public_verify(request, token):
    """Anyone holding the link (printed for a third party, such as an auditor) sees whether
    the agreement is valid, its current content hash, and who signed it when: nothing
    else. A token that is not genuine is a 404, like an agreement that does not exist."""
    found = read_token(token)
    if found is None:
        raise Http404("No such verification link.")
    org_id, agreement_id = found
    # The signed token establishes the right to read this one agreement's verification.
    enter_organization(org_id)
    agreement = get_agreement_for_verification_link(org_id, agreement_id)
    result = services.agreement_verify(agreement=agreement)
    signatures = [
        {"name": s.printed_name, "signed_at": s.signed_at}
        for s in selectors.agreement_signatures(agreement=agreement)
    ]
    version = agreement.current_version
    return render(
        request,
        "reviews/verify_public.html",
        {
            "valid": result.valid,
            "content_hash": version.content_hash if version else "",
            "signatures": signatures,
        },
    )
