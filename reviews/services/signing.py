"""Signing and verifying agreements (docs/DOMAIN.md rules R31, R33 and R34).

Who signs what, in order: the person signs the proposed version (employee), then the
manager of record countersigns it (manager; or someone granted ``reviews.sign_agreement``
on that agreement with django-guardian, a delegate), then, where the organisation asks for
it (``require_hr_acknowledgement``), HR acknowledges it (hr). The last signature puts the
agreement in force.

Each signature re-authenticates the signer through ``django.contrib.auth.authenticate``,
so the login lockout counts wrong passwords here as on the login page, and states what it
means (the organisation's statement for that kind of signer). The row keeps the signer's
name and job title as they were, the statement, the UTC time, address, browser and
authentication method, and the version's content hash. Rows of one organisation form a
hash chain: each names the ``row_hash`` of the one before as its ``prev_hash``, and its own
``row_hash`` is the SHA-256 of the canonical JSON of its fields. Rows are appended under a
per-organisation lock, and a unique ``(org, prev_hash)`` makes a fork impossible even
without it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.canonical import (
    GENESIS_HASH,
    canonical_bytes,
    is_canonical,
    sha256_hex,
    utc_text,
)
from orgs import audit, policy
from orgs.lockout import client_ip
from orgs.models import Membership, Organization
from orgs.org_settings import org_setting
from orgs.policy import Action

from ..models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    EventKind,
    Signature,
    SignerRole,
)
from ..org_settings import STATEMENT_SETTINGS
from . import delegates
from .agreements import activate, hr_members, lock, record_event, set_status, tell

AUTH_METHOD = "password"
SIGNATURE_SCHEMA = "kra-platform/signature/1"
#: The advisory lock that makes one organisation's signatures take turns.
CHAIN_LOCK = "kra.signature_chain"


def statement_for(org: Organization, signer_role: str) -> str:
    """The organisation's statement of meaning for that kind of signer: docs/DOMAIN.md
    rule R31."""
    return org_setting(org, STATEMENT_SETTINGS[signer_role])


def _is_delegate(member: Membership, agreement: Agreement) -> bool:
    """A per-object grant to countersign (django-guardian), given to this user directly."""
    return delegates.holds_grant(member, agreement, "sign_agreement")


def expected_signer_role(agreement: Agreement, signer: Membership) -> str:
    """As what ``signer`` may sign ``agreement`` now, or PermissionDenied / ValidationError
    saying why not."""
    if signer.org_id != agreement.org_id or not signer.is_active:
        raise PermissionDenied("not a member of this organisation")
    status = agreement.status
    if status == AgreementStatus.PROPOSED:
        if signer.pk != agreement.employee_id:
            raise PermissionDenied(_("Only %(name)s signs first.") % {"name": agreement.employee})
        return SignerRole.EMPLOYEE
    if status == AgreementStatus.EMPLOYEE_SIGNED:
        if signer.pk == agreement.employee_id:
            raise ValidationError(
                _("You have signed this agreement; it awaits the countersignature.")
            )
        if signer.pk != agreement.manager_id and not _is_delegate(signer, agreement):
            raise PermissionDenied(
                _("Only the manager of record, or their delegate, countersigns.")
            )
        return SignerRole.MANAGER
    if status == AgreementStatus.AWAITING_HR:
        if not policy.can(signer, Action.ACKNOWLEDGE_AGREEMENT, agreement):
            raise PermissionDenied(_("Only HR acknowledges an agreement."))
        return SignerRole.HR
    raise ValidationError(
        _("This agreement is %(status)s; there is nothing to sign.")
        % {"status": agreement.get_status_display().lower()}
    )


def _meaning(org: Organization, signer_role: str, meaning) -> str:
    statement = statement_for(org, signer_role)
    if meaning is True:
        return statement
    if isinstance(meaning, str) and " ".join(meaning.split()) == " ".join(statement.split()):
        return statement
    raise ValidationError(
        {"meaning": _("Tick the statement “%(statement)s” to sign.") % {"statement": statement}}
    )


def _check_not_stale(agreement: Agreement, version: AgreementVersion | None) -> AgreementVersion:
    current = agreement.current_version
    if current is None:
        raise ValidationError(_("This agreement has not been proposed; there is nothing to sign."))
    if version is not None and version.pk != current.pk:
        raise ValidationError(
            {
                "version": _(
                    "You were signing version %(old)d, which is no longer current: version "
                    "%(new)d replaced it. Read the new version before signing."
                )
                % {"old": version.number, "new": current.number}
            }
        )
    return current


def _printable(text: str, limit: int) -> str:
    return "".join(ch for ch in text or "" if unicodedata.category(ch) != "Cc")[:limit]


# --- the chain ------------------------------------------------------------------------------


def signature_row_document(sig: Signature) -> dict:
    """The fields a signature's ``row_hash`` covers, ``prev_hash`` among them. A review's
    acknowledgement also covers the review and its snapshot (keys an agreement signature
    does not have, so its hash is what it always was)."""
    document = {
        "schema": SIGNATURE_SCHEMA,
        "org": sig.org_id,
        "sequence": sig.sequence,
        "agreement": sig.agreement_id,
        "version": sig.version_id,
        "signer": sig.signer_id,
        "signer_role": sig.signer_role,
        "printed_name": sig.printed_name,
        "job_title": sig.job_title,
        "meaning": sig.meaning,
        "signed_at": utc_text(sig.signed_at),
        "ip_address": sig.ip_address,
        "user_agent": sig.user_agent,
        "auth_method": sig.auth_method,
        "content_hash": sig.content_hash,
        "prev_hash": sig.prev_hash,
    }
    if sig.review_id is not None:
        document["review"] = sig.review_id
        document["review_snapshot"] = sig.review_snapshot_id
    return document


def signature_row_hash(sig: Signature) -> str:
    return sha256_hex(canonical_bytes(signature_row_document(sig)))


def _lock_chain(org_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), %s::integer)", [CHAIN_LOCK, org_id]
        )


def append_signature(sig: Signature) -> Signature:
    """Link ``sig`` after the organisation's last signature and save it, the chain locked
    until the transaction ends."""
    _lock_chain(sig.org_id)
    head = (
        Signature.objects.filter(org_id=sig.org_id)
        .order_by("-sequence")
        .values("sequence", "row_hash")
        .first()
    )
    sig.sequence = head["sequence"] + 1 if head else 1
    sig.prev_hash = head["row_hash"] if head else GENESIS_HASH
    sig.row_hash = signature_row_hash(sig)
    sig.save(force_insert=True)
    return sig


# --- signing --------------------------------------------------------------------------------


def reauthenticate(request, signer: Membership, password: str) -> None:
    """The signer's password again, through ``authenticate`` (so the login lockout counts a
    wrong one): every signature's check, an agreement's and a review's acknowledgement
    alike. ValidationError keyed ``password`` when it is wrong or the account is locked."""
    user = authenticate(request, username=signer.user.email, password=password or "")
    if user is not None and user.pk == signer.user_id:
        return
    from axes.handlers.proxy import AxesProxyHandler

    if AxesProxyHandler.is_locked(request, {"username": signer.user.email}):
        raise ValidationError(
            {
                "password": _(
                    "Too many wrong passwords: signing is locked for a while. Nothing was signed."
                )
            }
        )
    raise ValidationError({"password": _("That password is not right. Nothing was signed.")})


def new_signature(
    *,
    org_id: int,
    signer: Membership,
    signer_role: str,
    meaning: str,
    request,
    content_hash: str,
    **signed,
) -> Signature:
    """The signature row (not yet on the chain: ``append_signature``) of ``signer`` signing
    ``content_hash`` now, from the request's address and browser: what an agreement's
    signature and a review's acknowledgement record alike. ``signed`` names what is signed
    (``agreement`` and ``version``, or ``review`` and ``review_snapshot``)."""
    signer = Membership.objects.select_related("user").get(org_id=org_id, pk=signer.pk)
    return Signature(
        org_id=org_id,
        signer=signer,
        signer_role=signer_role,
        printed_name=_printable(signer.user.get_full_name(), 200),
        job_title=_printable(signer.job_title, 150),
        meaning=meaning,
        signed_at=timezone.now(),
        ip_address=_printable(client_ip(request) or "", 45),
        user_agent=_printable(request.META.get("HTTP_USER_AGENT", ""), 500),
        auth_method=AUTH_METHOD,
        content_hash=content_hash,
        **signed,
    )


def agreement_sign(
    *,
    agreement: Agreement,
    signer: Membership,
    password: str,
    meaning: str | bool,
    request,
    version: AgreementVersion | None = None,
) -> Signature:
    """``signer`` signs the agreement's current version (``version``: the one they read;
    refused when it is no longer current), as the person, the manager or HR, whichever step
    is due. ``meaning`` is the ticked statement: True, or its exact text.

    The password is checked first, outside the signing transaction: a wrong one raises
    ValidationError (nothing signed) while the login lockout keeps the failure, so a caller
    that catches the error and commits, as a page does, counts it. The signature itself is
    one transaction: re-checked under the agreement's lock, appended to the organisation's
    chain, the agreement moved on (in force after the last signature, superseding the
    agreement it amends), audited, and the next signer notified."""
    if request is None:
        raise ValueError("signing needs the request: the password check and the lockout use it")
    expected = expected_signer_role(agreement, signer)
    _check_not_stale(agreement, version)
    statement = _meaning(agreement.org, expected, meaning)
    reauthenticate(request, signer, password)
    with transaction.atomic():
        return _sign(agreement, signer, request, version, statement)


def _sign(agreement, signer, request, version, statement) -> Signature:
    agreement = lock(agreement)
    signer_role = expected_signer_role(agreement, signer)
    current = _check_not_stale(agreement, version)
    if statement != statement_for(agreement.org, signer_role):
        raise ValidationError({"meaning": _("The statement to sign has changed; tick it again.")})
    if Signature.objects.filter(org_id=agreement.org_id, version=current, signer=signer).exists():
        raise ValidationError(_("You have already signed this version."))
    sig = append_signature(
        new_signature(
            org_id=agreement.org_id,
            signer=signer,
            signer_role=signer_role,
            meaning=statement,
            request=request,
            content_hash=current.content_hash,
            agreement=agreement,
            version=current,
        )
    )
    old = agreement.status
    needs_hr = bool(org_setting(agreement.org, "require_hr_acknowledgement"))
    employee = agreement.employee
    if signer_role == SignerRole.EMPLOYEE:
        set_status(agreement, AgreementStatus.EMPLOYEE_SIGNED)
        record_event(agreement, EventKind.SIGNED, signer, version=current)
        tell(
            [agreement.manager],
            agreement=agreement,
            kind="agreement.signed",
            title=_("%(name)s signed their KRA agreement: countersign it") % {"name": employee},
        )
    elif signer_role == SignerRole.MANAGER:
        record_event(agreement, EventKind.COUNTERSIGNED, signer, version=current)
        if needs_hr:
            set_status(agreement, AgreementStatus.AWAITING_HR)
            tell(
                hr_members(agreement.org_id, besides=(employee.pk, signer.pk)),
                agreement=agreement,
                kind="agreement.awaiting_hr",
                title=_("The KRA agreement of %(name)s awaits HR's acknowledgement")
                % {"name": employee},
            )
        else:
            activate(agreement, signer)
    else:
        record_event(agreement, EventKind.ACKNOWLEDGED, signer, version=current)
        activate(agreement, signer)
    audit.record(
        org=agreement.org,
        actor=signer,
        action="agreement.sign",
        obj=agreement,
        changes={
            "status": {"old": old, "new": agreement.status},
            "signed_as": {"old": None, "new": signer_role},
            "content_hash": {"old": None, "new": current.content_hash},
            "signature": {"old": None, "new": sig.sequence},
        },
    )
    return sig


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing that does not match: ``kind`` is ``content_hash`` (a version's stored
    JSON no longer hashes to its hash), ``not_canonical`` (the stored JSON is not in
    canonical form), ``signed_hash`` (a signature names another hash than its version's),
    ``row_hash`` (a signature row's fields no longer hash to its row hash), ``chain_link``
    (a row's prev_hash is not the row hash before it) or ``chain_gap`` (a sequence number is
    missing or repeated)."""

    kind: str
    message: str
    version_number: int | None = None
    version_id: int | None = None
    signature_sequence: int | None = None
    signature_id: int | None = None


