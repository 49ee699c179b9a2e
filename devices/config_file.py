"""What the kiosk's and the displays' configuration files share: reading a YAML or TOML
file, the broker section, device ids, and the one-line Indonesian / English refusal that
names the bad field.

Each file kind subclasses :class:`ConfigFileError` with its own two sentences
(``INVALID``, ``UNREADABLE``); the problems are catalog msgids, said in both languages.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from queue_server.i18n import both, translate
from queue_server.protocol.topics import TopicError, check_id

MAX_FILE_BYTES = 64 * 1024

#: The problems a field can have, as catalog msgids.
MISSING = "missing"
UNKNOWN_FIELD = "unknown field"
AT_MOST = "must be at most {limit}"
AT_LEAST = "must be at least {limit}"
ONE_OF = "must be one of: {expected}"
WRONG_KIND = "wrong kind of value"
TOO_MANY = "too many items (at most {limit})"
TOO_FEW = "too few items (at least {limit})"
NOT_AN_ID = "not an id: use a-z, 0-9 and '-'"
NOT_A_SIZE = "not WIDTHxHEIGHT, e.g. 1920x1080"
NO_FILE = "no such file"
UNREADABLE = "cannot be read"
ONE_LINE_PASSWORD = "must hold the password on one line"
TOO_LARGE = "larger than {limit} bytes"
NOT_YAML = "not YAML or TOML: {detail}"
NOT_A_MAPPING = "not a mapping of fields"
#: pydantic's error types → (msgid, the context value shown as ``limit``/``expected``).
PYDANTIC_PROBLEMS: dict[str, tuple[str, str | None]] = {
    "missing": (MISSING, None),
    "extra_forbidden": (UNKNOWN_FIELD, None),
    "less_than_equal": (AT_MOST, "le"),
    "greater_than_equal": (AT_LEAST, "ge"),
    "literal_error": (ONE_OF, "expected"),
    "too_long": (TOO_MANY, "max_length"),
    "too_short": (TOO_FEW, "min_length"),
}


class ConfigFileError(ValueError):
    """A configuration is not valid; ``str()`` is one line, Indonesian / English.

    Args:
        field: The field, dotted (``broker.port``); None when the file itself is bad.
        problem: The problem's catalog msgid (one of the constants above, or the file
            kind's own).
        file: The configuration file (None: no file, e.g. the environment alone).
        params: The problem's parameters (``limit``, ``expected``, ``detail``).
    """

    #: The sentences of this file kind (catalog msgids with ``{file}``, ``{problem}`` and,
    #: for INVALID, ``{field}``).
    INVALID: ClassVar[str] = "The configuration {file} is not valid: {field}: {problem}"
    UNREADABLE: ClassVar[str] = "The configuration {file} cannot be read: {problem}"
    #: What ``{file}`` says when there is no file.
    NO_FILE_NAME: ClassVar[str] = "-"

    def __init__(
        self, field: str | None, problem: str, file: Path | None, **params: object
    ) -> None:
        self.field = field
        self.problem = problem
        said = both(problem, **params)
        name = file.name if file is not None else self.NO_FILE_NAME
        halves = []
        for language in ("id", "en"):
            if field is None:
                text = translate(self.UNREADABLE, language, file=name, problem=said[language])
            else:
                text = translate(
                    self.INVALID, language, file=name, field=field, problem=said[language]
                )
            halves.append(text)
        super().__init__(" / ".join(halves))


class Section(BaseModel):
    """A part of a configuration file: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def identifier(value: str, what: str) -> str:
    """``value`` if it is a valid id (a-z, 0-9, '-'); else a ValueError saying so."""
    try:
        return check_id(value, what)
    except (TopicError, ValueError) as error:
        raise ValueError(NOT_AN_ID) from error


class BrokerSection(Section):
    """Where the office's MQTT broker is."""

    host: str = Field(default="127.0.0.1", min_length=1, max_length=253)
    port: int = Field(default=1883, ge=1, le=65535)
    tls: bool = False
    ca_file: Path | None = None


def read_mapping(
    path: Path, error: type[ConfigFileError], *, empty_is_nothing: bool = False
) -> dict[str, Any]:
    """The file's fields (YAML, or TOML when it ends in ``.toml``).

    Args:
        empty_is_nothing: An empty file is no fields (else it is refused as not a mapping).

    Raises:
        ConfigFileError: ``error`` for a missing, unreadable, too large or malformed file.
    """
    try:
        raw = path.read_bytes()
    except OSError as problem:
        reason = NO_FILE if isinstance(problem, FileNotFoundError) else UNREADABLE
        raise error(None, reason, path) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(None, TOO_LARGE, path, limit=MAX_FILE_BYTES)
    import yaml  # only here: a TOML file or none at all needs no YAML parser

    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as problem:
        detail = " ".join(str(problem).split())[:200]
        raise error(None, NOT_YAML, path, detail=detail) from None
    if data is None and empty_is_nothing:
        return {}
    if not isinstance(data, dict):
        raise error(None, NOT_A_MAPPING, path)
    return data


def first_problem(error: ValidationError) -> tuple[list[str], str, dict[str, object]]:
    """The first problem pydantic found: the field's path, the msgid and its parameters."""
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    kind = first["type"]
    if kind == "value_error":
        return location, (str(first["ctx"]["error"]) if "ctx" in first else WRONG_KIND), {}
    msgid, key = PYDANTIC_PROBLEMS.get(kind, (WRONG_KIND, None))
    value = (first.get("ctx") or {}).get(key or "", "")
    return location, msgid, {"limit": value, "expected": value}
