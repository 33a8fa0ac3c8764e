"""The two DRF bases of tenant endpoints; every endpoint under /api/v1/orgs/<org_slug>/ is one.

The organisation comes from the URL and is resolved once in ``initial``: a token issued for
another organisation, a non-member and a missing organisation all get 404. Then
``required_action`` (``write_action`` for a write) is checked on the membership.

- ``OrgScopedViewSet`` serves a model's objects. A subclass declares ``queryset`` and may
  narrow it in ``scope_queryset``; ``get_queryset`` filters whatever that returns by the
  organisation, last, and refuses a queryset of another model.
- ``OrgScopedAPIView`` serves anything else (a tree, a report, the organisation itself). The
  one object a request acts on, if any, comes from ``tenant_object()`` (a scoped access
  helper), fetched once before the handler runs and kept as ``self.object``.

Both check the object too: ``object_actions[method]``, else ``object_action`` for a write, on
``policy_object(obj)`` (the object itself unless the subclass says: a KPI's KRA, an area's
role). The object is the one ``get_object()`` or ``tenant_object()`` fetched, or, for a
viewset's create, the unsaved one the validated body describes (``new_object``).

What reaches the data is the bases' alone: a subclass, or a mixin listed before the base,
defining ``get_queryset``, ``get_object``, ``filter_queryset`` or ``initial`` is a TypeError
when the class is created.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .. import policy
from ..models import ApiToken, Membership, Organization
from ..tenancy import OrganizationSuspended, resolve_membership

__all__ = [
    "OrgPrimaryKeyRelatedField",
    "OrgScopedAPIView",
    "OrgScopedViewSet",
    "OrgSuspendedError",
    "exception_handler",
]


class OrgSuspendedError(exceptions.APIException):
    status_code = 403
    default_code = "organization_suspended"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        super().__init__(
            f"The request body is larger than the {limit:g} MB this server reads: send it in "
            "smaller parts (fewer rows in each call)."
        )


def exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers 400 with the same messages.
    A body larger than the server reads answers 413 in JSON, not Django's HTML page."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class _OrgMembership:
    """Resolves ``self.membership`` and ``self.org`` and checks the policy. Private: it scopes
    no data, so a view is built on one of the two bases below, never on this alone."""

    required_action: policy.Action = policy.Action.VIEW_ORG
    #: The membership's action for writes (every method but GET, HEAD and OPTIONS).
    write_action: policy.Action | None = None
    #: Required on the object of a write (every method but GET, HEAD and OPTIONS).
    object_action: policy.Action | None = None
    #: Per method, instead of ``object_action``: an Action, or an object rule
    #: ``(member, obj) -> bool`` for a decision that is not one action (policy.ObjectRule).
    object_actions: Mapping[str, policy.Action | policy.ObjectRule] = {}

    membership: Membership
    org: Organization

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
        if request.method not in SAFE_METHODS and self.write_action:
            action = self.write_action
        policy.require(self.membership, action)

    def policy_object(self, obj):
        """What the object policy decides on for ``obj``: the object itself, unless a
        subclass says otherwise (a KPI is managed with its KRA, an area with its role)."""
        return obj

    def object_rule(self) -> policy.Action | policy.ObjectRule | None:
        """The object action (or rule) of this request's method, None for none."""
        method = self.request.method
        if method in self.object_actions:
            return self.object_actions[method]
        return None if method in SAFE_METHODS else self.object_action

    def authorize_object(self, obj) -> None:
        """403 unless the member may act on ``obj`` as the method's object action says."""
        rule = self.object_rule()
        if rule is not None:
            policy.require(self.membership, rule, self.policy_object(obj))


def _refuse_overrides(cls, base: type, hooks: Mapping[str, str]) -> None:
    """TypeError when ``cls``, or any class between it and ``base`` in its MRO (a mixin listed
    before the base), defines one of ``hooks``: they are where the base scopes the data."""
    mro = cls.__mro__
    for klass in mro[: mro.index(base)]:
        for name, instead in hooks.items():
            if name in vars(klass):
                through = "" if klass is cls else f" (through {klass.__qualname__})"
                raise TypeError(
                    f"{cls.__qualname__}{through} defines {name}, which only {base.__name__} "
                    f"may: {instead}."
                )


_VIEWSET_HOOKS = {
    "get_queryset": "declare queryset and narrow it in scope_queryset",
    "filter_queryset": "narrow the queryset in scope_queryset",
    "get_object": "say what the policy decides on in policy_object, and which action in "
    "object_action or object_actions",
    "initial": "declare required_action and write_action",
}

