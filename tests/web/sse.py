"""A minimal server-sent-events client over a plain socket (loopback only), for tests
and the push benchmark: it reads the HTTP/1.1 answer, chunked or not, event by event."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    name: str  # "state", "ready", "ticket"; ":" for a comment (``: ping``)
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class SseClient:
    def __init__(
        self,
        port: int,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        timeout_s: float = 10.0,
        host: str = "127.0.0.1",
        source: str | None = None,
    ) -> None:
        """``source``: the loopback address to connect from (127.0.0.0/8 all reach it)."""
        self.sock = socket.create_connection(
            (host, port), timeout=timeout_s, source_address=(source, 0) if source else None
        )
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._raw = b""
        self._body = b""
        while b"\r\n\r\n" not in self._raw:
            self._recv()
        head, self._raw = self._raw.split(b"\r\n\r\n", 1)
        first, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(first.split()[1])
        self.headers = {
            name.strip().lower(): value.strip()
            for name, value in (line.split(":", 1) for line in header_lines)
        }
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self._decode()

    def _recv(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self._raw += data

    def _decode(self) -> None:
        if not self.chunked:
            self._body += self._raw
            self._raw = b""
            return
        while b"\r\n" in self._raw:
            size_line, rest = self._raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                raise EOFError("the server ended the response")
            if len(rest) < size + 2:
                return
            self._body += rest[:size]
            self._raw = rest[size + 2 :]

    def body(self, timeout_s: float = 5.0) -> Any:
        """The JSON of a non-streaming answer (an error)."""
        length = int(self.headers.get("content-length", "0"))
        deadline = time.monotonic() + timeout_s
        while len(self._body) < length and time.monotonic() < deadline:
            self._recv()
            self._decode()
        return json.loads(self._body[:length])

    def next_event(self, timeout_s: float = 10.0) -> Event:
        deadline = time.monotonic() + timeout_s
        while b"\n\n" not in self._body:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event in time")
            self.sock.settimeout(left)
            self._recv()
            self._decode()
        block, self._body = self._body.split(b"\n\n", 1)
        return _parse(block)

    def read_available(self) -> list[Event]:
        """Every complete event after one ``recv`` (for a non-blocking socket that is
        readable); raises EOFError when the server closed the stream."""
        self._recv()
        self._decode()
        events = []
        while b"\n\n" in self._body:
            block, self._body = self._body.split(b"\n\n", 1)
            events.append(_parse(block))
        return events

    def until(self, predicate: Any, *, limit: int = 500, timeout_s: float = 10.0) -> Event:
        """The first event ``predicate`` accepts (at most ``limit`` events read)."""
        deadline = time.monotonic() + timeout_s
        for _ in range(limit):
            found = self.next_event(max(0.01, deadline - time.monotonic()))
            if predicate(found):
                return found
        raise AssertionError(f"no matching event among {limit}")

    def snapshot(self) -> list[Event]:
        """The events before ``ready``."""
        events = []
        for _ in range(500):
            found = self.next_event()
            if found.name == "ready":
                return events
            events.append(found)
        raise AssertionError("no ready event")

    def close(self) -> None:
        self.sock.close()


def _parse(block: bytes) -> Event:
    name, data = "message", []
    for line in block.decode().split("\n"):
        if line.startswith(":"):
            return Event(":", line[1:].strip())
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    return Event(name, "\n".join(data))
