"""Writes of the roles app, one module per concern: roles (the role itself), success_check,
areas (areas of focus and their responsibilities) and assignments (who holds the role).
Every write is keyword-only, atomic and audited."""

from .areas import (
    area_create,
    area_delete,
    area_move,
    area_update,
    responsibility_create,
    responsibility_delete,
    responsibility_move,
    responsibility_update,
)
from .assignments import role_assign, role_assignment_end
from .roles import ROLE_FIELDS, role_create, role_delete, role_update
from .success_check import role_success_check_record

__all__ = [
    "ROLE_FIELDS",
    "area_create",
    "area_delete",
    "area_move",
    "area_update",
    "responsibility_create",
    "responsibility_delete",
    "responsibility_move",
    "responsibility_update",
    "role_assign",
    "role_assignment_end",
    "role_create",
    "role_delete",
    "role_success_check_record",
    "role_update",
]
