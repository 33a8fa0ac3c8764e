"""API for the organisation profile, the audit trail, the inbox and the caller's tokens."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .. import notifications, services
from ..models import ApiToken, AuditEvent, Notification, Organization
from ..policy import Action
from ..services.organization import PROFILE_FIELDS
from .base import OrgScopedAPIView, OrgScopedViewSet
from .query import read_query
from .schema import documents_tenant_errors


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", *PROFILE_FIELDS]
        read_only_fields = ["id", "slug"]


@documents_tenant_errors
class OrganizationProfileView(OrgScopedAPIView):
    """The organisation's profile. Any member reads it; org admins change it."""

    write_action = Action.EDIT_ORG_PROFILE

    def tenant_object(self):
        return self.org

    @extend_schema(responses=OrganizationSerializer)
    def get(self, request, org_slug=None):
        return Response(
            OrganizationSerializer(self.object, context=self.get_serializer_context()).data
        )

    @extend_schema(request=OrganizationSerializer, responses=OrganizationSerializer)
    def put(self, request, org_slug=None):
        return self._update(request, partial=False)

    @extend_schema(request=OrganizationSerializer, responses=OrganizationSerializer)
    def patch(self, request, org_slug=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        context = self.get_serializer_context()
        data = OrganizationSerializer(
            self.object, data=request.data, partial=partial, context=context
        )
        data.is_valid(raise_exception=True)
        org = services.organization_update_profile(
            org=self.org, actor=self.membership, **data.validated_data
        )
        return Response(OrganizationSerializer(org, context=context).data)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "created_at",
        ]


class AuditEventFilterSerializer(serializers.Serializer):
    object_type = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="e.g. orgs.department"
    )
    object_id = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The object's id"
    )


@extend_schema_view(list=extend_schema(parameters=[AuditEventFilterSerializer]))
@documents_tenant_errors
class AuditEventViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    """The audit trail (org admins). Filter with ?object_type=…&object_id=…."""

    queryset = AuditEvent.objects.all().order_by("-created_at", "-id")
    serializer_class = AuditEventSerializer
    required_action = Action.VIEW_AUDIT

    def scope_queryset(self, queryset):
        filters = read_query(self.request, AuditEventFilterSerializer)
        if filters["object_type"]:
            queryset = queryset.filter(object_type=filters["object_type"])
        if filters["object_id"]:
            queryset = queryset.filter(object_id=filters["object_id"])
        return queryset


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="1 for unread only"
    )


@extend_schema_view(list=extend_schema(parameters=[NotificationFilterSerializer]))
@documents_tenant_errors
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The caller's own inbox."""

    queryset = Notification.objects.all().order_by("-created_at", "-id")
    serializer_class = NotificationSerializer

    def scope_queryset(self, queryset):
        queryset = queryset.filter(recipient=self.membership)
        if self.action == "list":
            if read_query(self.request, NotificationFilterSerializer)["unread"] == "1":
                queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, org_slug=None, pk=None):
        note = notifications.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(note).data)


class ApiTokenSerializer(serializers.ModelSerializer):
    ttl_days = serializers.IntegerField(write_only=True, min_value=1, max_value=365, default=90)
    key = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "ttl_days",
            "key",
        ]
        read_only_fields = ["prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_key(self, obj) -> str | None:
        """The raw token, present only in the answer to its creation."""
        return getattr(obj, "raw_key", None)


@documents_tenant_errors
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet
):
    """The caller's personal tokens for this organisation."""

    queryset = ApiToken.objects.all().order_by("-created_at")
    serializer_class = ApiTokenSerializer

    def scope_queryset(self, queryset):
        return queryset.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        # A token may not mint tokens: a leaked one could otherwise renew itself for a year
        # at a time, outliving its own expiry and any revocation of the original.
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(_("Create tokens from a signed-in browser session."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        token, raw = services.api_token_create(
            member=self.membership,
            name=serializer.validated_data["name"],
            ttl_days=serializer.validated_data["ttl_days"],
        )
        token.raw_key = raw
        serializer.instance = token

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, org_slug=None, pk=None):
        token = services.api_token_revoke(token=self.get_object(), actor=self.membership)
        return Response(ApiTokenSerializer(token).data)
