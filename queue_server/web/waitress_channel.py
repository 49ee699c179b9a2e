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

import contextlib
import json
import socket
import threading
from collections import Counter
from typing import Any

from waitress.buffers import OverflowableBuffer
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask, WSGITask

from queue_server.i18n import both
from queue_server.push.hub import MAX_UNSENT_BYTES

#: Kept short and the same for every parse error; ``detail`` is waitress's own reason.
MALFORMED_HTTP = "The request is not valid HTTP ({detail}); it was not carried out."
CODES = {400: "bad_request", 413: "too_large", 431: "headers_too_large", 501: "not_implemented"}
#: Open connections one client address may hold (a browser opens at most 6 per host;
#: the P3 benchmark runs 50 officers from one address).
CONNECTIONS_PER_ADDRESS = 64
#: Browser streams one client address may hold besides: a stream handed to the push hub
#: leaves its address's share of connections for this one (an office's Wi-Fi may show
#: many phones and screens under one address; the push benchmark runs 60 from one).
STREAMS_PER_ADDRESS = 600
#: Open connections in all; waitress watches them with poll(), not select()'s 1,024 cap.
#: Above the hub's bound on open streams (``MAX_STREAMS``) so requests still get in.
CONNECTION_LIMIT = 1200
SHARE_ATTRIBUTE = "antre_address_share"
STREAM_SHARE_ATTRIBUTE = "antre_stream_share"
#: WSGI environ keys of the stream handoff: ``HANDOFF`` is set when the server can take a
#: stream over, to a callable saying whether the client's address may open one more; a
#: view that streams sets ``ATTACH`` to a callable that receives the
#: :class:`ChannelConnection` once the response headers are out.
HANDOFF = "antre.push.handoff"
#: A stream's output buffer is replaced after this many bytes (see ChannelConnection).
ROTATE_BYTES = 64 * 1024
ATTACH = "antre.push.attach"
#: The kernel's send buffer of a stream's socket. Left to itself Linux grows it up to
#: ``tcp_wmem``'s maximum (4 MiB): a client that stops reading would pin megabytes of
#: kernel memory each (1,000 of them: gigabytes, starving every other connection) before
#: the hub's own limit (``MAX_UNSENT_BYTES``) is ever reached. The kernel doubles it.
STREAM_SEND_BUFFER = 32 * 1024


#: Refusals said in our own words (waitress's reason would be English in both languages).
OWN_WORDS = {
    413: "The request is too large; it was not carried out.",
    431: "The request's headers are too large; it was not carried out.",
    501: "The request uses an HTTP feature this server does not support; it was not carried out.",
}


def error_body(status: int, detail: str) -> bytes:
    """The JSON error body for a request waitress refused with ``status``."""
    own = OWN_WORDS.get(status)
    messages = both(own) if own else both(MALFORMED_HTTP, detail=detail[:80])
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

    def has_room(self, address: str) -> bool:
        with self._lock:
            return self._open[address] < self._per_address

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


class Streaming:
    """Stands in ``channel.requests`` while the hub owns the connection: waitress then
    neither parses further requests on it nor closes it as idle."""

    def close(self) -> None:
        """Nothing to release (waitress closes the requests it drops)."""


STREAMING = Streaming()


class StreamTask(WSGITask):  # type: ignore[misc]
    """A WSGI task that can hand its connection to the push hub instead of finishing.

    When the view set ``environ[ATTACH]`` and answered 200, the response headers are
    written (chunked, no body yet), the channel is marked as streaming and given to the
    view's callable; the worker thread then returns to serve other requests.
    """

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[HANDOFF] = self.channel.may_stream
        return environ

    def finish(self) -> None:
        attach = (self.environ or {}).get(ATTACH)
        streams = str(self.status).startswith("200") and self.request.command == "GET"
        if attach is None or not streams or not self.channel.connected:
            super().finish()
            return
        if not self.wrote_header:
            self.write(b"")  # the status line and headers only
        self.close_on_finish = False  # the hub closes it
        connection = ChannelConnection(self.channel, chunked=self.chunked_response)
        self.channel.hand_over(connection)
        attach(connection)


