"""Up/down reordering of a list of rows that carry a ``position`` (objectives, areas of
focus, responsibilities, KRAs, KPIs): one mechanism for every list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def move_in_list(siblings: models.QuerySet, item: models.Model, direction: str) -> tuple[int, int]:
    """Swap ``item`` with its neighbour above ("up") or below ("down") among ``siblings``
    (locked while they are renumbered 1..n) and return its old and new 1-based position;
    they are equal when it is already at that end. Call inside a transaction.

    Raises ValueError when ``item`` is not among ``siblings``."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move up or down."))
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next((i for i, row in enumerate(ordered) if row.pk == item.pk), None)
    if index is None:
        raise ValueError(f"{item!r} is not among its siblings")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return index + 1, index + 1
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    item.position = other + 1
    return index + 1, other + 1


def next_position(siblings: models.QuerySet) -> int:
    """The position a new row takes at the end of ``siblings``."""
    return (siblings.aggregate(last=models.Max("position"))["last"] or 0) + 1
