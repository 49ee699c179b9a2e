"""Keyboard-wedge (USB HID) scanners read directly from their Linux input device.

The device is grabbed, so the scanner's key presses never reach the kiosk UI as typing.
Needs the ``evdev`` package (``pip install evdev``; not a dependency of Antre, it builds
against the kernel headers) and read access to ``/dev/input/event*`` (group ``input``).
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Callable, Iterable
from typing import Protocol

from devices.errors import require
from devices.scanner.base import CodeSink, ScannerError, ThreadedScanner
from devices.scanner.keystrokes import AssemblerSettings, KeystrokeAssembler

EV_KEY = 1  # linux/input-event-codes.h
POLL_INTERVAL_S = 0.2


class InputEvent(Protocol):
    """What the reader needs from ``evdev.InputEvent``."""

    type: int
    code: int
    value: int

    def timestamp(self) -> float: ...


class InputDevice(Protocol):
    """What the reader needs from ``evdev.InputDevice``."""

    def fileno(self) -> int: ...

    def read(self) -> Iterable[InputEvent]: ...

    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def close(self) -> None: ...


def open_evdev_device(path: str) -> InputDevice:
    """Open ``path`` with python-evdev.

    Raises:
        MissingDependency: evdev is not installed.
        ScannerError: the device cannot be opened.
    """
    evdev = require(
        "evdev", "pip install evdev", "--source stdin (scanner typing into a terminal) or virtual"
    )
    try:
        device: InputDevice = evdev.InputDevice(path)
    except OSError as err:
        raise ScannerError(f"cannot open input device {path}: {err.strerror}") from err
    return device


class HidScanner(ThreadedScanner):
    """Reads a keyboard-wedge scanner's key events and assembles them into codes.

    Args:
        device_path: e.g. ``/dev/input/by-id/usb-Honeywell_...-event-kbd``.
        on_code: receives each code, on the reader thread.
        settings: keystroke timing and length limits.
        open_device: opens the device (default :func:`open_evdev_device`; tests pass a double).
    """

    def __init__(
        self,
        device_path: str,
        on_code: CodeSink,
        *,
        settings: AssemblerSettings | None = None,
        open_device: Callable[[str], InputDevice] = open_evdev_device,
    ) -> None:
        super().__init__(f"hid:{device_path}", on_code)
        self._device_path = device_path
        self._open_device = open_device
        self._assembler = KeystrokeAssembler(settings)
        self._device: InputDevice | None = None

    def _open(self) -> None:
        device = self._open_device(self._device_path)
        try:
            device.grab()
        except OSError as err:
            device.close()
            raise ScannerError(
                f"{self._device_path} is grabbed by another program: {err.strerror}"
            ) from err
        self._device = device

    def _read_loop(self) -> None:
        device = self._device
        assert device is not None  # set by _open
        while not self._stopping.is_set():
            readable, _, _ = select.select([device.fileno()], [], [], POLL_INTERVAL_S)
            if readable:
                self._process(device)

    def _process(self, device: InputDevice) -> None:
        try:
            events = list(device.read())
        except BlockingIOError:
            return
        except OSError as err:  # unplugged: ENODEV
            raise ScannerError(f"{self._device_path} went away: {err.strerror}") from err
        for event in events:
            if event.type == EV_KEY:
                code = self._assembler.feed(event.code, event.value, event.timestamp())
                if code is not None:
                    self._emit(code)

    def _close(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        with contextlib.suppress(OSError):  # an unplugged device cannot be ungrabbed
            device.ungrab()
        device.close()
