"""The verification page of an agreement: valid, or exactly what no longer matches; a PDF
uploaded is matched to a version by the content hash printed in it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import AgreementVersion
from reviews.pdf import agreement_pdf, verification_url
from reviews.verification_links import public_verification_path, verification_token

from .test_signature_integrity import tamper

pytestmark = pytest.mark.django_db


def page(agreement) -> str:
    return reverse("agreement-verify", kwargs={"org_slug": agreement.org.slug, "pk": agreement.pk})


def upload(data: bytes, name="agreement.pdf"):
    return {"pdf": SimpleUploadedFile(name, data, content_type="application/pdf")}


def test_the_pdf_qr_code_carries_the_public_link_not_this_page(active):
    url = verification_url(active)
    assert url.endswith(public_verification_path(active))
    assert page(active) not in url


def test_a_signed_agreement_is_valid_and_the_link_names_its_version(login, alice, active):
    version = active.current_version
    body = login(alice).get(page(active), {"hash": version.content_hash}).content.decode()
    assert 'data-testid="verify-valid"' in body
    assert "The hash in the link is that of version 1." in body
    assert version.content_hash in body
    assert "Bob Member" in body and "Alice Admin" in body


def test_a_link_with_another_hash_says_so(login, alice, active):
    body = login(alice).get(page(active), {"hash": "0" * 64}).content.decode()
    assert "not that of any version of this agreement" in body


def test_a_tampered_version_makes_the_page_say_invalid_and_name_it(login, alice, active):
    version = active.current_version
    tamper(
        "reviews_agreementversion",
        "UPDATE reviews_agreementversion SET canonical_json = %s WHERE id = %s",
        [version.canonical_json.replace("15", "5"), version.pk],
        org_id=active.org_id,
    )
    body = login(alice).get(page(active)).content.decode()
    assert 'data-testid="verify-invalid"' in body
    assert "Version 1: its content no longer matches its hash" in body


def test_a_tampered_signature_is_named(login, alice, active):
    sig = active.signatures.order_by("sequence").last()
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET signed_at = signed_at - interval '1 day' WHERE id = %s",
        [sig.pk],
        org_id=active.org_id,
    )
    body = login(alice).get(page(active)).content.decode()
    assert f"Signature #{sig.sequence} (Alice Admin): the row no longer matches its hash." in body


def test_an_uploaded_pdf_of_this_agreement_matches_its_version(login, alice, active):
    pdf = agreement_pdf(agreement=active)
    body = login(alice).post(page(active), upload(pdf)).content.decode()
    assert 'data-testid="pdf-match"' in body
    assert "This PDF is version 1 of this agreement." in body


def test_a_pdf_of_an_earlier_version_names_that_version(login, alice, bob, proposed, sign):
    first = agreement_pdf(agreement=proposed)
    client = login(bob)
    from reviews.services import agreement_propose, agreement_request_changes

    agreement_request_changes(agreement=proposed, actor=bob, comment="Lower the target")
    agreement_propose(agreement=proposed, actor=alice)
    proposed.refresh_from_db()
    assert proposed.current_version.number == 2
    body = client.post(page(proposed), upload(first)).content.decode()
    assert "This PDF is version 1 of this agreement." in body


def test_a_pdf_of_another_agreement_matches_no_version(login, alice, active, org_a):
    other_hash = "ab" * 32
    assert not AgreementVersion.objects.filter(content_hash=other_hash).exists()
    # A PDF whose printed hash is of no version of this agreement.
    from kra_platform.pdf import render_pdf

    pdf = render_pdf(f"<p>Content hash</p><p>{other_hash}</p>")
    body = login(alice).post(page(active), upload(pdf)).content.decode()
    assert 'data-testid="pdf-no-match"' in body
    assert other_hash in body


def test_a_file_that_is_not_a_pdf_is_refused(login, alice, active):
    body = login(alice).post(page(active), upload(b"hello", "notes.pdf")).content.decode()
    assert "That file is not a PDF." in body


def test_who_may_open_the_verification_page(login, client, alice, bob, dave, charlie, active):
    assert login(bob).get(page(active)).status_code == 200  # the person
    client.logout()
    assert login(dave).get(page(active)).status_code == 403  # a colleague
    client.logout()
    assert login(charlie).get(page(active)).status_code == 404  # another organisation
    other = reverse("agreement-verify", kwargs={"org_slug": "globex", "pk": active.pk})
    assert client.get(other).status_code == 404
    client.logout()
    assert client.get(page(active)).status_code == 302  # signed out: to the login page


# --- the public link ------------------------------------------------------------------------


def test_the_public_link_shows_only_validity_hash_and_who_signed_when(client, login, alice, active):
    signed_in = login(alice).get(page(active)).content.decode()
    path = public_verification_path(active)
    assert path in signed_in
    client.logout()
    answer = client.get(path)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-testid="public-valid"' in body
    assert active.current_version.content_hash in body
    assert body.count('data-testid="public-signature"') == 2
    assert "Bob Member" in body and "Alice Admin" in body
    # Nothing else: not the organisation, the role, the KRAs, the job titles or the people's
    # emails.
    for secret in (
        "Acme",
        active.role.title,
        "Revenue from new customers",
        "Sales Executive",
        "bob@acme.test",
        "Negotiation skills",
    ):
        assert secret not in body, secret


def test_the_public_link_says_invalid_after_tampering_without_saying_more(client, active):
    sig = active.signatures.order_by("sequence").first()
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET meaning = %s WHERE id = %s",
        ["I agree to nothing", sig.pk],
        org_id=active.org_id,
    )
    body = client.get(public_verification_path(active)).content.decode()
    assert 'data-testid="public-invalid"' in body
    assert "Signature #" not in body


def test_a_forged_or_altered_link_is_a_404(client, active, org_b):
    token = verification_token(active)
    assert client.get(f"/verify/{token}x/").status_code == 404
    other_org = token.replace(f"{active.org_id}.", f"{org_b.pk}.", 1)
    assert client.get(f"/verify/{other_org}/").status_code == 404
    assert client.get("/verify/1.1/").status_code == 404
    assert client.post(public_verification_path(active)).status_code == 405
