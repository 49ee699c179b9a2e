"""The scanner interface: every scanner turns its input into :class:`ScannedCode` events.

Events are delivered on the scanner's own thread. A callback must not touch widgets:
the kiosk either hops to the UI thread (``Clock.schedule_once``) or hands a
:class:`QueueSink` to the scanner and drains it from the UI loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from devices.errors import DeviceError

log = logging.getLogger(__name__)
STOP_JOIN_TIMEOUT_S = 2.0


class ScannerError(DeviceError):
    """A scanner could not be opened or failed while reading."""


@dataclass(frozen=True)
class ScannedCode:
    """One code read by a scanner.

    Attributes:
        text: the decoded text, without terminator (may be a NIK: never log it as is).
        source: which scanner read it, e.g. ``serial:/dev/ttyACM0``.
        at: when it was read (UTC).
    """

    text: str
    source: str
    at: dt.datetime

    def __repr__(self) -> str:
        # The text may be a NIK or a ticket secret: keep it out of logs and tracebacks.
        return f"ScannedCode(<{len(self.text)} chars>, source={self.source!r}, at={self.at})"


CodeSink = Callable[[ScannedCode], None]


class CodeScanner(Protocol):
    """A source of scanned codes."""

    @property
    def source(self) -> str: ...

    def start(self) -> None:
        """Open the device and begin delivering codes (returns at once)."""

    def stop(self) -> None:
        """Stop reading and release the device; safe to call twice."""

    def is_running(self) -> bool:
        """False once stopped or once the input ended (end of file, device gone for good)."""


class QueueSink:
    """A bounded queue of scanned codes; when full, the oldest code is dropped.

    Dropping the oldest keeps a stuck consumer from blocking the reader thread; the
    newest scan is the one the person at the kiosk is waiting for.
    """

    def __init__(self, max_codes: int = 32) -> None:
        self._codes: queue.Queue[ScannedCode] = queue.Queue(maxsize=max_codes)
        self._lock = threading.Lock()
        self.dropped = 0

    def __call__(self, code: ScannedCode) -> None:
        with self._lock:
            while True:
                try:
                    self._codes.put_nowait(code)
                    return
                except queue.Full:
                    self._drop_oldest()

    def _drop_oldest(self) -> None:
        try:
            self._codes.get_nowait()
            self.dropped += 1
        except queue.Empty:
            pass

    def get(self, timeout_s: float | None = None) -> ScannedCode | None:
        """The next code, or ``None`` when none arrived within ``timeout_s``."""
        try:
            return self._codes.get(timeout=timeout_s)
        except queue.Empty:
            return None


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ThreadedScanner:
    """Base for scanners that read on a background thread.

    Subclasses implement :meth:`_read_loop`, which returns when ``self._stopping`` is set
    or the input ends, and call :meth:`_emit` for every code.
    """

    def __init__(self, source: str, on_code: CodeSink) -> None:
        self._source = source
        self._on_code = on_code
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.failure: Exception | None = None

    @property
    def source(self) -> str:
        return self._source

    def start(self) -> None:
        if self._thread is not None:
            raise ScannerError(f"{self._source} is already started")
        self._open()
        self._thread = threading.Thread(
            target=self._run, name=f"scanner {self._source}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_JOIN_TIMEOUT_S)
        self._close()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._read_loop()
        except Exception as err:  # the thread must end with a reason, never silently
            self.failure = err
            log.error("scanner %s stopped: %s", self._source, type(err).__name__)

    def _emit(self, text: str) -> None:
        if text:
            self._on_code(ScannedCode(text, self._source, now_utc()))

    def _open(self) -> None:
        """Open the device (on the caller's thread, so errors reach the caller)."""

    def _close(self) -> None:
        """Release the device."""

    def _read_loop(self) -> None:
        raise NotImplementedError
