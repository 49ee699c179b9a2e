"""The real desk: the MQTT link, the local store and the offline issuer (see kiosk.link)."""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.content import KioskContent, content_from_payload
from kiosk.link import KioskCore, KioskLink, LinkConfig, LocalStore, OfflineIssuer, Outbox, utc_now
from queue_server.protocol.states import KioskConfigMessage

log = logging.getLogger(__name__)
FIRST_CONTENT_WAIT_S = 10.0


def open_live_desk(
    config: LinkConfig, database: Path, stack: ExitStack, app_holder: list[Any]
) -> tuple[KioskCore, KioskContent]:
    """Start the link and the core over the local store in ``database``; wait (bounded)
    for the first ``config/kiosk``."""
    store = LocalStore(database)
    link = KioskLink(config)
    first = threading.Event()
    latest: list[KioskContent] = []

    def on_config(payload: KioskConfigMessage) -> None:
        content = content_from_payload(payload)
        latest[:] = [content]
        first.set()
        if app_holder:
            app_holder[0].content_changed(content)

    link.on_config(on_config)
    link.start()
    stack.callback(link.close)
    if not first.wait(FIRST_CONTENT_WAIT_S):
        log.warning("no config/kiosk yet: the service screen stays empty until it comes")
    content = latest[0] if latest else KioskContent()
    outbox = Outbox(store)
    issuer = OfflineIssuer(
        store=store, outbox=outbox, link=link, clock=utc_now, timezone=config.timezone
    )
    offline = [service.id for service in content.services if service.offline_allowed]
    core = KioskCore(link=link, outbox=outbox, issuer=issuer, offline_services=offline).start()
    stack.callback(core.stop)
    return core, content
