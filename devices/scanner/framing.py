"""Byte streams to codes: scanners end each code with CR, LF or CR LF."""

from __future__ import annotations

DEFAULT_MAX_CODE_CHARS = 1024
_TERMINATORS = b"\r\n"


class LineFramer:
    """Splits a byte stream into codes at CR, LF or CR LF.

    Empty lines are skipped (so CR LF gives one code, not two). A line longer than
    ``max_code_bytes`` is garbage (a scanner stuck or a wrong baud rate): it is dropped up
    to the next terminator. Bytes that are not UTF-8 are replaced with U+FFFD.
    """

    def __init__(self, max_code_bytes: int = DEFAULT_MAX_CODE_CHARS) -> None:
        self._max_code_bytes = max_code_bytes
        self._pending = bytearray()
        self._overflowed = False
        self.dropped_lines = 0

    def feed(self, data: bytes) -> list[str]:
        """Add received bytes; return the codes they complete."""
        codes: list[str] = []
        for byte in data:
            if byte in _TERMINATORS:
                code = self._finish_line()
                if code:
                    codes.append(code)
            elif not self._overflowed:
                self._pending.append(byte)
                if len(self._pending) > self._max_code_bytes:
                    self._pending.clear()
                    self._overflowed = True
        return codes

    def flush(self) -> str | None:
        """At end of input: the last code when it had no terminator."""
        code = self._finish_line()
        return code or None

    def _finish_line(self) -> str:
        if self._overflowed:
            self._overflowed = False
            self.dropped_lines += 1
            return ""
        code = self._pending.decode("utf-8", errors="replace").strip()
        self._pending.clear()
        return code
