"""The error answers every tenant endpoint can give, written into the OpenAPI schema.

drf-spectacular documents the success answer only. A client (and the schema test) must also
know that any tenant operation may answer 401 (no or bad token), 403 (the role may not, or
the organisation is suspended) and 404 (no such organisation, not a member, a token of
another organisation, or no such object in this organisation), and that any write may answer
400 with the messages of each field (a filtered read too, for a malformed filter), 413 for a
body larger than the server reads and 415 for a body in a media type it does not read.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

#: DRF's validation answer: each field (or ``non_field_errors``) with its messages, or a
#: ``detail`` for a body that could not be parsed at all.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
}

_ERRORS = {
    "400": (
        "Invalid input, or a change the rules refuse: the messages of each field.",
        FIELD_ERRORS,
    ),
    "401": ("No token or session, or the token is invalid, expired or revoked.", DETAIL),
    "403": ("The caller's role may not do this, or the organisation is suspended.", DETAIL),
    "404": (
        "No such organisation, the caller is not a member of it, the token is for another "
        "organisation, or the organisation has no such object.",
        DETAIL,
    ),
    "413": ("The body is larger than the server reads.", DETAIL),
    "415": ("The body is not in a media type this operation reads.", DETAIL),
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


class TenantApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, schema) in _ERRORS.items():
            if code == "400" and self.method == "GET" and not self.get_override_parameters():
                # A read without filters has nothing to get wrong.
                continue
            if code in ("413", "415") and self.method not in ("POST", "PUT", "PATCH"):
                continue
            if code not in responses:
                responses[code] = {"content": _json(schema), "description": description}
            elif code == "400":
                # An endpoint with its own 400 answer (a preview of every row, say) still
                # answers a missing or malformed field the usual way.
                for media in responses[code].get("content", {}).values():
                    media["schema"] = {"anyOf": [media["schema"], FIELD_ERRORS]}
        return responses


def documents_tenant_errors(view_class):
    """Class decorator: the view's operations list the error answers above.

    Apply it closest to the class, under any class-level ``@extend_schema``; it also makes
    the per-action ``@extend_schema`` annotations build on this schema class."""
    view_class.schema = TenantApiSchema()
    return extend_schema()(view_class)