@dataclass
class Verification:
    """``valid`` when every version of the agreement still hashes to its content hash, its
    signatures name those hashes, and the organisation's whole chain links up."""

    findings: list[Finding] = field(default_factory=list)
    versions_checked: int = 0
    signatures_checked: int = 0
    chain_length: int = 0

    @property
    def valid(self) -> bool:
        return not self.findings

    def __bool__(self) -> bool:
        return self.valid


def _check_versions(result: Verification, versions) -> dict[int, str]:
    hashes = {}
    for version in versions:
        result.versions_checked += 1
        hashes[version.pk] = version.content_hash
        if sha256_hex(version.canonical_json) != version.content_hash:
            result.findings.append(
                Finding(
                    kind="content_hash",
                    message=_(
                        "Version %(number)d: its content no longer matches its hash %(hash)s."
                    )
                    % {"number": version.number, "hash": version.content_hash},
                    version_number=version.number,
                    version_id=version.pk,
                )
            )
        elif not is_canonical(version.canonical_json):
            result.findings.append(
                Finding(
                    kind="not_canonical",
                    message=_("Version %(number)d: its content is not in canonical form.")
                    % {"number": version.number},
                    version_number=version.number,
                    version_id=version.pk,
                )
            )
    return hashes


def _check_chain(result: Verification, org_id: int) -> None:
    expected_prev, expected_sequence = GENESIS_HASH, 1
    for sig in Signature.objects.filter(org_id=org_id).order_by("sequence", "id").iterator(2000):
        result.chain_length += 1
        if sig.sequence != expected_sequence:
            result.findings.append(
                Finding(
                    kind="chain_gap",
                    message=_(
                        "Signature #%(seq)d: expected #%(expected)d at this place in the chain."
                    )
                    % {"seq": sig.sequence, "expected": expected_sequence},
                    signature_sequence=sig.sequence,
                    signature_id=sig.pk,
                )
            )
        if sig.prev_hash != expected_prev:
            result.findings.append(
                Finding(
                    kind="chain_link",
                    message=_("Signature #%(seq)d: its link to the signature before it is broken.")
                    % {"seq": sig.sequence},
                    signature_sequence=sig.sequence,
                    signature_id=sig.pk,
                )
            )
        if signature_row_hash(sig) != sig.row_hash:
            result.findings.append(
                Finding(
                    kind="row_hash",
                    message=_("Signature #%(seq)d (%(name)s): the row no longer matches its hash.")
                    % {"seq": sig.sequence, "name": sig.printed_name},
                    signature_sequence=sig.sequence,
                    signature_id=sig.pk,
                )
            )
        expected_prev, expected_sequence = sig.row_hash, sig.sequence + 1


