"""``antre serve --processes N``: one leader and N-1 follower processes on one database.

The leader is the ``antre serve`` process: it holds the data-folder lock, runs the managed
broker (or reaches the external one), the only state publisher (so retained states and
calls keep one growing ``seq``), the session watch, the daily purge and the notifications.
Every process, the leader included, handles kiosk requests through the MQTT v5 shared
subscription ``$share/antre/...`` (each request to one process) and serves HTTP on the
leader's listening socket, which the followers inherit (the kernel hands each new
connection to one of them).

A follower's commits reach the leader's publisher at once: after each commit it sends one
loopback datagram to the leader's :class:`OutboxWake` port, which makes the publisher read
the outbox now (the 0.5 s poll stays as the safety net, e.g. for a lost datagram). Once it
accepts HTTP connections it sends one more, saying so (``r`` and its index): ``/healthz``
reports ``processes`` as ``starting`` until every follower has (and again while one is
being restarted), so a monitor or a load balancer waits for all of them. A
follower's own push hub (browser streams) mirrors the messages the leader publishes, read
back from the broker.

The leader restarts a follower that died (at most :data:`RESTARTS_PER_MINUTE` a minute);
a follower stops when the leader does (it watches the pipe it got its setup on).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

from queue_server.config import ServerConfig
from queue_server.mqtt.client import BrokerAddress

log = logging.getLogger("antre.processes")
#: A follower dying more often than this is left down (logged): something is wrong with it.
RESTARTS_PER_MINUTE = 5
CHECK_EVERY_S = 1.0
STOP_WAIT_S = 15.0
MAX_PROCESSES = 32


@dataclass(frozen=True)
class FollowerSetup:
    """What a follower gets from the leader on its stdin (one JSON line; never logged)."""

    index: int
    config: dict[str, Any]
    broker: dict[str, Any]
    wake_port: int
    http_fd: int
    processes: int

    def to_line(self) -> bytes:
        return json.dumps(asdict(self)).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> FollowerSetup:
        return cls(**json.loads(line))

    def server_config(self) -> ServerConfig:
        return ServerConfig.model_validate(self.config)

    def broker_address(self) -> BrokerAddress:
        return BrokerAddress(**self.broker)


#: The first byte of a follower's "serving" datagram (followed by its index in ASCII).
SERVING = b"r"


class OutboxWake:
    """The leader's loopback datagram port: each datagram calls ``on_wake`` (coalesced);
    a follower's "serving" datagram calls ``on_serving`` with its index instead."""

    def __init__(
        self, on_wake: Callable[[], None], on_serving: Callable[[int], None] | None = None
    ) -> None:
        self._on_wake, self._on_serving = on_wake, on_serving
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._listen, name="outbox-wake", daemon=True)
        self._stopping = False

    def start(self) -> OutboxWake:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):  # unblock recv
            self._socket.sendto(b"", ("127.0.0.1", self.port))
        self._thread.join(timeout=5)
        self._socket.close()

    def _listen(self) -> None:
        while not self._stopping:
            try:
                self._note(self._socket.recv(64))
                self._socket.setblocking(False)
                try:  # a burst of datagrams is one read of the outbox
                    while True:
                        self._note(self._socket.recv(64))
                except (BlockingIOError, InterruptedError):
                    pass
                finally:
                    self._socket.setblocking(True)
            except OSError:
                if self._stopping:
                    return
                log.exception("outbox wake-up port failed")
                time.sleep(CHECK_EVERY_S)
                continue
            if not self._stopping:
                self._on_wake()

    def _note(self, datagram: bytes) -> None:
        """A "serving" datagram from a follower: tell ``on_serving`` (anything else, or a
        malformed one, is only a wake-up)."""
        if self._on_serving is None or not datagram.startswith(SERVING):
            return
        index = datagram[len(SERVING) :]
        if index.isdigit() and len(index) <= 3:
            self._on_serving(int(index))


