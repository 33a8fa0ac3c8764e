"""API for roles, their areas of focus and responsibilities, and who holds them. The same
services as the pages do every write, so the rules and messages are the same."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs import policy
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department, Membership
from orgs.policy import Action
from orgs.tenancy import scoped

from . import selectors, services
from .access import require_place_role
from .models import AreaOfFocus, Responsibility, Role, RoleAssignment


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


# --- roles ----------------------------------------------------------------------------------


#: A role's cost justification: null in the answer for whoever may not see it
#: (Action.VIEW_ROLE_COST: org admins, HR and the managers responsible for the role).
COST_FIELDS = (
    "annual_cost",
    "expected_value",
    "currency",
    "justification_kind",
    "justification_target_date",
    "justification_note",
    "justification_overdue",
)


class RoleSerializer(serializers.ModelSerializer):
    department = OrgPrimaryKeyRelatedField(model=Department, allow_null=True, required=False)
    reports_to = OrgPrimaryKeyRelatedField(model=Role, allow_null=True, required=False)
    justification_overdue = serializers.SerializerMethodField(
        help_text="Not yet justified and past its target date (null: not yours to see)."
    )

    class Meta:
        model = Role
        fields = [
            "id",
            "title",
            "department",
            "reports_to",
            "purpose",
            "mission_alignment",
            "strategy_contribution",
            "annual_cost",
            "expected_value",
            "currency",
            "justification_kind",
            "justification_target_date",
            "justification_note",
            "justification_overdue",
            "job_description",
            "success_is_complete",
            "success_missing",
            "success_unnecessary",
            "success_checked_at",
            "success_checked_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "success_is_complete",
            "success_missing",
            "success_unnecessary",
            "success_checked_at",
            "success_checked_by",
            "created_at",
            "updated_at",
        ]
        # The service checks the title per department (case-insensitively) with its own
        # message; a second, generated check would only answer differently.
        validators: list = []
        # Null for a caller who may not see the role's cost justification.
        extra_kwargs = {
            "currency": {"allow_null": True},
            "justification_kind": {"allow_null": True},
            "justification_note": {"allow_null": True},
        }

    def _sees_cost(self, role: Role) -> bool:
        member = self.context.get("membership")
        if member is None:
            return False
        checker = self.context.get("role_cost_checker")
        if checker is None:
            # One check per answer, not per role (a list has many).
            checker = self.context["role_cost_checker"] = policy.role_cost_checker(member)
        return checker(role)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._sees_cost(instance):
            for name in COST_FIELDS:
                data[name] = None
        return data

    def _not_null(self, value):
        if value is None:
            raise serializers.ValidationError("This field may not be null.")
        return value

    validate_currency = validate_justification_kind = validate_justification_note = _not_null

    def get_justification_overdue(self, obj) -> bool | None:
        overdue = getattr(obj, "justification_overdue", None)
        if overdue is None:
            overdue = selectors.is_justification_overdue(obj, timezone.localdate())
        return bool(overdue)


class ResponsibilityInlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Responsibility
        fields = ["id", "description", "position"]


class AreaInlineSerializer(serializers.ModelSerializer):
    responsibilities = ResponsibilityInlineSerializer(many=True, read_only=True)

    class Meta:
        model = AreaOfFocus
        fields = ["id", "title", "description", "position", "responsibilities"]


class AssignmentInlineSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.display_name", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "member", "member_name", "start_date", "end_date"]


class RoleDetailSerializer(RoleSerializer):
    areas = AreaInlineSerializer(many=True, read_only=True)
    assignments = AssignmentInlineSerializer(many=True, read_only=True)

    class Meta(RoleSerializer.Meta):
        fields = [*RoleSerializer.Meta.fields, "areas", "assignments"]


class SuccessCheckSerializer(serializers.Serializer):
    is_complete = serializers.BooleanField(
        help_text="If every KRA of the role were executed, would the role be a success?"
    )
    missing = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What is missing?"
    )
    unnecessary = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Which KRA is not needed?"
    )


class RoleFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Search title, purpose, job…"
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Roles of one department (its id) and the departments below it; an "
        "unknown id lists none",
    )


@extend_schema_view(
    list=extend_schema(parameters=[RoleFilterSerializer]),
    retrieve=extend_schema(responses=RoleDetailSerializer),
)
@documents_tenant_errors
class RoleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Job roles. Every member reads them; org admins, and heads of a role's department (or
    a department above it), change them. A role with KRAs or assignments cannot be
    deleted. The detail answer includes the areas of focus with their responsibilities in
    order, and who holds the role."""

    queryset = Role.objects.order_by("title", "id")
    serializer_class = RoleSerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_ROLE
    # Writes to a role, and a new one: the heads of its department (or one above), whose
    # roles they are; org admins anywhere.
    object_action = Action.MANAGE_ROLE

    def get_serializer_class(self):
        return RoleDetailSerializer if self.action == "retrieve" else RoleSerializer

    def scope_queryset(self, queryset):
        queryset = selectors.with_justification_overdue(queryset, today=timezone.localdate())
        if self.action == "retrieve":
            return queryset.prefetch_related(*selectors.role_detail_prefetches(org_id=self.org.pk))
        if self.action != "list":
            return queryset
        filters = read_query(self.request, RoleFilterSerializer)
        department = None
        if filters["department"]:
            department = (
                scoped(Department, self.org).filter(pk=_int_or_none(filters["department"])).first()
            )
            if department is None:
                return queryset.none()
        return selectors.filter_roles(
            queryset, org=self.org, search=filters["q"], department=department
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.role_create(org=self.org, actor=self.membership, **data)

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "department" in data and data["department"] != serializer.instance.department:
            require_place_role(self.membership, data["department"])
        serializer.instance = services.role_update(
            role=serializer.instance, actor=self.membership, **data
        )

    def perform_destroy(self, instance):
        services.role_delete(role=instance, actor=self.membership)

    @extend_schema(request=SuccessCheckSerializer, responses=RoleSerializer)
    @action(detail=True, methods=["post"], url_path="success-check")
    def success_check(self, request, org_slug=None, pk=None):
        """Answer the success check; the answer is dated and names who gave it."""
        role = self.get_object()
        data = SuccessCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = services.role_success_check_record(
            role=role,
            actor=self.membership,
            is_complete=data.validated_data["is_complete"],
            missing=data.validated_data["missing"],
            unnecessary=data.validated_data["unnecessary"],
        )
        return Response(RoleSerializer(role, context=self.get_serializer_context()).data)


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
            queryset = queryset.filter(role_id=_int_or_none(self.request.query_params["role"]))
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
            queryset = queryset.filter(area_id=_int_or_none(params["area"]))
        if "role" in params:
            queryset = queryset.filter(area__role_id=_int_or_none(params["role"]))
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


# --- who holds a role -----------------------------------------------------------------------


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role = OrgPrimaryKeyRelatedField(model=Role)
    member = OrgPrimaryKeyRelatedField(model=Membership)
    member_name = serializers.CharField(source="member.display_name", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "member", "member_name", "start_date", "end_date", "created_at"]
        read_only_fields = ["created_at"]
        # The service answers overlapping and out-of-order dates with its own messages.
        validators: list = []


class AssignmentEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(help_text="The last day the member holds the role.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("role", OpenApiTypes.INT, description="Of one role"),
            OpenApiParameter("member", OpenApiTypes.INT, description="Of one member"),
            OpenApiParameter(
                "current", OpenApiTypes.STR, description="1 for assignments held today"
            ),
        ]
    )
)
@documents_tenant_errors
class RoleAssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrgScopedViewSet,
):
    """Who holds which role, from and until when. A member cannot hold the same role twice
    over the same days; ``end`` closes an open assignment. Org admins and HR assign anyone;
    a manager of the role assigns the people who report to them or work in a department
    they head, never themselves (403 with the reason)."""

    queryset = RoleAssignment.objects.select_related("member__user").order_by("-start_date", "id")
    serializer_class = RoleAssignmentSerializer
    required_action = Action.VIEW_ROLES
    write_action = Action.ASSIGN_ROLE
    object_action = Action.ASSIGN_ROLE

    def policy_object(self, assignment):
        # Who holds a role is decided with the role.
        return assignment.role

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset.select_related("role")
        params = self.request.query_params
        if "role" in params:
            queryset = queryset.filter(role_id=_int_or_none(params["role"]))
        if "member" in params:
            queryset = queryset.filter(member_id=_int_or_none(params["member"]))
        if params.get("current") == "1":
            queryset = queryset.filter(selectors.current_assignments(today=timezone.localdate()))
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        _refuse_unless_assignable(self.membership, data["role"], data["member"])
        serializer.instance = services.role_assign(
            role=data["role"],
            actor=self.membership,
            member=data["member"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
        )

    @extend_schema(request=AssignmentEndSerializer, responses=RoleAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, org_slug=None, pk=None):
        """End an open assignment on the day given (its last day)."""
        assignment = self.get_object()
        _refuse_unless_assignable(self.membership, assignment.role, assignment.member)
        data = AssignmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.role_assignment_end(
            assignment=assignment,
            actor=self.membership,
            end_date=data.validated_data["end_date"],
        )
        return Response(self.get_serializer(assignment).data)


def _refuse_unless_assignable(actor: Membership, role: Role, person: Membership) -> None:
    """The service refuses too (400 on the page's form); the API answers such a refusal as
    the permission it is, 403, with the reason."""
    refusal = policy.assignment_refusal(actor, role, person)
    if refusal:
        raise exceptions.PermissionDenied(refusal)
