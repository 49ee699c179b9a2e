"""Reading and validating an office file."""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from queue_server.i18n.notes import RAW, Note, note, pydantic_note
from queue_server.office_config.build import (
    build_definition,
)
from queue_server.office_config.definition import (
    OfficeDefinition,
)
from queue_server.office_config.rules import (
    cross_checks,
)
from queue_server.office_config.schema import (
    MAX_FILE_BYTES,
    OfficeConfigError,
    OfficeFile,
)

FILE = "(file)"
#: No office file nests deeper than about six levels; a deeper one is refused before the
#: composer's recursion runs out of stack (a RecursionError, once a 500).
MAX_YAML_DEPTH = 20
#: A number in the file is at most this long (quotas and minutes need a handful).
MAX_NUMBER_CHARS = 40

# --- reading and validating --------------------------------------------------------


class _OfficeYamlLoader(yaml.SafeLoader):
    """Safe loading made strict for a hand-written file.

    Duplicate keys, aliases and nesting deeper than ``MAX_YAML_DEPTH`` are refused; dates
    and clock times stay text (YAML 1.1 reads ``16:00`` as 960), so the loaded content is
    also JSON-safe for storage.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.get_mark(), "aliases (*name) are not allowed (line {line})")
        if self._depth >= MAX_YAML_DEPTH:
            raise _Refused(
                self.get_mark(),
                "nested deeper than {depth} levels (line {line})",
                depth=MAX_YAML_DEPTH,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # int() of more than 4300 digits raises ValueError (once a 500); no field needs 40
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise _Refused(
                node.start_mark,
                "a number longer than {digits} digits (line {line})",
                digits=MAX_NUMBER_CHARS,
            )
        return int(super().construct_yaml_int(node))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise _Refused(
                    key_node.start_mark, "duplicate key {key} (line {line})", key=repr(key)
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


class _Refused(yaml.YAMLError):
    """A rule of this loader broken at ``mark``: its message (msgid) and parameters."""

    def __init__(self, mark: Any, msgid: str, **params: object) -> None:
        line = mark.line + 1 if mark is not None else 0
        self.note = note(FILE, msgid, line=line, **params)
        super().__init__(str(self.note))


_OfficeYamlLoader.add_constructor("tag:yaml.org,2002:int", _OfficeYamlLoader.construct_yaml_int)
_OfficeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    _OfficeYamlLoader.yaml_implicit_resolvers[_digit].insert(
        0, ("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}$"))
    )


def load_office_file(path: Path) -> tuple[dict[str, Any], OfficeDefinition]:
    """Read and validate a YAML office file.

    Returns:
        The file's content (JSON-safe, as stored by ``antre office load``) and its definition.

    Raises:
        OfficeConfigError: the file is not valid YAML, not UTF-8, too large, or not valid.
        FileNotFoundError: there is no such file.
    """
    if path.stat().st_size > MAX_FILE_BYTES:
        raise OfficeConfigError([too_large()])
    data = read_office_yaml(path.read_bytes(), name=str(path))
    return data, parse_office_config(data)


#: PyYAML's problems (the start of its English text) in our own words, in both languages.
_YAML_PROBLEMS = (
    ("mapping values are not allowed here", "a colon (:) where none may be; put the text "
     "in quotes or fix the indentation"),
    ("found character '\\t'", "a tab character; indent with spaces"),
    ("found character", "a character that cannot start a value; put the text in quotes"),
    ("expected ',' or ']'", "a list in [ ] is not closed"),
    ("expected ',' or '}'", "a mapping in { } is not closed"),
    ("found unexpected end of stream", "the file ends inside a quoted text"),
    ("found undefined alias", "an alias (*name) without its anchor (&name)"),
    ("expected <block end>", "the indentation does not match the lines above"),
    ("did not find expected", "the indentation does not match the lines above"),
    ("could not find expected ':'", "a colon (:) is missing after a name"),
    ("found unknown escape character", "an unknown escape (\\) in a double-quoted text"),
)  # fmt: skip


def _yaml_problem(problem: str, mark: Any) -> Note:
    """PyYAML's problem at ``mark`` as a note in both languages (its own words if unknown)."""
    where = {"line": mark.line + 1, "column": mark.column + 1}
    for start, words in _YAML_PROBLEMS:
        if problem.startswith(start):
            return note(FILE, "not valid YAML at line {line}, column {column}: " + words, **where)
    return note(
        FILE,
        "not valid YAML at line {line}, column {column}: {problem}",
        problem=problem,  # PyYAML's own words (English): a rare problem not listed above
        **where,
    )


def read_office_yaml(raw: bytes, *, name: str = "<upload>") -> Any:
    """The content of an office file given as bytes (UTF-8, at most ``MAX_FILE_BYTES``),
    read the strict way ``antre office load`` reads it; not yet validated.

    Raises:
        OfficeConfigError: too large, not UTF-8 or not valid YAML.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise OfficeConfigError([too_large()])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise OfficeConfigError(
            [
                note(
                    FILE,
                    "not UTF-8 text: the byte at position {position} is not valid UTF-8; "
                    "save the file as UTF-8",
                    position=error.start,
                )
            ]
        ) from error
    try:
        return yaml.load(text, Loader=_OfficeYamlLoader)
    except _Refused as error:
        raise OfficeConfigError([error.note]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is None or not error.problem:
            where = str(error).replace('"<unicode string>"', f'"{name}"')
            raise OfficeConfigError([note(FILE, "not valid YAML: {where}", where=where)]) from error
        raise OfficeConfigError([_yaml_problem(error.problem, mark)]) from error
    except yaml.YAMLError as error:
        where = str(error).replace('"<unicode string>"', f'"{name}"')
        raise OfficeConfigError([note(FILE, "not valid YAML: {where}", where=where)]) from error


def parse_office_config(data: object) -> OfficeDefinition:
    """Validate an office file's content (a mapping) and build its domain objects.

    Raises:
        OfficeConfigError: listing every problem as ``path: message``; schema problems
            are reported first, cross-reference problems once the schema is satisfied.
    """
    if not isinstance(data, dict):
        raise OfficeConfigError([not_a_mapping()])
    try:
        parsed = OfficeFile.model_validate(data)
    except ValidationError as error:
        raise OfficeConfigError([_describe(item) for item in error.errors()]) from error
    problems = cross_checks(parsed)
    if problems:
        raise OfficeConfigError(problems)
    try:
        return build_definition(parsed)
    except ValueError as error:  # a domain rule the checks above missed: still refuse cleanly
        raise OfficeConfigError([note(FILE, RAW, text=str(error))]) from error


def too_large() -> Note:
    return note(FILE, "larger than {size} bytes", size=MAX_FILE_BYTES)


def not_a_mapping() -> Note:
    return note(FILE, "must be a mapping with office, calendar, services, counters")


def _describe(item: Any) -> Note:
    path = "".join(_path_part(part) for part in item["loc"])
    return pydantic_note(path.lstrip(".") or FILE, item, given=True)


def _path_part(part: object) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return " (key)" if part == "[key]" else f".{part}"
