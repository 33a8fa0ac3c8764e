"""KPIs over the API: the same services (and messages) as the pages, with the SMART check
and, on a single KPI, the achievement formula on its own numbers."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kras.models import KRA
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.schema import documents_tenant_errors
from orgs.org_settings import rule_settings
from orgs.policy import Action

from . import services
from .models import KPI
from .readiness import kpi_smart
from .selectors import achievement_formula

#: A KPI with its KRA's ladder (the SMART check's R reads it).
KPI_RELATED = (
    "kra__objective",
    "kra__parent__objective",
    "kra__parent__parent__objective",
)


class SmartLetterSerializer(serializers.Serializer):
    letter = serializers.ChoiceField(choices=["S", "M", "A", "R", "T"])
    ok = serializers.BooleanField()
    message = serializers.CharField()


class SmartSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    failing = serializers.ListField(child=serializers.CharField())
    letters = SmartLetterSerializer(many=True)


class FormulaSerializer(serializers.Serializer):
    direction = serializers.CharField()
    formula = serializers.CharField()
    example = serializers.CharField(allow_null=True)
    cap = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: ["Enter a whole number."]}) from None


class KPISerializer(serializers.ModelSerializer):
    kra = OrgPrimaryKeyRelatedField(model=KRA)
    smart = serializers.SerializerMethodField()

    class Meta:
        model = KPI
        fields = [
            "id",
            "kra",
            "name",
            "description",
            "measure_type",
            "currency_code",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_low",
            "target_high",
            "frequency",
            "aggregation",
            "weight",
            "start_date",
            "due_date",
            "data_source",
            "position",
            "smart",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["position", "created_at", "updated_at"]

    @extend_schema_field(SmartSerializer)
    def get_smart(self, obj) -> dict:
        return kpi_smart(obj)

    def validate_kra(self, kra):
        if self.instance is not None and kra.pk != self.instance.kra_id:
            raise serializers.ValidationError("A KPI stays under its KRA.")
        return kra


class KPIDetailSerializer(KPISerializer):
    formula = serializers.SerializerMethodField()

    class Meta(KPISerializer.Meta):
        fields = [*KPISerializer.Meta.fields, "formula"]

    @extend_schema_field(FormulaSerializer)
    def get_formula(self, obj) -> dict:
        org = self.context.get("org")
        cap = rule_settings(org)["overachievement_cap"] if org is not None else None
        return achievement_formula(obj, cap=cap)


class KPIMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kra", OpenApiTypes.INT, description="Only this KRA's KPIs"),
            OpenApiParameter("role", OpenApiTypes.INT, description="Only KPIs of this role's KRAs"),
        ]
    )
)
@documents_tenant_errors
class KPIViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """KPIs under KRAs. Everyone in the organisation reads them; org admins and the heads
    of a KRA's department change them. ``smart`` names the SMART letters a KPI fails."""

    queryset = KPI.objects.select_related(*KPI_RELATED).order_by("kra_id", "position", "id")
    serializer_class = KPISerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_KRA
    object_action = Action.MANAGE_KRA

    def policy_object(self, kpi):
        # A KPI is managed with its KRA.
        return kpi.kra

    def get_serializer_class(self):
        if self.action == "retrieve":
            return KPIDetailSerializer
        return super().get_serializer_class()

    def scope_queryset(self, queryset):
        kra = _int_param(self.request, "kra")
        if kra is not None:
            queryset = queryset.filter(kra_id=kra)
        role = _int_param(self.request, "role")
        if role is not None:
            queryset = queryset.filter(kra__role_id=role)
        return queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        kra = data.pop("kra")
        serializer.instance = services.kpi_create(kra=kra, actor=self.membership, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("kra", None)
        serializer.instance = services.kpi_update(
            kpi=serializer.instance, actor=self.membership, **data
        )

    def perform_destroy(self, instance):
        services.kpi_delete(kpi=instance, actor=self.membership)

    @extend_schema(request=KPIMoveSerializer, responses=KPISerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        kpi = self.get_object()
        data = KPIMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.kpi_move(
            kpi=kpi, actor=self.membership, direction=data.validated_data["direction"]
        )
        return Response(KPISerializer(moved, context=self.get_serializer_context()).data)
