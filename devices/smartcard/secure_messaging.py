"""ICAO 9303 secure messaging: protect commands, check and decrypt answers.

Commands carry DO87 (encrypted data), DO97 (expected length) and DO8E (MAC); answers carry
DO87, DO99 (status) and DO8E. Each direction increments the send sequence counter (SSC)
first, and the MAC covers the SSC, so a replayed or reordered answer fails the check.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from devices.smartcard import crypto, tlv
from devices.smartcard.errors import CardError, DocumentDataError, SecureMessagingError
from devices.smartcard.session import CardSession, ResponseApdu

log = logging.getLogger(__name__)

TAG_ENCRYPTED_DATA = 0x87
TAG_EXPECTED_LENGTH = 0x97
TAG_STATUS = 0x99
TAG_MAC = 0x8E
SSC_MODULUS = 1 << 64


@dataclass(frozen=True, repr=False)
class SessionKeys:
    """The session's 3DES keys (never shown)."""

    encryption: bytes
    mac: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> SessionKeys:
        return cls(
            crypto.derive_key(seed, crypto.ENCRYPTION_KEY), crypto.derive_key(seed, crypto.MAC_KEY)
        )

    def __repr__(self) -> str:
        return "SessionKeys(<secret>)"


def split_apdu(apdu: bytes) -> tuple[bytes, bytes, int | None]:
    """Header, command data and Le (None when absent) of a short command APDU."""
    header = apdu[:4]
    if len(apdu) <= 5:
        return header, b"", apdu[4] if len(apdu) == 5 else None
    data_end = 5 + apdu[4]
    return header, apdu[5:data_end], apdu[data_end] if len(apdu) > data_end else None


class SecureMessaging:
    """Protects commands and checks answers with one session's keys and counter.

    Args:
        keys: KS_Enc and KS_MAC.
        ssc: the send sequence counter's starting value.
    """

    def __init__(self, keys: SessionKeys, ssc: int) -> None:
        self._keys = keys
        self.ssc = ssc

    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % SSC_MODULUS
        return self.ssc.to_bytes(8, "big")

    def protect(self, apdu: bytes) -> bytes:
        """The protected form of the plain command ``apdu``."""
        header, data, le = split_apdu(apdu)
        masked_header = bytes([header[0] | 0x0C]) + header[1:]
        body = b""
        if data:
            cryptogram = crypto.encrypt(self._keys.encryption, crypto.pad(data))
            body += tlv.encode(TAG_ENCRYPTED_DATA, b"\x01" + cryptogram)
        if le is not None:
            body += tlv.encode(TAG_EXPECTED_LENGTH, bytes([le]))
        mac_input = self._next_ssc() + crypto.pad(masked_header) + body
        body += tlv.encode(TAG_MAC, crypto.retail_mac(self._keys.mac, mac_input))
        return masked_header + bytes([len(body)]) + body + b"\x00"

    def unprotect(self, response: ResponseApdu) -> ResponseApdu:
        """Check the MAC of a protected answer and decrypt it.

        Raises:
            CardError: the card answered with a plain error status (it dropped the session).
            SecureMessagingError: the MAC, counter or format is wrong.
        """
        if not response.data and not response.ok:
            raise CardError(response.sw1, response.sw2, "secure messaging")
        objects, covered = self._objects(response.data)
        if TAG_STATUS not in objects or TAG_MAC not in objects:
            raise SecureMessagingError("protected answer lacks its status or MAC object")
        expected = crypto.retail_mac(self._keys.mac, self._next_ssc() + covered)
        if not hmac.compare_digest(expected, objects[TAG_MAC]):
            log.warning("secure messaging: the card's MAC does not match; answer discarded")
            raise SecureMessagingError("the MAC of the card's answer does not match")
        status = objects[TAG_STATUS]
        if len(status) != 2:
            raise SecureMessagingError("protected status object is not two bytes")
        return ResponseApdu(self._plain_data(objects), status[0], status[1])

    @staticmethod
    def _objects(data: bytes) -> tuple[dict[int, bytes], bytes]:
        """The data objects by tag, and the bytes before DO8E (what the MAC covers)."""
        objects: dict[int, bytes] = {}
        covered, offset = b"", 0
        try:
            while offset < len(data):
                tag, length, start = tlv.read_header(data, offset)
                if tag == TAG_MAC:
                    covered = data[:offset]
                objects[tag], offset = data[start : start + length], start + length
        except DocumentDataError as err:
            raise SecureMessagingError("protected answer is not valid TLV") from err
        if offset != len(data):
            raise SecureMessagingError("protected answer runs past its end")
        return objects, covered

    def _plain_data(self, objects: dict[int, bytes]) -> bytes:
        encrypted = objects.get(TAG_ENCRYPTED_DATA)
        if encrypted is None:
            return b""
        if encrypted[:1] != b"\x01":
            raise SecureMessagingError("encrypted data object lacks the padding indicator")
        return crypto.unpad(crypto.decrypt(self._keys.encryption, encrypted[1:]))


class SecureChannel:
    """A :class:`CardSession` whose commands all go through secure messaging."""

    def __init__(self, session: CardSession, messaging: SecureMessaging) -> None:
        self._session = session
        self._messaging = messaging

    def transmit(self, apdu: bytes) -> ResponseApdu:
        """Protect ``apdu``, send it, and return the checked, decrypted answer."""
        return self._messaging.unprotect(self._session.transmit(self._messaging.protect(apdu)))

    def command(self, apdu: bytes, what: str = "command") -> bytes:
        """Like :meth:`CardSession.command`, protected.

        Raises:
            CardError: the (protected) status word is not 9000.
            SecureMessagingError: the answer failed its integrity check.
        """
        response = self.transmit(apdu)
        if not response.ok:
            raise CardError(response.sw1, response.sw2, what)
        return response.data
