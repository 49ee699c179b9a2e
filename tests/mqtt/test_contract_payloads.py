"""Every payload the real publisher and kiosk handler send matches docs/asyncapi.json.

The server's own code runs against a real database (SQLite and PostgreSQL): the state
publisher (subscribed to the domain events, as ``antre serve`` wires it) and the kiosk
request handler. What they hand to the MQTT client is recorded and validated with
``jsonschema`` against the committed, generated AsyncAPI document.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from devices.health import health_payload
from kiosk.link.client import KioskLink
from kiosk.link.config import LinkConfig
from queue_server.domain.passports import ReadySource
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.publisher import StatePublisher
from queue_server.protocol import topics
from queue_server.services.bookings import BookingEntry
from queue_server.services.device_config import DeviceConfigService
from queue_server.services.drive_thru import DriveThruService
from queue_server.services.passports import PassportService
from queue_server.services.unit import Actor
from tests.protocol.schema_check import message_problems, problems
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"
OFFICER = Actor(name="officer")
#: Every message the server sends, by AsyncAPI message id.
SERVER_MESSAGES = {
    "board",
    "counter_state",
    "queue_state",
    "event_called",
    "config_kiosk",
    "config_display",
    *(f"{action.value}_response" for action in topics.KioskAction),
}


class Recorder:
    """Stands in for the MQTT client's ``publish``: keeps every (topic, payload)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def __call__(self, topic: str, payload: bytes, _retain: bool) -> Acknowledged:
        with self._lock:
            self.sent.append((topic, payload))
        return Acknowledged()


class Acknowledged:
    """The receipt of a message the broker has acknowledged."""

    def acknowledged(self) -> bool:
        return True


def message_id(topic: str) -> str:
    """The AsyncAPI message a topic's payload must be (by the parsed topic)."""
    parsed = topics.parse(topic)
    if parsed.kind == "config":
        return "config_kiosk" if parsed.subject == "kiosk" else "config_display"
    if parsed.kind == "kiosk_response":
        return f"{parsed.action}_response"
    return parsed.kind


def kiosk_traffic(engine: Engine, handler: KioskRequests, recorder: Recorder) -> None:
    """One of every kiosk action, answered ok and refused, through the real handler."""

    def ask(action: str, data: Any, transaction: str | None = None) -> dict[str, Any]:
        topic = f"antre/v1/{OFFICE}/kiosk/kiosk-1/request/{action}"
        body = {"transaction": transaction or str(uuid.uuid4()), "data": data}
        reply = handler.handle(topic, json.dumps(body).encode())
        assert reply is not None
        recorder(reply.topic, reply.payload, reply.retain)
        answer: dict[str, Any] = json.loads(reply.payload)
        return answer

    entry = BookingEntry("MP-777", "mpaspor", date(2026, 11, 23), time(10, 0))
    engine.bookings.import_bookings(OFFICE, [entry], actor=Actor(name="admin"))
    issued = ask("issue_ticket", {"service": "pickup", "language": "en"})
    assert issued["status"] == "ok"
    assert ask("check_in", {"booking_code": "MP-777", "documents_ready": True})["status"] == "ok"
    assert ask("lookup", {"code": issued["data"]["status_path"]})["status"] == "ok"
    lease = ask("lease_numbers", {"service": "walkin", "count": 2})
    assert lease["status"] == "ok"
    at = engine.clock().isoformat()
    tickets = [
        {"lease": lease["data"]["lease"], "service": "walkin", "number": n, "issued_at": at}
        for n in (lease["data"]["first_number"], 999)
    ]
    synced = ask("sync_tickets", {"tickets": tickets})
    assert [t["status"] for t in synced["data"]["tickets"]] == ["accepted", "refused"]
    assert ask("rate", {"ticket_token": issued["data"]["token"], "score": 4})["status"] == "error"
    engine.officer.open_counter(OFFICE, "pickup-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    engine.officer.recall(OFFICE, "pickup-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "pickup-1", actor=OFFICER)
    assert ask("rate", {"ticket_token": issued["data"]["token"], "score": 4})["status"] == "ok"
    used = str(uuid.uuid4())
    ask("issue_ticket", {"service": "walkin"}, used)
    assert ask("issue_ticket", {"service": "pickup"}, used)["status"] == "error"
    # a kiosk in drive-thru lane mode: a ready car, then a passport the office does not know
    engine.load(office_settings(drive_thru={"lanes": [{"id": "lajur-1", "name": "Lajur 1"}]}))
    PassportService(**engine.shared).mark_ready(
        OFFICE, ["2026120400001"], source=ReadySource.API, actor=OFFICER
    )
    lane = {"lane": "lajur-1", "scan": "2026120400001"}
    assert ask("drive_thru_arrival", lane)["status"] == "ok"
    lane["scan"] = "2026120400002"
    assert ask("drive_thru_arrival", lane)["status"] == "error"
    assert ask("explode", {})["error"]["code"] == "unknown_action"
    assert ask("issue_ticket", {"service": "Bad"})["error"]["code"] == "invalid_field"


def test_every_payload_sent_matches_the_generated_document(engine: Engine) -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    views = engine.views()
    recorder = Recorder()
    publisher = StatePublisher(
        views=views,
        publish=recorder,
        outbox=engine.outbox(),
        configs=DeviceConfigService(**engine.shared),
    )
    engine.events.subscribe_stored(publisher)
    handler = KioskRequests(
        issuing=engine.issuing,
        views=views,
        bookings=engine.bookings,
        offline=engine.offline,
        ratings=engine.ratings,
        drive_thru=DriveThruService(passports=PassportService(**engine.shared), **engine.shared),
    )
    publisher.start()
    try:
        publisher.refresh(OFFICE)
        kiosk_traffic(engine, handler, recorder)
    finally:
        publisher.stop()  # handles every queued event first
    seen: set[str] = set()
    for topic, payload in recorder.sent:
        name = message_id(topic)
        value = json.loads(payload)
        if name in document["components"]["messages"]:
            found = message_problems(document, name, value)
        else:  # an action the contract does not know: always an error answer
            found = problems(document, {"$ref": "#/components/schemas/ErrorAnswer"}, value)
        assert found == [], f"{topic}: {found}"
        seen.add(name)
    assert seen >= SERVER_MESSAGES, f"never sent: {SERVER_MESSAGES - seen}"
    calls = [json.loads(p) for t, p in recorder.sent if message_id(t) == "event_called"]
    assert [(c["ticket"], c["station"], c["recall"]) for c in calls] == [
        ("D-001", "PICKUP", False),
        ("D-001", "PICKUP", True),
    ]
    assert len({c["id"] for c in calls}) == 2


def test_what_a_kiosk_reports_matches_the_generated_document() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    link = KioskLink(LinkConfig(office=OFFICE, device="kiosk-1", password="x"))
    for state in ("online", "offline"):
        status = json.loads(link._status(state))
        assert message_problems(document, "device_status", status) == []
    components = {"printer": "paper_near_end", "scanner": "ok", "card_reader": "absent"}
    health = json.loads(health_payload(components, datetime.now(UTC)))
    assert message_problems(document, "device_health", health) == []
