"""The rule settings agreements read (docs/DOMAIN.md rules R30 and R31): an HR
acknowledgement after the countersignature, and the statement each kind of signer ticks.
Registered with orgs' settings framework (``orgs.org_settings``) in
``ReviewsConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from orgs.org_settings import Setting

#: The statement settings, by the kind of signer they are for.
STATEMENT_SETTINGS = {
    "employee": "statement_employee",
    "manager": "statement_manager",
    "hr": "statement_hr",
}
STATEMENT_MAX_LENGTH = 500
STATEMENT_DEFAULTS = {
    "statement_employee": "I have read and agree to these Key Result Areas and KPIs.",
    "statement_manager": (
        "I have agreed these Key Result Areas and KPIs with the employee and will support "
        "their delivery."
    ),
    "statement_hr": "I acknowledge this agreement on behalf of HR.",
    # What the employee ticks when acknowledging a shared review (docs/DOMAIN.md rule R65).
    "statement_review": "I have read this review",
}
#: The setting a review's acknowledgement states.
REVIEW_STATEMENT_SETTING = "statement_review"


def _statement(value) -> str:
    return " ".join(str(value or "").split())


def _statement_refusal(text: str) -> str | None:
    if not text:
        return _("Write the statement the signer agrees to.")
    if len(text) > STATEMENT_MAX_LENGTH:
        return _("Keep the statement within %(n)d characters.") % {"n": STATEMENT_MAX_LENGTH}
    return None


SETTINGS = (
    Setting("require_hr_acknowledgement", False, clean=bool),
    *Setting.each(STATEMENT_DEFAULTS, clean=_statement, validate=_statement_refusal),
)
