"""Build a scanner from its configuration text, e.g. ``serial:/dev/ttyACM0@115200``.

================================  =====================================================
``virtual``                       push codes from code (demos, development)
``virtual:/run/antre/scan.fifo``  … and read codes written to a FIFO or file
``stdin``                         one code per line on standard input
``serial:PORT[@BAUD]``            serial / USB CDC scanner (pyserial port or URL)
``hid:/dev/input/by-id/…-kbd``    keyboard-wedge scanner, grabbed via evdev
``camera:INDEX`` or ``camera:URL`` camera, decoded with pyzbar / OpenCV
================================  =====================================================
"""

from __future__ import annotations

from pathlib import Path

from devices.scanner.base import CodeScanner, CodeSink, ScannerError
from devices.scanner.camera import CameraScanner, OpenCvCamera
from devices.scanner.hid import HidScanner
from devices.scanner.serial_scanner import SerialScanner
from devices.scanner.stream import StreamScanner
from devices.scanner.virtual import VirtualScanner

DEFAULT_BAUD_RATE = 9600
STDIN_FD = 0  # the descriptor itself: sys.stdin may be replaced (tests, embedding)


def open_scanner(source: str, on_code: CodeSink) -> CodeScanner:
    """A scanner for ``source`` (not started yet; the camera is opened here).

    Raises:
        ScannerError: ``source`` is not understood, or a camera cannot be opened.
        MissingDependency: the library for this kind of scanner is not installed.
    """
    kind, _, target = source.partition(":")
    if kind == "virtual":
        return VirtualScanner(on_code, feed_path=Path(target) if target else None)
    if kind == "stdin" and not target:
        return StreamScanner(STDIN_FD, on_code, source="stdin")
    if kind == "serial" and target:
        port, baud_rate = _port_and_baud_rate(target)
        return SerialScanner(port, on_code, baud_rate=baud_rate)
    if kind == "hid" and target:
        return HidScanner(target, on_code)
    if kind == "camera" and target:
        device: int | str = int(target) if target.isascii() and target.isdigit() else target
        return CameraScanner(OpenCvCamera(device), on_code, source=source)
    raise ScannerError(
        f"unknown scanner source {source!r}: use virtual[:PATH], stdin, serial:PORT[@BAUD], "
        "hid:DEVICE or camera:INDEX"
    )


def _port_and_baud_rate(target: str) -> tuple[str, int]:
    port, separator, baud_text = target.rpartition("@")
    if not separator or not (baud_text.isascii() and baud_text.isdigit()):
        return target, DEFAULT_BAUD_RATE
    return port, int(baud_text)
