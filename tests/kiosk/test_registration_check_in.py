"""A remote registration at the kiosk: the QR is recognised and sent with issue_ticket;
end to end through the real server and broker, with the confirmation reaching the
loopback notification provider."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kiosk.flow import KioskFlow, Step
from kiosk.link import IssuedOnline
from kiosk.link.errors import Refused
from kiosk.scan_routes import ScanKind, route_scan
from queue_server.domain.registration import qr_text
from queue_server.notify.gateways import WebhookGateway
from queue_server.notify.worker import NotificationWorker
from queue_server.persistence.models import RegistrationRow, VisitRow
from queue_server.services.container import registration_key
from queue_server.services.offices import store_office
from tests.kiosk.conftest import KioskStack
from tests.kiosk.flow_fakes import FakeDesk
from tests.kiosk.test_flow import run_issue
from tests.mqtt.live import OFFICE, LiveServer
from tests.notify.provider import SECRET, Provider, running_provider
from tests.services.clock import FakeClock
from tests.services.test_registrations import WINDOWS, wita
from tests.web.conftest import office_settings

QR = "ANTRE-REG:kanim-banjarmasin:ACD347:2026-11-24:paspor-walkin:0123456789abcdef0123"


def test_a_registration_qr_is_routed_with_its_service() -> None:
    route = route_scan(QR)
    assert route.kind is ScanKind.REGISTRATION and route.service == "paspor-walkin"
    assert route.value == QR
    broken = route_scan(QR[:-3])
    assert broken.kind is ScanKind.REGISTRATION and broken.problem is not None
    assert broken.value is None


def test_the_kiosk_sends_the_registration_with_the_ticket_request(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start()
    flow.scan(QR)
    assert flow.state.step is Step.ISSUING
    run_issue(flow)
    assert flow.state.step is Step.TICKET
    assert desk.calls[0] == (
        "issue",
        {
            "service": "paspor-walkin",
            "language": "id",
            "priority_category": None,
            "registration": QR,
        },
    )


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        running.reset(secret=SECRET)
        yield running


def test_end_to_end_register_confirm_and_check_in_once(
    live: LiveServer, kiosk: KioskStack, provider: Provider
) -> None:
    clock = live.services.clock
    assert isinstance(clock, FakeClock)
    clock.now = wita(23, 19, 30)  # Monday evening: percepatan is open for Tuesday
    with live.services.database.writer() as session, session.begin():
        store_office(session, office_settings() | {"registration": WINDOWS[:1]}, now=clock())
    registered = live.services.registrations.register(
        office=OFFICE, window="percepatan", phone="081234567890", language="en"
    )
    key = registration_key(live.services.config)
    assert registered.qr_text == qr_text(
        key, OFFICE, registered.code, registered.service_day, "walkin"
    )
    gateway = WebhookGateway(provider.url + "/webhook", SECRET)
    worker = NotificationWorker(live.services.database, gateway, clock=clock)
    assert worker.run_once() == 1
    (received,) = provider.received
    sent = json.loads(received.body)
    assert registered.code in json.dumps(sent) and "2026-11-24" in json.dumps(sent)

    clock.now = wita(24, 8, 15)  # Tuesday morning at the kiosk
    issued = kiosk.core.issue("walkin", registration=registered.qr_text)
    assert isinstance(issued, IssuedOnline) and issued.label.startswith("B")
    with pytest.raises(Refused) as again:
        kiosk.core.issue("walkin", registration=registered.qr_text)
    assert again.value.code == "registration_used"
    assert issued.label in again.value.messages["en"]
    assert issued.label in again.value.messages["id"]
    with pytest.raises(Refused) as forged:
        kiosk.core.issue("walkin", registration=registered.qr_text[:-4] + "beef")
    assert forged.value.code == "registration_invalid"
    with live.services.database.reader() as session:
        (row,) = session.scalars(select(RegistrationRow)).all()
        visit = session.get(VisitRow, row.visit_id)
    assert row.status == "checked_in" and visit is not None and visit.label == issued.label
