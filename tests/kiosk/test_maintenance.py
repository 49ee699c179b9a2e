"""The maintenance screen's logic without Kivy: the PIN gate, device checks, the rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from devices.codes import CodeKind
from devices.printer import Branding, MemoryPrinter, PrinterStatus, profile_named
from devices.smartcard.virtual import VirtualCardReader
from kiosk.link import LinkReport, LocalStore, Outbox
from kiosk.maintenance import (
    KioskMaintenance,
    MaintenanceReport,
    PinCheck,
    PinGate,
    pin_gate_from_environ,
    report_rows,
)
from queue_server.protocol.topics import KioskAction

PROFILE = profile_named("80mm")
BRANDING = Branding(office_name="Kantor Imigrasi Test", address="Jl. Test 1", timezone="UTC")
NIK = "6371014508900003"


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_three_wrong_pins_lock_the_gate_for_a_minute() -> None:
    clock = Clock()
    gate = PinGate("2468", monotonic=clock)
    assert gate.check("1111") is PinCheck.REFUSED
    assert gate.check("2468") is PinCheck.ACCEPTED  # a right PIN resets the count
    assert [gate.check("1111") for _ in range(3)] == [
        PinCheck.REFUSED,
        PinCheck.REFUSED,
        PinCheck.LOCKED,
    ]
    assert gate.check("2468") is PinCheck.LOCKED, "even the right PIN waits out the lock"
    clock.now_s += 59
    assert gate.check("2468") is PinCheck.LOCKED and gate.locked_for_s() == pytest.approx(1)
    clock.now_s += 1
    assert gate.check("2468") is PinCheck.ACCEPTED


def test_the_pin_comes_from_the_environment() -> None:
    assert pin_gate_from_environ({}) is None
    assert pin_gate_from_environ({"ANTRE_KIOSK_PIN": "  "}) is None
    gate = pin_gate_from_environ({"ANTRE_KIOSK_PIN": "135790"})
    assert gate is not None and gate.check("135790") is PinCheck.ACCEPTED
    for bad in ("123", "12ab56", "1234567890123"):
        with pytest.raises(SystemExit) as refused:
            pin_gate_from_environ({"ANTRE_KIOSK_PIN": bad})
        assert "4 sampai 12 angka" in str(refused.value) and "4 to 12 digits" in str(refused.value)
        assert bad not in str(refused.value)


def _maintenance(
    printer: MemoryPrinter, reader: VirtualCardReader | None = None
) -> KioskMaintenance:
    return KioskMaintenance(
        gate=PinGate("2468"),
        device_id="kiosk-lobby-1",
        printer=printer,
        profile=PROFILE,
        printer_name="virtual:var/printer",
        card_reader=reader,
        monotonic=lambda: 50.0,
    )


def test_the_test_print_reaches_the_printer_or_says_why_not() -> None:
    printer = MemoryPrinter(PROFILE)
    maintenance = _maintenance(printer)
    assert maintenance.test_print(BRANDING, "en")["en"] == "The test ticket was printed."
    assert len(printer.jobs) == 1 and b"TEST" in printer.jobs[0]
    printer.printer_status = PrinterStatus(paper_out=True)
    message = maintenance.test_print(BRANDING, "id")
    assert message["en"] == "The ticket printer is out of paper. Please ask an officer for help."
    assert len(printer.jobs) == 1
    assert maintenance.report().printer_health == ("error", "paper_out")


def test_the_scanner_test_keeps_the_kind_of_code_never_the_code() -> None:
    maintenance = _maintenance(MemoryPrinter(PROFILE))
    assert maintenance.report().last_scan is None
    maintenance.record_scan(NIK)
    report = maintenance.report()
    assert report.last_scan is not None and report.last_scan.kind is CodeKind.NIK
    assert NIK not in repr(report) and NIK[-4:] not in repr(report)
    rows = report_rows(report, "en", now_s=62.0, timezone="UTC")
    assert ("Scanner", "Read: NIK (not shown), 12 s ago", "ok") in rows
    assert all(NIK not in value for _, value, _ in rows)
    maintenance.forget_scan()
    assert maintenance.report().last_scan is None


def test_the_card_reader_test_says_whether_a_card_is_there() -> None:
    assert _maintenance(MemoryPrinter(PROFILE)).report().reader_present is None
    reader = VirtualCardReader.from_file().start()
    maintenance = _maintenance(MemoryPrinter(PROFILE), reader)
    report = maintenance.report()
    assert (report.reader_present, report.card_present) == (True, False)
    reader.insert(0)
    report = maintenance.report()
    assert (report.reader_present, report.card_present) == (True, True)
    rows = report_rows(report, "id", now_s=0, timezone="UTC")
    assert ("Pembaca kartu", "Terpasang, ada kartu", "ok") in rows
    reader.close()
    assert maintenance.report().reader_present is False


def _link(**changes: object) -> LinkReport:
    values: dict[str, object] = {
        "broker_connected": True,
        "device_id": "kiosk-lobby-1",
        "broker": "10.0.0.2:1883",
        "last_answer_at": datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC),
        "last_unanswered_at": None,
        "outbox_size": 3,
        "unsynced_tickets": 2,
        "last_sync_at": datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC),
    }
    values.update(changes)
    return LinkReport(**values)  # type: ignore[arg-type]


def test_link_rows_say_broker_server_outbox_and_last_sync() -> None:
    report = MaintenanceReport(
        device_id="kiosk-lobby-1",
        link=_link(),
        printer_name="network:10.0.0.5:9100",
        printer_health=("warning", "paper_near_end"),
        reader_present=None,
        card_present=None,
        last_scan=None,
    )
    rows = {
        label: (value, level)
        for label, value, level in report_rows(report, "en", now_s=0, timezone="Asia/Makassar")
    }
    assert rows["Broker"] == ("Connected (10.0.0.2:1883)", "ok")
    assert rows["Server"] == ("Answering (last answer 02-03 09:00:05)", "ok")
    assert rows["Outbox"] == ("Waiting: 3; offline tickets not synced: 2", "warning")
    assert rows["Last sync"] == ("02-03 09:00:00", "ok")
    assert rows["Printer"] == ("Paper running low (network:10.0.0.5:9100)", "warning")
    assert rows["Card reader"] == ("None configured", "ok")


def test_the_server_counts_as_answering_by_its_latest_request() -> None:
    early, late = datetime(2026, 3, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, 2, tzinfo=UTC)
    assert _link(last_answer_at=None).server_answering is None
    assert _link(last_answer_at=early, last_unanswered_at=late).server_answering is False
    assert _link(last_answer_at=late, last_unanswered_at=early).server_answering is True
    assert _link(last_answer_at=None, last_unanswered_at=late).server_answering is False
    down = _link(broker_connected=False, last_answer_at=early, last_unanswered_at=late)
    rows = report_rows(
        MaintenanceReport("k", down, "", ("ok", "ok"), None, None, None),
        "id",
        now_s=0,
        timezone="UTC",
    )
    assert ("Broker", "Tidak terhubung (10.0.0.2:1883)", "error") in rows
    assert ("Server", "Tidak menjawab sejak 02-03 02:00:00", "error") in rows


def test_the_outbox_counts_what_waits(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "kiosk.db")
    outbox = Outbox(store)
    assert outbox.size() == 0
    outbox.add(KioskAction.RATE, {"ticket_token": "t" * 20, "score": 4})
    assert outbox.size() == 1
    store.close()


def test_the_composition_root_wires_the_maintenance_screen(tmp_path: Path) -> None:
    from devices.config import device_config_from_mapping, open_devices
    from kiosk.app.main import build_maintenance
    from kiosk.config import load
    from kiosk.demo import DemoDesk

    config = device_config_from_mapping(
        {"printer": f"virtual:{tmp_path / 'printer'}", "card_reader": "none"}, environ={}
    )
    devices = open_devices(config, on_code=lambda _code: None)
    try:
        off = build_maintenance(load(None, {}, need_link=False), devices, DemoDesk())
        assert not off.enabled, "no PIN configured: no maintenance screen"
        environ = {"ANTRE_KIOSK_PIN": "2468", "ANTRE_KIOSK_DEVICE": "kiosk-9"}
        on = build_maintenance(load(None, environ, need_link=False), devices, DemoDesk())
        assert on.enabled and on.gate is not None and on.gate.check("2468") is PinCheck.ACCEPTED
        report = on.report()
        assert (report.device_id, report.link, report.reader_present) == ("kiosk-9", None, None)
        assert on.test_print(BRANDING, "en")["en"] == "The test ticket was printed."
        assert len(list((tmp_path / "printer").glob("job-*.bin"))) == 1
    finally:
        devices.close()
