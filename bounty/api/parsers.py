"""The API's JSON bodies, their nesting checked before they are parsed: a body nested deeper than
``MAX_DEPTH`` is a 400 ``parse_error`` saying how deep it is and what the limit is, never the
``RecursionError`` Python's parser raises near 1,000 levels."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from scoring.jsonlimits import loads_bounded

MAX_DEPTH = 64  # far more than any endpoint's body needs


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads_bounded(text, max_depth=MAX_DEPTH, what="The JSON body")
        except ValueError as exc:
            raise ParseError(f"JSON parse error: {exc}") from None
