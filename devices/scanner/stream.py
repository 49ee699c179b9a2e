"""Line-based scanning from any readable file descriptor: stdin, a pipe, a pty, a FIFO.

Used by ``antre device scan --source stdin`` (a keyboard-wedge scanner typing into a
terminal, or codes piped in) and by the virtual scanner's feed file.
"""

from __future__ import annotations

import contextlib
import os
import select

from devices.scanner.base import CodeSink, ScannerError, ThreadedScanner
from devices.scanner.framing import DEFAULT_MAX_CODE_CHARS, LineFramer

POLL_INTERVAL_S = 0.2
READ_CHUNK_BYTES = 4096


class StreamScanner(ThreadedScanner):
    """Reads codes, one per line (CR, LF or CR LF), from a file descriptor.

    The input ends at end of file (the last line counts even without a terminator);
    :meth:`is_running` is then false.

    Args:
        fd: the descriptor to read; it is closed on stop only if ``close_fd`` is true.
        on_code: receives each code, on the reader thread.
        source: name for the events, e.g. ``"stdin"``.
    """

    def __init__(
        self,
        fd: int,
        on_code: CodeSink,
        *,
        source: str = "stdin",
        close_fd: bool = False,
        max_code_bytes: int = DEFAULT_MAX_CODE_CHARS,
    ) -> None:
        super().__init__(source, on_code)
        self._fd = fd
        self._close_fd = close_fd
        self._framer = LineFramer(max_code_bytes)

    def _read_loop(self) -> None:
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._fd], [], [], POLL_INTERVAL_S)
            if not readable:
                continue
            try:
                data = os.read(self._fd, READ_CHUNK_BYTES)
            except BlockingIOError:
                continue
            except OSError as err:
                raise ScannerError(f"{self.source}: read failed: {err.strerror}") from err
            if not data:
                self._emit(self._framer.flush() or "")
                return
            for code in self._framer.feed(data):
                self._emit(code)

    def _close(self) -> None:
        if self._close_fd:
            with contextlib.suppress(OSError):  # already closed
                os.close(self._fd)
            self._close_fd = False
