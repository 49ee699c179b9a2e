"""The kiosk flow's fakes and fixtures: a fake desk, a fake clock, a memory printer.

The fixtures (``content``, ``clock``, ``desk``, ``printer``, ``flow``) reach every test of
tests/kiosk/ through conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from devices.printer import MemoryPrinter, profile_named
from kiosk.content import KioskContent, content_from_payload
from kiosk.demo import DEMO_PAYLOAD
from kiosk.flow import Collaborators, KioskFlow
from kiosk.link.answer import Answer
from kiosk.link.core import IssuedOffline, IssuedOnline
from kiosk.link.errors import LinkError
from queue_server.protocol.answers import PublicTicket, RateAnswer, TicketAnswer

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
ONLINE_ANSWER = {
    "label": "B-007",
    "token": "tok7",
    "service": "paspor-walkin",
    "station": "CS",
    "issued_at": NOW.isoformat(),
    "people_ahead": 3,
    "estimated_wait_minutes": 12.4,
    "priority": False,
    "status_path": "/t/tok7",
}
STATUS = {
    "label": "B-007",
    "office": "Kanim Test",
    "service": {"id": "Paspor", "en": "Passport"},
    "station": "PICKUP",
    "status": "done",
    "issued_at": NOW.isoformat(),
    "people_ahead": None,
    "estimated_wait_minutes": None,
    "counter": None,
}


class FakeClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@dataclass
class FakeDesk:
    """Records calls; answers ``result`` or raises ``error``."""

    result: IssuedOnline | IssuedOffline = field(
        default_factory=lambda: IssuedOnline(TicketAnswer.model_validate(ONLINE_ANSWER))
    )
    error: LinkError | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    online: bool = True
    status: PublicTicket = field(default_factory=lambda: PublicTicket.model_validate(STATUS))
    rate_answer: Answer | None = field(
        default_factory=lambda: Answer(
            "t1", True, RateAnswer(label="B-007", station="BIO", score=4)
        )
    )

    def is_online(self) -> bool:
        return self.online

    def issue(
        self,
        service: str | None,
        *,
        language: str = "id",
        priority_category: str | None = None,
        nik: str | None = None,
        passport_no: str | None = None,
        by_proxy: bool = False,
        application_no: str | None = None,
        registration: str | None = None,
    ) -> IssuedOnline | IssuedOffline:
        call: dict[str, Any] = {
            "service": service,
            "language": language,
            "priority_category": priority_category,
        }
        if nik is not None or by_proxy:
            call |= {"nik": nik, "by_proxy": by_proxy}
        if passport_no is not None:
            call |= {"passport_no": passport_no}
        if application_no is not None:
            call |= {"application_no": application_no}
        if registration is not None:
            call |= {"registration": registration}
        self.calls.append(("issue", call))
        if self.error is not None:
            raise self.error
        return self.result

    def lookup(self, code: str) -> PublicTicket:
        self.calls.append(("lookup", {"code": code}))
        if self.error is not None:
            raise self.error
        return self.status

    def rate(self, ticket_token: str, score: int) -> Answer | None:
        self.calls.append(("rate", {"ticket_token": ticket_token, "score": score}))
        return self.rate_answer

    def check_in(
        self, booking_code: str, *, documents_ready: bool, language: str = "id"
    ) -> IssuedOnline:
        self.calls.append(
            (
                "check_in",
                {
                    "booking_code": booking_code,
                    "documents_ready": documents_ready,
                    "language": language,
                },
            )
        )
        if self.error is not None:
            raise self.error
        assert isinstance(self.result, IssuedOnline)
        return self.result


@pytest.fixture
def content() -> KioskContent:
    return content_from_payload(DEMO_PAYLOAD)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def desk() -> FakeDesk:
    return FakeDesk()


@pytest.fixture
def printer() -> MemoryPrinter:
    return MemoryPrinter(profile_named("80mm"))


@pytest.fixture
def flow(
    content: KioskContent, desk: FakeDesk, printer: MemoryPrinter, clock: FakeClock
) -> KioskFlow:
    collaborators = Collaborators(
        desk=desk,
        printer=printer,
        profile=printer.profile,
        monotonic=clock,
        now=lambda: NOW,
        status_base_url="http://antre.test/",
    )
    return KioskFlow(
        content=content,
        collaborators=collaborators,
        idle_timeout_s=60,
        ticket_shown_s=20,
        tap_guard_s=0,  # the double-tap guard has its own tests, with a moving clock
    )
