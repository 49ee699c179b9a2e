"""sd_notify without a dependency: READY=1, then the watchdog's beats, on a real unix
datagram socket like the one systemd gives a ``Type=notify`` unit."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.systemd import Heartbeat, notify


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    yield sock, str(path)
    sock.close()


def test_the_first_beat_says_ready_and_the_next_ones_feed_the_watchdog(
    listener: tuple[socket.socket, str],
) -> None:
    sock, path = listener
    heartbeat = Heartbeat({"NOTIFY_SOCKET": path})
    assert heartbeat.active and not heartbeat.ready
    for _ in range(3):
        heartbeat.beat(1.0)
    assert heartbeat.ready
    assert [sock.recv(64) for _ in range(3)] == [b"READY=1", b"WATCHDOG=1", b"WATCHDOG=1"]


def test_an_abstract_socket_name_works() -> None:
    name = f"antre-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert notify("STATUS=drawing", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(64) == b"STATUS=drawing"


def test_outside_systemd_nothing_happens(tmp_path: Path) -> None:
    assert not notify("READY=1", {})
    assert not notify("READY=1", {"NOTIFY_SOCKET": "relative/path"})
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone")})  # no listener
    heartbeat = Heartbeat({})
    heartbeat.beat()
    assert not heartbeat.active and not heartbeat.ready  # READY is retried when it fails
