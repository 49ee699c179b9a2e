from __future__ import annotations

import contextlib
import os
import socket
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.scanner import QueueSink, ScannerError, SerialScanner

WAIT_S = 5.0


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    """A real pseudo-terminal: the test writes to the master like a scanner would."""
    master_fd, slave_fd = os.openpty()
    tty.setraw(slave_fd)  # no line discipline: bytes arrive as sent (CR stays CR)
    slave_path = os.ttyname(slave_fd)
    yield master_fd, slave_path
    for fd in (master_fd, slave_fd):
        with contextlib.suppress(OSError):
            os.close(fd)


def received(sink: QueueSink, count: int) -> list[str]:
    codes = [sink.get(timeout_s=WAIT_S) for _ in range(count)]
    return [code.text for code in codes if code is not None]


def test_codes_with_cr_lf_and_crlf_terminators_over_a_pty(pty_pair: tuple[int, str]) -> None:
    master_fd, slave_path = pty_pair
    sink = QueueSink()
    scanner = SerialScanner(slave_path, sink, baud_rate=115200)
    scanner.start()
    try:
        assert scanner.connected
        os.write(master_fd, b"CR-CODE1\rLF-CODE2\nCRLF-")
        os.write(master_fd, b"CODE3\r\n")
        assert received(sink, 3) == ["CR-CODE1", "LF-CODE2", "CRLF-CODE3"]
        code = sink.get(timeout_s=0)
        assert code is None
    finally:
        scanner.stop()
    assert not scanner.connected and not scanner.is_running()


def test_an_unplugged_scanner_is_noticed_and_the_reader_keeps_trying(
    pty_pair: tuple[int, str],
) -> None:
    master_fd, slave_path = pty_pair
    sink = QueueSink()
    scanner = SerialScanner(slave_path, sink, reconnect_interval_s=0.05)
    scanner.start()
    try:
        os.write(master_fd, b"BEFORE1\n")
        assert received(sink, 1) == ["BEFORE1"]
        os.close(master_fd)  # the other end of the cable is gone
        deadline_s = time.monotonic() + WAIT_S
        while scanner.connected and time.monotonic() < deadline_s:
            time.sleep(0.01)
        assert not scanner.connected
        assert scanner.is_running() and scanner.failure is None
    finally:
        scanner.stop()
    assert not scanner.is_running()


def test_a_serial_over_tcp_converter_works_through_a_pyserial_url() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(WAIT_S)
        port = server.getsockname()[1]
        sink = QueueSink()
        scanner = SerialScanner(f"socket://127.0.0.1:{port}", sink)
        scanner.start()
        try:
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"NET-CODE-1\r\n")
                assert received(sink, 1) == ["NET-CODE-1"]
            assert scanner.source == f"serial:socket://127.0.0.1:{port}"
        finally:
            scanner.stop()


def test_a_missing_port_is_a_scanner_error() -> None:
    scanner = SerialScanner("/dev/does-not-exist-scanner", QueueSink())
    with pytest.raises(ScannerError, match="cannot open serial scanner"):
        scanner.start()
    assert not scanner.is_running()


def test_a_scanner_plugged_back_in_is_read_again(tmp_path: Path) -> None:
    """Like a udev /dev/serial/by-id link that points at the new device after replugging."""
    link = tmp_path / "usb-scanner-if00"
    first_master, first_slave = os.openpty()
    tty.setraw(first_slave)
    link.symlink_to(os.ttyname(first_slave))
    sink = QueueSink()
    scanner = SerialScanner(str(link), sink, reconnect_interval_s=0.05)
    scanner.start()
    second_master, second_slave = -1, -1
    try:
        os.write(first_master, b"BEFORE-UNPLUG\r\n")
        assert received(sink, 1) == ["BEFORE-UNPLUG"]
        os.close(first_master)
        wait_for(lambda: not scanner.connected)
        second_master, second_slave = os.openpty()
        tty.setraw(second_slave)
        link.unlink()
        link.symlink_to(os.ttyname(second_slave))
        wait_for(lambda: scanner.connected)
        os.write(second_master, b"AFTER-REPLUG\r\n")
        assert received(sink, 1) == ["AFTER-REPLUG"]
    finally:
        scanner.stop()
        for fd in (first_slave, second_master, second_slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def wait_for(condition: Callable[[], bool]) -> None:
    deadline_s = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline_s:
        time.sleep(0.01)
    assert condition()
