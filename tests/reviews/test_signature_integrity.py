"""What is signed stays as signed (docs/DOMAIN.md rules R32 to R34): the database refuses to
change versions and signatures, verification names whatever was changed behind its back,
the chain stays one line when two people sign at once, and another organisation sees none
of it."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from kra_platform import rls
from kra_platform.canonical import GENESIS_HASH
from orgs import policy
from orgs.policy import Action
from reviews.models import (
    Agreement,
    AgreementComment,
    AgreementEvent,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    Signature,
)
from reviews.services import (
    agreement_comment,
    agreement_create,
    agreement_propose,
    agreement_sign,
    agreement_verify,
    signature_chain_verify,
    signing,
)
from tests.factories import PASSWORD

from .conftest import assign, make_request

REVIEW_MODELS = (
    Agreement,
    AgreementItem,
    AgreementKPI,
    GrowthGoal,
    AgreementVersion,
    Signature,
    AgreementComment,
    AgreementEvent,
)


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def tamper(table: str, sql: str, params, *, org_id: int) -> None:
    """Change a row behind the application's back, as the tables' owner with the
    append-only trigger switched off: what only someone with the owner's credentials could
    do."""
    with transaction.atomic():
        # The test's own inserts still have foreign-key checks pending; ALTER TABLE waits
        # for none.
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        _raw("SET LOCAL ROLE NONE")
        rls.set_context(org_id=org_id)
        _raw(f"ALTER TABLE {table} DISABLE TRIGGER append_only")
        _raw(sql, params)
        _raw(f"ALTER TABLE {table} ENABLE TRIGGER append_only")
        _raw(f"SET LOCAL ROLE {connection.ops.quote_name(settings.DATABASE_MAINTENANCE_ROLE)}")


# --- the database refuses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "table,statement",
    [
        ("reviews_agreementversion", "UPDATE reviews_agreementversion SET content_hash = 'x'"),
        ("reviews_agreementversion", "DELETE FROM reviews_agreementversion"),
        ("reviews_signature", "UPDATE reviews_signature SET printed_name = 'Mallory'"),
        ("reviews_signature", "DELETE FROM reviews_signature"),
        ("reviews_agreementevent", "UPDATE reviews_agreementevent SET kind = 'voided'"),
        ("reviews_agreementevent", "DELETE FROM reviews_agreementevent"),
    ],
)
def test_the_application_role_cannot_change_or_remove_what_was_signed(active, table, statement):
    before = _raw(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM {table} t")
    with rls.tenant_context(org_id=active.org_id):
        assert _raw("SELECT current_user") == [(settings.DATABASE_APP_ROLE,)]
        with pytest.raises(DatabaseError, match="permission denied|append-only"):
            with transaction.atomic():
                _raw(f"{statement} WHERE org_id = %s", [active.org_id])
    assert (
        _raw(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM {table} t") == before
    )


def test_even_the_owner_meets_the_append_only_trigger(active):
    with transaction.atomic():
        _raw("SET LOCAL ROLE NONE")
        rls.set_context(org_id=active.org_id)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("UPDATE reviews_signature SET meaning = 'I agree to nothing'")
        _raw(f"SET LOCAL ROLE {connection.ops.quote_name(settings.DATABASE_MAINTENANCE_ROLE)}")


# --- verification names what changed --------------------------------------------------------


def test_an_untouched_agreement_verifies(active):
    result = agreement_verify(agreement=active)
    assert result.valid
    assert (result.versions_checked, result.signatures_checked, result.chain_length) == (1, 2, 2)


def test_one_byte_changed_in_a_stored_version_is_found(active):
    version = active.current_version
    tamper(
        "reviews_agreementversion",
        "UPDATE reviews_agreementversion SET canonical_json = replace(canonical_json, "
        '\'"target":"15"\', \'"target":"16"\') WHERE id = %s',
        [version.pk],
        org_id=active.org_id,
    )
    version.refresh_from_db()
    assert '"target":"16"' in version.canonical_json
    result = agreement_verify(agreement=active)
    assert not result.valid
    assert [(f.kind, f.version_number) for f in result.findings] == [("content_hash", 1)]
    assert "Version 1" in result.findings[0].message


def test_a_respaced_snapshot_with_the_same_values_is_found_too(active):
    version = active.current_version
    # Whitespace after the first colon, and the hash recomputed to match: not canonical.
    tamper(
        "reviews_agreementversion",
        "UPDATE reviews_agreementversion SET canonical_json = regexp_replace(canonical_json, "
        "':', ': '), content_hash = encode(sha256(convert_to(regexp_replace(canonical_json, "
        "':', ': '), 'UTF8')), 'hex') WHERE id = %s",
        [version.pk],
        org_id=active.org_id,
    )
    kinds = {f.kind for f in agreement_verify(agreement=active).findings}
    assert "not_canonical" in kinds


def test_a_changed_signature_row_is_named_by_its_place_in_the_chain(active):
    signature = Signature.objects.get(agreement=active, sequence=2)
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET printed_name = 'Mallory' WHERE id = %s",
        [signature.pk],
        org_id=active.org_id,
    )
    result = agreement_verify(agreement=active)
    assert [(f.kind, f.signature_sequence) for f in result.findings] == [("row_hash", 2)]


def test_a_rewritten_link_breaks_the_chain(active):
    signature = Signature.objects.get(agreement=active, sequence=2)
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET prev_hash = %s WHERE id = %s",
        ["1" * 64, signature.pk],
        org_id=active.org_id,
    )
    kinds = sorted(
        (f.kind, f.signature_sequence) for f in agreement_verify(agreement=active).findings
    )
    assert kinds == [("chain_link", 2), ("row_hash", 2)]


def test_a_removed_signature_leaves_a_gap(active):
    first = Signature.objects.get(agreement=active, sequence=1)
    tamper(
        "reviews_signature",
        "DELETE FROM reviews_signature WHERE id = %s",
        [first.pk],
        org_id=active.org_id,
    )
    kinds = {
        (f.kind, f.signature_sequence) for f in signature_chain_verify(org=active.org).findings
    }
    assert ("chain_gap", 2) in kinds and ("chain_link", 2) in kinds


def test_a_signature_pointing_at_another_hash_is_found(active):
    signature = Signature.objects.get(agreement=active, sequence=1)
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET content_hash = %s WHERE id = %s",
        ["f" * 64, signature.pk],
        org_id=active.org_id,
    )
    kinds = {f.kind for f in agreement_verify(agreement=active).findings}
    assert kinds == {"signed_hash", "row_hash"}


# --- the chain under concurrent signing -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_signing_at_once_keep_the_chain_one_line(
    org_a, alice, bob, dave, role, monkeypatch
):
    # Given two proposed agreements in one organisation, and a signing step slow enough
    # (between reading the chain's last row and writing the next) for two to overlap
    slow_hash = signing.signature_row_hash

    def hash_slowly(sig):
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.3)
        return slow_hash(sig)

    monkeypatch.setattr(signing, "signature_row_hash", hash_slowly)
    assign(role, dave)
    proposals = []
    for person in (bob, dave):
        agreement = agreement_create(org=org_a, actor=alice, employee=person, role=role)
        agreement_propose(agreement=agreement, actor=alice)
        proposals.append((agreement.pk, person))
    barrier = threading.Barrier(len(proposals))
    errors: list[BaseException] = []

    def sign_in_a_request(agreement_pk, person):
        try:
            with rls.tenant_context(org_id=org_a.pk, user_id=person.user_id):
                agreement = Agreement.objects.select_related("org").get(pk=agreement_pk)
                barrier.wait(timeout=10)
                agreement_sign(
                    agreement=agreement,
                    signer=person,
                    password=PASSWORD,
                    meaning=True,
                    request=make_request(),
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    # When both sign at the same moment, each in its own connection
    threads = [threading.Thread(target=sign_in_a_request, args=p) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then both signatures are in one unbroken line
    assert not errors, errors
    rows = list(Signature.objects.filter(org=org_a).order_by("sequence"))
    assert [r.sequence for r in rows] == [1, 2]
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].row_hash
    assert len({r.prev_hash for r in rows}) == len(rows)
    assert signature_chain_verify(org=org_a).valid
    assert set(Agreement.objects.values_list("status", flat=True)) == {
        AgreementStatus.EMPLOYEE_SIGNED
    }


# --- another organisation ------------------------------------------------------------------------


def test_another_organisation_sees_none_of_it(active, alice, charlie, sign):
    agreement_comment(agreement=active, actor=alice, body="Well done.")
    with rls.tenant_context(org_id=charlie.org_id, user_id=charlie.user_id):
        for model in REVIEW_MODELS:
            assert not model.objects.exists(), model.__name__
        assert not _raw("SELECT id FROM reviews_signature")
    with rls.tenant_context(org_id=active.org_id):
        for model in REVIEW_MODELS:
            assert model.objects.exists(), model.__name__


def test_another_organisation_can_neither_read_nor_sign(active, proposed, charlie, sign):
    assert not policy.can(charlie, Action.VIEW_AGREEMENT, active)
    assert not policy.can(charlie, Action.MANAGE_AGREEMENT, active)
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied or ValidationError)
        sign(active, charlie)
    assert Signature.objects.count() == 2


def test_who_reads_an_agreement(active, alice, bob, dave, hannah, charlie):
    readers = {
        m.user.email
        for m in (alice, bob, dave, hannah, charlie)
        if policy.can(m, Action.VIEW_AGREEMENT, active)
    }
    assert readers == {"alice@acme.test", "bob@acme.test", "hannah@acme.test"}
    voiders = {
        m.user.email
        for m in (alice, bob, dave, hannah, charlie)
        if policy.can(m, Action.VOID_AGREEMENT, active)
    }
    assert voiders == {"alice@acme.test", "hannah@acme.test"}


# --- the operator's command ---------------------------------------------------------------------


def test_the_command_says_which_organisation_is_intact_and_what_is_not(active, org_b, capsys):
    from django.core.management import call_command

    call_command("verify_signatures")
    out = capsys.readouterr().out
    assert "acme: intact (versions: 1, signatures: 2)." in out
    assert "globex: intact (versions: 0, signatures: 0)." in out
    signature = Signature.objects.get(agreement=active, sequence=1)
    tamper(
        "reviews_signature",
        "UPDATE reviews_signature SET meaning = 'I agree to nothing' WHERE id = %s",
        [signature.pk],
        org_id=active.org_id,
    )
    with pytest.raises(SystemExit) as exited:
        call_command("verify_signatures", "acme")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "acme: NOT intact." in out and "Signature #1" in out
