"""Every user-facing message exists in Indonesian, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from queue_server.domain.errors import DomainError
from queue_server.i18n import both, catalogs, negotiate, translate
from queue_server.services import accounts, booking_checks, office_scope  # noqa: F401
from queue_server.web import errors  # noqa: F401  (registers its errors)


def all_error_classes() -> list[type[DomainError]]:
    found, pending = [], [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("error", all_error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_message_is_translated(error: type[DomainError]) -> None:
    indonesian = translate(error.template, "id")
    assert indonesian != error.template, f"no Indonesian text for {error.template!r}"
    assert placeholders(indonesian) == placeholders(error.template)


def test_compiled_catalogs_are_fresh_and_complete() -> None:
    assert catalogs.problems() == []


def test_bilingual_parameters_are_localised() -> None:
    messages = both("{service} is not open now.", service={"id": "Paspor", "en": "Passport"})
    assert messages == {
        "id": "Layanan Paspor sedang tidak buka.",
        "en": "Passport is not open now.",
    }


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "id"),
        ("", "id"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("id-ID,id;q=0.9,en;q=0.8", "id"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0.2, id;q=0.9", "id"),
        ("en;q=abc", "id"),
    ],
)
def test_negotiate(header: str | None, language: str) -> None:
    assert negotiate(header) == language
