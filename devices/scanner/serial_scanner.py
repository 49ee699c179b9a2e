"""Serial (RS-232 or USB CDC-ACM) scanners: codes arrive as text lines.

Uses pyserial, imported lazily; ``port`` may be a device path or any pyserial URL
(``loop://``, ``socket://host:port``, ``rfc2217://...``).
"""

from __future__ import annotations

import logging
from typing import Any

from devices.errors import require
from devices.scanner.base import CodeSink, ScannerError, ThreadedScanner
from devices.scanner.framing import DEFAULT_MAX_CODE_CHARS, LineFramer

log = logging.getLogger(__name__)
READ_TIMEOUT_S = 0.2
RECONNECT_INTERVAL_S = 1.0


def _serial_module() -> Any:
    return require("serial", "pip install pyserial", "the virtual scanner (--source virtual)")


class SerialScanner(ThreadedScanner):
    """Reads codes ending in CR, LF or CR LF from a serial port.

    When the port fails (scanner unplugged) it is closed and reopened every
    ``reconnect_interval_s`` until it comes back or the scanner is stopped; the loss and
    the return are logged once each and shown by :attr:`connected`.

    Raises:
        MissingDependency: pyserial is not installed (on start).
        ScannerError: the port cannot be opened (on start).
    """

    def __init__(
        self,
        port: str,
        on_code: CodeSink,
        *,
        baud_rate: int = 9600,
        reconnect_interval_s: float = RECONNECT_INTERVAL_S,
        max_code_bytes: int = DEFAULT_MAX_CODE_CHARS,
    ) -> None:
        super().__init__(f"serial:{port}", on_code)
        self._port = port
        self._baud_rate = baud_rate
        self._reconnect_interval_s = reconnect_interval_s
        self._max_code_bytes = max_code_bytes
        self._framer = LineFramer(max_code_bytes)
        self._connection: Any = None
        self.connected = False

    def _open(self) -> None:
        serial = _serial_module()
        try:
            self._connection = serial.serial_for_url(
                self._port, baudrate=self._baud_rate, timeout=READ_TIMEOUT_S
            )
        except (serial.SerialException, ValueError) as err:
            raise ScannerError(f"cannot open serial scanner {self._port}: {err}") from err
        self.connected = True

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        self.connected = False

    def _read_loop(self) -> None:
        serial = _serial_module()
        while not self._stopping.is_set():
            if self._connection is None and not self._reconnect():
                continue
            try:
                data = self._connection.read(max(1, self._connection.in_waiting))
            except (serial.SerialException, OSError) as err:
                log.warning("serial scanner %s went away: %s", self._port, type(err).__name__)
                self._close()
                continue
            for code in self._framer.feed(data):
                self._emit(code)

    def _reconnect(self) -> bool:
        if self._stopping.wait(self._reconnect_interval_s):
            return False
        try:
            self._open()
        except ScannerError:
            return False
        self._framer = LineFramer(self._max_code_bytes)
        log.warning("serial scanner %s is back", self._port)
        return True
