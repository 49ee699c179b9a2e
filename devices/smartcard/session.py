"""APDU exchange with one card: GET RESPONSE (61xx) and wrong-Le (6Cxx) retries, typed errors.

``CardSession`` talks to an ``ApduTransport``; the PC/SC one lives in
:mod:`devices.smartcard.pcsc`, tests may bring their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from devices.smartcard.errors import CardError

log = logging.getLogger(__name__)

SW_OK = 0x9000
MAX_GET_RESPONSE_ROUNDS = 64


@dataclass(frozen=True, repr=False)
class ResponseApdu:
    """A card's answer: data and the two status bytes."""

    data: bytes
    sw1: int
    sw2: int

    @property
    def status(self) -> int:
        """The status word as one number, e.g. ``0x9000``."""
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        return self.status == SW_OK

    def __repr__(self) -> str:  # never the data: it may be personal
        return f"ResponseApdu(<{len(self.data)} bytes>, sw={self.status:04X})"


class ApduTransport(Protocol):
    """Moves one command APDU to the card and its answer back."""

    def transmit(self, apdu: bytes) -> ResponseApdu:
        """Send ``apdu``; raise ``CardRemoved`` if the card is gone."""
        ...

    def close(self) -> None:
        """Release the card (idempotent)."""
        ...


def command_apdu(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
) -> bytes:
    """A short command APDU (cases 1-4). ``le=0`` asks for up to 256 bytes."""
    if len(data) > 255:
        raise ValueError("extended-length APDUs are not supported")
    apdu = bytes([cla, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        apdu += bytes([le & 0xFF])
    return apdu


def with_le(apdu: bytes, le: int) -> bytes:
    """``apdu`` with its expected length replaced (or added) by ``le``."""
    body_length = 4 if len(apdu) <= 5 else 5 + apdu[4]
    return apdu[:body_length] + bytes([le & 0xFF])


def _channel_class(cla: int) -> int:
    """The plain interindustry class on ``cla``'s logical channel (00 for proprietary FF)."""
    return cla & 0x03 if cla < 0x80 else 0x00


class CardSession:
    """A connected card: ``transmit`` for raw answers, ``command`` for checked ones.

    Args:
        transport: the link to the card.
        reader: the reader's name (for messages; not personal).
        atr: the card's answer to reset.
    """

    def __init__(self, transport: ApduTransport, *, reader: str = "", atr: bytes = b"") -> None:
        self._transport = transport
        self.reader = reader
        self.atr = atr

    def transmit(self, apdu: bytes) -> ResponseApdu:
        """Send ``apdu``, following 6Cxx (resend with the right Le) and 61xx (GET RESPONSE).

        Raises:
            CardRemoved: the card went away.
        """
        response = self._transport.transmit(apdu)
        if response.sw1 == 0x6C:
            response = self._transport.transmit(with_le(apdu, response.sw2))
        data = response.data
        for _ in range(MAX_GET_RESPONSE_ROUNDS):
            if response.sw1 != 0x61:
                break
            get_response = command_apdu(_channel_class(apdu[0]), 0xC0, 0, 0, le=response.sw2)
            response = self._transport.transmit(get_response)
            data += response.data
        return ResponseApdu(data, response.sw1, response.sw2)

    def command(self, apdu: bytes, what: str = "command") -> bytes:
        """Send ``apdu`` and return its data.

        Args:
            apdu: the command.
            what: a short name for errors and logs, e.g. ``"SELECT eMRTD"``.

        Raises:
            CardError: the status word is not 9000.
            CardRemoved: the card went away.
        """
        response = self.transmit(apdu)
        if not response.ok:
            log.debug("%s on %s: status %04X", what, self.reader, response.status)
            raise CardError(response.sw1, response.sw2, what)
        return response.data

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> CardSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
