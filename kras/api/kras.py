"""KRAs over the API, a role's readiness and the organisation's rule settings. The same
services, policy and messages as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
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

from kpis.api import KPISerializer
from kpis.readiness import kra_checks, readiness_summary, role_readiness
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedAPIView, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department, Membership
from orgs.org_settings import organization_update_rules, rule_settings
from orgs.policy import Action
from roles.access import get_role_for_member
from roles.models import AreaOfFocus, Role

from .. import selectors, services
from ..models import KRA, KRALevel, KRAStatus, StrategicObjective
from ..org_settings import COUNT_HIGHEST, COUNT_LOWEST
from ..rules import BLOCKING, WARNING, weight_total
from ..selectors import KRA_RELATED
from ..services.retire import CHILDREN_CHOICES


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=[BLOCKING, WARNING])
    kra_id = serializers.IntegerField(allow_null=True)
    kpi_id = serializers.IntegerField(allow_null=True)
    letters = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For a SMART check: the letters that fail.",
    )


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: ["Enter a whole number."]}) from None


class KRASerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(choices=KRALevel.choices)
    department = OrgPrimaryKeyRelatedField(model=Department, allow_null=True, required=False)
    role = OrgPrimaryKeyRelatedField(model=Role, allow_null=True, required=False)
    area_of_focus = OrgPrimaryKeyRelatedField(model=AreaOfFocus, allow_null=True, required=False)
    owner = OrgPrimaryKeyRelatedField(model=Membership, allow_null=True, required=False)
    parent = OrgPrimaryKeyRelatedField(model=KRA, allow_null=True, required=False)
    objective = OrgPrimaryKeyRelatedField(model=StrategicObjective, allow_null=True, required=False)
    kpis = KPISerializer(many=True, read_only=True)
    checks = serializers.SerializerMethodField()

    class Meta:
        model = KRA
        fields = [
            "id",
            "level",
            "title",
            "definition",
            "department",
            "role",
            "area_of_focus",
            "owner",
            "weight",
            "priority",
            "parent",
            "objective",
            "status",
            "needs_review_reason",
            "needs_review_link",
            "needs_review_since",
            "position",
            "kpis",
            "checks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "needs_review_reason",
            "needs_review_link",
            "needs_review_since",
            "position",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, obj) -> list[dict]:
        """The KRA's drafting checks: title, ladder, KPI count and KPI weights."""
        org = self.context.get("org")
        return kra_checks(obj, rules=rule_settings(org) if org else None)

    def validate(self, attrs):
        if self.instance is not None:
            # Where a KRA sits is fixed once created; moving it would silently change who
            # may manage it and which totals it counts in.
            for name in ("level", "role", "department"):
                if name in attrs:
                    value = attrs.pop(name)
                    current = getattr(self.instance, name)
                    if value != current:
                        raise ValidationError(
                            {name: [_("Fixed once the KRA is created; create a new KRA.")]}
                        )
        return attrs


class KRARetireSerializer(serializers.Serializer):
    children = serializers.ChoiceField(
        choices=list(CHILDREN_CHOICES),
        required=False,
        allow_null=True,
        help_text=(
            "What becomes of the KRAs below it: reparent (up to its parent and objective), "
            "retire (them and everything below), detach. Required when it has any."
        ),
    )


class KRAMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class KRAChoiceFilterSerializer(serializers.Serializer):
    """The list's filters that take a word: an unknown one (or a NUL, which PostgreSQL
    cannot compare) is a 400, not a server error."""

    level = serializers.ChoiceField(
        choices=KRALevel.choices, required=False, allow_blank=True, help_text="Only this level"
    )
    status = serializers.ChoiceField(
        choices=KRAStatus.choices,
        required=False,
        allow_blank=True,
        help_text="Only this status; without it, every KRA but the retired ones",
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            KRAChoiceFilterSerializer,
            OpenApiParameter("role", OpenApiTypes.INT, description="Only this role's KRAs"),
            OpenApiParameter(
                "department",
                OpenApiTypes.INT,
                description="Only this department's KRAs (with its roles' KRAs)",
            ),
        ]
    )
)
@documents_tenant_errors
class KRAViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    """KRAs at three levels with their KPIs and drafting checks. Every member reads them;
    org admins manage all, department heads those of their departments and their roles.
    Retire instead of delete."""

    queryset = (
        KRA.objects.select_related(*KRA_RELATED)
        .prefetch_related("kpis")
        .order_by("level", "role_id", "department_id", "position", "id")
    )
    serializer_class = KRASerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_KRA
    object_action = Action.MANAGE_KRA

    def scope_queryset(self, queryset):
        if self.action != "list":
            # The filters are the list's: a retire or a move must not miss its KRA because
            # of a query string.
            return queryset
        filters = read_query(self.request, KRAChoiceFilterSerializer)
        if filters.get("level"):
            queryset = queryset.filter(level=filters["level"])
        role = _int_param(self.request, "role")
        if role is not None:
            queryset = queryset.filter(role_id=role)
        department = _int_param(self.request, "department")
        if department is not None:
            queryset = queryset.filter(department_id=department) | queryset.filter(
                role__department_id=department
            )
        if filters.get("status"):
            return queryset.filter(status=filters["status"])
        return queryset.exclude(status=KRAStatus.RETIRED)

    def perform_create(self, serializer):
        serializer.instance = services.kra_create(
            org=self.org, actor=self.membership, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.kra_update(
            kra=serializer.instance, actor=self.membership, **serializer.validated_data
        )

    def _answer(self, kra):
        kra = selectors.kra_with_related(kra)
        return Response(KRASerializer(kra, context=self.get_serializer_context()).data)

    @extend_schema(request=KRARetireSerializer, responses=KRASerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, org_slug=None, pk=None):
        kra = self.get_object()
        data = KRARetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kra = services.kra_retire(
            kra=kra, actor=self.membership, children=data.validated_data.get("children")
        )
        return self._answer(kra)

    @extend_schema(request=KRAMoveSerializer, responses=KRASerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        kra = self.get_object()
        data = KRAMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.kra_move(
            kra=kra, actor=self.membership, direction=data.validated_data["direction"]
        )
        return self._answer(kra)


class ReadinessSerializer(serializers.Serializer):
    role = serializers.IntegerField()
    ok = serializers.BooleanField(help_text="Every check passes.")
    ready_to_propose = serializers.BooleanField(help_text="No blocking check fails.")
    passed = serializers.IntegerField()
    total = serializers.IntegerField()
    kra_weight_total = serializers.DecimalField(max_digits=7, decimal_places=2)
    checks = CheckSerializer(many=True)


@documents_tenant_errors
class RoleReadinessView(OrgScopedAPIView):
    """Every drafting rule for a role's KRAs and KPIs, passing or not. ``severity``
    "blocking" marks what will stop an agreement being proposed."""

    required_action = Action.VIEW_ROLES

    def tenant_object(self):
        return get_role_for_member(self.membership, self.kwargs["role_pk"])

    @extend_schema(responses=ReadinessSerializer)
    def get(self, request, org_slug=None, role_pk=None):
        role = self.object
        kras = selectors.role_kras(role)
        checks = role_readiness(role, kras=kras)
        summary = readiness_summary(checks)
        return Response(
            ReadinessSerializer(
                {
                    "role": role.pk,
                    "ok": summary["ok"],
                    "ready_to_propose": summary["ready_to_propose"],
                    "passed": summary["passed"],
                    "total": summary["total"],
                    "kra_weight_total": weight_total(kras),
                    "checks": checks,
                }
            ).data
        )


class OrgRulesSerializer(serializers.Serializer):
    kra_min = serializers.IntegerField(
        min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST, required=False
    )
    kra_max = serializers.IntegerField(
        min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST, required=False
    )
    kpi_min = serializers.IntegerField(
        min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST, required=False
    )
    kpi_max = serializers.IntegerField(
        min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST, required=False
    )
    require_alignment = serializers.BooleanField(required=False)
    activity_verbs = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False
    )
    require_hr_acknowledgement = serializers.BooleanField(required=False)
    # The statements' limits are the settings' own (organization_update_rules checks them).
    statement_employee = serializers.CharField(required=False, allow_blank=True)
    statement_manager = serializers.CharField(required=False, allow_blank=True)
    statement_hr = serializers.CharField(required=False, allow_blank=True)
    statement_review = serializers.CharField(required=False, allow_blank=True)
    overachievement_cap = serializers.CharField(read_only=True)
    on_track_threshold = serializers.CharField(read_only=True)
    at_risk_threshold = serializers.CharField(read_only=True)


@documents_tenant_errors
class OrgRulesView(OrgScopedAPIView):
    """The organisation's rules: KRA and KPI counts, alignment, activity verbs, and the
    agreements' HR acknowledgement and signers' statements. Every member reads them; org
    admins change them (PATCH any subset)."""

    required_action = Action.VIEW_ORG
    write_action = Action.EDIT_ORG_RULES

    @extend_schema(responses=OrgRulesSerializer)
    def get(self, request, org_slug=None):
        return Response(OrgRulesSerializer(rule_settings(self.org)).data)

    @extend_schema(request=OrgRulesSerializer, responses=OrgRulesSerializer)
    def patch(self, request, org_slug=None):
        data = OrgRulesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rules = organization_update_rules(
            org=self.org, actor=self.membership, **data.validated_data
        )
        return Response(OrgRulesSerializer(rules).data)
