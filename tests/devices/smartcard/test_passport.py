"""The passport profile against the virtual chip, in-process (the pcscd chain has its own tests)."""

from __future__ import annotations

import pytest

from devices.smartcard import tlv
from devices.smartcard.errors import (
    AccessDenied,
    CardError,
    DocumentDataError,
    SecureMessagingError,
)
from devices.smartcard.mrz import MrzKey
from devices.smartcard.passport import EF_DG1, PassportProfile, authenticate, read_file
from devices.smartcard.session import CardSession, command_apdu
from tests.devices.smartcard.links import ChipTransport, chip_session
from tests.devices.smartcard.virtual_passport import (
    SPECIMEN_KEY,
    VirtualPassportChip,
    passport_files,
)


def test_reads_ef_com_and_dg1_through_bac() -> None:
    reading = PassportProfile(SPECIMEN_KEY).read(chip_session(VirtualPassportChip()))
    assert (reading.lds_version, reading.unicode_version) == ("0107", "040000")
    assert reading.data_groups == ("DG1", "DG2")
    assert reading.mrz.primary_identifier == "ERIKSSON"
    assert reading.mrz.document_number == "L898902C3"
    assert "ERIKSSON" not in repr(reading)


def test_after_bac_every_command_is_protected() -> None:
    transport = ChipTransport(VirtualPassportChip())
    PassportProfile(SPECIMEN_KEY).read(CardSession(transport))
    classes = [apdu[0] for apdu in transport.sent]
    assert classes[:3] == [0x00, 0x00, 0x00]  # SELECT eMRTD, GET CHALLENGE, MUTUAL AUTHENTICATE
    assert set(classes[3:]) == {0x0C}


@pytest.mark.parametrize(
    "wrong_key",
    [
        MrzKey("L898902C4", "740812", "120415"),
        MrzKey("L898902C3", "740813", "120415"),
        MrzKey("L898902C3", "740812", "120416"),
    ],
)
def test_a_wrong_mrz_key_is_refused(wrong_key: MrzKey) -> None:
    with pytest.raises(AccessDenied) as raised:
        PassportProfile(wrong_key).read(chip_session(VirtualPassportChip()))
    assert raised.value.status == 0x6300


def test_a_tampered_answer_mac_is_detected() -> None:
    chip = VirtualPassportChip(tamper="response_mac")
    with pytest.raises(SecureMessagingError, match="MAC"):
        PassportProfile(SPECIMEN_KEY).read(chip_session(chip))


def test_a_tampered_authentication_mac_is_detected() -> None:
    chip = VirtualPassportChip(tamper="auth_mac")
    with pytest.raises(SecureMessagingError, match="authentication MAC"):
        PassportProfile(SPECIMEN_KEY).read(chip_session(chip))


def test_plain_read_binary_after_bac_is_refused_and_ends_the_session() -> None:
    session = chip_session(VirtualPassportChip())
    channel = authenticate(session, SPECIMEN_KEY)
    with pytest.raises(CardError) as raised:
        session.command(command_apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert raised.value.status == 0x6982
    with pytest.raises(CardError) as again:  # the chip dropped its session keys
        read_file(channel, EF_DG1)
    assert again.value.status == 0x6982


def test_plain_read_before_bac_is_refused() -> None:
    session = chip_session(VirtualPassportChip())
    with pytest.raises(CardError) as raised:
        session.command(command_apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert raised.value.status == 0x6982


def test_a_large_file_is_read_in_chunks_with_offsets_past_255() -> None:
    big = tlv.encode(0x75, bytes(range(256)) * 3)  # like DG2: 772 bytes
    chip = VirtualPassportChip(files={**passport_files(), 0x0102: big})
    transport = ChipTransport(chip)
    channel = authenticate(CardSession(transport), SPECIMEN_KEY)
    assert read_file(channel, 0x0102) == big
    assert len(transport.sent) == 3 + 1 + 1 + 4  # BAC, SELECT, header, 4 chunks of 223


def test_a_missing_file_gives_6a82() -> None:
    channel = authenticate(chip_session(VirtualPassportChip()), SPECIMEN_KEY)
    with pytest.raises(CardError) as raised:
        read_file(channel, 0x010F)
    assert raised.value.status == 0x6A82


def test_a_damaged_mrz_in_dg1_is_refused() -> None:
    files = passport_files()
    files[EF_DG1] = files[EF_DG1].replace(b"740812", b"740813")
    with pytest.raises(DocumentDataError, match="date of birth"):
        PassportProfile(SPECIMEN_KEY).read(chip_session(VirtualPassportChip(files=files)))


def test_a_file_shorter_than_its_header_says_is_refused() -> None:
    files = passport_files()
    files[EF_DG1] = files[EF_DG1][:50]
    with pytest.raises(DocumentDataError, match="ended after"):
        PassportProfile(SPECIMEN_KEY).read(chip_session(VirtualPassportChip(files=files)))
