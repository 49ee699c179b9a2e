"""CardSession: status words, 61xx GET RESPONSE and 6Cxx retries, typed errors."""

from __future__ import annotations

import pytest

from devices.smartcard import BadgeProfile
from devices.smartcard.errors import CardError
from devices.smartcard.session import CardSession, ResponseApdu, command_apdu, with_le
from tests.devices.smartcard.links import ChipTransport, ScriptedTransport
from tests.devices.smartcard.virtual_passport import AnswerStyle, VirtualBadgeChip

UID = bytes.fromhex("04A1B2C3D4E5F6")


@pytest.mark.parametrize(
    ("style", "expected_apdus"),
    [
        ("direct", ["FFCA000000"]),
        ("get_response", ["FFCA000000", "00C0000007"]),
        ("wrong_le", ["FFCA000000", "FFCA000007"]),
    ],
)
def test_badge_uid_whatever_way_the_reader_answers(
    style: AnswerStyle, expected_apdus: list[str]
) -> None:
    transport = ChipTransport(VirtualBadgeChip(UID, style))
    assert BadgeProfile().read(CardSession(transport)).uid_hex == "04A1B2C3D4E5F6"
    assert [apdu.hex().upper() for apdu in transport.sent] == expected_apdus


def test_long_answers_are_gathered_over_several_get_responses() -> None:
    script = ScriptedTransport(
        [("00B0000000", "AABB6102"), ("00C0000002", "CCDD6101"), ("00C0000001", "EE9000")]
    )
    response = CardSession(script).transmit(bytes.fromhex("00B0000000"))
    assert (response.data, response.status) == (bytes.fromhex("AABBCCDDEE"), 0x9000)


def test_error_status_raises_card_error_with_both_bytes() -> None:
    session = CardSession(ScriptedTransport([("00A4040C02AAAA", "6A82")]))
    with pytest.raises(CardError) as raised:
        session.command(bytes.fromhex("00A4040C02AAAA"), "SELECT")
    assert (raised.value.sw1, raised.value.sw2, raised.value.status) == (0x6A, 0x82, 0x6A82)
    assert "SELECT" in str(raised.value)


def test_close_releases_the_transport_once_used_as_context_manager() -> None:
    transport = ChipTransport(VirtualBadgeChip(UID))
    with CardSession(transport) as session:
        session.command(bytes.fromhex("FFCA000000"))
    assert transport.closed


def test_command_apdu_cases_and_le_replacement() -> None:
    assert command_apdu(0, 0x84, 0, 0) == bytes.fromhex("00840000")
    assert command_apdu(0, 0x84, 0, 0, le=8) == bytes.fromhex("0084000008")
    assert command_apdu(0, 0xA4, 2, 0x0C, b"\x01\x1e") == bytes.fromhex("00A4020C02011E")
    assert command_apdu(0, 0x82, 0, 0, b"\xaa", le=0x28) == bytes.fromhex("0082000001AA28")
    assert with_le(bytes.fromhex("00840000"), 8) == bytes.fromhex("0084000008")
    assert with_le(bytes.fromhex("0084000000"), 8) == bytes.fromhex("0084000008")
    assert with_le(bytes.fromhex("0082000001AA"), 4) == bytes.fromhex("0082000001AA04")
    assert with_le(bytes.fromhex("0082000001AA00"), 4) == bytes.fromhex("0082000001AA04")
    with pytest.raises(ValueError, match="extended"):
        command_apdu(0, 0xD6, 0, 0, bytes(256))


def test_response_repr_never_shows_data() -> None:
    assert repr(ResponseApdu(b"ERIKSSON", 0x90, 0x00)) == "ResponseApdu(<8 bytes>, sw=9000)"
