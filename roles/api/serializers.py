"""A role as the API answers it (its cost justification only to whoever may see it), with
its areas, responsibilities and holders inline; shared by the role and success-check
endpoints."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from orgs.api.base import OrgPrimaryKeyRelatedField
from orgs.models import Department

from .. import selectors
from ..models import AreaOfFocus, Responsibility, Role, RoleAssignment
from ..policy import role_cost_checker

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
            checker = self.context["role_cost_checker"] = role_cost_checker(member)
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