def agreement_verify(*, agreement: Agreement) -> Verification:
    """Recompute, from what is stored, every version's content hash, check each signature of
    the agreement names its version's hash, and walk the organisation's whole chain
    (docs/DOMAIN.md rule R34). Reads only; says exactly what does not match."""
    result = Verification()
    hashes = _check_versions(
        result,
        AgreementVersion.objects.filter(org_id=agreement.org_id, agreement=agreement).order_by(
            "number"
        ),
    )
    for sig in Signature.objects.filter(org_id=agreement.org_id, agreement=agreement).order_by(
        "sequence"
    ):
        result.signatures_checked += 1
        if hashes.get(sig.version_id) != sig.content_hash:
            result.findings.append(
                Finding(
                    kind="signed_hash",
                    message=_(
                        "Signature #%(seq)d (%(name)s) names another content hash than the "
                        "version it signs."
                    )
                    % {"seq": sig.sequence, "name": sig.printed_name},
                    signature_sequence=sig.sequence,
                    signature_id=sig.pk,
                )
            )
    _check_chain(result, agreement.org_id)
    return result


def signature_chain_verify(*, org: Organization) -> Verification:
    """Every version of the organisation and its whole signature chain."""
    result = Verification()
    _check_versions(
        result,
        AgreementVersion.objects.filter(org_id=org.pk)
        .order_by("agreement_id", "number")
        .iterator(500),
    )
    _check_chain(result, org.pk)
    return result


