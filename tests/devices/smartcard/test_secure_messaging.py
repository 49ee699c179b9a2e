"""Secure messaging refuses altered, replayed or malformed answers (Appendix D keys)."""

from __future__ import annotations

import pytest

from devices.smartcard import crypto
from devices.smartcard.errors import CardError, SecureMessagingError
from devices.smartcard.secure_messaging import SecureMessaging, SessionKeys
from tests.devices.smartcard.links import split_answer
from tests.devices.smartcard.test_icao_worked_example import KS_ENC, KS_MAC, SSC

KEYS = SessionKeys(bytes.fromhex(KS_ENC), bytes.fromhex(KS_MAC))
#: The protected answer to READ BINARY of 4 bytes (SSC + 4), and that command's SSC.
READ_ANSWER = bytes.fromhex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
READ_SSC = SSC + 3


def messaging_before_answer() -> SecureMessaging:
    return SecureMessaging(KEYS, READ_SSC)


def test_the_genuine_answer_passes() -> None:
    response = messaging_before_answer().unprotect(split_answer(READ_ANSWER))
    assert response.data == bytes.fromhex("60145F01")


@pytest.mark.parametrize("position", [4, 13, 15, 20])  # cryptogram, status, MAC tag, MAC
def test_any_flipped_bit_is_detected(position: int) -> None:
    altered = bytearray(READ_ANSWER)
    altered[position] ^= 0x01
    with pytest.raises(SecureMessagingError):
        messaging_before_answer().unprotect(split_answer(bytes(altered)))


def test_a_replayed_answer_fails_because_the_counter_moved_on() -> None:
    messaging = messaging_before_answer()
    messaging.unprotect(split_answer(READ_ANSWER))
    messaging.protect(bytes.fromhex("00B0000412"))
    with pytest.raises(SecureMessagingError, match="MAC"):
        messaging.unprotect(split_answer(READ_ANSWER))


def test_an_answer_without_mac_is_refused() -> None:
    with pytest.raises(SecureMessagingError, match="status or MAC"):
        messaging_before_answer().unprotect(split_answer(bytes.fromhex("990290009000")))


def test_truncated_objects_are_refused() -> None:
    with pytest.raises(SecureMessagingError, match=r"past its end|not valid TLV"):
        messaging_before_answer().unprotect(split_answer(READ_ANSWER[:-6] + b"\x90\x00"))


def test_a_plain_error_status_means_the_chip_dropped_the_session() -> None:
    with pytest.raises(CardError) as raised:
        messaging_before_answer().unprotect(split_answer(bytes.fromhex("6988")))
    assert raised.value.status == 0x6988


def test_padding_method_2_round_trip_and_refusal() -> None:
    assert crypto.pad(b"") == bytes.fromhex("8000000000000000")
    assert crypto.pad(bytes(8)) == bytes(8) + bytes.fromhex("8000000000000000")
    assert crypto.unpad(crypto.pad(b"\x01\x80")) == b"\x01\x80"
    with pytest.raises(SecureMessagingError, match="padded"):
        crypto.unpad(bytes(8))


def test_parity_is_odd_in_every_key_byte() -> None:
    key = crypto.derive_key(b"any seed", crypto.MAC_KEY)
    assert all(bin(byte).count("1") % 2 == 1 for byte in key)
