"""One interface for the kiosk's card reader, and its PC/SC implementation.

:class:`CardReader` is what the kiosk codes against. :class:`PcscCardReader` is a thin
adapter over :mod:`pcsc`, :mod:`monitor` and the card profiles; the virtual reader that
ships in the product is :class:`devices.smartcard.virtual.VirtualCardReader`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from devices.errors import require
from devices.smartcard import pcsc
from devices.smartcard.badge import BadgeProfile, BadgeUid
from devices.smartcard.monitor import CardEvent, CardWatcher
from devices.smartcard.mrz import MrzKey
from devices.smartcard.passport import PassportProfile, PassportReading
from devices.smartcard.profiles import read_card

DEFAULT_CARD_TIMEOUT_S = 10.0
PYSCARD_PACKAGE = "pip install pyscard (Debian: pcscd, and swig libpcsclite-dev to build it)"
VIRTUAL_READER_ALTERNATIVE = "the virtual card reader (card_reader: virtual)"

#: Receives reader and card events, on the reader's own thread.
CardEventSink = Callable[[CardEvent], None]


class CardReader(Protocol):
    """A card reader the kiosk can wait on and read passports and badges with."""

    @property
    def name(self) -> str:
        """The reader, for logs and health (no personal data)."""
        ...

    def wait_for_card(self, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> bytes:
        """Wait until a card is present and return its ATR.

        Raises:
            CardTimeout: no card within ``timeout_s``.
            NoReader: the reader is gone.
        """
        ...

    def read_passport(
        self, key: MrzKey, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S
    ) -> PassportReading:
        """Wait for a passport and read EF.COM and DG1 with Basic Access Control.

        Raises:
            AccessDenied: the chip refused ``key``.
            CardTimeout, CardRemoved, CardError, SecureMessagingError, DocumentDataError.
        """
        ...

    def read_badge(self, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> BadgeUid:
        """Wait for a contactless badge and read its UID.

        Raises:
            CardTimeout, CardRemoved, CardError, DocumentDataError.
        """
        ...

    def is_available(self) -> bool:
        """Whether the reader is there (plugged in and, for PC/SC, pcscd running)."""
        ...

    def close(self) -> None:
        """Stop reporting events and release the reader; safe to call twice."""
        ...


class PcscCardReader:
    """The :class:`CardReader` of a PC/SC reader (through pcscd).

    Args:
        reader: the reader's name or part of it; None for any reader.
        on_event: receives the reader's events (``devices.smartcard.events``) once started.
        poll_interval_s: how often the event watcher looks at the readers.

    Raises:
        MissingDependency: pyscard is not installed.
    """

    def __init__(
        self,
        reader: str | None = None,
        *,
        on_event: CardEventSink | None = None,
        poll_interval_s: float = 0.2,
    ) -> None:
        require("smartcard.scard", PYSCARD_PACKAGE, VIRTUAL_READER_ALTERNATIVE)
        self._reader = reader
        self._on_event = on_event
        self._poll_interval_s = poll_interval_s
        self._watcher: CardWatcher | None = None

    @property
    def name(self) -> str:
        return f"pcsc:{self._reader}" if self._reader else "pcsc"

    def start(self) -> PcscCardReader:
        """Begin delivering events to ``on_event`` (if given)."""
        if self._on_event is not None and self._watcher is None:
            interval_s = self._poll_interval_s
            self._watcher = CardWatcher(self._deliver, poll_interval_s=interval_s).start()
        return self

    def _deliver(self, event: CardEvent) -> None:
        if self._on_event is not None and pcsc.matching([event.reader], self._reader):
            self._on_event(event)

    def wait_for_card(self, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> bytes:
        _, atr = pcsc.wait_for_card(self._reader, timeout_s)
        return atr

    def read_passport(
        self, key: MrzKey, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S
    ) -> PassportReading:
        return read_card(PassportProfile(key), reader=self._reader, timeout_s=timeout_s)

    def read_badge(self, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> BadgeUid:
        return read_card(BadgeProfile(), reader=self._reader, timeout_s=timeout_s)

    def is_available(self) -> bool:
        with pcsc.PcscContext() as context:
            return bool(pcsc.matching(context.readers(), self._reader))

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
