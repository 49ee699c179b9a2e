"""A stream's connection when no waitress channel can be handed over: a bounded queue.

Under ``antre serve`` (waitress) a stream's socket is handed to the hub
(:class:`queue_server.web.waitress_channel.ChannelConnection`). Elsewhere (Flask's test
client, the development server, gunicorn) the response is a generator reading a
:class:`QueueConnection` the hub writes to: correct, but each open stream then keeps one
worker of that server busy, which is fine for tests and a few clients only.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator

from queue_server.push.hub import MAX_UNSENT_BYTES

#: How often a waiting generator looks whether it was closed.
WAIT_S = 1.0


class QueueConnection:
    def __init__(self, *, limit: int = MAX_UNSENT_BYTES) -> None:
        self._chunks: deque[bytes] = deque()
        self._size, self._limit = 0, limit
        self._closed = False
        self._ready = threading.Condition()
        self.on_closed: Callable[[], None] | None = None

    def send(self, data: bytes) -> bool:
        with self._ready:
            if self._closed:
                return False
            if self._size + len(data) > self._limit:  # its reader is too far behind
                self._closed = True
                self._ready.notify_all()
                return False
            self._chunks.append(data)
            self._size += len(data)
            self._ready.notify_all()
            return True

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def wake(self) -> None:
        """Nothing to do: ``send`` already woke the reader."""

    @property
    def closed(self) -> bool:
        return self._closed

    def chunks(self) -> Iterator[bytes]:
        """The response body: every chunk sent, until the connection is closed.

        Closing the iterator (the client left) tells the hub through ``on_closed``.
        """
        try:
            while True:
                with self._ready:
                    while not self._chunks and not self._closed:
                        self._ready.wait(WAIT_S)
                    if not self._chunks:
                        return
                    data = b"".join(self._chunks)
                    self._chunks.clear()
                    self._size = 0
                yield data
        finally:
            self.close()
            if self.on_closed is not None:
                self.on_closed()
