"""Every validation problem and warning the server can send has a real Indonesian text.

The msgids are found in the source itself (calls of ``note``, ``NoteError``, ``both``
and a booking row's ``problem.add``, with a literal or a module constant as the message),
plus the pydantic templates the catalogs translate; each must translate to something
other than the English, keeping the placeholders. A new English-only message fails here.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from queue_server.i18n import translate
from queue_server.i18n.notes import GIVEN, PYDANTIC_TEMPLATES, RAW, Note, note_texts, pydantic_note

SOURCE = Path(__file__).parents[2] / "queue_server"
#: Call -> the position of its message argument.
MESSAGE_ARGUMENT = {"note": 1, "NoteError": 0, "both": 0}


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    return found


def _message(argument: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    if isinstance(argument, ast.Name):
        return constants.get(argument.id)
    return None


def source_messages() -> dict[str, str]:
    """msgid -> where it is used."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            position = None
            if isinstance(function, ast.Name):
                position = MESSAGE_ARGUMENT.get(function.id)
            elif (
                isinstance(function, ast.Attribute)
                and function.attr == "add"
                and isinstance(function.value, ast.Name)
                and function.value.id == "problem"
            ):
                position = 0
            if position is None or len(node.args) <= position:
                continue
            message = _message(node.args[position], constants)
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            if message is not None and message != RAW:  # else: an error's template, tested
                found.setdefault(message, where)  # with the errors (test_catalogs.py)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


MESSAGES = {
    **source_messages(),
    **{template: f"pydantic {kind}" for kind, template in PYDANTIC_TEMPLATES.items()},
    GIVEN: "notes.GIVEN",
}


def test_the_walk_finds_the_messages() -> None:
    assert len(MESSAGES) > 60  # office file rules, field checks, booking rows, pydantic
    assert "unknown service {code}" in MESSAGES
    assert "the booking code is empty" in MESSAGES


@pytest.mark.parametrize("msgid", sorted(MESSAGES), ids=lambda msgid: msgid[:50])
def test_every_validation_message_has_an_indonesian_text(msgid: str) -> None:
    indonesian = translate(msgid, "id") if not placeholders(msgid) else _raw(msgid)
    assert indonesian != msgid, f"{MESSAGES[msgid]}: no Indonesian text for {msgid!r}"
    assert placeholders(indonesian) <= placeholders(msgid)
    # field_type is pydantic's English "List"/"Dictionary": the path already says what it is
    assert placeholders(msgid) - {"expected_plural", "field_type"} <= placeholders(indonesian)


def _raw(msgid: str) -> str:
    """The catalog's Indonesian text itself, placeholders unfilled."""
    from queue_server.i18n import translator

    return translator("id").gettext(msgid)


def test_pydantic_errors_become_indonesian_and_keep_their_english() -> None:
    item = {
        "type": "too_short",
        "loc": ("journey",),
        "msg": "List should have at least 1 item after validation, not 0",
        "input": [],
        "ctx": {"field_type": "List", "min_length": 1, "actual_length": 0},
    }
    problem = pydantic_note("services[0].journey", item)
    assert (
        problem == "services[0].journey: List should have at least 1 item after validation, not 0"
    )
    assert isinstance(problem, Note) and problem.translated
    texts = note_texts(problem)
    assert texts["en"] == problem
    assert texts["id"].startswith("services[0].journey: ") and texts["id"] != texts["en"]
    strange = {"type": "new_kind", "loc": (), "msg": "Something new", "input": 1}
    assert note_texts(pydantic_note("x", strange)) == {
        "id": "x: Something new",
        "en": "x: Something new",
    }
