"""A remote registration at the kiosk: the QR is recognised and sent with issue_ticket;
end to end through the real server and broker, with the confirmation reaching the
loopback notification provider."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kiosk.flow import REGISTRATION_NEEDS_SERVER, KioskFlow, Step
from kiosk.link import IssuedOnline
from kiosk.link.errors import Refused
from kiosk.scan_routes import (
    REGISTRATION_CODE_ALPHABET,
    REGISTRATION_CODE_LENGTH,
    TYPED_CODE_MALFORMED,
    ScanKind,
    route_scan,
    typed_registration,
)
from queue_server.domain.registration import (
    CODE_ALPHABET,
    CODE_LENGTH,
    RegistrationInvalid,
    RegistrationUsed,
    qr_text,
)
from queue_server.i18n import both
from queue_server.notify.gateways import WebhookGateway
from queue_server.notify.worker import NotificationWorker
from queue_server.persistence.models import RegistrationRow, VisitRow
from queue_server.services.container import registration_key
from queue_server.services.offices import store_office
from tests.kiosk.conftest import KioskStack
from tests.kiosk.flow_fakes import ONLINE_ANSWER, FakeDesk
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


def test_the_kiosk_knows_the_servers_code_alphabet() -> None:
    assert (REGISTRATION_CODE_ALPHABET, REGISTRATION_CODE_LENGTH) == (CODE_ALPHABET, CODE_LENGTH)
    assert typed_registration(" acd-347 ") == "ACD347"
    for bad in ("", "ACD34", "ACD3477", "ACD34O", "ACD341", "ACD 3Z7"):
        assert typed_registration(bad) == both(TYPED_CODE_MALFORMED)


def test_a_typed_code_is_sent_without_a_service_and_the_ticket_names_the_servers(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start("en")
    flow.type_registration()
    assert flow.state.step is Step.REGISTRATION and flow.state.message is None
    flow.submit_registration("ACD34")  # too short: told here, nothing sent
    assert flow.state.step is Step.REGISTRATION
    assert flow.state.message == both(TYPED_CODE_MALFORMED) and desk.calls == []
    flow.submit_registration("acd 347")
    assert flow.state.step is Step.ISSUING
    run_issue(flow)
    assert desk.calls == [
        (
            "issue",
            {
                "service": None,
                "language": "en",
                "priority_category": None,
                "registration": "ACD347",
            },
        )
    ]
    assert flow.state.step is Step.TICKET and flow.state.outcome is not None
    ticket = flow.state.outcome.ticket
    assert ticket is not None and ticket.label == ONLINE_ANSWER["label"]
    walkin = flow.content.service(str(ONLINE_ANSWER["service"]))
    assert walkin is not None and ticket.service_name == walkin.name  # the server's service
    flow.home()
    flow.start()
    flow.type_registration()
    flow.back()  # the code step is left as any other
    assert flow.state.step is Step.SERVICES


@pytest.mark.parametrize("refusal", [RegistrationInvalid(), RegistrationUsed(label="B-003")])
def test_a_refused_code_is_told_in_the_applicants_language(
    flow: KioskFlow, desk: FakeDesk, refusal: Exception
) -> None:
    messages = both(refusal.template, **refusal.params)  # type: ignore[attr-defined]
    desk.error = Refused(messages, code=refusal.code)  # type: ignore[attr-defined]
    flow.start("id")
    flow.type_registration()
    flow.submit_registration("ACD347")
    run_issue(flow)
    assert flow.state.step is Step.PROBLEM
    assert flow.state.text(flow.state.message) == messages["id"]
    flow.set_language("en")
    assert flow.state.text(flow.state.message) == messages["en"]


def test_offline_a_registration_is_not_taken(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start("en")
    desk.online = False
    flow.type_registration()
    assert flow.state.step is Step.SERVICES and flow.state.offline
    assert flow.state.message == both(REGISTRATION_NEEDS_SERVER)
    desk.online = True
    flow.type_registration()
    desk.online = False  # the link went down while the code was typed
    flow.submit_registration("ACD347")
    assert flow.state.step is Step.REGISTRATION
    assert flow.state.message == both(REGISTRATION_NEEDS_SERVER) and desk.calls == []


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

    # A short code typed at the kiosk: no service sent, the registration's is used.
    clock.now = wita(23, 19, 40)
    typed = live.services.registrations.register(office=OFFICE, window="percepatan")
    clock.now = wita(24, 8, 20)
    by_code = kiosk.core.issue(None, language="en", registration=typed.code.lower())
    assert isinstance(by_code, IssuedOnline) and by_code.data.service == "walkin"
    with pytest.raises(Refused) as used:
        kiosk.core.issue(None, language="en", registration=typed.code)
    assert used.value.code == "registration_used" and by_code.label in used.value.messages["en"]
    with pytest.raises(Refused) as unknown:
        kiosk.core.issue(None, registration="XXXXXX")
    assert unknown.value.code == "registration_invalid"


def test_an_office_without_registrations_ahead_does_not_open_the_code_keyboard(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.set_content(dataclasses.replace(flow.content, registration=False))
    flow.start("en")
    flow.type_registration()  # (a press on a button that was just taken away)
    assert flow.state.step is Step.SERVICES and desk.calls == []
    flow.set_content(dataclasses.replace(flow.content, registration=True))
    flow.type_registration()
    assert flow.state.step is Step.REGISTRATION
