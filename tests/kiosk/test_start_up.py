"""A kiosk starts and serves through a network fault: the saved ``config/kiosk``."""

from __future__ import annotations

import socket
import threading
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devices.printer import MemoryPrinter, profile_named
from kiosk.app import live as live_start
from kiosk.content import KioskContent, content_from_payload
from kiosk.demo import DEMO_PAYLOAD
from kiosk.flow import Collaborators, KioskFlow, Step
from kiosk.flow_core import SERVICE_UNAVAILABLE, WELCOME_MESSAGE_S
from kiosk.issuing import TicketDesk
from kiosk.link import LinkConfig, LocalStore, SavedConfig
from queue_server.i18n import both
from queue_server.protocol.states import KioskConfigMessage
from tests.kiosk.conftest import DEVICE
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer, wait_until

OLD_SERVICE = "paspor-walkin"


def demo_message(seq: int = 1, only: str | None = None) -> KioskConfigMessage:
    payload: dict[str, Any] = {**DEMO_PAYLOAD, "seq": seq}
    if only is not None:
        payload["services"] = [s for s in DEMO_PAYLOAD["services"] if s["id"] == only]
    return KioskConfigMessage.model_validate(payload)


def save(database: Path, message: KioskConfigMessage) -> None:
    store = LocalStore(database)
    try:
        SavedConfig(store).save(message)
    finally:
        store.close()


def saved(database: Path) -> KioskConfigMessage | None:
    store = LocalStore(database)
    try:
        return SavedConfig(store).load()
    finally:
        store.close()


def closed_port() -> int:
    """A loopback port nobody listens on (the broker is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def link_config(port: int, password: str = "not-used") -> LinkConfig:
    return LinkConfig(
        office=OFFICE,
        device=DEVICE,
        password=password,
        port=port,
        timezone="Asia/Makassar",
        reconnect_max_s=2,
        resend_s=0.5,
    )


class AppStub:
    """The window's side of ``open_live_desk``: records the contents handed over."""

    def __init__(self) -> None:
        self.contents: list[KioskContent] = []
        self._lock = threading.Lock()

    def content_changed(self, content: KioskContent) -> None:
        with self._lock:
            self.contents.append(content)


class Clock:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def flow_over(desk: TicketDesk, content: KioskContent, clock: Clock | None = None) -> KioskFlow:
    printer = MemoryPrinter(profile_named("80mm"))
    collaborators = Collaborators(
        desk=desk,
        printer=printer,
        profile=printer.profile,
        monotonic=clock or Clock(),
        now=lambda: datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
    )
    return KioskFlow(content=content, collaborators=collaborators, tap_guard_s=0)


def service_ids(content: KioskContent) -> list[str]:
    return [service.id for service in content.services]


