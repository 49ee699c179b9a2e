"""The maintenance screen's link rows against the live server and broker (no Kivy)."""

from __future__ import annotations

from kiosk.maintenance import MaintenanceReport, report_rows
from tests.kiosk.conftest import DEVICE, KioskStack, stop_broker
from tests.mqtt.live import LiveServer


def _rows(kiosk: KioskStack) -> dict[str, tuple[str, str]]:
    report = MaintenanceReport(
        device_id=DEVICE,
        link=kiosk.core.link_report(),
        printer_name="virtual",
        printer_health=("ok", "ok"),
        reader_present=None,
        card_present=None,
        last_scan=None,
    )
    rows = report_rows(report, "en", now_s=0, timezone="Asia/Makassar")
    return {label: (value, level) for label, value, level in rows}


def test_the_link_report_follows_the_real_link(live: LiveServer, kiosk: KioskStack) -> None:
    report = kiosk.core.link_report()
    assert report.broker_connected and report.device_id == DEVICE
    assert report.broker == f"127.0.0.1:{live.port}"
    assert report.last_sync_at is None and _rows(kiosk)["Last sync"] == ("never", "warning")

    kiosk.core.maintain()  # online: sync, outbox, a lease for walkin (answered by the server)
    report = kiosk.core.link_report()
    assert report.server_answering is True and report.last_sync_at is not None
    assert (report.outbox_size, report.unsynced_tickets) == (0, 0)
    rows = _rows(kiosk)
    assert rows["Broker"][1] == "ok" and rows["Server"][0].startswith("Answering (last answer ")
    assert rows["Outbox"] == ("Waiting: 0; offline tickets not synced: 0", "ok")

    stop_broker(live, kiosk)
    kiosk.core.issue("walkin")  # from the leased block
    report = kiosk.core.link_report()
    assert not report.broker_connected and report.unsynced_tickets == 1
    rows = _rows(kiosk)
    assert rows["Broker"] == (f"Not connected (127.0.0.1:{live.port})", "error")
    assert rows["Outbox"][0].endswith("offline tickets not synced: 1")
    assert rows["Outbox"][1] == "warning"
