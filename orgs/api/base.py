"""The one DRF base for tenant endpoints.

The organisation comes from the URL (``/api/v1/orgs/<org_slug>/…``) and is resolved once in
``initial``; every queryset is scoped to it by ``get_queryset``, which subclasses may not
override (they declare ``queryset`` and may narrow it in ``scope_queryset``). A token issued
for another organisation, a non-member and a missing organisation all get 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .. import policy
from ..models import ApiToken, Membership
from ..tenancy import OrganizationSuspended, resolve_membership


class OrgSuspendedError(exceptions.APIException):
    status_code = 403
    default_code = "organization_suspended"


def exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers 400 with the same messages."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class OrgScopedMixin:
    """Resolves ``self.membership`` and ``self.org``; enforces ``required_action``."""

    required_action: policy.Action = policy.Action.VIEW_ORG
    #: per-HTTP-method overrides, e.g. {"POST": Action.MANAGE_DEPARTMENTS}
    write_action: policy.Action | None = None

    membership: Membership

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        slug = kwargs.get("org_slug")
        try:
            self.membership = resolve_membership(request.user, slug)
        except OrganizationSuspended as exc:
            raise OrgSuspendedError(
                f"{exc.org.name} is suspended. Contact the platform administrator."
            )
        if isinstance(request.auth, ApiToken) and request.auth.org_id != self.membership.org_id:
            raise Http404
        self.org = self.membership.org
        timezone.activate(self.org.timezone)
        action = self.required_action
        if request.method not in ("GET", "HEAD", "OPTIONS") and self.write_action:
            action = self.write_action
        policy.require(self.membership, action)


class OrgScopedViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; narrow the scoped queryset in "
                "scope_queryset instead."
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.scope_queryset(self.queryset.filter(org=self.org))

    def scope_queryset(self, queryset):
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "org"):
            context["org"] = self.org
            context["membership"] = self.membership
        return context


class OrgPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to the request's organisation: another organisation's id is
    answered "does not exist" (400), exactly like an unknown id.

    ``OrgPrimaryKeyRelatedField(model=Department)``; the queryset is built here so API
    modules never hold a bare manager call.
    """

    def __init__(self, *, model=None, **kwargs):
        if model is not None and "read_only" not in kwargs:
            kwargs["queryset"] = model._default_manager.all()
        super().__init__(**kwargs)

    def get_queryset(self):
        org = self.context.get("org")
        queryset = super().get_queryset()
        # Without an organisation (schema generation) nothing is a valid choice.
        return queryset.filter(org=org) if org is not None else queryset.none()
