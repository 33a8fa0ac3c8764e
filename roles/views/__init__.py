"""Role pages, one module per area: the list and the role page (roles), areas of focus and
responsibilities edited in place with htmx (areas), who holds a role (assignments), the
success check (success_check); role_page renders the role page they share."""

from .areas import (
    area_create,
    area_delete,
    area_edit,
    area_move,
    responsibility_create,
    responsibility_delete,
    responsibility_edit,
    responsibility_move,
    role_areas,
)
from .assignments import (
    role_assign,
    role_assignment_end,
)
from .roles import (
    role_create,
    role_delete,
    role_detail,
    role_edit,
    role_list,
)
from .success_check import (
    role_success_check,
)

__all__ = [
    "area_create",
    "area_delete",
    "area_edit",
    "area_move",
    "responsibility_create",
    "responsibility_delete",
    "responsibility_edit",
    "responsibility_move",
    "role_areas",
    "role_assign",
    "role_assignment_end",
    "role_create",
    "role_delete",
    "role_detail",
    "role_edit",
    "role_list",
    "role_success_check",
]
