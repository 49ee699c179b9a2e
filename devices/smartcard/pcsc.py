"""PC/SC through pyscard: list readers, see which hold a card, connect with a bounded wait.

pyscard is imported lazily. "pcscd is not running" and "no reader" both read as an empty
reader list here; :func:`open_session` turns that into :class:`NoReader`.
"""

from __future__ import annotations

import logging
import time
from types import ModuleType, TracebackType
from typing import Any

from devices.errors import require
from devices.smartcard.errors import CardRemoved, CardTimeout, NoReader
from devices.smartcard.session import CardSession, ResponseApdu

log = logging.getLogger(__name__)

_PACKAGE = "pip install pyscard (Debian: pcscd, and swig libpcsclite-dev to build it)"
_ALTERNATIVE = "the virtual reader (pcscd with vsmartcard-vpcd)"

#: A reader's state: the card's ATR, or None when the reader is empty.
ReaderStates = dict[str, bytes | None]


def _scard() -> ModuleType:
    return require("smartcard.scard", _PACKAGE, _ALTERNATIVE)


class PcscContext:
    """One PC/SC context; re-established after pcscd goes away and comes back."""

    def __init__(self) -> None:
        self._scard = _scard()
        self._handle: int | None = None

    def _context(self) -> int | None:
        if self._handle is None:
            result, handle = self._scard.SCardEstablishContext(self._scard.SCARD_SCOPE_USER)
            if result == self._scard.SCARD_S_SUCCESS:
                self._handle = handle
        return self._handle

    def readers(self) -> list[str]:
        """Names of the readers pcscd knows (empty when pcscd is not running)."""
        context = self._context()
        if context is None:
            return []
        result, names = self._scard.SCardListReaders(context, [])
        if result != self._scard.SCARD_S_SUCCESS:
            if result != self._scard.SCARD_E_NO_READERS_AVAILABLE:
                self.close()  # e.g. pcscd restarted: the next call makes a new context
            return []
        return list(names)

    def states(self) -> ReaderStates:
        """Every reader and the ATR of the card in it (None when empty). Does not block."""
        names = self.readers()
        context = self._context()
        if not names or context is None:
            return {}
        query = [(name, self._scard.SCARD_STATE_UNAWARE) for name in names]
        result, answers = self._scard.SCardGetStatusChange(context, 0, query)
        if result != self._scard.SCARD_S_SUCCESS:
            self.close()
            return {}
        return {name: self._atr_if_present(state, atr) for name, state, atr in answers}

    def _atr_if_present(self, state: int, atr: list[int]) -> bytes | None:
        present = state & self._scard.SCARD_STATE_PRESENT
        mute = state & self._scard.SCARD_STATE_MUTE
        return bytes(atr) if present and not mute and atr else None

    def close(self) -> None:
        if self._handle is not None:
            self._scard.SCardReleaseContext(self._handle)
            self._handle = None

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def list_readers() -> list[str]:
    """Names of the PC/SC readers on this machine (empty when pcscd is not running)."""
    with PcscContext() as context:
        return context.readers()


def matching(names: list[str], wanted: str | None) -> list[str]:
    """``names`` equal to ``wanted``, else containing it (case-insensitive); all if None."""
    if wanted is None:
        return names
    exact = [name for name in names if name == wanted]
    return exact or [name for name in names if wanted.lower() in name.lower()]


def wait_for_card(
    reader: str | None, timeout_s: float, *, poll_interval_s: float = 0.1
) -> tuple[str, bytes]:
    """The first matching reader holding a card, and the card's ATR.

    Raises:
        NoReader: no reader matches ``reader``.
        CardTimeout: no card within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    with PcscContext() as context:
        while True:
            states = context.states()
            candidates = matching(list(states), reader)
            if not candidates:
                raise NoReader(f"no PC/SC reader matches {reader!r}" if reader else "no reader")
            for name in candidates:
                atr = states[name]
                if atr is not None:
                    return name, atr
            if time.monotonic() >= deadline:
                raise CardTimeout(timeout_s)
            time.sleep(min(poll_interval_s, max(deadline - time.monotonic(), 0.0)))


class PyscardTransport:
    """An ``ApduTransport`` over a connected pyscard connection."""

    def __init__(self, connection: Any, exceptions: ModuleType) -> None:
        self._connection = connection
        self._exceptions = exceptions
        self._open = True

    def transmit(self, apdu: bytes) -> ResponseApdu:
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except self._exceptions.SmartcardException as err:
            raise CardRemoved("the card stopped answering") from err
        return ResponseApdu(bytes(data), sw1, sw2)

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self._connection.disconnect()
                self._connection.release()
            except self._exceptions.SmartcardException as err:
                log.debug("releasing the card connection failed: %s", err)


def open_session(reader: str | None = None, *, timeout_s: float = 10.0) -> CardSession:
    """Wait up to ``timeout_s`` for a card and connect to it.

    Args:
        reader: a reader name, or part of one; None for any reader.
        timeout_s: how long to wait for a card.

    Raises:
        NoReader: no (matching) reader, or pcscd is not running.
        CardTimeout: no card presented in time.
        CardRemoved: the card went away while connecting.
    """
    name, atr = wait_for_card(reader, timeout_s)
    pcsc_reader = require("smartcard.pcsc.PCSCReader", _PACKAGE, _ALTERNATIVE)
    exceptions = require("smartcard.Exceptions", _PACKAGE, _ALTERNATIVE)
    connection = pcsc_reader.PCSCReader(name).createConnection()
    try:
        connection.connect()
    except exceptions.SmartcardException as err:
        raise CardRemoved(f"could not connect to the card in {name}") from err
    log.info("card connected in %s (ATR %s)", name, atr.hex(" ").upper())
    return CardSession(PyscardTransport(connection, exceptions), reader=name, atr=atr)
