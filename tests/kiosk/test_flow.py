"""The kiosk journey (kiosk.flow) with a fake desk, a memory printer and a fake clock."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from devices.codes import Sex, format_nik
from devices.printer import MemoryPrinter, PrinterStatus
from kiosk.content import KioskContent, ServiceGroup, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.enquiry import LookupRequest, RateRequest
from kiosk.flow import Collaborators, KioskFlow, Step, perform_issue, perform_request
from kiosk.guide import BapReason, documents_for, station_name
from kiosk.issuing import IssueRequest
from kiosk.link.answer import Answer
from kiosk.link.core import IssuedOffline, IssuedOnline
from kiosk.link.errors import NotAvailableOffline, OfflineRefused, Refused
from kiosk.link.offline import LocalTicket
from kiosk.scan_routes import ScanKind, route_scan
from tests.kiosk.flow_fakes import NOW, FakeClock, FakeDesk


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


# Scan anywhere, every path, Back/Home, double taps, idle countdown, offline -----------

TICKET_LINK = "https://antrian.kanim.example/t/3N_10c50Orx-UgeiOQPu-R5R"
VALID_NIK = format_nik(63, 71, 1, date(1990, 5, 17), Sex.MALE, 1)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (" mp2026abc123 ", ScanKind.BOOKING, "MP2026ABC123"),
        ("1234567890", ScanKind.APPLICATION, "1234567890"),
        ("PERMOHONAN:123456789012345678", ScanKind.APPLICATION, "123456789012345678"),
        (TICKET_LINK, ScanKind.TICKET, "3N_10c50Orx-UgeiOQPu-R5R"),
        ("/api/v1/public/tickets/3N_10c50Orx-UgeiOQPu-R5R", ScanKind.TICKET, None),
        (VALID_NIK, ScanKind.NIK, None),
        ("hello?", ScanKind.UNKNOWN, None),
        ("", ScanKind.UNKNOWN, None),
        ("x" * 600, ScanKind.UNKNOWN, None),
    ],
)
def test_a_scan_is_routed_by_its_kind(text: str, kind: ScanKind, value: str | None) -> None:
    route = route_scan(text)
    assert route.kind is kind
    if value is not None:
        assert route.value == value
    assert VALID_NIK not in repr(route)


def test_a_broken_ticket_link_or_nik_has_its_own_message() -> None:
    assert route_scan("https://antre.test/x/short").problem is not None
    bad_nik = route_scan("9999999999999999")
    assert bad_nik.kind is ScanKind.NIK and bad_nik.problem is not None


def test_a_booking_qr_scanned_on_the_welcome_screen_goes_to_check_in(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.scan("MP2026ABC123")
    state = flow.state
    assert state.step is Step.DOCUMENTS and state.booking_code == "MP2026ABC123"
    assert state.service is not None and state.service.needs_booking
    flow.answer_documents(True)
    run_issue(flow)
    assert desk.calls[0][0] == "check_in" and flow.state.step is Step.TICKET


def test_a_booking_qr_scanned_mid_journey_replaces_the_choice_and_back_returns(
    flow: KioskFlow,
) -> None:
    flow.start()
    flow.choose_service("paspor-walkin")
    flow.answer_documents(True)
    assert flow.state.step is Step.PRIORITY
    flow.scan("MP2026ABC123")
    assert flow.state.step is Step.DOCUMENTS and flow.state.booking_code == "MP2026ABC123"
    flow.back()
    assert flow.state.step is Step.PRIORITY
    assert flow.state.service is not None and flow.state.service.id == "paspor-walkin"
    assert flow.state.booking_code is None


@pytest.mark.parametrize("step_to", ["welcome", "services", "documents", "ticket"])
def test_an_unknown_code_changes_nothing_but_the_message(
    flow: KioskFlow, desk: FakeDesk, step_to: str
) -> None:
    if step_to != "welcome":
        flow.start("en")
    if step_to in {"documents", "ticket"}:
        flow.choose_service("paspor-walkin")
    if step_to == "ticket":
        flow.answer_documents(True)
        flow.choose_priority(None)
        run_issue(flow)
    before = flow.state
    flow.scan("no such thing")
    after = flow.state
    assert after.step is before.step and after.service == before.service
    assert after.message is not None and "not one the kiosk knows" in after.message["en"]
    assert after.message["id"] != after.message["en"]
    flow.scan(VALID_NIK)
    assert flow.state.message is not None and "NIK" in flow.state.message["en"]
    assert flow.state.step is before.step


def test_an_application_qr_goes_to_passport_pickup(flow: KioskFlow) -> None:
    flow.start()
    flow.scan("1234567890")
    assert flow.state.step is Step.PICKUP
    assert flow.state.service is not None and flow.state.service.id == "pengambilan-paspor"


def test_the_scanned_application_number_goes_with_the_pickup_ticket_once(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start()
    flow.scan("PERMOHONAN:123456789012345678")
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.step is Step.TICKET
    assert desk.calls[0][1]["application_no"] == "123456789012345678"
    flow.home()  # the next applicant chooses pickup from the menu: no number is sent
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert len(desk.calls) == 2 and "application_no" not in desk.calls[1][1]


def test_own_pickup_asks_a_valid_nik_and_sends_it_once(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start("en")
    flow.choose_group(ServiceGroup.PICKUP)
    flow.choose_pickup(by_proxy=False)
    assert flow.state.step is Step.NIK
    for bad in ("123", "9999999999999999", "63710131139000a1"):
        flow.submit_nik(bad)
        assert flow.state.step is Step.NIK and flow.state.message is not None
    flow.scan(VALID_NIK)  # a NIK scanned (or typed) on the NIK step is that NIK
    assert flow.state.step is Step.PRIORITY and flow.state.message is None
    assert VALID_NIK not in repr(flow.state)
    flow.choose_priority(None)
    request = flow.pending_request()
    assert isinstance(request, IssueRequest) and request.nik == VALID_NIK
    assert VALID_NIK not in repr(request)
    flow.finish_request(perform_request(request, flow.collaborators, flow.content.branding))
    assert desk.calls == [
        (
            "issue",
            {
                "service": "pengambilan-paspor",
                "language": "en",
                "priority_category": None,
                "nik": VALID_NIK,
                "by_proxy": False,
            },
        )
    ]
    assert flow.state.step is Step.TICKET
    kept = {name: value for name, value in vars(flow).items() if name != "collaborators"}
    assert VALID_NIK not in repr(kept), "nothing personal stays after the ticket"


def test_back_from_priority_forgets_the_nik(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start()
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=False)
    flow.submit_nik(VALID_NIK)
    flow.back()
    assert flow.state.step is Step.NIK
    flow.back()
    assert flow.state.step is Step.PICKUP
    flow.choose_pickup(by_proxy=True)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert desk.calls[0][1]["nik"] is None and desk.calls[0][1]["by_proxy"] is True


def test_pickup_for_someone_else_shows_what_to_bring(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start()
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=True)
    state = flow.state
    assert state.step is Step.PROXY and state.by_proxy and state.service is not None
    bring = documents_for(state.service, proxy=True)
    assert any("surat kuasa" in item for item in bring)
    flow.answer_documents(False)
    assert flow.state.step is Step.REQUIREMENTS and flow.state.by_proxy
    assert desk.calls == []


@pytest.mark.parametrize("reason", list(BapReason))
def test_lost_or_damaged_passport_takes_the_bap_route(
    flow: KioskFlow, desk: FakeDesk, reason: BapReason
) -> None:
    flow.start()
    flow.choose_group(ServiceGroup.PASSPORT)
    flow.choose_service("paspor-hilang-rusak")
    assert flow.state.step is Step.BAP
    flow.choose_bap_reason(reason)
    state = flow.state
    assert state.step is Step.DOCUMENTS and state.bap_reason is reason
    assert state.service is not None and state.service.is_bap_route
    bring = documents_for(state.service, bap_reason=reason)
    expected = {"lost": "Police", "damaged": "damaged passport", "data_change": "Court"}[reason]
    assert any(expected in item for item in bring)
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert desk.calls[0][1]["service"] == "paspor-hilang-rusak"


def test_only_the_lost_passport_service_is_a_bap_route(content: KioskContent) -> None:
    routes = {s.id for s in content.services if s.is_bap_route}
    assert routes == {"paspor-hilang-rusak"}
    assert {s.id for s in content.services if s.asks_nik} == {"pengambilan-paspor"}


def test_stay_permit_complaint_and_information_paths(flow: KioskFlow, desk: FakeDesk) -> None:
    flow.start()
    flow.choose_group(ServiceGroup.STAY_PERMIT)
    flow.choose_service("itap-perpanjangan")
    assert flow.state.step is Step.PRIORITY
    flow.choose_priority("elderly")
    run_issue(flow)
    flow.home()
    for service in ("pengaduan", "informasi"):
        flow.start()
        flow.choose_group(ServiceGroup.HELP)
        flow.choose_service(service)
        assert flow.state.step is Step.ISSUING
        run_issue(flow)
        flow.back()
    assert [call[1]["service"] for call in desk.calls] == [
        "itap-perpanjangan",
        "pengaduan",
        "informasi",
    ]


def test_information_pages_list_the_documents_per_service(
    flow: KioskFlow, content: KioskContent
) -> None:
    flow.start()
    flow.show_documents()
    assert flow.state.step is Step.INFO_LIST
    flow.choose_info("gone")
    assert flow.state.step is Step.INFO_LIST and flow.state.message is not None
    for service in content.services:
        flow.choose_info(service.id)
        assert flow.state.step is Step.INFO and flow.state.service == service
        assert documents_for(service), service.id
        flow.back()
        assert flow.state.step is Step.INFO_LIST
    flow.choose_info("paspor-walkin")
    flow.choose_service("paspor-walkin")  # "take a number for this service"
    assert flow.state.step is Step.DOCUMENTS
    flow.back()
    assert flow.state.step is Step.INFO


def test_home_from_every_step_but_issuing(flow: KioskFlow) -> None:
    flow.start("en")
    flow.choose_service("paspor-walkin")
    flow.home()
    assert flow.state.step is Step.WELCOME and flow.state.language == "id"
    flow.start()
    flow.choose_service("informasi")
    flow.home()
    flow.back()
    assert flow.state.step is Step.ISSUING, "a ticket under way is not abandoned"
    run_issue(flow)
    assert flow.state.can_go_back
    flow.back()
    assert flow.state.step is Step.WELCOME and not flow.state.can_go_back


def test_a_second_quick_tap_issues_no_ticket(desk: FakeDesk, printer: MemoryPrinter) -> None:
    clock = FakeClock()
    collaborators = Collaborators(
        desk=desk, printer=printer, profile=printer.profile, monotonic=clock, now=lambda: NOW
    )
    flow = KioskFlow(content=content_from_payload(DEMO_PAYLOAD), collaborators=collaborators)
    flow.start("en")
    for action in (
        lambda: flow.choose_group(ServiceGroup.PASSPORT),
        lambda: flow.choose_service("paspor-walkin"),
        lambda: flow.answer_documents(True),
    ):
        clock.seconds += 0.6
        action()
    assert flow.state.step is Step.PRIORITY
    clock.seconds += 0.6
    flow.back()
    clock.seconds += 0.2  # the second tap of a double tap lands on the screen under it
    flow.answer_documents(True)
    flow.choose_service("paspor-hilang-rusak")
    assert flow.state.step is Step.DOCUMENTS and flow.state.service is not None
    assert flow.state.service.id == "paspor-walkin"
    assert flow.pending_request() is None and desk.calls == []
    clock.seconds += 0.4
    flow.answer_documents(True)
    assert flow.state.step is Step.PRIORITY, "a deliberate tap after the guard works"


def test_the_idle_countdown_shows_the_last_ten_seconds(flow: KioskFlow, clock: FakeClock) -> None:
    seen: list[int | None] = []
    flow.on_change(lambda state: seen.append(state.seconds_left))
    flow.start()
    flow.choose_service("paspor-walkin")
    clock.seconds += 49
    flow.tick()
    assert flow.state.seconds_left is None
    clock.seconds += 1.5
    flow.tick()
    assert flow.state.seconds_left == 10  # 9.5 s left, counted down in whole seconds
    clock.seconds += 8
    flow.tick()
    assert flow.state.seconds_left == 2
    flow.touch()
    assert flow.state.seconds_left is None and flow.state.step is Step.DOCUMENTS
    clock.seconds += 59.5
    flow.tick()
    assert flow.state.seconds_left == 1
    clock.seconds += 0.5
    flow.tick()
    assert flow.state.step is Step.WELCOME and flow.state.seconds_left is None
    assert 2 in seen and 1 in seen


def test_the_ticket_screen_counts_down_to_welcome(flow: KioskFlow, clock: FakeClock) -> None:
    flow.start()
    flow.choose_service("informasi")
    run_issue(flow)
    clock.seconds += 12
    flow.tick()
    assert flow.state.step is Step.TICKET and flow.state.seconds_left == 8
    flow.touch()
    assert flow.state.seconds_left == 8, "the ticket screen's own end is not pushed back"


def test_offline_marks_server_services_and_walk_ins_go_on(
    flow: KioskFlow, desk: FakeDesk, content: KioskContent
) -> None:
    desk.online = False
    desk.result = IssuedOffline(LocalTicket("B-051", "paspor-walkin", NOW, "lease-1", 51))
    flow.start("en")
    assert flow.state.offline
    mpaspor = content.service("paspor-mpaspor")
    walkin = content.service("paspor-walkin")
    assert mpaspor is not None and walkin is not None
    assert flow.state.unavailable(mpaspor) and not flow.state.unavailable(walkin)
    flow.choose_service("paspor-mpaspor")
    assert flow.state.step is Step.SERVICES and flow.state.message is not None
    assert "server" in flow.state.message["en"]
    flow.scan("MP2026ABC123")
    assert flow.state.step is Step.SERVICES and "server" in flow.state.text(flow.state.message)
    flow.scan(TICKET_LINK)
    assert flow.state.step is Step.SERVICES and desk.calls == []
    flow.choose_service("paspor-walkin")
    flow.answer_documents(True)
    flow.choose_priority(None)
    run_issue(flow)
    assert flow.state.outcome is not None and flow.state.outcome.ticket is not None
    assert flow.state.outcome.ticket.offline
    desk.online = True
    flow.tick()
    assert not flow.state.offline


def test_the_ticket_names_the_station_on_screen_and_on_paper(
    flow: KioskFlow, printer: MemoryPrinter
) -> None:
    flow.start("en")
    flow.choose_service("paspor-walkin")
    flow.answer_documents(True)
    flow.choose_priority("elderly")
    run_issue(flow)
    assert flow.state.outcome is not None and flow.state.outcome.ticket is not None
    ticket = flow.state.outcome.ticket
    assert ticket.station == "CS" and ticket.priority
    assert station_name(ticket.station) == "Customer service (document check)"
    assert b"Go to" in printer.jobs[0] and b"Menuju" in printer.jobs[0]


def test_a_scanned_ticket_shows_its_status_and_takes_one_rating(
    flow: KioskFlow, desk: FakeDesk
) -> None:
    flow.start()
    flow.scan(TICKET_LINK)
    assert flow.state.step is Step.STATUS and flow.state.lookup is None
    flow.rate(4)  # nothing to rate before the status is known
    lookup = flow.pending_request()
    assert isinstance(lookup, LookupRequest) and lookup.token not in repr(lookup)
    flow.finish_request(perform_request(lookup, flow.collaborators, flow.content.branding))
    state = flow.state
    assert state.lookup is not None and state.lookup.ticket is not None
    assert state.lookup.ticket.label == "B-007" and state.lookup.ratable
    flow.rate(9)
    assert flow.pending_request() is None
    flow.rate(4)
    assert flow.state.rating_busy
    rating = flow.pending_request()
    assert isinstance(rating, RateRequest)
    flow.rate(3)  # a second tap while the first is sent
    assert flow.pending_request() is None
    flow.finish_request(perform_request(rating, flow.collaborators, flow.content.branding))
    assert flow.state.rating is not None and flow.state.rating.accepted
    assert "Thank you" in flow.state.rating.message["en"]
    flow.rate(1)
    assert flow.pending_request() is None
    assert desk.calls == [
        ("lookup", {"code": "3N_10c50Orx-UgeiOQPu-R5R"}),
        ("rate", {"ticket_token": "3N_10c50Orx-UgeiOQPu-R5R", "score": 4}),
    ]


def test_a_rating_refused_or_queued_says_so(flow: KioskFlow, desk: FakeDesk) -> None:
    refusal = {"id": "Belum ada yang bisa dinilai.", "en": "Nothing to rate yet."}
    desk.rate_answer = Answer("t2", False, code="nothing_to_rate", messages=refusal)
    flow.scan(TICKET_LINK)
    run_issue(flow)
    flow.rate(2)
    run_issue(flow)
    assert flow.state.rating is not None and not flow.state.rating.accepted
    assert flow.state.text(flow.state.rating.message) == "Belum ada yang bisa dinilai."
    desk.rate_answer = None  # offline: kept in the outbox
    flow.rate(3)
    run_issue(flow)
    assert flow.state.rating is not None and flow.state.rating.accepted


def test_an_unknown_or_unratable_ticket(flow: KioskFlow, desk: FakeDesk) -> None:
    desk.status = desk.status.model_copy(update={"status": "serving"})
    flow.scan(TICKET_LINK)
    run_issue(flow)
    assert flow.state.lookup is not None and not flow.state.lookup.ratable
    flow.rate(4)
    assert flow.pending_request() is None
    desk.error = Refused({"id": "Tiket tidak dikenal.", "en": "Unknown ticket."}, code="not_found")
    flow.home()
    flow.scan(TICKET_LINK)
    run_issue(flow)
    assert flow.state.step is Step.STATUS and flow.state.lookup is not None
    assert flow.state.lookup.ticket is None and flow.state.text(flow.state.message) == (
        "Tiket tidak dikenal."
    )


def test_a_scan_while_a_ticket_is_issued_is_ignored(flow: KioskFlow) -> None:
    flow.start()
    flow.choose_service("informasi")
    flow.scan("MP2026ABC123")
    assert flow.state.step is Step.ISSUING and flow.state.booking_code is None


def test_a_late_lookup_is_dropped(flow: KioskFlow) -> None:
    flow.scan(TICKET_LINK)
    request = flow.pending_request()
    assert request is not None
    flow.home()
    flow.finish_request(perform_request(request, flow.collaborators, flow.content.branding))
    assert flow.state.step is Step.WELCOME and flow.state.lookup is None


def test_demo_desk_looks_up_and_rates() -> None:
    desk = DemoDesk(clock=lambda: NOW)
    assert desk.lookup("demo0001").status == "done"
    assert desk.lookup("demo0002").people_ahead == 3
    with pytest.raises(Refused):
        desk.lookup("demo9999")
    answer = desk.rate("demo0001", 4)
    assert answer is not None and answer.ok and desk.ratings == [("demo0001", 4)]
    desk.offline = True
    assert desk.rate("demo0001", 3) is None and not desk.is_online()


def test_a_message_on_the_welcome_screen_goes_away(flow: KioskFlow, clock: FakeClock) -> None:
    flow.scan("no such thing")
    assert flow.state.step is Step.WELCOME and flow.state.message is not None
    clock.seconds += 14
    flow.tick()
    assert flow.state.message is not None
    clock.seconds += 1
    flow.tick()
    assert flow.state.message is None and flow.state.step is Step.WELCOME
