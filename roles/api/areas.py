"""Areas of focus of a role and their responsibilities, in order."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.schema import documents_tenant_errors
from orgs.policy import Action
from orgs.tenancy import scoped

from .. import services
from ..models import AreaOfFocus, Responsibility, Role
from .inputs import MoveSerializer, int_or_none
from .serializers import ResponsibilityInlineSerializer

# --- areas of focus -------------------------------------------------------------------------


class AreaOfFocusSerializer(serializers.ModelSerializer):
    role = OrgPrimaryKeyRelatedField(model=Role)
    responsibilities = ResponsibilityInlineSerializer(many=True, read_only=True)

    class Meta:
        model = AreaOfFocus
        fields = ["id", "role", "title", "description", "position", "responsibilities"]
        read_only_fields = ["position"]

    def validate_role(self, value):
        if self.instance is not None and value.pk != self.instance.role_id:
            raise serializers.ValidationError("An area of focus stays with its role.")
        return value


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("role", OpenApiTypes.INT, description="Areas of one role")]
    )
)
@documents_tenant_errors
class AreaOfFocusViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Areas of focus of roles, in order, each with its responsibilities by priority. A new
    area goes last; ``move`` swaps it with its neighbour."""

    queryset = AreaOfFocus.objects.select_related("role").order_by("role_id", "position", "id")
    serializer_class = AreaOfFocusSerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_ROLE
    object_action = Action.MANAGE_ROLE

    def policy_object(self, area):
        # An area is managed with its role.
        return area.role

    def scope_queryset(self, queryset):
        queryset = queryset.prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=scoped(Responsibility, self.org).order_by("position", "id"),
            )
        )
        if self.action == "list" and "role" in self.request.query_params:
            queryset = queryset.filter(role_id=int_or_none(self.request.query_params["role"]))
        return queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        role = data.pop("role")
        serializer.instance = services.area_create(role=role, actor=self.membership, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("role", None)
        serializer.instance = services.area_update(
            area=serializer.instance, actor=self.membership, **data
        )

    def perform_destroy(self, instance):
        services.area_delete(area=instance, actor=self.membership)

    @extend_schema(request=MoveSerializer, responses=AreaOfFocusSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        """Swap the area with the one above ("up") or below ("down")."""
        area = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.area_move(
            area=area, actor=self.membership, direction=data.validated_data["direction"]
        )
        return Response(self.get_serializer(self.get_object()).data)


# --- responsibilities -----------------------------------------------------------------------


class ResponsibilitySerializer(serializers.ModelSerializer):
    area = OrgPrimaryKeyRelatedField(model=AreaOfFocus)
    role = serializers.IntegerField(source="area.role_id", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "area", "role", "description", "position"]
        read_only_fields = ["position"]

    def validate_area(self, value):
        if self.instance is not None and value.pk != self.instance.area_id:
            raise serializers.ValidationError("A responsibility stays in its area of focus.")
        return value


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("area", OpenApiTypes.INT, description="Of one area of focus"),
            OpenApiParameter("role", OpenApiTypes.INT, description="Of one role"),
        ]
    )
)
@documents_tenant_errors
class ResponsibilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Tasks and responsibilities within an area of focus, highest priority first. A new one
    goes last; ``move`` raises or lowers its priority."""

    queryset = Responsibility.objects.select_related("area__role").order_by(
        "area__role_id", "area__position", "area_id", "position", "id"
    )
    serializer_class = ResponsibilitySerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_ROLE
    object_action = Action.MANAGE_ROLE

    def policy_object(self, responsibility):
        # A responsibility is managed with the role of its area.
        return responsibility.area.role

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if "area" in params:
            queryset = queryset.filter(area_id=int_or_none(params["area"]))
        if "role" in params:
            queryset = queryset.filter(area__role_id=int_or_none(params["role"]))
        return queryset

    def perform_create(self, serializer):
        area = serializer.validated_data["area"]
        serializer.instance = services.responsibility_create(
            area=area,
            actor=self.membership,
            description=serializer.validated_data["description"],
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        responsibility = serializer.instance
        if "description" in data:
            responsibility = services.responsibility_update(
                responsibility=responsibility,
                actor=self.membership,
                description=data["description"],
            )
        serializer.instance = responsibility

    def perform_destroy(self, instance):
        services.responsibility_delete(responsibility=instance, actor=self.membership)

    @extend_schema(request=MoveSerializer, responses=ResponsibilitySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        """Raise ("up") or lower ("down") the responsibility's priority in its area."""
        responsibility = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.responsibility_move(
            responsibility=responsibility,
            actor=self.membership,
            direction=data.validated_data["direction"],
        )
        return Response(self.get_serializer(self.get_object()).data)
