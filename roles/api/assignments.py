"""Who holds a role, from and until when."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.schema import documents_tenant_errors
from orgs.models import Membership
from orgs.policy import Action

from .. import selectors, services
from ..models import Role, RoleAssignment
from ..policy import assignment_refusal
from .inputs import int_or_none

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
            queryset = queryset.filter(role_id=int_or_none(params["role"]))
        if "member" in params:
            queryset = queryset.filter(member_id=int_or_none(params["member"]))
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
    refusal = assignment_refusal(actor, role, person)
    if refusal:
        raise exceptions.PermissionDenied(refusal)
