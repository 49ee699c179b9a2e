"""The real desk: the MQTT link, the local store and the offline issuer (see kiosk.link).

Start-up never waits on the network when it need not: the last ``config/kiosk`` the kiosk
accepted is kept in its local store (:class:`~kiosk.link.SavedConfig`) and shown at once;
the broker's retained message replaces it when it comes. Only a kiosk that has never had
its content waits, briefly, and then opens on the flow's "service unavailable" message
until the content arrives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.health import HealthReporter
from kiosk.content import KioskContent, content_from_payload
from kiosk.link import (
    KioskCore,
    KioskLink,
    LinkConfig,
    LocalStore,
    OfflineIssuer,
    Outbox,
    SavedConfig,
    utc_now,
)
from kiosk.link.health import HealthPublisher
from kiosk.link.saved_states import SavedQueueStates
from kiosk.sessions import OpenSessions
from queue_server.protocol.states import KioskConfigMessage, QueueStateMessage

if TYPE_CHECKING:
    from devices.config import KioskDevices

log = logging.getLogger(__name__)
#: How long a kiosk without saved content waits for the broker's before opening its window.
FIRST_CONTENT_WAIT_S = 2.0


def start_content(
    saved: KioskContent | None, wait_for_broker: Callable[[float], KioskContent | None]
) -> KioskContent:
    """What the window opens on: the saved content at once, else the broker's if it comes
    within :data:`FIRST_CONTENT_WAIT_S`, else no services (the flow's unavailable state)."""
    if saved is not None:
        return saved
    arrived = wait_for_broker(FIRST_CONTENT_WAIT_S)
    if arrived is None:
        log.warning("no config/kiosk yet: the kiosk shows 'service unavailable' until it comes")
        return KioskContent()
    return arrived


def open_live_desk(
    config: LinkConfig,
    database: Path,
    stack: ExitStack,
    app_holder: list[Any],
    sessions: OpenSessions | None = None,
    *,
    lane: bool = False,
) -> tuple[KioskCore, KioskContent]:
    """Start the link and the core over the local store in ``database``; the content is the
    saved ``config/kiosk`` or (bounded wait) the broker's first one. ``sessions`` gets the
    server's queue states (what is open now: a pickup-only Saturday). A ``lane`` kiosk
    issues no tickets, so it leases no offline numbers."""

    def offline_services(content: KioskContent) -> list[str]:
        return [] if lane else _offline_services(content)

    store = LocalStore(database)
    stack.callback(store.close)
    saved_config = SavedConfig(store)
    saved = _content(saved_config.load())
    link = KioskLink(config)
    first = threading.Event()
    latest: list[KioskContent] = []
    cores: list[KioskCore] = []

    def on_config(payload: KioskConfigMessage) -> None:
        content = content_from_payload(payload)
        saved_config.save(payload)
        latest[:] = [content]
        first.set()
        if cores:
            cores[0].set_offline_services(offline_services(content))
        _hand_over(app_holder, content)

    def wait_for_broker(limit_s: float) -> KioskContent | None:
        return latest[0] if first.wait(limit_s) and latest else None

    link.on_config(on_config)
    if sessions is not None:
        _keep_sessions(sessions, SavedQueueStates(store), link)
    link.start()
    stack.callback(link.close)
    content = start_content(saved, wait_for_broker)
    outbox = Outbox(store)
    issuer = OfflineIssuer(
        store=store, outbox=outbox, link=link, clock=utc_now, timezone=config.timezone
    )
    core = KioskCore(
        link=link,
        outbox=outbox,
        issuer=issuer,
        offline_services=offline_services(latest[0] if latest else content),
    )
    cores.append(core)
    core.start()
    stack.callback(core.stop)
    return core, content


def start_health(core: KioskCore, devices: KioskDevices, stack: ExitStack) -> HealthPublisher:
    """Publish the kiosk's health (devices and outbox) on change, on connect and every few
    minutes, until the window closes."""
    reporter = HealthReporter(devices, outbox=core.outbox_count)
    publisher = HealthPublisher(core.link, lambda force: reporter.poll(force=force)).start()
    stack.callback(publisher.stop)
    return publisher


def _keep_sessions(sessions: OpenSessions, saved: SavedQueueStates, link: KioskLink) -> None:
    """What is open: the saved states at once (offline start), then the broker's; a change
    of what is open is saved."""
    for state in saved.load():
        sessions.update(state)

    def on_state(state: QueueStateMessage) -> None:
        if sessions.update(state):
            saved.save(state)

    link.on_queue_state(on_state)


def _offline_services(content: KioskContent) -> list[str]:
    return [service.id for service in content.services if service.offline_allowed]


def _content(payload: KioskConfigMessage | None) -> KioskContent | None:
    if payload is None:
        return None
    try:
        return content_from_payload(payload)
    except ValueError:
        log.warning("the saved config/kiosk could not be read: waiting for the broker's")
        return None


def _hand_over(app_holder: list[Any], content: KioskContent) -> None:
    """Give ``content`` to the window; one still being built gets it on its first frame
    (the composition root fills ``app_holder`` before the Kivy loop runs)."""
    if app_holder:
        app_holder[0].content_changed(content)
        return
    from kivy.clock import Clock  # the window is being built: Kivy is already imported

    Clock.schedule_once(lambda _dt: _hand_over(app_holder, content))
