"""The HTTP connections waitress serves: JSON errors and a share of connections per address.

waitress refuses a request it cannot parse (bytes that are not ASCII in the path, a
control character in a header, a broken start line, headers over its limit) with a
plain English text; :class:`JsonErrorTask` answers with the shape of every other error:
``{"error": {"code", "message", "messages": {"id", "en"}}}``.

waitress also stops accepting connections once ``connection_limit`` are open, and idle
ones stay open for ``channel_timeout`` seconds: one host opening a few hundred idle or
slow connections would lock every kiosk and officer out. :class:`AddressShare` caps the
connections one client address may hold; a connection beyond its share is closed at once.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from queue_server.i18n import both

#: Kept short and the same for every parse error; ``detail`` is waitress's own reason.
MALFORMED_HTTP = "The request is not valid HTTP ({detail}); it was not carried out."
CODES = {400: "bad_request", 413: "too_large", 431: "headers_too_large", 501: "not_implemented"}
#: Open connections one client address may hold (a browser opens at most 6 per host;
#: the P3 benchmark runs 50 officers from one address).
CONNECTIONS_PER_ADDRESS = 64
#: Open connections in all; waitress watches them with poll(), not select()'s 1,024 cap.
CONNECTION_LIMIT = 400
SHARE_ATTRIBUTE = "antre_address_share"


def error_body(status: int, detail: str) -> bytes:
    """The JSON error body for a request waitress refused with ``status``."""
    messages = both(MALFORMED_HTTP, detail=detail[:80])
    code = CODES.get(status, "bad_request" if status < 500 else "internal")
    return json.dumps(
        {"error": {"code": code, "message": messages["id"], "messages": messages}},
        ensure_ascii=False,
    ).encode()


class AddressShare:
    """Counts the open connections of each client address, up to ``per_address``."""

    def __init__(self, per_address: int = CONNECTIONS_PER_ADDRESS) -> None:
        self._per_address = per_address
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def enter(self, address: str) -> bool:
        """Count one more connection of ``address``; False (not counted) over its share."""
        with self._lock:
            if self._open[address] >= self._per_address:
                return False
            self._open[address] += 1
            return True

    def leave(self, address: str) -> None:
        with self._lock:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]


class JsonErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's error answer, written as the API's JSON error."""

    def execute(self) -> None:
        error = self.request.error
        body = error_body(error.code, str(error.body))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """An HTTP connection: parse errors as JSON, closed at once beyond its address's share."""

    error_task_class = JsonErrorTask

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        self._share: AddressShare | None = None
        super().__init__(server, sock, addr, adj, map)
        share = getattr(server, SHARE_ATTRIBUTE, None)
        if share is None:
            return
        if share.enter(self._address()):
            self._share = share
        else:
            self.handle_close()

    def del_channel(self, map: Any = None) -> None:
        share, self._share = self._share, None
        if share is not None:
            share.leave(self._address())
        super().del_channel(map)

    def _address(self) -> str:
        return str(self.addr[0]) if isinstance(self.addr, tuple) else str(self.addr)


def guard(server: Any, *, per_address: int | None = CONNECTIONS_PER_ADDRESS) -> None:
    """Serve every new connection of the waitress ``server`` with :class:`GuardedChannel`;
    ``per_address`` None leaves the number per address free (behind a reverse proxy every
    connection comes from the proxy's address)."""
    server.channel_class = GuardedChannel
    if per_address is not None:
        setattr(server, SHARE_ATTRIBUTE, AddressShare(per_address))
