"""A network ESC/POS printer on 127.0.0.1 that records jobs and answers DLE EOT."""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Literal

_STATUS_PREFIX = b"\x10\x04"
_FIXED_BITS = 0x12  # bits 1 and 4 are always set in DLE EOT answers
_READ_TIMEOUT_S = 0.2
_MAX_CONNECTION_S = 10.0


@dataclass
class FakePrinterState:
    """What the fake printer reports; ``silent`` never answers status requests."""

    paper: Literal["ok", "near_end", "out"] = "ok"
    cover_open: bool = False
    reports_offline: bool = False
    silent: bool = False

    def answer(self, request: int) -> bytes:
        if self.silent:
            return b""
        offline = self.reports_offline or self.cover_open or self.paper == "out"
        bits = {
            1: 0x08 if offline else 0,
            2: (0x04 if self.cover_open else 0) | (0x20 if self.paper == "out" else 0),
            4: {"ok": 0, "near_end": 0x0C, "out": 0x6C}[self.paper],
        }.get(request)
        return b"" if bits is None else bytes((_FIXED_BITS | bits,))


@dataclass
class FakePrinter:
    """The server's shared state: its answers and the bytes of each closed connection."""

    state: FakePrinterState = field(default_factory=FakePrinterState)
    jobs: list[bytes] = field(default_factory=list)
    job_done: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_jobs(self, count: int, timeout_s: float = 5.0) -> list[bytes]:
        with self.job_done:
            self.job_done.wait_for(lambda: len(self.jobs) >= count, timeout=timeout_s)
            return list(self.jobs)


class _Connection(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.request.settimeout(_READ_TIMEOUT_S)
        received = bytearray()
        scanned = 0
        for _ in range(int(_MAX_CONNECTION_S / _READ_TIMEOUT_S)):
            chunk = self._receive()
            if chunk is None:
                break
            received += chunk
            scanned = self._answer_requests(received, scanned)
        with self.server.printer.job_done:
            self.server.printer.jobs.append(bytes(received))
            self.server.printer.job_done.notify_all()

    def _receive(self) -> bytes | None:
        """New bytes (maybe none yet), or None once the client has closed."""
        try:
            chunk: bytes = self.request.recv(65536)
        except TimeoutError:
            return b""
        except OSError:
            return None
        return chunk or None

    def _answer_requests(self, received: bytearray, scanned: int) -> int:
        while (found := received.find(_STATUS_PREFIX, scanned)) != -1:
            if found + 2 >= len(received):
                return found
            answer = self.server.printer.state.answer(received[found + 2])
            if answer:
                self.request.sendall(answer)
            scanned = found + 3
        return max(scanned, len(received) - 1)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, printer: FakePrinter) -> None:
        super().__init__(("127.0.0.1", 0), _Connection)
        self.printer = printer


class RunningFakePrinter:
    """Context manager: the fake printer serving on a random loopback port."""

    def __init__(self, state: FakePrinterState | None = None) -> None:
        self.printer = FakePrinter(state or FakePrinterState())
        self._server = _Server(self.printer)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> RunningFakePrinter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
