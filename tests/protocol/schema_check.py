"""Validate payloads against the AsyncAPI document's schemas with ``jsonschema``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator, FormatChecker

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339: a date, ``T``, a time and an offset (``Z`` or ``±hh:mm``)."""
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or (len(value) == 10 and bool(date.fromisoformat(value)))


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(UUID(value))


def problems(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` does not match ``schema`` (whose refs point into ``document``)."""
    root = {**schema, "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=FORMATS)
    return [f"{error.json_path}: {error.message[:300]}" for error in validator.iter_errors(value)]


def message_problems(document: dict[str, Any], message_id: str, value: Any) -> list[str]:
    """Why ``value`` is not a valid payload of the message ``message_id``."""
    message = document["components"]["messages"][message_id]
    return problems(document, message["payload"], value)
