"""The kiosk journey (kiosk.flow) with a fake desk, a memory printer and a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from devices.printer import MemoryPrinter, PrinterStatus, profile_named
from kiosk.content import KioskContent, ServiceGroup, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.flow import Collaborators, KioskFlow, Step, perform_issue, perform_request
from kiosk.link.core import IssuedOffline, IssuedOnline
from kiosk.link.errors import LinkError, NotAvailableOffline, OfflineRefused, Refused
from kiosk.link.offline import LocalTicket
from kiosk.link.answer import Answer
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
        service: str,
        *,
        language: str = "id",
        priority_category: str | None = None,
        nik: str | None = None,
        by_proxy: bool = False,
    ) -> IssuedOnline | IssuedOffline:
        call: dict[str, Any] = {
            "service": service,
            "language": language,
            "priority_category": priority_category,
        }
        if nik is not None or by_proxy:
            call |= {"nik": nik, "by_proxy": by_proxy}
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


def run_issue(flow: KioskFlow) -> None:
    """What the app does on its worker thread, then on the UI thread."""
    request = flow.pending_request()
    assert request is not None
    assert flow.pending_request() is None, "a request is handed out once"
    flow.finish_request(perform_request(request, flow.collaborators, flow.content.branding))


def test_content_groups_the_services(content: KioskContent) -> None:
    assert content.groups() == list(ServiceGroup)
    assert [s.id for s in content.in_group(ServiceGroup.STAY_PERMIT)] == [
        "itk-penerbitan",
        "itap-perpanjangan",
    ]
    walkin = content.service("paspor-walkin")
    assert walkin is not None and walkin.asks_documents_ready and walkin.asks_priority
    complaint = content.service("pengaduan")
    assert complaint is not None and not complaint.asks_priority
    assert not complaint.asks_documents_ready
    assert [c.code for c in content.priority_categories][:2] == ["disabled", "elderly"]


def test_content_refuses_a_payload_outside_the_contract() -> None:
    payload = {**DEMO_PAYLOAD, "services": [{"id": "x"}, "junk"]}
    with pytest.raises(ValueError):
        content_from_payload(payload)
    with pytest.raises(ValueError):
        content_from_payload({})
    assert content_from_payload(DEMO_PAYLOAD).version == str(DEMO_PAYLOAD["content_version"])


def test_walk_in_with_documents_ready_prints_a_ticket(
    flow: KioskFlow, desk: FakeDesk, printer: MemoryPrinter
) -> None:
    flow.start("en")
    flow.choose_group(ServiceGroup.PASSPORT)
    assert flow.state.step is Step.SERVICES and flow.state.group is ServiceGroup.PASSPORT
    flow.choose_service("paspor-walkin")
    assert flow.state.step is Step.DOCUMENTS
    flow.answer_documents(True)
    assert flow.state.step is Step.PRIORITY
    flow.choose_priority(None)
    assert flow.state.step is Step.ISSUING
    run_issue(flow)
    state = flow.state
    assert state.step is Step.TICKET and state.outcome is not None
    ticket = state.outcome.ticket
    assert ticket is not None
    assert (ticket.label, ticket.people_ahead, ticket.wait_minutes) == ("B-007", 3, 12)
    assert ticket.qr_text == "http://antre.test/t/tok7"
    assert ticket.printed and ticket.print_problem is None and not ticket.offline
    assert desk.calls == [
        ("issue", {"service": "paspor-walkin", "language": "en", "priority_category": None})
    ]
    assert len(printer.jobs) == 1 and b"B-007" in printer.jobs[0]


def test_documents_not_ready_shows_requirements_and_gives_no_number(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start()
    flow.choose_service("paspor-walkin")
    flow.answer_documents(False)
    assert flow.state.step is Step.REQUIREMENTS
    assert flow.state.service is not None and flow.state.service.description is not None
    assert flow.pending_issue() is None
    flow.back()
    assert flow.state.step is Step.DOCUMENTS, "Back shows the screen before"
    flow.answer_documents(False)
    flow.to_services()
    assert flow.state.step is Step.SERVICES
    assert desk.calls == []


def test_priority_category_is_sent_and_printed(
    flow: KioskFlow, desk: FakeDesk, printer: MemoryPrinter
) -> None:
    flow.start()
    flow.choose_service("paspor-walkin")
    flow.answer_documents(True)
    flow.choose_priority("not-a-category")
    assert flow.state.step is Step.PRIORITY and flow.state.message is not None
    flow.choose_priority("elderly")
    run_issue(flow)
    assert desk.calls[0][1]["priority_category"] == "elderly"
    assert flow.state.outcome is not None and flow.state.outcome.ticket is not None
    assert flow.state.outcome.ticket.priority
    assert b"PRIORITAS" in printer.jobs[0]


def test_booking_check_in_by_scanned_code(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start()
    flow.choose_service("paspor-mpaspor")
    assert flow.state.step is Step.SCAN
    flow.submit_code("??")
    assert flow.state.step is Step.SCAN and flow.state.message is not None
    assert "M-Paspor" in flow.state.text(flow.state.message)
    flow.submit_code(" mp2026abc123 ")
    assert flow.state.step is Step.DOCUMENTS and flow.state.message is None
    flow.answer_documents(True)
    assert flow.state.step is Step.ISSUING, "a booking asks no priority: its slot is fixed"
    run_issue(flow)
    assert desk.calls == [
        ("check_in", {"booking_code": "MP2026ABC123", "documents_ready": True, "language": "id"})
    ]
    assert flow.state.step is Step.TICKET


def test_code_outside_the_scan_screen_is_ignored(flow: KioskFlow) -> None:
    flow.start()
    flow.submit_code("MP2026ABC123")
    assert flow.state.step is Step.SERVICES and flow.state.booking_code is None


@pytest.mark.parametrize("language", ["id", "en"])
def test_refusal_shows_the_server_message_in_the_current_language(
    flow: KioskFlow, desk: FakeDesk, language: str
) -> None:
    desk.error = Refused(
        {"id": "Kuota hari ini habis.", "en": "Today's quota is full."}, code="quota_full"
    )
    flow.start(language)
    flow.choose_service("itk-penerbitan")
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.step is Step.PROBLEM
    expected = {"id": "Kuota hari ini habis.", "en": "Today's quota is full."}[language]
    assert flow.state.text(flow.state.message) == expected
    flow.set_language("en" if language == "id" else "id")
    assert flow.state.text(flow.state.message) != expected
    flow.back()
    assert flow.state.step is Step.PRIORITY and flow.state.message is None
    flow.choose_priority(None)
    run_issue(flow)
    flow.to_services()
    assert flow.state.step is Step.SERVICES and flow.state.message is None


def test_offline_refusal_and_offline_check_in(flow: KioskFlow, desk: FakeDesk) -> None:
    desk.error = OfflineRefused({"id": "Tidak ada nomor.", "en": "No numbers left."})
    flow.start("en")
    flow.choose_service("pengaduan")
    assert flow.state.step is Step.ISSUING, "complaints ask neither documents nor priority"
    run_issue(flow)
    assert flow.state.text(flow.state.message) == "No numbers left."
    desk.error = NotAvailableOffline()
    flow.start()
    flow.choose_service("paspor-mpaspor")
    flow.submit_code("MP2026ABC123")
    flow.answer_documents(True)
    run_issue(flow)
    assert flow.state.step is Step.PROBLEM
    assert "offline" in flow.state.text(flow.state.message)


def test_offline_ticket_has_no_position(
    flow: KioskFlow, desk: FakeDesk, printer: MemoryPrinter
) -> None:
    desk.result = IssuedOffline(LocalTicket("B-051", "paspor-walkin", NOW, "lease-1", 51))
    flow.start()
    flow.choose_service("informasi")
    run_issue(flow)
    assert flow.state.outcome is not None
    ticket = flow.state.outcome.ticket
    assert ticket is not None and ticket.offline and ticket.label == "B-051"
    assert ticket.people_ahead is None and ticket.wait_minutes is None and ticket.printed
    assert b"B-051" in printer.jobs[0] and b"Orang di depan" not in printer.jobs[0]


def test_printer_fault_keeps_the_ticket_on_screen(flow: KioskFlow, printer: MemoryPrinter) -> None:
    printer.printer_status = PrinterStatus(paper_out=True)
    flow.start("en")
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.step is Step.TICKET and flow.state.outcome is not None
    ticket = flow.state.outcome.ticket
    assert ticket is not None and ticket.label == "B-007" and not ticket.printed
    assert ticket.print_problem is not None
    assert "out of paper" in ticket.print_problem["en"]
    assert printer.jobs == []


def test_unexpected_desk_error_still_answers(flow: KioskFlow, desk: FakeDesk) -> None:
    class Broken:
        def issue(self, *args: Any, **kwargs: Any) -> IssuedOnline:
            raise RuntimeError("boom")

        check_in = issue

    flow.collaborators = Collaborators(
        desk=Broken(),
        printer=flow.collaborators.printer,
        profile=flow.collaborators.profile,
        monotonic=flow.collaborators.monotonic,
        now=lambda: NOW,
    )
    flow.start()
    flow.choose_service("informasi")
    run_issue(flow)
    assert flow.state.step is Step.PROBLEM and flow.state.message is not None


def test_idle_timeout_returns_to_welcome_from_any_screen(flow: KioskFlow, clock: FakeClock) -> None:
    flow.start("en")
    flow.choose_service("paspor-walkin")
    clock.seconds += 59
    flow.tick()
    assert flow.state.step is Step.DOCUMENTS
    flow.touch()
    clock.seconds += 59
    flow.tick()
    assert flow.state.step is Step.DOCUMENTS, "a touch starts the timeout again"
    clock.seconds += 1
    flow.tick()
    assert flow.state.step is Step.WELCOME and flow.state.language == "id"
    assert flow.state.service is None


def test_idle_timeout_does_not_abandon_an_issue_under_way(
    flow: KioskFlow, clock: FakeClock
) -> None:
    flow.start()
    flow.choose_service("informasi")
    request = flow.pending_issue()
    assert request is not None
    clock.seconds += 600
    flow.tick()
    assert flow.state.step is Step.ISSUING
    flow.finish_issue(perform_issue(request, flow.collaborators, flow.content.branding))
    assert flow.state.step is Step.TICKET


def test_ticket_screen_returns_to_welcome_and_drops_late_outcomes(
    flow: KioskFlow, clock: FakeClock
) -> None:
    flow.start()
    flow.choose_service("informasi")
    run_issue(flow)
    clock.seconds += 19
    flow.tick()
    assert flow.state.step is Step.TICKET
    clock.seconds += 1
    flow.tick()
    assert flow.state.step is Step.WELCOME
    flow.start()
    flow.choose_service("informasi")
    stale = flow.pending_issue()
    assert stale is not None
    flow.restart()
    flow.finish_issue(perform_issue(stale, flow.collaborators, flow.content.branding))
    assert flow.state.step is Step.WELCOME


def test_language_switch_anywhere_and_listeners(flow: KioskFlow) -> None:
    seen: list[Step] = []
    flow.on_change(lambda state: seen.append(state.step))
    flow.start("en")
    flow.choose_service("paspor-walkin")
    flow.set_language("id")
    assert flow.state.language == "id" and flow.state.step is Step.DOCUMENTS
    flow.set_language("fr")
    assert flow.state.language == "id"
    assert seen[-1] is Step.DOCUMENTS and Step.SERVICES in seen


def test_back_walks_out_to_welcome(flow: KioskFlow) -> None:
    flow.start()
    flow.choose_group(ServiceGroup.PASSPORT)
    flow.back()
    assert flow.state.step is Step.SERVICES and flow.state.group is None
    flow.back()
    assert flow.state.step is Step.WELCOME


def test_a_group_with_one_service_goes_straight_to_it(flow: KioskFlow) -> None:
    flow.start()
    flow.choose_group(ServiceGroup.PICKUP)
    assert flow.state.step is Step.PICKUP
    assert flow.state.service is not None and flow.state.service.id == "pengambilan-paspor"
    flow.choose_service("gone")
    assert flow.state.message is not None


def test_new_content_restarts_only_when_the_chosen_service_went(flow: KioskFlow) -> None:
    flow.start()
    flow.choose_service("paspor-walkin")
    flow.set_content(content_from_payload(DEMO_PAYLOAD))
    assert flow.state.step is Step.DOCUMENTS
    flow.set_content(KioskContent())
    assert flow.state.step is Step.WELCOME


def test_demo_desk_numbers_and_refusals() -> None:
    desk = DemoDesk(clock=lambda: NOW)
    first, second = desk.issue("paspor-walkin"), desk.issue("paspor-walkin")
    assert (first.label, second.label) == ("B-001", "B-002")
    with pytest.raises(Refused) as refused:
        desk.check_in("USED00001", documents_ready=True)
    assert refused.value.code == "booking_used"
    desk.offline = True
    assert isinstance(desk.issue("informasi"), IssuedOffline)


def test_the_qr_links_to_the_office_public_base_url_from_config_kiosk(
    desk: FakeDesk, printer: MemoryPrinter, clock: FakeClock
) -> None:
    payload = DEMO_PAYLOAD | {"public_base_url": "https://antrian.kanim.example/"}
    content = content_from_payload(payload)
    assert content.public_base_url == "https://antrian.kanim.example"
    collaborators = Collaborators(
        desk=desk, printer=printer, profile=printer.profile, monotonic=clock, now=lambda: NOW
    )
    flow = KioskFlow(content=content, collaborators=collaborators, tap_guard_s=0)
    flow.start("id")
    flow.choose_service("paspor-walkin")
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.outcome is not None and flow.state.outcome.ticket is not None
    assert flow.state.outcome.ticket.qr_text == "https://antrian.kanim.example/t/tok7"
    assert b"https://antrian.kanim.example/t/tok7" in printer.jobs[0]


@pytest.mark.parametrize("value", [None, "", "antrian.example"])
def test_an_unusable_public_base_url_is_ignored(value: object) -> None:
    assert content_from_payload(DEMO_PAYLOAD | {"public_base_url": value}).public_base_url is None
