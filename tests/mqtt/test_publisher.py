"""Officer calls reach displays through a real broker; states are retained."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.domain.ids import TicketSource
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.publisher import Sequence, StatePublisher
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.mqtt.test_broker import DISPLAY, KIOSK, OFFICE, SERVER, TIMEOUT_S, Device
from tests.services.conftest import Engine

OFFICER = Actor(name="officer")


@pytest.fixture
def broker() -> Iterator[MosquittoProcess]:
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        accounts = [
            SERVER,
            KIOSK,
            DISPLAY,
            Account("lobby-2", "display-secret-2", DeviceKind.DISPLAY),
        ]
        with MosquittoProcess(
            Path(folder) / "mqtt", office=OFFICE, accounts=accounts, port=free_port()
        ) as process:
            yield process


def test_sequence_only_grows() -> None:
    sequence = Sequence()
    values = [sequence.next() for _ in range(1000)]
    assert values == sorted(values) and len(set(values)) == 1000


def test_a_call_reaches_the_display_and_the_board_is_retained(
    broker: MosquittoProcess, engine: Engine
) -> None:
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker.port, SERVER.username, SERVER.password),
        office=OFFICE,
        handler=KioskRequests(issuing=engine.issuing),
    )
    views = engine.views()
    publisher = StatePublisher(views=views, publish=server.publish, outbox=engine.outbox())
    engine.events.subscribe(publisher)
    server.start()
    publisher.start()
    display = Device(broker.port, DISPLAY)
    try:
        assert server.connected.wait(TIMEOUT_S)
        display.subscribe(f"antre/v1/{OFFICE}/event/called")
        engine.issuing.issue(
            IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK), actor=OFFICER
        )
        engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        engine.officer.recall(OFFICE, "cs-1", actor=OFFICER)
        first = json.loads(display.inbox.get(timeout=TIMEOUT_S).payload)
        second = json.loads(display.inbox.get(timeout=TIMEOUT_S).payload)
        assert (first["ticket"], first["counter"], first["counter_name"], first["recall"]) == (
            "B-001",
            "cs-1",
            "CS 1",
            False,
        )
        assert second["recall"] is True and second["seq"] > first["seq"]
        assert 0 < first["id"] < second["id"]  # a recall is a call of its own
        late = Device(broker.port, Account("lobby-2", "display-secret-2", DeviceKind.DISPLAY))
        try:
            late.subscribe(f"antre/v1/{OFFICE}/board")
            board = late.inbox.get(timeout=TIMEOUT_S)
            assert board.retain  # what the broker kept; the states follow the calls closely
            boards = [json.loads(board.payload)]
            while not boards[-1]["serving"] and len(boards) < 5:
                boards.append(json.loads(late.inbox.get(timeout=TIMEOUT_S).payload))
            serving = boards[-1]["serving"]
            assert [(c["code"], c["ticket_label"]) for c in serving] == [("cs-1", "B-001")]
        finally:
            late.close()
    finally:
        display.close()
        publisher.stop()
        server.stop()


def test_states_are_published_when_the_link_comes_up(
    broker: MosquittoProcess, engine: Engine
) -> None:
    views = engine.views()
    holder: dict[str, StatePublisher] = {}
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker.port, SERVER.username, SERVER.password),
        office=OFFICE,
        handler=KioskRequests(issuing=engine.issuing),
        on_connected=lambda: holder["publisher"].refresh(OFFICE),
    )
    holder["publisher"] = StatePublisher(
        views=views, publish=server.publish, outbox=engine.outbox()
    )
    holder["publisher"].start()
    server.start()
    display = Device(broker.port, DISPLAY)
    try:
        assert server.connected.wait(TIMEOUT_S)
        display.subscribe(f"antre/v1/{OFFICE}/queue/walkin/state")
        first = display.inbox.get(timeout=TIMEOUT_S)  # published at connect, no event needed
        assert json.loads(first.payload)["service"] == "walkin"
        late = Device(broker.port, Account("lobby-2", "display-secret-2", DeviceKind.DISPLAY))
        try:
            late.subscribe(f"antre/v1/{OFFICE}/queue/walkin/state")
            retained = late.inbox.get(timeout=TIMEOUT_S)
            assert retained.retain and json.loads(retained.payload)["service"] == "walkin"
        finally:
            late.close()
    finally:
        display.close()
        holder["publisher"].stop()
        server.stop()


def test_devices_get_their_retained_configuration(broker: MosquittoProcess, engine: Engine) -> None:
    from queue_server.services.device_config import DeviceConfigService

    holder: dict[str, StatePublisher] = {}
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker.port, SERVER.username, SERVER.password),
        office=OFFICE,
        handler=KioskRequests(issuing=engine.issuing),
        on_connected=lambda: holder["publisher"].refresh(OFFICE),
    )
    holder["publisher"] = StatePublisher(
        views=engine.views(),
        publish=server.publish,
        outbox=engine.outbox(),
        configs=DeviceConfigService(**engine.shared),
    )
    holder["publisher"].start()
    server.start()
    kiosk, display = Device(broker.port, KIOSK), Device(broker.port, DISPLAY)
    try:
        assert server.connected.wait(TIMEOUT_S)
        kiosk.subscribe(f"antre/v1/{OFFICE}/config/kiosk")
        config = json.loads(kiosk.inbox.get(timeout=TIMEOUT_S).payload)
        services = {service["id"]: service for service in config["services"]}
        assert services["mpaspor"]["needs_booking"] and not services["mpaspor"]["offline_allowed"]
        assert services["walkin"]["name"] == {"id": "Paspor tanpa janji", "en": "Passport walk-in"}
        assert [c["code"] for c in config["priority_categories"]][:2] == ["disabled", "elderly"]
        assert config["office"]["timezone"] == "Asia/Makassar" and config["seq"] > 0
        display.subscribe(f"antre/v1/{OFFICE}/config/display")
        shown = json.loads(display.inbox.get(timeout=TIMEOUT_S).payload)
        assert {"code": "cs-1", "name": "CS 1", "stations": ["CS"]} in shown["counters"]
    finally:
        kiosk.close()
        display.close()
        holder["publisher"].stop()
        server.stop()