_API_VIEW_HOOKS = {
    "get_queryset": "an OrgScopedAPIView has no queryset; serve a model's objects with "
    "OrgScopedViewSet",
    "get_object": "return the object from tenant_object, through a scoped access helper",
    "initial": "declare required_action and write_action, and return the object from tenant_object",
}


def _checks_the_new_object(perform_create):
    """``perform_create`` after the object policy has passed on the object it will create."""

    @functools.wraps(perform_create)
    def perform_create_checked(self, serializer):
        if self.object_rule() is not None:
            self.authorize_object(self.new_object(serializer.validated_data))
        return perform_create(self, serializer)

    perform_create_checked.checks_new_object = True
    return perform_create_checked


class OrgScopedViewSet(_OrgMembership, viewsets.GenericViewSet):
    """A model's objects in the organisation of the URL (see the module's docstring)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, OrgScopedViewSet, _VIEWSET_HOOKS)
        # A create is checked like a write to an existing object, whatever the subclass's
        # perform_create does: the base wraps it.
        perform_create = getattr(cls, "perform_create", None)
        if perform_create is not None and not getattr(perform_create, "checks_new_object", False):
            cls.perform_create = _checks_the_new_object(perform_create)

    def get_queryset(self):
        model = self.queryset.model
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        queryset = self.scope_queryset(self.queryset.all())
        if not isinstance(queryset, QuerySet) or queryset.model is not model:
            raise ImproperlyConfigured(
                f"{type(self).__qualname__}.scope_queryset returned "
                f"{getattr(queryset, 'model', type(queryset)).__name__} rows; it may only "
                f"narrow the queryset of {model.__name__}."
            )
        # Last, so that nothing scope_queryset builds can reach another organisation.
        return queryset.filter(org=self.org)

    def scope_queryset(self, queryset):
        """Narrow (filter, annotate, prefetch) the queryset; the base scopes the result."""
        return queryset

    def get_object(self):
        obj = super().get_object()
        self.authorize_object(obj)
        return obj

    def new_object(self, data: Mapping):
        """The unsaved object a create would make from the validated ``data``: what the
        object policy decides on before the subclass's ``perform_create`` runs."""
        model = self.queryset.model
        fields = {f.name for f in model._meta.concrete_fields} - {"org"}
        return model(org=self.org, **{k: v for k, v in data.items() if k in fields})

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "org"):
            context["org"] = self.org
            context["membership"] = self.membership
        return context


class OrgScopedAPIView(_OrgMembership, APIView):
    """An endpoint that serves no model's list: a tree, a report, a computation, the
    organisation itself (see the module's docstring)."""

    #: The object this request acts on, from ``tenant_object()`` (None when it acts on none).
    object = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if issubclass(cls, GenericAPIView):
            raise TypeError(
                f"{cls.__qualname__} is a generic (queryset) view: serve a model's objects "
                "with OrgScopedViewSet."
            )
        _refuse_overrides(cls, OrgScopedAPIView, _API_VIEW_HOOKS)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "OPTIONS" or not hasattr(self, request.method.lower()):
            return  # a description of the endpoint, or a 405: no object is acted on
        obj = self.tenant_object()
        if obj is None:
            if self.object_rule() is not None:
                raise ImproperlyConfigured(
                    f"{type(self).__qualname__} declares an object action for "
                    f"{request.method} but tenant_object returned no object."
                )
            return
        self.authorize_object(obj)
        self.object = obj

    def tenant_object(self):
        """The one object this request acts on, through a scoped access helper, e.g.
        ``get_kra_for_member(self.membership, self.kwargs["pk"])`` (404 for another
        organisation's), or a related object the body names (through
        OrgPrimaryKeyRelatedField). None (the default): the request acts on no one object."""
        return None

    def get_serializer_context(self) -> dict:
        return {
            "request": self.request,
            "format": self.format_kwarg,
            "view": self,
            "org": self.org,
            "membership": self.membership,
        }


class OrgPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to the request's organisation: another organisation's id is
    answered "does not exist" (400), exactly like an unknown id.

    ``OrgPrimaryKeyRelatedField(model=Department)``; the queryset is built here so API
    modules never hold a bare manager call.
    """

    def __init__(self, *, model=None, **kwargs):
        if model is not None and "read_only" not in kwargs:
            # Every row of the model, until get_queryset narrows it to the organisation.
            kwargs["queryset"] = QuerySet(model=model)
        super().__init__(**kwargs)

    def get_queryset(self):
        org = self.context.get("org")
        queryset = super().get_queryset()
        # Without an organisation (schema generation) nothing is a valid choice.
        return queryset.filter(org=org) if org is not None else queryset.none()
