"""ICAO 9303 e-passport (eMRTD) with Basic Access Control: read EF.COM and DG1.

BAC (ICAO 9303 part 11, section 4.3): derive keys from the MRZ, GET CHALLENGE, MUTUAL
AUTHENTICATE, then every command goes through secure messaging. Only EF.COM and DG1 (the
MRZ) are read; the photo (DG2) and passive authentication (EF.SOD) are out of scope.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from devices.smartcard import crypto, tlv
from devices.smartcard.errors import (
    AccessDenied,
    CardError,
    DocumentDataError,
    SecureMessagingError,
)
from devices.smartcard.mrz import MrzKey, PassportData, parse_td3
from devices.smartcard.secure_messaging import SecureChannel, SecureMessaging, SessionKeys
from devices.smartcard.session import CardSession, command_apdu

EMRTD_AID = bytes.fromhex("A0000002471001")
EF_COM = 0x011E
EF_DG1 = 0x0101
READ_CHUNK_BYTES = 0xDF  # fits one protected answer in a short APDU
MAX_FILE_BYTES = 0x7FFF  # READ BINARY offsets are 15 bits
_ACCESS_REFUSED = {0x6300, 0x6982}
#: Data group tags listed in EF.COM (ICAO 9303 part 10, table 34).
DATA_GROUP_TAGS = {
    0x61: "DG1", 0x75: "DG2", 0x63: "DG3", 0x76: "DG4", 0x65: "DG5", 0x66: "DG6",
    0x67: "DG7", 0x68: "DG8", 0x69: "DG9", 0x6A: "DG10", 0x6B: "DG11", 0x6C: "DG12",
    0x6D: "DG13", 0x6E: "DG14", 0x6F: "DG15", 0x70: "DG16",
}  # fmt: skip


@dataclass(frozen=True, repr=False)
class PassportReading:
    """What was read from the chip: EF.COM's summary and the MRZ from DG1."""

    lds_version: str
    unicode_version: str
    data_groups: tuple[str, ...]
    mrz: PassportData

    def __repr__(self) -> str:
        return (
            f"PassportReading(lds_version={self.lds_version!r}, "
            f"data_groups={self.data_groups!r}, mrz={self.mrz!r})"
        )


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def authenticate(
    session: CardSession, key: MrzKey, random_bytes: Callable[[int], bytes] = os.urandom
) -> SecureChannel:
    """Select the eMRTD application and run Basic Access Control.

    Raises:
        AccessDenied: the chip refused the MRZ key.
        SecureMessagingError: the chip's cryptogram or MAC is wrong.
        CardError: another error status.
    """
    session.command(command_apdu(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID), "SELECT eMRTD")
    rnd_ic = session.command(command_apdu(0x00, 0x84, 0x00, 0x00, le=8), "GET CHALLENGE")
    if len(rnd_ic) != 8:
        raise SecureMessagingError(f"challenge of {len(rnd_ic)} bytes instead of 8")
    seed = key.key_seed()
    k_enc = crypto.derive_key(seed, crypto.ENCRYPTION_KEY)
    k_mac = crypto.derive_key(seed, crypto.MAC_KEY)
    rnd_ifd, k_ifd = random_bytes(8), random_bytes(16)
    e_ifd = crypto.encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    cryptogram = e_ifd + crypto.retail_mac(k_mac, e_ifd)
    response = session.transmit(command_apdu(0x00, 0x82, 0x00, 0x00, cryptogram, le=0x28))
    if response.status in _ACCESS_REFUSED:
        raise AccessDenied(response.sw1, response.sw2, "MUTUAL AUTHENTICATE")
    if not response.ok:
        raise CardError(response.sw1, response.sw2, "MUTUAL AUTHENTICATE")
    k_ic = _check_card_cryptogram(response.data, k_enc, k_mac, rnd_ic, rnd_ifd)
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    return SecureChannel(session, SecureMessaging(SessionKeys.from_seed(_xor(k_ifd, k_ic)), ssc))


def _check_card_cryptogram(
    answer: bytes, k_enc: bytes, k_mac: bytes, rnd_ic: bytes, rnd_ifd: bytes
) -> bytes:
    if len(answer) != 40:
        raise SecureMessagingError(f"MUTUAL AUTHENTICATE answer of {len(answer)} bytes")
    e_ic, m_ic = answer[:32], answer[32:]
    if not hmac.compare_digest(crypto.retail_mac(k_mac, e_ic), m_ic):
        raise SecureMessagingError("the chip's authentication MAC does not match")
    plain = crypto.decrypt(k_enc, e_ic)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise SecureMessagingError("the chip's authentication cryptogram does not match")
    return plain[16:32]


def read_file(channel: SecureChannel, file_id: int) -> bytes:
    """Select an elementary file by its id and read the whole TLV it holds.

    Raises:
        CardError: e.g. 6A82 when the file does not exist.
        DocumentDataError: the file is not a TLV or is cut short.
    """
    channel.command(command_apdu(0x00, 0xA4, 0x02, 0x0C, file_id.to_bytes(2, "big")), "SELECT EF")
    data = channel.command(command_apdu(0x00, 0xB0, 0x00, 0x00, le=4), "READ BINARY")
    _, length, value_start = tlv.read_header(data)
    total = value_start + length
    if total > MAX_FILE_BYTES:
        raise DocumentDataError(f"file of {total} bytes is larger than READ BINARY can address")
    for _ in range(total // READ_CHUNK_BYTES + 2):
        if len(data) >= total:
            return data[:total]
        offset, chunk = len(data), min(READ_CHUNK_BYTES, total - len(data))
        apdu = command_apdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=chunk)
        part = channel.command(apdu, "READ BINARY")
        if not part:
            break
        data += part
    raise DocumentDataError(f"file ended after {len(data)} of {total} bytes")


def parse_ef_com(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """LDS version, Unicode version and the data groups present, from EF.COM."""
    content = tlv.find(data, 0x60)
    lds, unicode = tlv.find(content, 0x5F01), tlv.find(content, 0x5F36)
    tags = tlv.find(content, 0x5C)
    groups = tuple(DATA_GROUP_TAGS.get(tag, f"0x{tag:02X}") for tag in tags)
    return lds.decode("ascii", "replace"), unicode.decode("ascii", "replace"), groups


def parse_dg1(data: bytes) -> PassportData:
    """The MRZ in DG1 (tag 61, inner tag 5F1F), parsed and check-digit verified."""
    mrz = tlv.find(tlv.find(data, 0x61), 0x5F1F)
    try:
        text = mrz.decode("ascii")
    except UnicodeDecodeError as err:
        raise DocumentDataError("the MRZ in DG1 is not ASCII") from err
    return parse_td3(text)


class PassportProfile:
    """Read an e-passport chip with BAC, given the MRZ key from the photo page.

    Args:
        key: document number, date of birth and date of expiry.
        random_bytes: the source of RND.IFD and K.IFD (tests pass fixed bytes).
    """

    def __init__(self, key: MrzKey, *, random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        self._key = key
        self._random_bytes = random_bytes

    def read(self, session: CardSession) -> PassportReading:
        channel = authenticate(session, self._key, self._random_bytes)
        lds, unicode, groups = parse_ef_com(read_file(channel, EF_COM))
        return PassportReading(lds, unicode, groups, parse_dg1(read_file(channel, EF_DG1)))
