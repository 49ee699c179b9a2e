"""Templates: both languages from the catalogs, only the parameters a message needs."""

from __future__ import annotations

import pytest

from queue_server.notify.messages import (
    InvalidMessage,
    Message,
    Template,
    normalised_phone,
    phone_hash,
    render,
)

PHONE = "0812-3456-7890"


def test_passport_ready_lists_the_pickup_options_in_the_language() -> None:
    params = {"office": "Kanim Banjarmasin", "options": "counter,drive_thru,saturday"}
    indonesian = render(Message(PHONE, Template.PASSPORT_READY, "id", params).checked())
    english = render(Message(PHONE, Template.PASSPORT_READY, "en", params).checked())
    assert "Paspor Anda sudah siap" in indonesian
    assert "loket pengambilan" in indonesian and "drive-thru" in indonesian
    assert "Sabtu" in indonesian and "Kanim Banjarmasin" in indonesian
    assert "Your passport is ready" in english and "Saturday" in english


@pytest.mark.parametrize(
    ("template", "params", "indonesian", "english"),
    [
        (Template.NUMBER_NEAR, {"number": "A-012", "away": "3"}, "A-012", "3 ahead of you"),
        (Template.BAP_APPROVED, {"office": "Kanim X"}, "BAP", "Please come back to Kanim X"),
        (
            Template.REGISTRATION_CONFIRMED,
            {"date": "2026-12-04", "time": "08:00", "code": "K7Q2XW"},
            "Tunjukkan kode K7Q2XW",
            "confirmed for 2026-12-04 at 08:00",
        ),
        (
            Template.REGISTRATION_REFUSED,
            {"date": "2026-12-04"},
            "kuota untuk 2026-12-04 sudah penuh",
            "quota for 2026-12-04 is full",
        ),
    ],
)
def test_every_template_in_both_languages(
    template: Template, params: dict[str, str], indonesian: str, english: str
) -> None:
    assert indonesian in render(Message(PHONE, template, "id", params).checked())
    assert english in render(Message(PHONE, template, "en", params).checked())


@pytest.mark.parametrize(
    ("message", "english"),
    [
        (Message("12", Template.BAP_APPROVED, "id", {"office": "X"}), "phone number"),
        (Message(PHONE, Template.BAP_APPROVED, "fr", {"office": "X"}), "language"),
        # A parameter the template does not use (a NIK, a name) is refused outright.
        (
            Message(PHONE, Template.BAP_APPROVED, "id", {"office": "X", "nik": "3171"}),
            "exactly: office",
        ),
        (Message(PHONE, Template.NUMBER_NEAR, "id", {"number": "A1", "away": "x"}), "away"),
        (
            Message(PHONE, Template.PASSPORT_READY, "id", {"office": "X", "options": "boat"}),
            "Pickup options",
        ),
        (Message(PHONE, "birthday", "id", {}), "Unknown message template"),  # type: ignore[arg-type]
    ],
)
def test_bad_messages_are_refused_in_both_languages(message: Message, english: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        message.checked()
    assert english in refused.value.text["en"]
    assert refused.value.text["id"] != refused.value.text["en"]


def test_phone_numbers_are_normalised_and_hashed_with_a_key() -> None:
    assert normalised_phone("0812 3456 7890") == "+6281234567890"
    assert normalised_phone("+62 812-3456-7890") == "+6281234567890"
    assert phone_hash("081234567890", b"k1") == phone_hash("+6281234567890", b"k1")
    assert phone_hash("081234567890", b"k1") != phone_hash("081234567890", b"k2")
