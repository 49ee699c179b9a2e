"""A notification provider on loopback: a real HTTP server the adapters talk to.

It answers by path (``/webhook``, ``/<version>/<phone-number-id>/messages``, ``/sms``),
checks the webhook's HMAC signature when given a secret, and remembers deliveries by
their ``Idempotency-Key`` the way a careful provider would: a resend of a key it already
accepted is answered with the first message id and not delivered again. ``plan`` scripts
the next answers: an HTTP status, or ``"slow"`` (hold the answer until ``release``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from queue_server.notify.gateways import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

#: The webhook secret the tests sign with and the provider checks.
SECRET = b"webhook-secret"
SLOW_HOLD_S = 10.0


@dataclass(frozen=True)
class Received:
    """One request as it arrived; header names in lower case."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Provider:
    url: str = ""
    secret: bytes = b""
    plan: deque[int | str] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    #: Idempotency key -> the provider's message id, for each message delivered once.
    delivered: dict[str, str] = field(default_factory=dict)
    bad_signatures: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, secret: bytes = b"") -> None:
        with self.lock:
            self.secret = secret
            self.plan.clear()
            self.received.clear()
            self.delivered.clear()
            self.bad_signatures = 0
            self.release = threading.Event()

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        with self.lock:
            self.received.append(Received(path, headers, body))
            step = self.plan.popleft() if self.plan else 200
            release = self.release
        if step == "slow":
            release.wait(SLOW_HOLD_S)
            step = 200
        if path == "/webhook" and self.secret:
            good = verify_signature(
                self.secret,
                headers.get(TIMESTAMP_HEADER.lower(), ""),
                body,
                headers.get(SIGNATURE_HEADER.lower(), ""),
                now=time.time(),
            )
            if not good:
                with self.lock:
                    self.bad_signatures += 1
                return 401, b'{"error": "bad signature"}'
        if step != 200:
            assert isinstance(step, int)
            return step, b'{"error": "scripted failure for +6281234567890"}'
        key = headers.get(IDEMPOTENCY_HEADER.lower(), "")
        with self.lock:
            message_id = self.delivered.setdefault(key, f"msg-{len(self.delivered) + 1}")
        if path.endswith("/messages"):
            return 200, json.dumps({"messages": [{"id": message_id}]}).encode()
        return 200, json.dumps({"id": message_id}).encode()


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = provider.answer(self.path, headers, body)
            try:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", provider.url + "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:  # the client gave up waiting (a timeout test)
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield provider
    finally:
        provider.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
