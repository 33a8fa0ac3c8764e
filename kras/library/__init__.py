"""The KRA template library shipped with the product: one JSON file per department or job
family in this folder, read and validated by ``loader``; ``from kras import library`` gives
the loader's functions (``templates``, ``get``, ``search``, ``validate_content``…)."""

from .loader import (
    AGGREGATIONS,
    DIRECTIONS,
    FREQUENCIES,
    KPI_RANGE,
    KRA_RANGE,
    LIBRARY_DIR,
    MEASURE_TYPES,
    ROLES_PER_FAMILY,
    THEMES,
    Family,
    LibraryError,
    RoleTemplate,
    check_library,
    families,
    get,
    search,
    templates,
    validate_content,
)

__all__ = [
    "AGGREGATIONS",
    "DIRECTIONS",
    "FREQUENCIES",
    "KPI_RANGE",
    "KRA_RANGE",
    "LIBRARY_DIR",
    "MEASURE_TYPES",
    "ROLES_PER_FAMILY",
    "THEMES",
    "Family",
    "LibraryError",
    "RoleTemplate",
    "check_library",
    "families",
    "get",
    "search",
    "templates",
    "validate_content",
]
