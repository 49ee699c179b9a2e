"""The virtual scanner that ships with Antre, for demos, kiosk development and tests.

Codes are pushed from code (a developer button, a test) or written, one per line, to a
feed file: a FIFO keeps the scanner listening (``echo CODE > /run/antre/scan.fifo``), a
regular file is read once.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from devices.scanner.base import CodeSink, ScannedCode, ScannerError, now_utc
from devices.scanner.stream import StreamScanner


class VirtualScanner:
    """A scanner with no hardware.

    Args:
        on_code: receives each code. Pushed codes are delivered on the pushing thread,
            feed-file codes on the feed reader thread.
        feed_path: optional FIFO or file to read codes from.
    """

    def __init__(self, on_code: CodeSink, *, feed_path: Path | None = None) -> None:
        self._on_code = on_code
        self._feed_path = feed_path
        self._feed: StreamScanner | None = None
        self._running = threading.Event()

    @property
    def source(self) -> str:
        return f"virtual:{self._feed_path}" if self._feed_path else "virtual"

    def start(self) -> None:
        if self._feed_path is not None:
            self._feed = StreamScanner(
                _open_feed(self._feed_path), self._on_code, source=self.source, close_fd=True
            )
            self._feed.start()
        self._running.set()

    def stop(self) -> None:
        self._running.clear()
        if self._feed is not None:
            self._feed.stop()

    def is_running(self) -> bool:
        """True until stopped; with a regular feed file, until it has been read."""
        if not self._running.is_set():
            return False
        return self._feed is None or self._feed.is_running()

    def push(self, text: str) -> None:
        """Deliver ``text`` as if it had been scanned.

        Raises:
            ScannerError: the scanner is not started.
        """
        if not self._running.is_set():
            raise ScannerError("the virtual scanner is not started")
        self._on_code(ScannedCode(text, self.source, now_utc()))


def _open_feed(path: Path) -> int:
    try:
        is_fifo = stat.S_ISFIFO(path.stat().st_mode)
        # Read-write on a FIFO: open() does not wait for a writer, and the reader never
        # sees end of file when a writer closes, so one FIFO serves many `echo`s.
        flags = (os.O_RDWR if is_fifo else os.O_RDONLY) | os.O_NONBLOCK
        return os.open(path, flags)
    except OSError as err:
        raise ScannerError(f"cannot open scan feed {path}: {err.strerror}") from err
