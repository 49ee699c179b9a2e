"""The virtual card reader that ships with Antre, for kiosk development and demos.

It holds the cards of a card file (:mod:`virtual_cards`); code, or a line written to its
control FIFO (``echo "insert 1" > /run/antre/card.fifo``, ``echo remove > ...``), puts
one on the reader or takes it away. It reports the watcher's events and answers like a
real chip: the same result types, and ``AccessDenied`` for a wrong MRZ key.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Sequence
from pathlib import Path

from devices.scanner.base import ScannedCode
from devices.scanner.stream import StreamScanner
from devices.smartcard.badge import BadgeUid
from devices.smartcard.errors import AccessDenied, CardError, CardTimeout, NoReader
from devices.smartcard.monitor import CardEvent, CardInserted, CardRemoved, ReaderAdded
from devices.smartcard.mrz import MrzKey
from devices.smartcard.passport import PassportReading
from devices.smartcard.reader import DEFAULT_CARD_TIMEOUT_S, CardEventSink
from devices.smartcard.virtual_cards import DEMO_CARDS_PATH, VirtualCard, load_cards

log = logging.getLogger(__name__)
VIRTUAL_READER_NAME = "Antre Virtual Reader"
LDS_VERSION, UNICODE_VERSION = "0107", "040000"


class VirtualCardReader:
    """A :class:`~devices.smartcard.reader.CardReader` without hardware.

    Args:
        cards: the cards that can be inserted, by index.
        on_event: receives reader and card events once started (on the inserting thread,
            or the control FIFO's thread).
        control_path: optional FIFO (or file) of commands, one per line:
            ``insert N`` or ``remove``.
    """

    def __init__(
        self,
        cards: Sequence[VirtualCard],
        *,
        on_event: CardEventSink | None = None,
        control_path: Path | None = None,
    ) -> None:
        self.cards = tuple(cards)
        self._on_event = on_event
        self._control_path = control_path
        self._control: StreamScanner | None = None
        self._changed = threading.Condition()
        self._card: VirtualCard | None = None
        self._started = False
        self._closed = False

    @classmethod
    def from_file(
        cls,
        path: Path = DEMO_CARDS_PATH,
        *,
        on_event: CardEventSink | None = None,
        control_path: Path | None = None,
    ) -> VirtualCardReader:
        """A reader holding the cards of ``path`` (``CardFileError`` when it is not valid)."""
        return cls(load_cards(path), on_event=on_event, control_path=control_path)

    @property
    def name(self) -> str:
        return VIRTUAL_READER_NAME

    def start(self) -> VirtualCardReader:
        """Report the reader (and a card already in it), and follow the control FIFO."""
        if self._control_path is not None and self._control is None:
            fd = _open_control(self._control_path)
            source = f"card control {self._control_path}"
            self._control = StreamScanner(fd, self._command, source=source, close_fd=True)
            self._control.start()
        with self._changed:
            self._started, card = True, self._card
        self._emit(ReaderAdded(self.name))
        if card is not None:
            self._emit(CardInserted(self.name, card.atr))
        return self

    def insert(self, index: int) -> None:
        """Put card ``index`` of the file on the reader (the card there is taken off first).

        Raises:
            IndexError: there is no such card.
        """
        if not 0 <= index < len(self.cards):
            raise IndexError(f"no card {index}: the reader has {len(self.cards)} cards (from 0)")
        self.remove()
        card = self.cards[index]
        with self._changed:
            self._card = card
            self._changed.notify_all()
        self._emit(CardInserted(self.name, card.atr))

    def remove(self) -> None:
        """Take the card off the reader (nothing happens when there is none)."""
        with self._changed:
            had_card, self._card = self._card is not None, None
        if had_card:
            self._emit(CardRemoved(self.name))

    def wait_for_card(self, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> bytes:
        return self._wait(timeout_s).atr

    def read_passport(
        self, key: MrzKey, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S
    ) -> PassportReading:
        card = self._wait(timeout_s)
        if card.passport is None:
            raise CardError(0x6A, 0x82, "SELECT eMRTD")
        if not card.accepts(key):
            raise AccessDenied(0x63, 0x00, "MUTUAL AUTHENTICATE")
        return PassportReading(LDS_VERSION, UNICODE_VERSION, card.data_groups, card.passport)

    def read_badge(self, *, timeout_s: float = DEFAULT_CARD_TIMEOUT_S) -> BadgeUid:
        card = self._wait(timeout_s)
        if card.uid_hex is None:
            raise CardError(0x6A, 0x81, "GET DATA (UID)")
        return BadgeUid(card.uid_hex)

    def is_available(self) -> bool:
        return not self._closed

    def close(self) -> None:
        if self._control is not None:
            self._control.stop()
            self._control = None
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _wait(self, timeout_s: float) -> VirtualCard:
        with self._changed:
            self._changed.wait_for(lambda: self._card is not None or self._closed, timeout_s)
            if self._closed:
                raise NoReader("the virtual card reader is closed")
            if self._card is None:
                raise CardTimeout(timeout_s)
            return self._card

    def _emit(self, event: CardEvent) -> None:
        if self._on_event is None or not self._started:
            return
        try:
            self._on_event(event)
        except Exception:  # like the real watcher: a faulty subscriber does not stop us
            log.exception("card event handler failed on %s", type(event).__name__)

    def _command(self, line: ScannedCode) -> None:
        words = line.text.split()
        try:
            if words == ["remove"]:
                self.remove()
            elif len(words) == 2 and words[0] == "insert":
                self.insert(int(words[1]))
            else:
                log.warning("virtual card reader: unknown command (use: insert N, remove)")
        except (ValueError, IndexError) as err:
            log.warning("virtual card reader: %s", err)


def _open_control(path: Path) -> int:
    try:
        # Read-write on a FIFO: no wait for a writer, and no end of file between writers.
        is_fifo = stat.S_ISFIFO(path.stat().st_mode)
        return os.open(path, (os.O_RDWR if is_fifo else os.O_RDONLY) | os.O_NONBLOCK)
    except OSError as err:
        raise NoReader(f"cannot open the card control file {path}: {err.strerror}") from err
