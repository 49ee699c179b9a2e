"""One kiosk cannot lease a day's numbers: leased, unsynced numbers are capped per kiosk,
service and office day (``ANTRE_LEASE_MAX_PER_KIOSK``), on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from queue_server.config import load_config
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.services.offline import DEFAULT_LEASE_CAP, OfflineIssuing
from tests.mqtt.live import live_server
from tests.mqtt.test_kiosk_requests import ask
from tests.services.conftest import Engine

ISSUED_AT = "2026-11-23T02:01:00+00:00"


def capped_handler(engine: Engine, cap: int) -> KioskRequests:
    offline = OfflineIssuing(
        lease_cap=cap,
        database=engine.database,
        catalog=engine.offline.catalog,
        events=engine.events,
        clock=engine.clock,
    )
    return KioskRequests(issuing=engine.issuing, offline=offline)


def lease(handler: KioskRequests, count: int, service: str = "walkin") -> dict[str, Any]:
    return ask(handler, "lease_numbers", {"service": service, "count": count}, str(uuid.uuid4()))


def test_a_big_lease_is_cut_to_the_cap_then_refused_until_synced(engine: Engine) -> None:
    handler = capped_handler(engine, cap=20)
    block = lease(handler, 500)["data"]
    assert (block["first_number"], block["last_number"]) == (1, 20)
    refused = lease(handler, 1)
    assert refused["status"] == "error" and refused["error"]["code"] == "lease_limit"
    assert set(refused["error"]["messages"]) == {"id", "en"}
    assert "20" in refused["error"]["messages"]["en"]
    assert lease(handler, 5, service="lost")["status"] == "ok"  # per service
    tickets = [
        {"lease": block["lease"], "service": "walkin", "number": number, "issued_at": ISSUED_AT}
        for number in range(1, 8)
    ]
    synced = ask(handler, "sync_tickets", {"tickets": tickets}, str(uuid.uuid4()))
    assert {ticket["status"] for ticket in synced["data"]["tickets"]} == {"accepted"}
    # Seven numbers were used: seven more may be held, not more.
    again = lease(handler, 50)["data"]
    assert (again["first_number"], again["last_number"]) == (21, 27)
    assert lease(handler, 1)["error"]["code"] == "lease_limit"


def test_each_kiosk_has_its_own_cap(engine: Engine) -> None:
    handler = capped_handler(engine, cap=10)
    assert lease(handler, 10)["status"] == "ok"
    other = handler.handle(
        "antre/v1/kanim-test/kiosk/kiosk-2/request/lease_numbers",
        b'{"transaction": "%s", "data": {"service": "walkin", "count": 10}}'
        % str(uuid.uuid4()).encode(),
    )
    assert other is not None and b'"status":"ok"' in other.payload


def test_the_cap_comes_from_the_configuration(tmp_path: Path, monkeypatch: Any) -> None:
    assert load_config().lease_max_per_kiosk == DEFAULT_LEASE_CAP
    monkeypatch.setenv("ANTRE_LEASE_MAX_PER_KIOSK", "7")
    assert load_config().lease_max_per_kiosk == 7
    live = live_server(tmp_path, lease_max_per_kiosk=7)
    try:
        assert live.services.offline.lease_cap == 7
    finally:
        live.close()
