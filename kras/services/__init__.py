"""Writes of the kras app, one module per concern."""

from .objectives import objective_create, objective_move, objective_set_status, objective_update

__all__ = ["objective_create", "objective_move", "objective_set_status", "objective_update"]
