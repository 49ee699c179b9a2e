"""Reading a JSON request body without letting its shape hurt the server.

The standard parser recurses once per nesting level (a deep ``[[[...]]]`` ends in a
RecursionError) and refuses integers of more than 4,300 digits only after reading them.
Bodies are checked for depth first and numbers are capped, so every bad body is a
plain 400 with a message in both languages.
"""

from __future__ import annotations

import json
from typing import Any

from queue_server.web.errors import BadJson, NumberTooLong, TooDeep

#: No request model nests deeper than a few levels.
MAX_DEPTH = 32
#: Longer numbers are not counts, ids or times: refuse them before converting.
MAX_NUMBER_CHARACTERS = 40
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


def parse_json_body(raw: bytes, *, is_json: bool) -> Any:
    """The decoded body; raises BadJson, TooDeep or NumberTooLong (all 400)."""
    if not is_json:
        raise BadJson()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadJson() from error
    _check_depth(text)
    try:
        return json.loads(
            text, parse_int=_integer, parse_float=_decimal, parse_constant=_no_constant
        )
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise BadJson() from error


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # the usual small body: nothing to walk
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise TooDeep(depth=MAX_DEPTH)
        elif char in _CLOSING:
            depth -= 1


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise NumberTooLong(digits=MAX_NUMBER_CHARACTERS)
    return int(literal)


def _decimal(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise NumberTooLong(digits=MAX_NUMBER_CHARACTERS)
    return float(literal)


def _no_constant(literal: str) -> Any:
    raise BadJson()