# --- a delegate for the countersignature --------------------------------------------------------

#: While the countersignature is still to come, HR may hand it to someone else.
DELEGABLE_STATUSES = (
    AgreementStatus.DRAFT,
    AgreementStatus.PROPOSED,
    AgreementStatus.EMPLOYEE_SIGNED,
)


@transaction.atomic
def agreement_delegate_signer(
    *, agreement: Agreement, actor: Membership, delegate: Membership
) -> Agreement:
    """HR (or an org admin) lets ``delegate`` countersign ``agreement`` in the manager of
    record's place (docs/DOMAIN.md rule R29, step 4): django-guardian's
    ``reviews.sign_agreement`` on this one agreement, given to the delegate's account.
    Refused: someone outside the organisation or deactivated, the person themselves, the
    manager of record (who countersigns anyway), an agreement already countersigned or
    ended, and a delegate who already holds the grant. Audited; the delegate is told."""
    agreement = lock(agreement)
    if not isinstance(actor, Membership):
        raise PermissionDenied("agreements are changed by members of the organisation")
    policy.require(actor, Action.DELEGATE_SIGNER, agreement)
    delegate = delegates.active_member(agreement, delegate)
    if delegate.pk == agreement.employee_id:
        raise ValidationError({"delegate": _("The person cannot countersign their own agreement.")})
    if delegate.pk == agreement.manager_id:
        raise ValidationError({"delegate": _("The manager of record countersigns already.")})
    if agreement.status not in DELEGABLE_STATUSES:
        raise ValidationError(
            _("This agreement is %(status)s; its countersignature is no longer to come.")
            % {"status": agreement.get_status_display().lower()}
        )
    delegates.grant(
        agreement,
        actor=actor,
        delegate=delegate,
        codename="sign_agreement",
        action="agreement.delegate_signer",
        already=_("%(name)s may countersign already."),
    )
    tell(
        [delegate],
        agreement=agreement,
        kind="agreement.delegated",
        title=_("You may countersign the KRA agreement of %(name)s")
        % {"name": agreement.employee.user.get_full_name()},
    )
    return agreement


@transaction.atomic
def agreement_revoke_delegate(
    *, agreement: Agreement, actor: Membership, delegate: Membership
) -> Agreement:
    """HR (or an org admin) takes back a delegate's countersignature of ``agreement``: the
    per-object grant is removed, so the delegate can no longer countersign. Audited."""
    agreement = lock(agreement)
    if not isinstance(actor, Membership):
        raise PermissionDenied("agreements are changed by members of the organisation")
    policy.require(actor, Action.DELEGATE_SIGNER, agreement)
    delegates.revoke(
        agreement,
        actor=actor,
        delegate=delegate,
        codename="sign_agreement",
        action="agreement.revoke_delegate",
    )
    return agreement
