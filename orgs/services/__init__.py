"""Writes of the orgs app, one module per entity. Every service is keyword-only, atomic,
records an audit event, and schedules side effects on commit."""

from .departments import (
    department_create,
    department_delete,
    department_update,
)
from .invitations import invitation_accept, invitation_create, invitation_revoke
from .members import (
    members_without_sign_in,
    membership_deactivate,
    membership_reactivate,
    membership_send_sign_in_links,
    membership_update,
)
from .organization import (
    organization_create,
    organization_set_suspended,
    organization_update_profile,
)
from .tokens import api_token_create, api_token_revoke

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "department_create",
    "department_delete",
    "department_update",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "members_without_sign_in",
    "membership_deactivate",
    "membership_send_sign_in_links",
    "membership_reactivate",
    "membership_update",
    "organization_create",
    "organization_set_suspended",
    "organization_update_profile",
]
