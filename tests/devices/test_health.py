"""Device health: component states, the payload the server accepts, publishing on change."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devices.config import KioskDevices, device_config_from_mapping, open_devices
from devices.health import (
    HealthChangeDetector,
    HealthReporter,
    OutboxCount,
    card_reader_health,
    component_health,
    health_payload,
    printer_health,
    scanner_health,
)
from devices.printer import PrinterStatus, VirtualPrinter, open_printer, parse_printer_spec
from devices.scanner import ScannerError
from queue_server.protocol.messages import DeviceHealth, decode_device

MOMENT = datetime(2026, 12, 2, 1, 15, tzinfo=UTC)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[KioskDevices]:
    config = device_config_from_mapping({"printer": f"virtual:{tmp_path}"}, {})
    devices = open_devices(config, on_code=lambda code: None)
    yield devices
    devices.close()


def validated(payload: bytes) -> DeviceHealth:
    report = decode_device("health", payload)
    assert isinstance(report, DeviceHealth), report
    return report


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class StoppedScanner:
    """A test double: a scanner whose thread has ended, with or without a failure."""

    source = "double"

    def __init__(self, failure: Exception | None) -> None:
        self.failure = failure

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_running(self) -> bool:
        return False


def test_an_all_virtual_kiosk_is_healthy_and_the_server_accepts_it(kiosk: KioskDevices) -> None:
    components = component_health(kiosk)
    assert components == {"printer": "ok", "scanner": "ok", "card_reader": "ok"}
    report = validated(health_payload(components, MOMENT))
    assert (report.components, report.ts) == (components, MOMENT)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (PrinterStatus(paper_out=True), "paper_out"),
        (PrinterStatus(cover_open=True), "cover_open"),
        (PrinterStatus(paper_near_end=True), "paper_near_end"),
        (PrinterStatus(reported=False), "status_unknown"),
    ],
)
def test_printer_states_are_its_health_codes(
    kiosk: KioskDevices, status: PrinterStatus, state: str
) -> None:
    assert isinstance(kiosk.printer, VirtualPrinter)
    kiosk.printer.printer_status = status
    assert printer_health(kiosk.printer) == state
    validated(health_payload(component_health(kiosk), MOMENT))


def test_an_unreachable_network_printer_is_offline() -> None:
    config = parse_printer_spec(f"network:127.0.0.1:{closed_port()}")
    assert printer_health(open_printer(config)) == "offline"


def test_scanner_states(kiosk: KioskDevices) -> None:
    assert scanner_health(kiosk.scanner) == "ok"
    kiosk.scanner.stop()
    assert scanner_health(kiosk.scanner) == "stopped"
    assert scanner_health(StoppedScanner(ScannerError("unplugged"))) == "failed"
    assert scanner_health(StoppedScanner(None)) == "stopped"


def test_card_reader_states(kiosk: KioskDevices) -> None:
    assert kiosk.card_reader is not None
    kiosk.card_reader.close()
    assert card_reader_health(kiosk.card_reader) == "absent"
    config = device_config_from_mapping({"card_reader": "none"}, {})
    without_reader = open_devices(config, on_code=lambda code: None)
    assert "card_reader" not in component_health(without_reader)
    without_reader.close()


def test_the_detector_reports_only_changes(caplog: pytest.LogCaptureFixture) -> None:
    detector = HealthChangeDetector()
    caplog.set_level(logging.INFO, logger="devices.health")
    assert detector.changed({"printer": "ok", "scanner": "ok"})
    assert not detector.changed({"scanner": "ok", "printer": "ok"})
    assert detector.changed({"printer": "paper_out", "scanner": "ok"})
    assert not detector.changed({"printer": "paper_out", "scanner": "ok"})
    assert [record.getMessage() for record in caplog.records] == ["printer: ok -> paper_out"]
    detector.forget()
    assert detector.changed({"printer": "paper_out", "scanner": "ok"})


def test_the_reporter_returns_a_payload_per_change(kiosk: KioskDevices) -> None:
    reporter = HealthReporter(kiosk, clock=lambda: MOMENT)
    first = reporter.poll()
    assert first is not None and validated(first).components["printer"] == "ok"
    assert reporter.poll() is None
    assert isinstance(kiosk.printer, VirtualPrinter)
    kiosk.printer.printer_status = PrinterStatus(paper_out=True)
    changed = reporter.poll()
    assert changed is not None and validated(changed).components["printer"] == "paper_out"
    assert reporter.poll() is None


def test_the_reporter_adds_the_outbox_and_reports_its_changes(kiosk: KioskDevices) -> None:
    waiting = [OutboxCount(0)]
    reporter = HealthReporter(kiosk, clock=lambda: MOMENT, outbox=lambda: waiting[0])
    first = reporter.poll()
    assert first is not None
    report = validated(first)
    assert report.outbox is not None and (report.outbox.waiting, report.outbox.oldest_at) == (
        0,
        None,
    )
    assert reporter.poll() is None
    oldest = MOMENT - timedelta(minutes=12)
    waiting[0] = OutboxCount(3, oldest)
    changed = reporter.poll()
    assert changed is not None
    assert json.loads(changed)["outbox"] == {"waiting": 3, "oldest_at": oldest.isoformat()}
    assert reporter.poll() is None
    forced = reporter.poll(force=True)  # a heartbeat, or the link came back
    assert forced is not None and validated(forced).outbox == validated(changed).outbox


def test_a_report_without_an_outbox_is_still_accepted_and_a_bad_one_is_refused() -> None:
    old_kiosk = validated(b'{"components": {"printer": "ok"}}')  # an earlier kiosk version
    assert old_kiosk.outbox is None
    for outbox in (
        {"waiting": -1},
        {"waiting": 0, "oldest_at": MOMENT.isoformat()},
        {"waiting": 2, "oldest_at": "2026-12-02T01:15:00"},  # no time zone
        {"waiting": 2, "names": ["someone"]},
    ):
        document = json.dumps({"components": {"printer": "ok"}, "outbox": outbox}).encode()
        assert not isinstance(decode_device("health", document), DeviceHealth), outbox
