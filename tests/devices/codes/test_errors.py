from __future__ import annotations

from devices.codes import CodeError, CodeErrorReason
from devices.codes.errors import MESSAGES


def test_every_reason_has_an_indonesian_translation() -> None:
    for reason in CodeErrorReason:
        error = CodeError(reason)
        assert error.messages["en"] == MESSAGES[reason]
        assert error.messages["id"] and error.messages["id"] != error.messages["en"], reason


def test_the_reason_is_in_the_english_text_for_logs() -> None:
    error = CodeError(CodeErrorReason.EXPIRED)
    assert str(error) == "expired: This QR code has expired."
    assert isinstance(error, ValueError)
