"""The real desk: the MQTT link, the local store and the offline issuer (see kiosk.link)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.content import KioskContent, content_from_payload
from kiosk.link import KioskCore, KioskLink, LinkConfig, LocalStore, OfflineIssuer, Outbox, utc_now
from queue_server.protocol.states import KioskConfigMessage

log = logging.getLogger(__name__)
FIRST_CONTENT_WAIT_S = 10.0


def link_config(environ: Mapping[str, str]) -> LinkConfig:
    """The link settings from ``ANTRE_KIOSK_*`` (office, device and password are needed).

    Raises:
        SystemExit: a needed variable is missing.
    """
    missing = [
        name
        for name in ("ANTRE_KIOSK_OFFICE", "ANTRE_KIOSK_DEVICE", "ANTRE_KIOSK_PASSWORD")
        if not environ.get(name)
    ]
    if missing:
        raise SystemExit(f"set {', '.join(missing)} (or run with --demo)")
    return LinkConfig(
        office=environ["ANTRE_KIOSK_OFFICE"],
        device=environ["ANTRE_KIOSK_DEVICE"],
        password=environ["ANTRE_KIOSK_PASSWORD"],
        host=environ.get("ANTRE_KIOSK_HOST", "127.0.0.1"),
        port=int(environ.get("ANTRE_KIOSK_PORT", "1883")),
        timezone=environ.get("ANTRE_KIOSK_TIMEZONE", "Asia/Jakarta"),
    )


def open_live_desk(
    environ: Mapping[str, str], stack: ExitStack, app_holder: list[Any]
) -> tuple[KioskCore, KioskContent]:
    """Start the link and the core; wait (bounded) for the first ``config/kiosk``."""
    config = link_config(environ)
    store = LocalStore(Path(environ.get("ANTRE_KIOSK_DB", "var/kiosk.db")))
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
