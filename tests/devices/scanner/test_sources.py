from __future__ import annotations

from pathlib import Path

import pytest

from devices.scanner import (
    HidScanner,
    QueueSink,
    ScannerError,
    SerialScanner,
    StreamScanner,
    VirtualScanner,
    open_scanner,
)


def test_each_source_kind_gives_its_scanner(tmp_path: Path) -> None:
    sink = QueueSink()
    assert isinstance(open_scanner("virtual", sink), VirtualScanner)
    fifo = open_scanner(f"virtual:{tmp_path}/scan.fifo", sink)
    assert fifo.source == f"virtual:{tmp_path}/scan.fifo"
    assert isinstance(open_scanner("stdin", sink), StreamScanner)
    assert isinstance(open_scanner("hid:/dev/input/event3", sink), HidScanner)
    serial = open_scanner("serial:/dev/ttyACM0", sink)
    assert isinstance(serial, SerialScanner) and serial.source == "serial:/dev/ttyACM0"


def test_a_baud_rate_may_follow_the_serial_port() -> None:
    scanner = open_scanner("serial:/dev/ttyUSB0@115200", QueueSink())
    assert isinstance(scanner, SerialScanner)
    assert scanner.source == "serial:/dev/ttyUSB0"
    assert scanner._baud_rate == 115200
    url = open_scanner("serial:socket://127.0.0.1:7000", QueueSink())
    assert url.source == "serial:socket://127.0.0.1:7000"


@pytest.mark.parametrize("source", ["", "usb", "serial", "serial:", "hid:", "camera:", "stdin:x"])
def test_unknown_sources_are_refused_with_the_accepted_forms(source: str) -> None:
    with pytest.raises(ScannerError, match=r"serial:PORT\[@BAUD\]"):
        open_scanner(source, QueueSink())


def test_a_missing_camera_is_refused_when_opened() -> None:
    with pytest.raises(ScannerError, match="cannot open camera"):
        open_scanner("camera:/nonexistent/video.mp4", QueueSink())
