"""QR and barcode scanners: keyboard-wedge (HID), serial, camera and virtual.

Every scanner implements :class:`CodeScanner` and delivers :class:`ScannedCode` events to
a callback (on its own thread) or to a :class:`QueueSink`. What a code means is decided by
:mod:`devices.codes`. Build one from configuration text with :func:`open_scanner`.
"""

from devices.scanner.base import (
    CodeScanner,
    CodeSink,
    QueueSink,
    ScannedCode,
    ScannerError,
)
from devices.scanner.camera import CameraScanner, HoldOff, OpenCvCamera
from devices.scanner.hid import HidScanner
from devices.scanner.keystrokes import AssemblerSettings, KeystrokeAssembler
from devices.scanner.serial_scanner import SerialScanner
from devices.scanner.sources import open_scanner
from devices.scanner.stream import StreamScanner
from devices.scanner.virtual import VirtualScanner

__all__ = [
    "AssemblerSettings",
    "CameraScanner",
    "CodeScanner",
    "CodeSink",
    "HidScanner",
    "HoldOff",
    "KeystrokeAssembler",
    "OpenCvCamera",
    "QueueSink",
    "ScannedCode",
    "ScannerError",
    "SerialScanner",
    "StreamScanner",
    "VirtualScanner",
    "open_scanner",
]
