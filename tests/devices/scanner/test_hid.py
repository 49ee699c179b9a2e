from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from devices.errors import MissingDependency
from devices.scanner import HidScanner, QueueSink, ScannerError
from devices.scanner.hid import EV_KEY, open_evdev_device
from tests.devices.scanner.keys import KeyEvent, typed

WAIT_S = 5.0
EV_SYN = 0


@dataclass
class Event:
    type: int
    code: int
    value: int
    at_s: float

    def timestamp(self) -> float:
        return self.at_s


class PipeInputDevice:
    """A test double of ``evdev.InputDevice``: a real pipe makes it selectable."""

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        self._pending: list[Event] = []
        self.grabbed = False
        self.closed = False
        self.unplugged = False

    def send(self, events: list[Event]) -> None:
        self._pending += events
        os.write(self._write_fd, b"x")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._write_fd, b"x")

    def fileno(self) -> int:
        return self._read_fd

    def read(self) -> list[Event]:
        os.read(self._read_fd, 4096)
        if self.unplugged:
            raise OSError(19, "No such device")
        events, self._pending = self._pending, []
        return events

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        if self.unplugged:
            raise OSError(19, "No such device")
        self.grabbed = False

    def close(self) -> None:
        self.closed = True
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def key_events(stream: list[KeyEvent]) -> list[Event]:
    events: list[Event] = []
    for code, state, at_s in stream:
        events += [Event(EV_KEY, code, state, at_s), Event(EV_SYN, 0, 0, at_s)]
    return events


@pytest.fixture
def device() -> Iterator[PipeInputDevice]:
    double = PipeInputDevice()
    yield double
    double.close()


def test_key_events_become_codes_and_the_device_is_grabbed(device: PipeInputDevice) -> None:
    sink = QueueSink()
    opened: list[str] = []

    def open_device(path: str) -> PipeInputDevice:
        opened.append(path)
        return device

    scanner = HidScanner("/dev/input/by-id/usb-scanner-event-kbd", sink, open_device=open_device)
    scanner.start()
    try:
        assert opened == ["/dev/input/by-id/usb-scanner-event-kbd"] and device.grabbed
        stream = typed("https://antre.example/t/Token_123")
        device.send(key_events(stream[:20]))
        device.send(key_events(stream[20:]))
        code = sink.get(timeout_s=WAIT_S)
        assert code is not None
        assert (code.text, code.source) == (
            "https://antre.example/t/Token_123",
            "hid:/dev/input/by-id/usb-scanner-event-kbd",
        )
    finally:
        scanner.stop()
    assert not device.grabbed and device.closed


def test_an_unplugged_device_ends_the_scanner(device: PipeInputDevice) -> None:
    scanner = HidScanner("/dev/input/event7", QueueSink(), open_device=lambda path: device)
    scanner.start()
    device.unplug()
    deadline_s = time.monotonic() + WAIT_S
    while scanner.is_running() and time.monotonic() < deadline_s:
        time.sleep(0.01)
    assert isinstance(scanner.failure, ScannerError)
    assert "went away" in str(scanner.failure)
    scanner.stop()
    assert device.closed


def test_a_device_grabbed_elsewhere_is_a_scanner_error(device: PipeInputDevice) -> None:
    def refuse_grab() -> None:
        raise OSError(16, "Device or resource busy")

    device.grab = refuse_grab  # type: ignore[method-assign]
    scanner = HidScanner("/dev/input/event7", QueueSink(), open_device=lambda path: device)
    with pytest.raises(ScannerError, match="grabbed by another program"):
        scanner.start()
    assert device.closed


def test_without_evdev_the_error_says_what_to_install() -> None:
    try:
        import evdev  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("evdev is installed here")
    with pytest.raises(MissingDependency, match="pip install evdev"):
        open_evdev_device("/dev/input/event0")