class WakeSender:
    """A follower's event-bus subscriber: one datagram to the leader per committed change."""

    def __init__(self, port: int) -> None:
        self._address = ("127.0.0.1", port)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def __call__(self, _event: object) -> None:
        try:
            self._socket.sendto(b"w", self._address)
        except OSError:  # the leader's poll still finds the row within 0.5 s
            log.debug("could not wake the publisher")

    def serving(self, index: int) -> None:
        """Tell the leader this follower accepts HTTP connections (loopback: not lost
        short of a full socket buffer, which an idle port at start-up does not have)."""
        try:
            self._socket.sendto(SERVING + str(index).encode(), self._address)
        except OSError:
            log.warning("could not tell the leader that this follower serves")

    def close(self) -> None:
        self._socket.close()


@dataclass
class Follower:
    setup: FollowerSetup
    process: subprocess.Popen[bytes] | None = None
    starts: list[float] | None = None
    #: Said it accepts HTTP connections (since it was last started).
    serving: bool = False


class Followers:
    """Start, watch and stop the follower processes of one ``antre serve``."""

    def __init__(
        self,
        setups: list[FollowerSetup],
        env: dict[str, str] | None = None,
        *,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        """``on_stop``: called once the followers have stopped (the wake-up port closes)."""
        self._followers = [Follower(setup, starts=[]) for setup in setups]
        self._env, self._on_stop = env, on_stop
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watch = threading.Thread(target=self._watch_loop, name="followers", daemon=True)

    def start(self) -> Followers:
        with self._lock:
            for follower in self._followers:
                self._launch(follower)
        self._watch.start()
        return self

    def pids(self) -> list[int]:
        with self._lock:
            return [f.process.pid for f in self._followers if f.process is not None]

    def serving(self, index: int) -> None:
        """Follower ``index`` accepts HTTP connections (its datagram, see OutboxWake)."""
        with self._lock:
            for follower in self._followers:
                if follower.setup.index == index and follower.process is not None:
                    follower.serving = True

    def health(self) -> str:
        """``ok`` when every follower serves; ``starting`` while one is (re)starting;
        ``down`` when one was left stopped (it kept dying)."""
        with self._lock:
            if any(follower.process is None for follower in self._followers):
                return "down"
            if all(follower.serving for follower in self._followers):
                return "ok"
            return "starting"

    def stop(self) -> None:
        self._stopping.set()
        self._watch.join(timeout=5)
        with self._lock:
            running = [f.process for f in self._followers if f.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_WAIT_S
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            _close(process.stdin)
        if self._on_stop is not None:
            self._on_stop()

    def _launch(self, follower: Follower) -> None:
        setup = follower.setup
        process = subprocess.Popen(
            [sys.executable, "-m", "queue_server.follower"],
            stdin=subprocess.PIPE,
            pass_fds=(setup.http_fd,),
            env=self._env,
        )
        assert process.stdin is not None
        process.stdin.write(setup.to_line())
        process.stdin.flush()  # kept open: the follower stops when it closes
        follower.process, follower.serving = process, False
        assert follower.starts is not None
        follower.starts.append(time.monotonic())
        log.info("follower %d started (pid %d)", setup.index, process.pid)

    def _watch_loop(self) -> None:
        while not self._stopping.wait(CHECK_EVERY_S):
            with self._lock:
                for follower in self._followers:
                    self._check(follower)

    def _check(self, follower: Follower) -> None:
        process = follower.process
        if process is None or process.poll() is None or self._stopping.is_set():
            return
        _close(process.stdin)
        index, code = follower.setup.index, process.returncode
        now = time.monotonic()
        assert follower.starts is not None
        follower.starts = [at for at in follower.starts if now - at < 60]
        if len(follower.starts) >= RESTARTS_PER_MINUTE:
            log.error("follower %d keeps dying (exit %s); left stopped", index, code)
            follower.process, follower.serving = None, False
            return
        log.warning("follower %d stopped (exit %s); starting it again", index, code)
        self._launch(follower)


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


def follower_env() -> dict[str, str]:
    """The followers' environment: this one (``ANTRE_*`` settings included)."""
    return dict(os.environ)
