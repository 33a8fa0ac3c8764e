"""Inputs the role endpoints share: an id read leniently from the query string, a move."""

from __future__ import annotations

from rest_framework import serializers


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])
