"""The kiosk flow over the real link: config/kiosk arrives, a walk-in ticket is issued."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.printer import MemoryPrinter, profile_named
from kiosk.content import content_from_payload
from kiosk.flow import Collaborators, KioskFlow, Step, perform_issue
from kiosk.link import KioskCore, KioskLink, LinkConfig, LocalStore, OfflineIssuer, Outbox
from tests.kiosk.conftest import DEVICE
from tests.mqtt.live import OFFICE, WAIT_S, LiveServer


def test_flow_issues_through_the_live_server(live: LiveServer, tmp_path: Path) -> None:
    config = LinkConfig(
        office=OFFICE,
        device=DEVICE,
        password=live.passwords[DEVICE],
        port=live.port,
        timezone="Asia/Makassar",
    )
    link = KioskLink(config, clock=live.services.clock)
    payloads: list[dict[str, Any]] = []
    arrived = threading.Event()
    link.on_config(lambda payload: (payloads.append(payload), arrived.set()))
    store = LocalStore(tmp_path / "kiosk.db")
    outbox = Outbox(store)
    issuer = OfflineIssuer(
        store=store, outbox=outbox, link=link, clock=live.services.clock, timezone=config.timezone
    )
    core = KioskCore(link=link, outbox=outbox, issuer=issuer)
    link.start()
    try:
        assert link.ready.wait(WAIT_S) and arrived.wait(WAIT_S), "no retained config/kiosk"
        content = content_from_payload(payloads[-1])
        walk_in = next(s for s in content.services if s.kind == "walk_in")
        printer = MemoryPrinter(profile_named("80mm"))
        flow = KioskFlow(
            content=content,
            collaborators=Collaborators(
                desk=core,
                printer=printer,
                profile=printer.profile,
                monotonic=time.monotonic,
                now=lambda: datetime.now(UTC),
            ),
            tap_guard_s=0,  # driven by code, not fingers
        )
        flow.start("en")
        flow.choose_service(walk_in.id)
        if flow.state.step is Step.DOCUMENTS:
            flow.answer_documents(True)
        if flow.state.step is Step.PRIORITY:
            flow.choose_priority(None)
        request = flow.pending_issue()
        assert request is not None
        flow.finish_issue(perform_issue(request, flow.collaborators, content.branding))
        assert flow.state.step is Step.TICKET, flow.state.message
        assert flow.state.outcome is not None and flow.state.outcome.ticket is not None
        ticket = flow.state.outcome.ticket
        assert not ticket.offline and ticket.printed and ticket.people_ahead is not None
        assert ticket.label.encode() in printer.jobs[0]
    finally:
        core.stop()
        link.close()
        store.close()
