"""API for the department tree."""

from __future__ import annotations

from django.db.models import Count, Q
from rest_framework import mixins, serializers

from .. import services
from ..models import Department, Membership
from ..policy import Action
from .base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from .schema import documents_tenant_errors


class DepartmentSerializer(serializers.ModelSerializer):
    parent = OrgPrimaryKeyRelatedField(model=Department, allow_null=True, required=False)
    head = OrgPrimaryKeyRelatedField(model=Membership, allow_null=True, required=False)
    head_name = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "head", "head_name", "member_count", "created_at"]
        read_only_fields = ["created_at"]

    def get_head_name(self, obj) -> str | None:
        return obj.head.display_name if obj.head_id else None

    def get_member_count(self, obj) -> int:
        """Active members; lists carry it precomputed, a single write answer counts."""
        count = getattr(obj, "member_count", None)
        if count is None:
            count = obj.members.filter(is_active=True).count()
        return count


@documents_tenant_errors
class DepartmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Departments. Move one by changing its ``parent``; only an empty one can be deleted."""

    queryset = (
        Department.objects.select_related("head__user")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("name", "id")
    )
    serializer_class = DepartmentSerializer
    write_action = Action.MANAGE_DEPARTMENTS

    def perform_create(self, serializer):
        serializer.instance = services.department_create(
            org=self.org, actor=self.membership, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.department_update(
            department=serializer.instance, actor=self.membership, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.department_delete(department=instance, actor=self.membership)
