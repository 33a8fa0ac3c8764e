"""API for roles, their areas of focus and responsibilities, and who holds them, one module
per area (roles, areas, assignments, success_check). The same services as the pages do
every write, so the rules and messages are the same."""

from .areas import (
    AreaOfFocusSerializer,
    AreaOfFocusViewSet,
    ResponsibilitySerializer,
    ResponsibilityViewSet,
)
from .assignments import AssignmentEndSerializer, RoleAssignmentSerializer, RoleAssignmentViewSet
from .inputs import MoveSerializer
from .roles import RoleFilterSerializer, RoleViewSet
from .serializers import (
    COST_FIELDS,
    AreaInlineSerializer,
    AssignmentInlineSerializer,
    ResponsibilityInlineSerializer,
    RoleDetailSerializer,
    RoleSerializer,
)
from .success_check import SuccessCheckSerializer

__all__ = [
    "COST_FIELDS",
    "AreaInlineSerializer",
    "AreaOfFocusSerializer",
    "AreaOfFocusViewSet",
    "AssignmentEndSerializer",
    "AssignmentInlineSerializer",
    "MoveSerializer",
    "ResponsibilityInlineSerializer",
    "ResponsibilitySerializer",
    "ResponsibilityViewSet",
    "RoleAssignmentSerializer",
    "RoleAssignmentViewSet",
    "RoleDetailSerializer",
    "RoleFilterSerializer",
    "RoleSerializer",
    "RoleViewSet",
    "SuccessCheckSerializer",
]
