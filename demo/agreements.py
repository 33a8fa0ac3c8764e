"""The demo's KRA agreements: most people have one in force, signed by them and their
manager; some await the person's signature; a few have none.

Unlike the rest of the demo these go through the services one by one (create, propose,
sign), with the demo password and a request made here, so that every version, signature and
the hash chain are exactly what the product makes. Signing checks the password each time,
which is deliberately slow, so only the first ``limit`` people (in the order they were
created) are considered: a 10,000-person demo gets as many agreements as a small one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.test import RequestFactory

from orgs.models import Membership, Organization
from orgs.selectors import fiscal_year_bounds
from reviews.models import Agreement
from reviews.services import agreement_create, agreement_propose, agreement_sign
from roles.models import RoleAssignment

from .logins import DEMO_PASSWORD

#: How many people are considered for an agreement (see the module's docstring).
DEFAULT_AGREEMENTS = 36
#: Of every ten people considered: six get one in force, two one awaiting their
#: signature, two none.
IN_FORCE, AWAITING = range(6), range(6, 8)


@dataclass
class AgreementSeed:
    active: int = 0
    awaiting: int = 0
    none: int = 0


def _request():
    return RequestFactory().post(
        "/demo/sign/", REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT="seed_demo"
    )


def _candidates(org: Organization, limit: int) -> list[tuple[Membership, RoleAssignment]]:
    """People with a manager and a role they hold this fiscal year, oldest member first."""
    start, end = fiscal_year_bounds(org=org)
    assignments = (
        RoleAssignment.objects.filter(
            org=org,
            member__is_active=True,
            member__manager__isnull=False,
            start_date__lte=end,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("member__user", "member__manager__user", "member__org", "role")
        .order_by("member_id", "id")
    )
    chosen: dict[int, tuple[Membership, RoleAssignment]] = {}
    for assignment in assignments:
        if len(chosen) >= limit:
            break
        chosen.setdefault(assignment.member_id, (assignment.member, assignment))
    return list(chosen.values())


def agreements_seed(org: Organization, *, limit: int = DEFAULT_AGREEMENTS) -> AgreementSeed:
    """Agreements for the first ``limit`` people who hold a role and have a manager. An
    organisation that already has agreements is left as it is."""
    result = AgreementSeed()
    if limit <= 0 or Agreement.objects.filter(org=org).exists():
        return result
    for index, (person, assignment) in enumerate(_candidates(org, limit)):
        slot = index % 10
        if slot not in IN_FORCE and slot not in AWAITING:
            result.none += 1
            continue
        manager = person.manager
        try:
            with transaction.atomic():
                agreement = agreement_create(
                    org=org, actor=manager, employee=person, role=assignment.role
                )
                agreement_propose(agreement=agreement, actor=manager)
                if slot in IN_FORCE:
                    for signer in (person, manager):
                        agreement.refresh_from_db()
                        agreement_sign(
                            agreement=agreement,
                            signer=signer,
                            password=DEMO_PASSWORD,
                            meaning=True,
                            request=_request(),
                        )
        except ValidationError:
            # A role whose content the drafting rules refuse: this person has none.
            result.none += 1
            continue
        if slot in IN_FORCE:
            result.active += 1
        else:
            result.awaiting += 1
    return result