def test_the_saved_config_survives_a_restart_and_is_replaced_whole(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.db"
    assert saved(database) is None
    save(database, demo_message(seq=1, only=OLD_SERVICE))
    first = saved(database)
    assert first is not None and [s.id for s in first.services] == [OLD_SERVICE]
    save(database, demo_message(seq=2))
    second = saved(database)
    assert second == demo_message(seq=2)
    store = LocalStore(database)
    try:
        assert store.rows("SELECT count(*) AS n FROM kiosk_config")[0]["n"] == 1
        with store.transaction() as connection:  # a copy from an older contract
            connection.execute("UPDATE kiosk_config SET payload = '{\"services\": 3}'")
        assert SavedConfig(store).load() is None
    finally:
        store.close()


def test_saved_content_is_used_without_asking_the_broker() -> None:
    content = content_from_payload(DEMO_PAYLOAD)
    asked: list[float] = []

    def broker(limit_s: float) -> KioskContent | None:
        asked.append(limit_s)
        return None

    assert live_start.start_content(content, broker) is content
    assert asked == []
    assert live_start.start_content(None, broker) == KioskContent()
    assert asked == [live_start.FIRST_CONTENT_WAIT_S] and asked[0] <= 2.0


def test_a_kiosk_with_a_saved_config_serves_at_once_with_the_broker_down(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.db"
    save(database, demo_message())
    app = AppStub()
    with ExitStack() as stack:
        desk, content = live_start.open_live_desk(
            link_config(closed_port()), database, stack, [app]
        )
        assert service_ids(content) == [s["id"] for s in DEMO_PAYLOAD["services"]]
        flow = flow_over(desk, content)
        assert flow.state.message is None
        flow.start()
        assert flow.state.step is Step.SERVICES and flow.state.offline
        walk_in = content.service(OLD_SERVICE)
        assert walk_in is not None and not flow.state.unavailable(walk_in)
    assert app.contents == []


def test_no_saved_config_and_no_broker_says_unavailable_then_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_start, "FIRST_CONTENT_WAIT_S", 0.2)
    clock = Clock()
    with ExitStack() as stack:
        desk, content = live_start.open_live_desk(
            link_config(closed_port()), tmp_path / "kiosk.db", stack, [AppStub()]
        )
        assert content == KioskContent()
        flow = flow_over(desk, content, clock)
    unavailable = both(SERVICE_UNAVAILABLE)
    assert unavailable["id"] != unavailable["en"]
    assert flow.state.step is Step.WELCOME and flow.state.message == unavailable
    flow.start()  # a touch on the welcome screen: nothing to choose from yet
    assert flow.state.step is Step.WELCOME and flow.state.message == unavailable
    clock.seconds += WELCOME_MESSAGE_S + 1
    flow.tick()
    assert flow.state.message == unavailable  # it stays while there is no content
    flow.set_content(content_from_payload(DEMO_PAYLOAD))
    assert flow.state.step is Step.WELCOME and flow.state.message is None
    flow.start()
    assert flow.state.step is Step.SERVICES
    flow.set_content(KioskContent())  # the office withdrew everything
    assert flow.state.step is Step.WELCOME and flow.state.message == unavailable


def test_the_broker_config_replaces_the_saved_one(live: LiveServer, tmp_path: Path) -> None:
    database = tmp_path / "kiosk.db"
    save(database, demo_message(only=OLD_SERVICE))
    app = AppStub()
    with ExitStack() as stack:
        desk, content = live_start.open_live_desk(
            link_config(live.port, live.passwords[DEVICE]), database, stack, [app]
        )
        assert service_ids(content) == [OLD_SERVICE]  # at once, before the broker's
        flow = flow_over(desk, content)
        assert wait_until(lambda: bool(app.contents), limit_s=WAIT_S)
        newer = app.contents[-1]
        assert service_ids(newer) and service_ids(newer) != [OLD_SERVICE]
        flow.set_content(newer)  # what the window does with it (flow.set_content)
        flow.start()
        assert flow.state.step is Step.SERVICES and flow.content is newer
    kept = saved(database)
    assert kept is not None and content_from_payload(kept) == newer


def test_a_kiosk_that_never_had_content_recovers_when_the_broker_returns(
    live: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_start, "FIRST_CONTENT_WAIT_S", 0.2)
    assert live.runtime is not None and live.runtime.broker is not None
    live.runtime.broker.supervisor.stop()
    live.runtime.broker.process.stop()
    app = AppStub()
    with ExitStack() as stack:
        desk, content = live_start.open_live_desk(
            link_config(live.port, live.passwords[DEVICE]), tmp_path / "kiosk.db", stack, [app]
        )
        flow = flow_over(desk, content)
        assert flow.state.message == both(SERVICE_UNAVAILABLE)
        live.runtime.broker.process.relaunch()
        assert wait_until(desk.is_online, limit_s=WAIT_S)
        assert wait_until(live.runtime.client.connected.is_set, limit_s=WAIT_S)
        live.runtime.publisher.publish_configs(OFFICE)
        assert wait_until(lambda: bool(app.contents), limit_s=WAIT_S)
        flow.set_content(app.contents[-1])
        assert flow.state.message is None
        flow.start()
        assert flow.state.step is Step.SERVICES and flow.content.services
    assert saved(tmp_path / "kiosk.db") is not None
