"""Validate payloads against the AsyncAPI document's schemas with ``jsonschema``."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator


def problems(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` does not match ``schema`` (whose refs point into ``document``)."""
    root = {**schema, "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{error.json_path}: {error.message[:300]}" for error in validator.iter_errors(value)]


def message_problems(document: dict[str, Any], message_id: str, value: Any) -> list[str]:
    """Why ``value`` is not a valid payload of the message ``message_id``."""
    message = document["components"]["messages"][message_id]
    return problems(document, message["payload"], value)
