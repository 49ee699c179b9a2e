"""e-KTP is refused honestly; every error has a bilingual message without personal data."""

from __future__ import annotations

import pytest

from devices.smartcard import errors
from devices.smartcard.ektp import EktpIdentity, EktpReader, UnsupportedEktpReader
from tests.devices.smartcard.links import chip_session
from tests.devices.smartcard.virtual_passport import VirtualBadgeChip


def test_ektp_is_refused_with_a_bilingual_reason() -> None:
    reader: EktpReader = UnsupportedEktpReader()
    with pytest.raises(errors.CardNotSupported, match="vendor") as raised:
        reader.read(chip_session(VirtualBadgeChip(b"\x01")))
    message = raised.value.user_message()
    assert "e-KTP tidak didukung" in message["id"]
    assert "e-KTP is not supported" in message["en"]


def test_ektp_identity_is_masked() -> None:
    identity = EktpIdentity(nik="3171234567890001", name="BUDI SANTOSO")
    assert "3171234567890001" not in repr(identity) and "BUDI" not in str(identity)


@pytest.mark.parametrize(
    "error",
    [
        errors.NoReader(),
        errors.CardTimeout(5),
        errors.CardRemoved(),
        errors.CardError(0x6A, 0x82),
        errors.AccessDenied(0x63, 0x00),
        errors.SecureMessagingError(),
        errors.DocumentDataError(),
        errors.CardNotSupported(),
    ],
)
def test_every_error_is_translated(error: errors.SmartCardError) -> None:
    message = error.user_message()
    assert message["id"] and message["en"] and message["id"] != message["en"]
