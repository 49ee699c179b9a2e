"""A loopback TCP proxy that counts network round trips to a server (PostgreSQL here).

Each connection's bytes are passed on as they come; a *flight* is a run of client-to-server
sends with no server reply between them. A client that waits for an answer before sending
on starts a new flight each time, so flights are the round trips the client waited for,
whatever the driver batches (pipeline mode, several statements in one message).
"""

from __future__ import annotations

import selectors
import socket
import threading
from types import TracebackType

CHUNK = 65536


class RoundTripProxy:
    """``with RoundTripProxy(port) as proxy:`` connect to ``proxy.port`` instead of ``port``;
    ``proxy.flights`` counts client flights on every connection since the last ``reset()``."""

    def __init__(self, target_port: int, *, host: str = "127.0.0.1") -> None:
        self._target = (host, target_port)
        self._listener = socket.create_server((host, 0))
        self.port = int(self._listener.getsockname()[1])
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._flights = 0
        #: Each socket's other end; per client socket, whether the server spoke last.
        self._peers: dict[socket.socket, socket.socket] = {}
        self._server_spoke: dict[socket.socket, bool] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="round-trip-proxy", daemon=True)

    @property
    def flights(self) -> int:
        with self._lock:
            return self._flights

    def reset(self) -> None:
        with self._lock:
            self._flights = 0

    def __enter__(self) -> RoundTripProxy:
        self._listener.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in list(self._peers):
            sock.close()
        self._listener.close()
        self._selector.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            for key, _events in self._selector.select(timeout=0.05):
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                if sock is self._listener:
                    self._accept()
                else:
                    self._pass_on(sock)

    def _accept(self) -> None:
        client, _address = self._listener.accept()
        server = socket.create_connection(self._target)
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._selector.register(sock, selectors.EVENT_READ)
        self._peers[client], self._peers[server] = server, client
        self._server_spoke[client] = True  # the client's first send starts a flight

    def _pass_on(self, sock: socket.socket) -> None:
        peer = self._peers.get(sock)
        if peer is None:  # dropped earlier in this pass
            return
        try:
            data = sock.recv(CHUNK)
        except OSError:
            data = b""
        if not data:
            self._drop(sock, peer)
            return
        if sock in self._server_spoke:  # from a client
            if self._server_spoke[sock]:
                with self._lock:
                    self._flights += 1
            self._server_spoke[sock] = False
        else:
            self._server_spoke[peer] = True
        peer.sendall(data)

    def _drop(self, sock: socket.socket, peer: socket.socket) -> None:
        for each in (sock, peer):
            self._selector.unregister(each)
            each.close()
            self._peers.pop(each, None)
            self._server_spoke.pop(each, None)
