"""Job roles: list (search, department), read with areas and holders, create, change,
delete."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from orgs.api.base import OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import scoped

from .. import selectors, services
from ..access import require_place_role
from ..models import Role
from .inputs import int_or_none
from .serializers import RoleDetailSerializer, RoleSerializer
from .success_check import SuccessCheckActions


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
    SuccessCheckActions,
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
                scoped(Department, self.org).filter(pk=int_or_none(filters["department"])).first()
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
