"""Database helpers that know no domain model."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, models, transaction

UNIQUE_VIOLATION = "23505"


def save_or_refuse_duplicate(
    instance: models.Model, *, refusal: Callable[[], Exception], **save_kwargs
) -> None:
    """Save ``instance``; when a unique constraint refuses it, raise ``refusal()`` instead.

    Services check uniqueness first to give a clear message, but two concurrent requests can
    both pass that check: the constraint decides, and the loser gets the same message."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) == UNIQUE_VIOLATION:
            raise refusal() from exc
        raise