class ChannelConnection:
    """A waitress channel the push hub writes to from its own thread, never blocking.

    Bytes go into the channel's output buffer (as waitress's own task threads write
    them); :meth:`wake` has waitress's main loop send them. A client with more than
    ``limit`` bytes unsent is dropped: the channel is closed by the main loop.
    """

    def __init__(self, channel: Any, *, chunked: bool, limit: int = MAX_UNSENT_BYTES) -> None:
        self.channel, self.chunked, self.limit = channel, chunked, limit
        self.wake_key = id(channel.server)
        self.on_closed: Any = None

    def send(self, data: bytes) -> bool:
        channel = self.channel
        if not channel.connected or channel.will_close:
            return False
        if self.chunked:
            data = b"%X\r\n%b\r\n" % (len(data), data)
        with channel.outbuf_lock:
            if not channel.connected:  # closed since the look above: its buffers are too
                return False
            if channel.total_outbufs_len + len(data) > self.limit:
                channel.will_close = True  # too far behind: dropped, it reconnects
                return False
            if channel.current_outbuf_count >= ROTATE_BYTES:
                # a buffer never gives back what it sent: start a new one; waitress
                # closes the old one once it is sent
                channel.outbufs.append(OverflowableBuffer(channel.adj.outbuf_overflow))
                channel.current_outbuf_count = 0
            channel.outbufs[-1].append(data)
            channel.current_outbuf_count += len(data)
            channel.total_outbufs_len += len(data)
        return True

    def close(self) -> None:
        self.channel.will_close = True
        self.channel.server.pull_trigger()

    def wake(self) -> None:
        self.channel.server.pull_trigger()

    def closed(self) -> None:
        """The channel closed (client gone, dropped, or the server stopping)."""
        if self.on_closed is not None:
            self.on_closed()


class GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """An HTTP connection: parse errors as JSON, closed at once beyond its address's share;
    a stream is handed to the push hub (see :class:`StreamTask`)."""

    error_task_class = JsonErrorTask
    task_class = StreamTask
    stream: ChannelConnection | None = None
    _share: AddressShare | None = None
    _stream_share: AddressShare | None = None

    def may_stream(self) -> bool:
        """Whether this client's address may hold one more stream."""
        shares = getattr(self.server, STREAM_SHARE_ATTRIBUTE, None)
        return shares is None or shares.has_room(self._address())

    def hand_over(self, connection: ChannelConnection) -> None:
        """From now on the hub writes to this connection; waitress only sends its bytes.

        The connection moves from its address's share of connections to its share of
        streams (a full share closes it: the view checked :meth:`may_stream` before).
        """
        with contextlib.suppress(OSError):  # closed meanwhile: the main loop forgets it
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, STREAM_SEND_BUFFER)
        with self.requests_lock:
            self.stream = connection
            for pipelined in self.requests[1:]:  # a browser sends none after a stream
                pipelined.close()
            del self.requests[1:]
            self.requests.append(STREAMING)  # stays when the finished request is popped
        streams = getattr(self.server, STREAM_SHARE_ATTRIBUTE, None)
        with self._shares_lock:  # the main loop may be closing the channel meanwhile
            share, self._share = self._share, None
            if share is not None:
                share.leave(self._address())
            if self._closed:
                return
            if streams is not None:
                if not streams.enter(self._address()):
                    connection.close()
                    return
                self._stream_share = streams

    def service(self) -> None:
        if self.requests and self.requests[0] is STREAMING:
            return  # the task waitress queued for the placeholder: nothing to run
        super().service()

    def readable(self) -> bool:
        if self.stream is not None:  # read only to notice the client closing
            return not self.will_close
        return bool(super().readable())

    def handle_read(self) -> None:
        if self.stream is None:
            super().handle_read()
            return
        try:
            self.recv(self.adj.recv_bytes)  # b"": closed (recv closed the channel)
        except OSError:
            self.handle_close()

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        self._share = None
        self._stream_share = None
        self._shares_lock = threading.Lock()
        self._closed = False
        super().__init__(server, sock, addr, adj, map)
        share = getattr(server, SHARE_ATTRIBUTE, None)
        if share is None:
            return
        if share.enter(self._address()):
            self._share = share
        else:
            self.handle_close()

    def del_channel(self, map: Any = None) -> None:
        with self._shares_lock:
            self._closed = True
            share, self._share = self._share, None
            if share is not None:
                share.leave(self._address())
            streams, self._stream_share = self._stream_share, None
            if streams is not None:
                streams.leave(self._address())
        super().del_channel(map)
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.closed()

    def _address(self) -> str:
        return str(self.addr[0]) if isinstance(self.addr, tuple) else str(self.addr)


def guard(
    server: Any,
    *,
    per_address: int | None = CONNECTIONS_PER_ADDRESS,
    streams_per_address: int = STREAMS_PER_ADDRESS,
) -> None:
    """Serve every new connection of the waitress ``server`` with :class:`GuardedChannel`;
    ``per_address`` None leaves the number of connections and streams per address free
    (behind a reverse proxy every connection comes from the proxy's address)."""
    server.channel_class = GuardedChannel
    if per_address is not None:
        setattr(server, SHARE_ATTRIBUTE, AddressShare(per_address))
        setattr(server, STREAM_SHARE_ATTRIBUTE, AddressShare(streams_per_address))
