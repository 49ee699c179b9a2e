"""Virtual cards for tests: an ICAO 9303 e-passport chip with BAC and a contactless badge.

The chips are plain state machines (``handle(apdu) -> response``); :class:`VpcdCard` puts one
in vsmartcard's virtual reader by speaking the vpcd socket protocol (2-byte big-endian
length, then the payload; a 1-byte payload is a control code: 0 off, 1 on, 2 reset,
4 get ATR). Inserting the card is connecting to vpcd, removing it is closing the socket.

The chip reuses the product's key derivation, 3DES and MAC helpers, but parses commands and
runs its own session state and counter.
"""

from __future__ import annotations

import hmac
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Literal, Protocol

from devices.smartcard import crypto, tlv
from devices.smartcard.mrz import MrzKey

EMRTD_AID = bytes.fromhex("A0000002471001")
PASSPORT_ATR = bytes.fromhex("3B8880010000000000718100F9")
BADGE_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
SW_OK = b"\x90\x00"
SW_AUTH_FAILED = b"\x63\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY_STATUS = b"\x69\x82"
SW_CONDITIONS = b"\x69\x85"
SW_NO_EF = b"\x69\x86"
SW_SM_OBJECTS = b"\x69\x88"
SW_WRONG_OFFSET = b"\x6b\x00"
SW_NOT_FOUND = b"\x6a\x82"
SW_INS = b"\x6d\x00"
Tamper = Literal["response_mac", "auth_mac"]
AnswerStyle = Literal["direct", "get_response", "wrong_le"]

SPECIMEN_MRZ = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
SPECIMEN_KEY = MrzKey("L898902C3", "740812", "120415")


class VirtualChip(Protocol):
    atr: bytes

    def handle(self, apdu: bytes) -> bytes: ...

    def power_off(self) -> None: ...


def passport_files(mrz: str = SPECIMEN_MRZ) -> dict[int, bytes]:
    """EF.COM (LDS 1.7, DG1 and DG2 present) and DG1 holding ``mrz``."""
    ef_com = tlv.encode(
        0x60,
        tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, b"\x61\x75"),
    )
    dg1 = tlv.encode(0x61, tlv.encode(0x5F1F, mrz.encode("ascii")))
    return {0x011E: ef_com, 0x0101: dg1}


