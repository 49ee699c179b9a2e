"""A kiosk in drive-thru lane mode announces cars over MQTT, through Mosquitto: a ready car
waits in the lane, the same car scanned again is answered with its place and nothing is
added, a passport not ready is refused in both languages with its date."""

from __future__ import annotations

import json
import uuid
from typing import Any

from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.mqtt.live import Kiosk, LiveServer
from tests.services.conftest import office_settings

READY = "2026120400001"
ACTION = "drive_thru_arrival"


def with_lane(live: LiveServer) -> None:
    settings: dict[str, Any] = office_settings(
        drive_thru={"lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]}
    )
    services = live.services
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=services.clock())
    services.passports.mark_ready(
        "kanim-test", [READY], source=ReadySource.API, actor=Actor(name="t")
    )


def test_a_lane_kiosk_announces_cars_and_a_second_scan_adds_nothing(live: LiveServer) -> None:
    with_lane(live)
    password = live.add_device("kiosk-lane")
    live.start()
    kiosk = Kiosk(live.port, "kiosk-lane", password)
    try:
        first = kiosk.request(ACTION, {"lane": "lajur-1", "scan": f"PERMOHONAN:{READY}"})
        assert first["status"] == "ok", first
        assert (first["data"]["result"], first["data"]["position"]) == ("waiting", 1)
        assert first["data"]["message"]["id"].startswith("Silakan menunggu di jalur")
        again = kiosk.request(ACTION, {"lane": "lajur-1", "scan": READY})
        assert (again["data"]["result"], again["data"]["arrival_id"]) == (
            "already_waiting",
            first["data"]["arrival_id"],
        )
        unknown = kiosk.request(ACTION, {"lane": "lajur-1", "scan": "2026120400099"})
        assert unknown["status"] == "error"
        assert unknown["error"]["code"] == "drive_thru_go_to_counter"
        assert set(unknown["error"]["messages"]) == {"id", "en"}
        bad = kiosk.request(ACTION, {"lane": "Lajur 1", "scan": READY})
        assert (bad["status"], bad["error"]["code"]) == ("error", "invalid_field")
        assert live.count(DriveThruArrivalRow) == 1
        with live.services.database.reader() as session:
            row = session.query(DriveThruArrivalRow).one()
        assert (row.device, row.status, row.lane) == ("kiosk:kiosk-lane", "waiting", "lajur-1")
    finally:
        kiosk.close()


def test_a_resent_request_gets_the_answer_that_added_the_car(live: LiveServer) -> None:
    """The lane kiosk resends a request whose answer it did not get (a reconnect): the
    stored answer comes again, ``waiting`` with the same number, not ``already_waiting``;
    a new request for the same car is the duplicate scan."""
    with_lane(live)
    password = live.add_device("kiosk-lane")
    live.start()
    kiosk = Kiosk(live.port, "kiosk-lane", password)
    try:
        transaction = str(uuid.uuid4())
        data = {"lane": "lajur-1", "scan": READY}
        payload = json.dumps({"transaction": transaction, "data": data}).encode()
        for _copy in range(2):
            kiosk.send(ACTION, payload)
            kiosk.next_answer()
        first, resent = kiosk.copies[transaction]
        assert first == resent, (first, resent)
        assert (first["data"]["result"], first["data"]["position"]) == ("waiting", 1)
        again = kiosk.request(ACTION, data)
        assert again["data"]["result"] == "already_waiting"
        assert again["data"]["arrival_id"] == first["data"]["arrival_id"]
        assert live.count(DriveThruArrivalRow) == 1
    finally:
        kiosk.close()
