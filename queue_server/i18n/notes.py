"""Validation problems and warnings that keep their msgid, so they can be given in
Indonesian and English.

A :class:`Note` is a ``str``: its English text, ``path: message`` (what the command line
prints and what older callers compare), and it also keeps the gettext msgid(s) and
parameters of the message, so :func:`note_texts` can translate it. Pydantic's own errors
are translated by their message template (:func:`pydantic_note`); a message without a
known template stays as it is (``RAW``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queue_server.i18n import SUPPORTED, translate

#: The msgid of a text that has no translation (kept in English in both languages).
RAW = "{text}"

Part = tuple[str, Mapping[str, object]]


class Note(str):
    """A problem or warning: the English ``path: message`` plus its msgid parts."""

    path: str
    parts: tuple[Part, ...]

    def __new__(cls, path: str, *parts: Part) -> Note:
        english = "".join(msgid.format(**params) for msgid, params in parts)
        note = super().__new__(cls, f"{path}: {english}" if path else english)
        note.path = path
        note.parts = parts
        return note

    def text(self, language: str) -> str:
        message = "".join(translate(msgid, language, **params) for msgid, params in self.parts)
        return f"{self.path}: {message}" if self.path else message

    @property
    def translated(self) -> bool:
        return all(msgid != RAW for msgid, _ in self.parts)


def note(path: str, msgid: str, **params: object) -> Note:
    """A note of one message; ``msgid`` is the English text (its placeholders filled)."""
    return Note(path, (msgid, params))


class NoteError(ValueError):
    """A field validator's refusal, with its msgid (pydantic keeps it in the error's ctx)."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params))


def note_texts(problem: str) -> dict[str, str]:
    """``problem`` in every supported language (a plain string stays as it is)."""
    if isinstance(problem, Note):
        return {language: problem.text(language) for language in SUPPORTED}
    return dict.fromkeys(SUPPORTED, str(problem))


#: Pydantic's message templates (English) that the catalogs translate, by error type.
PYDANTIC_TEMPLATES: dict[str, str] = {
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "model_type": "Input should be a valid dictionary or instance of {class_name}",
    "model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
    "dict_type": "Input should be a valid dictionary",
    "list_type": "Input should be a valid list",
    "string_type": "Input should be a valid string",
    "string_unicode": (
        "Input should be a valid string, unable to parse raw data as a unicode string"
    ),
    "string_too_short": "String should have at least {min_length} character{expected_plural}",
    "string_too_long": "String should have at most {max_length} character{expected_plural}",
    "string_pattern_mismatch": "String should match pattern '{pattern}'",
    "too_short": (
        "{field_type} should have at least {min_length} item{expected_plural} after "
        "validation, not {actual_length}"
    ),
    "too_long": (
        "{field_type} should have at most {max_length} item{expected_plural} after "
        "validation, not {actual_length}"
    ),
    "greater_than": "Input should be greater than {gt}",
    "greater_than_equal": "Input should be greater than or equal to {ge}",
    "less_than": "Input should be less than {lt}",
    "less_than_equal": "Input should be less than or equal to {le}",
    "multiple_of": "Input should be a multiple of {multiple_of}",
    "finite_number": "Input should be a finite number",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse string as an integer",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "int_parsing_size": "Unable to parse input string as an integer, exceeded maximum size",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable to parse string as a number",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "enum": "Input should be {expected}",
    "literal_error": "Input should be {expected}",
    "none_required": "Input should be None",
    "tuple_type": "Input should be a valid tuple",
    "date_type": "Input should be a valid date",
    "time_type": "Input should be a valid time",
    "json_invalid": "Invalid JSON: {error}",
}
GIVEN = ", got {given}"


def pydantic_note(path: str, item: Mapping[str, Any], *, given: bool = False) -> Note:
    """A note for one of pydantic's errors (``ValidationError.errors()``); ``given``
    appends the refused value (when it is a short scalar)."""
    message = str(item.get("msg", ""))
    context = dict(item.get("ctx") or {})
    parts: list[Part] = []
    error = context.get("error")
    if item.get("type") == "value_error" and isinstance(error, NoteError):
        parts.append((error.msgid, error.params))
    else:
        parts.append(_known(str(item.get("type")), context, message))
    value = item.get("input")
    if (
        given
        and item.get("type") not in {"missing", "extra_forbidden", "value_error"}
        and isinstance(value, str | int | float)
    ):
        parts.append((GIVEN, {"given": repr(value)}))
    return Note(path, *parts)


#: A value that should be a section (pydantic names the model class: no word for an admin).
SECTION_EXPECTED = "Input should be a mapping (names with their values)"


def _known(kind: str, context: dict[str, Any], message: str) -> Part:
    if kind == "model_type":
        return SECTION_EXPECTED, {}
    template = PYDANTIC_TEMPLATES.get(kind)
    if template is not None:
        for name in ("min_length", "max_length"):
            if name in context:
                context.setdefault("expected_plural", "" if context[name] == 1 else "s")
        try:
            if template.format(**context) == message:
                return template, context
        except (KeyError, IndexError, ValueError):
            pass
    return RAW, {"text": message.removeprefix("Value error, ")}