class VirtualPassportChip:
    """The chip side of an eMRTD with Basic Access Control.

    Args:
        key: the MRZ key the chip's BAC keys come from.
        files: elementary files by file id.
        tamper: corrupt the MAC of secure-messaging answers or of MUTUAL AUTHENTICATE.
    """

    atr = PASSPORT_ATR

    def __init__(
        self,
        key: MrzKey = SPECIMEN_KEY,
        files: dict[int, bytes] | None = None,
        *,
        tamper: Tamper | None = None,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        seed = key.key_seed()
        self._k_enc = crypto.derive_key(seed, crypto.ENCRYPTION_KEY)
        self._k_mac = crypto.derive_key(seed, crypto.MAC_KEY)
        self._files = passport_files() if files is None else files
        self._tamper = tamper
        self._random_bytes = random_bytes
        self.power_off()

    def power_off(self) -> None:
        self._applet_selected = False
        self._rnd_ic: bytes | None = None
        self._session: tuple[bytes, bytes] | None = None  # (KS_Enc, KS_MAC)
        self._ssc = 0
        self._current_file: bytes | None = None

    def handle(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        if apdu[0] & 0x0C == 0x0C:
            return self._secure(apdu)
        if apdu[1] == 0xA4 and apdu[2] == 0x04:
            return self._select_application(apdu)
        if self._session is not None:  # plain commands end secure messaging
            self._session = None
            return SW_SECURITY_STATUS
        if apdu[1] == 0x84:
            return self._get_challenge()
        if apdu[1] == 0x82:
            return self._mutual_authenticate(apdu)
        if apdu[1] in (0xA4, 0xB0):
            return SW_SECURITY_STATUS
        return SW_INS

    def _select_application(self, apdu: bytes) -> bytes:
        self.power_off()
        self._applet_selected = apdu[5 : 5 + apdu[4]] == EMRTD_AID
        return SW_OK if self._applet_selected else SW_NOT_FOUND

    def _get_challenge(self) -> bytes:
        if not self._applet_selected:
            return SW_CONDITIONS
        self._rnd_ic = self._random_bytes(8)
        return self._rnd_ic + SW_OK

    def _mutual_authenticate(self, apdu: bytes) -> bytes:
        rnd_ic, self._rnd_ic = self._rnd_ic, None  # one try per challenge
        if rnd_ic is None:
            return SW_CONDITIONS
        data = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if len(data) != 40:
            return SW_WRONG_LENGTH
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(crypto.retail_mac(self._k_mac, e_ifd), m_ifd):
            return SW_AUTH_FAILED
        plain = crypto.decrypt(self._k_enc, e_ifd)
        if plain[8:16] != rnd_ic:
            return SW_AUTH_FAILED
        rnd_ifd, k_ifd, k_ic = plain[:8], plain[16:32], self._random_bytes(16)
        e_ic = crypto.encrypt(self._k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(self._k_mac, e_ic)
        if self._tamper == "auth_mac":
            m_ic = _flip_bit(m_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self._session = (crypto.derive_key(seed, 1), crypto.derive_key(seed, 2))
        self._ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        return e_ic + m_ic + SW_OK

    def _secure(self, apdu: bytes) -> bytes:
        if self._session is None or len(apdu) < 6:
            return SW_SECURITY_STATUS
        k_enc, k_mac = self._session
        objects, covered = _data_objects(apdu[5 : 5 + apdu[4]])
        self._ssc += 1
        mac_input = self._ssc.to_bytes(8, "big") + crypto.pad(apdu[:4]) + covered
        if 0x8E not in objects or crypto.retail_mac(k_mac, mac_input) != objects[0x8E]:
            self._session = None
            return SW_SM_OBJECTS
        data = crypto.unpad(crypto.decrypt(k_enc, objects[0x87][1:])) if 0x87 in objects else b""
        expected = objects.get(0x97, b"\x00")[0] or 256
        out, status = self._execute(apdu[1], apdu[2], apdu[3], data, expected)
        return self._protected_answer(out, status)

    def _protected_answer(self, out: bytes, status: bytes) -> bytes:
        assert self._session is not None
        k_enc, k_mac = self._session
        answer = b""
        if out:
            answer += tlv.encode(0x87, b"\x01" + crypto.encrypt(k_enc, crypto.pad(out)))
        answer += tlv.encode(0x99, status)
        self._ssc += 1
        mac = crypto.retail_mac(k_mac, self._ssc.to_bytes(8, "big") + answer)
        if self._tamper == "response_mac":
            mac = _flip_bit(mac)
        return answer + tlv.encode(0x8E, mac) + status

    def _execute(
        self, ins: int, p1: int, p2: int, data: bytes, expected: int
    ) -> tuple[bytes, bytes]:
        if ins == 0xA4 and p1 == 0x02:
            self._current_file = self._files.get(int.from_bytes(data, "big"))
            return b"", SW_OK if self._current_file is not None else SW_NOT_FOUND
        if ins == 0xB0:
            if self._current_file is None:
                return b"", SW_NO_EF
            offset = ((p1 & 0x7F) << 8) | p2
            if offset > len(self._current_file):
                return b"", SW_WRONG_OFFSET
            return self._current_file[offset : offset + expected], SW_OK
        return b"", SW_INS


def _data_objects(body: bytes) -> tuple[dict[int, bytes], bytes]:
    """Data objects by tag, and the bytes in front of DO8E (what its MAC covers)."""
    objects: dict[int, bytes] = {}
    covered, offset = b"", 0
    while offset < len(body):
        tag, length, start = tlv.read_header(body, offset)
        if tag == 0x8E:
            covered = body[:offset]
        objects[tag], offset = body[start : start + length], start + length
    return objects, covered


def _flip_bit(mac: bytes) -> bytes:
    return bytes([mac[0] ^ 0x01]) + mac[1:]


class VirtualBadgeChip:
    """A contactless badge: answers the PC/SC GET DATA (UID) pseudo-APDU ``FF CA 00 00 Le``.

    A real reader answers that command itself; in vpcd the "card" has to. ``answer_style``
    makes it answer the way some readers do: directly, with 61xx (fetch with GET RESPONSE),
    or with 6Cxx (resend with the right Le).
    """

    atr = BADGE_ATR

    def __init__(self, uid: bytes, answer_style: AnswerStyle = "direct") -> None:
        self._uid = uid
        self._answer_style = answer_style
        self._pending = b""

    def power_off(self) -> None:
        self._pending = b""

    def handle(self, apdu: bytes) -> bytes:
        if apdu[:2] == b"\x00\xc0" and self._pending:
            pending, self._pending = self._pending, b""
            return pending + SW_OK
        if apdu[:4] != b"\xff\xca\x00\x00":
            return SW_INS
        le = apdu[4] if len(apdu) == 5 else 0
        if self._answer_style == "get_response":
            self._pending = self._uid
            return bytes([0x61, len(self._uid)])
        if self._answer_style == "wrong_le" and le != len(self._uid):
            return bytes([0x6C, len(self._uid)])
        return self._uid + SW_OK


class VpcdCard:
    """Puts ``chip`` into vpcd's virtual reader at ``port`` while inserted.

    Args:
        chip: the virtual chip.
        port: vpcd's port (35963 is 'Virtual PCD 00 00', 35964 is 'Virtual PCD 00 01').
        max_lifetime_s: the serving thread ends after this long whatever happens.
    """

    def __init__(self, chip: VirtualChip, port: int, *, max_lifetime_s: float = 60.0) -> None:
        self.chip = chip
        self.port = port
        self._max_lifetime_s = max_lifetime_s
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.apdus_seen = 0

    def insert(self, timeout_s: float = 5.0) -> VpcdCard:
        """Connect to vpcd (retrying until ``timeout_s``) and start answering."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._socket = socket.create_connection(("127.0.0.1", self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._socket.settimeout(0.2)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="vpcd-card", daemon=True)
        self._thread.start()
        return self

    def remove(self, timeout_s: float = 5.0) -> None:
        """Take the card out: stop answering and close the socket."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self.chip.power_off()

    def __enter__(self) -> VpcdCard:
        return self.insert()

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def _serve(self) -> None:
        deadline = time.monotonic() + self._max_lifetime_s
        while not self._stop.is_set() and time.monotonic() < deadline:
            header = self._receive(2)
            if header is None:
                return
            (length,) = struct.unpack(">H", header)
            message = self._receive(length)
            if message is None:
                return
            self._answer(message)

    def _answer(self, message: bytes) -> None:
        if len(message) == 1:
            if message[0] in (0, 2):  # power off, reset
                self.chip.power_off()
            if message[0] == 4:
                self._send(self.chip.atr)
            return
        self.apdus_seen += 1
        try:
            answer = self.chip.handle(message)
        except Exception:  # a malformed command must not kill the card: "no diagnosis"
            answer = b"\x6f\x00"
        self._send(answer)

    def _send(self, payload: bytes) -> None:
        assert self._socket is not None
        self._socket.sendall(struct.pack(">H", len(payload)) + payload)

    def _receive(self, count: int) -> bytes | None:
        """``count`` bytes, or None when stopped or vpcd closed the connection."""
        received = b""
        while len(received) < count and not self._stop.is_set():
            assert self._socket is not None
            try:
                chunk = self._socket.recv(count - len(received))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            received += chunk
        return received if len(received) == count else None
