"""API plumbing that knows no domain model."""

from __future__ import annotations

import base64
import binascii
import json
from functools import reduce

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(BasePagination):
    """Pages of a list too long to count, in the view's order, each page starting after the
    last row of the one before (a keyset: that row's ordering values, in an opaque
    ``cursor``). Every page costs the same however far in it is, and no page counts the
    whole list. ``ordering``: every field descending, the last one unique (the id), with an
    index in that order. The answer: ``next`` (a URL, or null on the last page) and
    ``results``."""

    ordering: tuple[str, ...] = ()
    cursor_query_param = "cursor"
    page_size = Pagination.page_size
    page_size_query_param = "page_size"
    max_page_size = Pagination.max_page_size
    invalid_cursor = "This cursor is not one this list gave; start again without it."

    def paginate_queryset(self, queryset, request, view=None):
        fields = [name.lstrip("-") for name in self.ordering]
        self.base_url = request.build_absolute_uri()
        self.page_size_now = self._page_size(request)
        queryset = queryset.order_by(*self.ordering)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            queryset = queryset.filter(self._after(queryset.model, fields, raw))
        rows = list(queryset[: self.page_size_now + 1])
        self.has_next = len(rows) > self.page_size_now
        rows = rows[: self.page_size_now]
        self.last = [getattr(rows[-1], name) for name in fields] if rows else None
        return rows

    def _page_size(self, request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    def _after(self, model, fields: list[str], raw: str) -> Q:
        """Rows after the cursor's: ``a < x or (a = x and (b < y or …))``, with ``a <= x``
        beside it so that the index's range starts at the cursor."""
        try:
            values = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
            if not isinstance(values, list) or len(values) != len(fields):
                raise ValueError
            values = [
                model._meta.get_field(f).to_python(v) for f, v in zip(fields, values, strict=True)
            ]
        except (ValueError, TypeError, binascii.Error, UnicodeError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]}) from None
        condition = reduce(
            lambda inner, pair: (
                Q(**{f"{pair[0]}__lt": pair[1]}) | (Q(**{pair[0]: pair[1]}) & inner)
            ),
            reversed(list(zip(fields[:-1], values[:-1], strict=True))),
            Q(**{f"{fields[-1]}__lt": values[-1]}),
        )
        return Q(**{f"{fields[0]}__lte": values[0]}) & condition

    def get_next_link(self) -> str | None:
        if not self.has_next or self.last is None:
            return None
        token = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in self.last])
        cursor = base64.urlsafe_b64encode(token.encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the `next` link of the page before.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]
