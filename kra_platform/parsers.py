"""The API's JSON parser: DRF's, refusing strings that no database column can hold.

JSON may spell a lone UTF-16 surrogate ("\\ud800"); Python decodes it into a string that
cannot be encoded as UTF-8, so it would fail only when the database driver sends it, as a
server error, wherever a string reaches a query. Refused here, once for every endpoint, as
a 400 naming the problem. (A proper pair such as "\\ud83d\\ude00" decodes to one character
and is fine.) Form posts cannot carry one: their bytes are decoded as UTF-8 with
replacement. A body nested too deeply for the decoder is a 400 as well.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _find_lone_surrogate(data, path: str = "") -> str | None:
    """The path ("items[2].name") of the first string, key or value, holding a lone
    surrogate, or None. Iterative, so deeply nested input cannot exhaust the stack."""
    stack = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _has_lone_surrogate(value):
                return where or "(the body)"
        elif isinstance(value, dict):
            for key, item in value.items():
                if _has_lone_surrogate(key):
                    return where or "(the body)"
                stack.append((item, f"{where}.{key}" if where else key))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Arrays or objects nested thousands deep exhaust the decoder's stack.
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
        where = _find_lone_surrogate(data)
        if where is not None:
            raise ParseError(
                _(
                    "JSON parse error - %(field)s contains a lone surrogate character "
                    "(\\ud800 to \\udfff), which is not valid text."
                )
                % {"field": where}
            )
        return data
