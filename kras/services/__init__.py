"""Writes of the kras app, one module per concern."""

from .objectives import objective_create, objective_move, objective_set_status, objective_update

__all__ = ["objective_create", "objective_move", "objective_set_status", "objective_update"]

from .cascade import flag_descendants, kra_confirm_still_holds  # noqa: E402

__all__ += ["flag_descendants", "kra_confirm_still_holds"]

from .kras import kra_create, kra_move, kra_update  # noqa: E402
from .retire import kra_retire  # noqa: E402

__all__ += ["kra_create", "kra_move", "kra_retire", "kra_update"]
