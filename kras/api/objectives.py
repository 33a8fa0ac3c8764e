from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.base import OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.policy import Action

from .. import services
from ..models import ObjectiveStatus, StrategicObjective


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicObjective
        fields = [
            "id",
            "title",
            "description",
            "horizon_years",
            "position",
            "status",
            "created_at",
            "retired_at",
        ]
        read_only_fields = ["position", "status", "created_at", "retired_at"]


class ObjectiveMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class ObjectiveFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ObjectiveStatus.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only this status",
    )


@extend_schema_view(list=extend_schema(parameters=[ObjectiveFilterSerializer]))
@documents_tenant_errors
class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    """Strategic objectives: the top of every KRA ladder. Retire instead of delete."""

    queryset = StrategicObjective.objects.all().order_by("position", "id")
    serializer_class = ObjectiveSerializer
    write_action = Action.MANAGE_OBJECTIVES

    def scope_queryset(self, queryset):
        if self.action == "list":
            status = read_query(self.request, ObjectiveFilterSerializer)["status"]
            if status:
                queryset = queryset.filter(status=status)
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.objective_create(
            org=self.org, actor=self.membership, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.objective_update(
            objective=serializer.instance, actor=self.membership, **serializer.validated_data
        )

    @extend_schema(request=None, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, org_slug=None, pk=None):
        objective = services.objective_set_status(
            objective=self.get_object(), actor=self.membership, retired=True
        )
        return Response(ObjectiveSerializer(objective).data)

    @extend_schema(request=None, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, org_slug=None, pk=None):
        objective = services.objective_set_status(
            objective=self.get_object(), actor=self.membership, retired=False
        )
        return Response(ObjectiveSerializer(objective).data)

    @extend_schema(request=ObjectiveMoveSerializer, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        data = ObjectiveMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objective = services.objective_move(
            objective=self.get_object(),
            actor=self.membership,
            direction=data.validated_data["direction"],
        )
        return Response(ObjectiveSerializer(objective).data)
