"""Query-string filters, read through a serializer as a request body is.

A filter value ends up in a database query. Read through serializer fields, a malformed one
(text where a number belongs, a NUL character, which PostgreSQL cannot hold in a string)
answers 400 with the field's message instead of a server error. Declare the same serializer
as the operation's ``parameters`` so the schema lists exactly what is read.
"""

from __future__ import annotations

from rest_framework import serializers


def read_query(request, serializer_class: type[serializers.Serializer]) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
