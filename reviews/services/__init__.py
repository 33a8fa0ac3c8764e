"""Writes of the reviews app: agreements (drafting, proposing, voiding, amending) and their
signatures. One module per concern; every service is importable from here."""

from .agreements import (
    agreement_add_personal_kpi,
    agreement_add_personal_kra,
    agreement_amend,
    agreement_checks,
    agreement_comment,
    agreement_create,
    agreement_override_kpi_target,
    agreement_propose,
    agreement_remove_item,
    agreement_request_changes,
    agreement_set_kra_weight,
    agreement_void,
    growth_goal_add,
    growth_goal_remove,
    growth_goal_update,
)
from .signing import (
    Finding,
    Verification,
    agreement_sign,
    agreement_verify,
    signature_chain_verify,
    statement_for,
)

__all__ = [
    "Finding",
    "Verification",
    "agreement_add_personal_kpi",
    "agreement_add_personal_kra",
    "agreement_amend",
    "agreement_checks",
    "agreement_comment",
    "agreement_create",
    "agreement_override_kpi_target",
    "agreement_propose",
    "agreement_remove_item",
    "agreement_request_changes",
    "agreement_set_kra_weight",
    "agreement_sign",
    "agreement_verify",
    "agreement_void",
    "growth_goal_add",
    "growth_goal_remove",
    "growth_goal_update",
    "signature_chain_verify",
    "statement_for",
]
