"""Passports in the officer console, in a real browser (Chromium through Playwright): the
printing officer marks numbers ready ("Passports ready"), and at a PICKUP counter the pickup
panel looks the application up and its identity checklist gates "Handed over". Set
``ANTRE_CONSOLE_SCREENSHOTS=docs/screenshots`` to write ``console-pickup-{id,en}.png``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from queue_server.domain.ids import TicketSource
from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import PassportReadyRow, TicketRow, VisitRow
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.web.browser_support import Shots, base_url, browser, expect, needs_chromium, new_page
from tests.web.conftest import OFFICE, PASSWORDS

__all__ = ["base_url", "browser"]  # fixtures
PRINTER = Actor(name="printing-system")
NIK = "3201234567890123"  # 16 digits: a NIK typed by mistake, refused
pytestmark = needs_chromium


def issue_pickup(services: Services) -> str:
    request = IssueRequest(office=OFFICE, service="pickup", source=TicketSource.KIOSK)
    return services.issuing.issue(request, actor=Actor(name="kiosk-1")).label


def sign_in(page: Any, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/console/?lang={lang}")
    page.fill("#username", "petugas")
    page.fill("#password", PASSWORDS["petugas"])
    page.press("#password", "Enter")


def status_line(page: Any) -> Any:
    return page.locator("#status .status-text")


def open_pickup_counter_and_call(page: Any, base_url: str) -> None:
    """Signed in (English), open Counter Pengambilan 1 and call its first ticket, D-001."""
    sign_in(page, base_url, "en")
    page.locator("[data-counter='pickup-1'] button").click()
    expect(status_line(page)).to_have_text("Counter Pengambilan 1 is open")
    page.keyboard.press("n")
    expect(page.locator("#current-label")).to_have_text("D-001")


def test_the_printing_officer_marks_numbers_and_the_pickup_counter_hands_over(
    services: Services, base_url: str, browser: Any
) -> None:
    services.passports.mark_ready(OFFICE, ["1234567890"], source=ReadySource.API, actor=PRINTER)
    issue_pickup(services)
    issue_pickup(services)
    shots = Shots("ANTRE_CONSOLE_SCREENSHOTS", "console")
    page = new_page(browser)
    sign_in(page, base_url, "en")

    # The printing officer: two numbers scanned (each ends with Enter), one earlier, a NIK.
    page.get_by_role("button", name="Passports ready…").click()
    page.locator("#ready-numbers").press_sequentially(f"9876543210\n{NIK}\n1234567890\n")
    page.keyboard.press("Escape")  # Esc closes without marking anything
    expect(page.locator("#ready-numbers")).to_have_count(0)
    assert services.passports.status(OFFICE, "9876543210")["ready"] is False
    page.get_by_role("button", name="Passports ready…").click()
    page.locator("#ready-submit").click()  # nothing typed: says so
    expect(page.locator(".dialog .problem")).to_have_text(
        "Type or scan at least one application number."
    )
    page.locator("#ready-numbers").press_sequentially(f"9876543210\n{NIK}\n1234567890\n")
    page.locator("#ready-submit").click()
    results = page.locator("#ready-results li")
    expect(results).to_have_text(
        [
            "9876543210: marked ready",
            "Line 2: refused, 16 digits is a NIK, not an application number "
            "(NIKs are not accepted here)",
            "1234567890: already ready since 23-11-2026 10:00; nothing changed",
        ]
    )
    expect(page.locator("#ready-summary")).to_have_text(
        "1 marked ready, 1 already ready, 1 refused"
    )
    expect(page.locator("#ready-results")).not_to_contain_text(NIK)  # never echoed
    expect(page.locator("#ready-numbers")).to_have_value("")  # ready for the next scans
    shots.take(page, "passports-ready-en")
    assert services.passports.status(OFFICE, "9876543210")["source"] == "console"
    page.keyboard.press("Escape")

    # The pickup counter: the panel beside the called ticket.
    page.locator("[data-counter='pickup-1'] button").click()
    expect(status_line(page)).to_have_text("Counter Pengambilan 1 is open")
    expect(page.locator("#pickup-panel")).to_have_count(0)  # nobody called yet
    page.keyboard.press("n")
    expect(page.locator("#current-label")).to_have_text("D-001")
    handover = page.locator("#pickup-handover")
    page.fill("#pickup-number", "1111111111")
    page.locator("#pickup-lookup").click()
    expect(page.locator("#pickup-answer")).to_have_text(
        "The passport is not ready yet. No biometrics of this application is recorded at "
        "this office, so no date can be given."
    )
    page.check("#pickup-ktp")
    page.check("#pickup-receipt")
    expect(handover).to_be_disabled()  # the checklist is complete, the passport is not ready
    page.fill("#pickup-number", NIK)
    page.press("#pickup-number", "Enter")  # a scanner's Enter looks it up
    expect(page.locator("#pickup-answer")).to_contain_text("16 digits is a NIK")

    page.fill("#pickup-number", "9876543210")
    page.press("#pickup-number", "Enter")
    expect(page.locator("#pickup-answer")).to_have_text(
        "The passport is ready since 23-11-2026 10:00."
    )
    expect(handover).to_be_enabled()
    page.uncheck("#pickup-ktp")
    expect(handover).to_be_disabled()
    page.check("#pickup-ktp")
    expect(page.locator("#pickup-letter")).to_be_hidden()
    page.check("#pickup-proxy")  # collected by someone else: the surat kuasa is needed too
    expect(handover).to_be_disabled()
    page.fill("#pickup-number", "1234567890")  # another number than the one looked up
    page.check("#pickup-letter")
    expect(handover).to_be_disabled()
    page.fill("#pickup-number", "9876543210")
    page.press("#pickup-number", "Enter")
    expect(handover).to_be_enabled()
    shots.take(page, "pickup-en")
    handover.click()
    expect(status_line(page)).to_have_text("Passport 9876543210 handed over; D-001 finished")
    expect(page.locator("#pickup-panel")).to_have_count(0)
    expect(page.locator("#current-label")).to_have_count(0)
    status = services.passports.status(OFFICE, "9876543210")
    assert status["handed_over_at"] is not None  # recorded, with the proxy
    with services.database.reader() as session:
        assert session.scalar(
            select(PassportReadyRow.handed_to_proxy).where(
                PassportReadyRow.application_no == "9876543210"
            )
        )

    page.keyboard.press("n")  # the same passport a second time: shown, not handed over again
    expect(page.locator("#current-label")).to_have_text("D-002")
    page.fill("#pickup-number", "9876543210")
    page.press("#pickup-number", "Enter")
    expect(page.locator("#pickup-answer")).to_have_text(
        "This passport was handed over already, at 23-11-2026 10:00."
    )
    page.check("#pickup-ktp")
    page.check("#pickup-receipt")
    expect(page.locator("#pickup-handover")).to_be_disabled()

    page.fill("#pickup-number", "1234567890")  # ready; then handed over elsewhere meanwhile
    page.press("#pickup-number", "Enter")
    expect(page.locator("#pickup-handover")).to_be_enabled()
    services.passports.hand_over(OFFICE, "1234567890", proxy=False, actor=PRINTER)
    page.locator("#pickup-handover").click()
    expect(status_line(page)).to_have_text(
        "The passport of application 1234567890 was handed over already, at 23-11-2026 10:00."
    )
    expect(page.locator("#current-label")).to_have_text("D-002")  # nothing finished
    assert page.js_errors == []


def biometrics_done(services: Services, number: str) -> None:
    """A walk-in visit of application ``number`` whose biometrics finished now (Monday)."""
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    ticket = services.issuing.issue(request, actor=Actor(name="kiosk-1")).ticket_id
    with services.database.writer() as session, session.begin():
        visit = session.scalar(select(TicketRow.visit_id).where(TicketRow.id == ticket))
        session.execute(update(VisitRow).where(VisitRow.id == visit).values(application_no=number))
        session.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket)
            .values(station="BIO", status="done", finished_at=services.clock())
        )


def test_the_pickup_panel_speaks_indonesian(
    services: Services, base_url: str, browser: Any
) -> None:
    services.passports.mark_ready(OFFICE, ["1234567890"], source=ReadySource.API, actor=PRINTER)
    issue_pickup(services)
    page = new_page(browser)
    sign_in(page, base_url, "id")
    page.locator("[data-counter='pickup-1'] button").click()
    expect(status_line(page)).to_have_text("Loket Pengambilan 1 dibuka")
    page.keyboard.press("n")
    biometrics_done(services, "5555555555")  # not ready: 4 working days after Monday
    assert str(services.passports.status(OFFICE, "5555555555")["expected_on"]) == "2026-11-27"
    page.fill("#pickup-number", "5555555555")
    page.get_by_role("button", name="Periksa").click()
    expect(page.locator("#pickup-answer")).to_have_text(
        "Paspor belum siap; diperkirakan siap pada 27-11-2026."
    )
    page.fill("#pickup-number", "1234567890")
    page.get_by_role("button", name="Periksa").click()
    expect(page.locator("#pickup-answer")).to_contain_text("Paspor sudah siap")
    handover = page.get_by_role("button", name="Sudah diserahkan")
    expect(handover).to_be_disabled()
    page.get_by_label("KTP diperiksa dan sesuai").check()
    page.get_by_label("Tanda terima permohonan diperiksa").check()
    expect(handover).to_be_enabled()
    Shots("ANTRE_CONSOLE_SCREENSHOTS", "console").take(page, "pickup-id")
    page.get_by_role("button", name="Paspor siap…").click()
    expect(page.get_by_role("heading", name="Paspor siap")).to_be_visible()
    page.locator("#ready-numbers").press_sequentially(f"{NIK}\n")
    page.get_by_role("button", name="Tandai siap").click()
    expect(page.locator("#ready-results li")).to_have_text(
        "Baris 1: ditolak, 16 angka adalah NIK, bukan nomor permohonan (NIK tidak diterima di sini)"
    )
    assert page.js_errors == []


def test_the_kiosks_number_and_proxy_choice_start_the_panel(
    services: Services, base_url: str, browser: Any
) -> None:
    """A pickup ticket taken at the kiosk with the application number and "for someone
    else": the panel starts with that number, and the surat kuasa line is required."""
    services.passports.mark_ready(OFFICE, ["1234567890"], source=ReadySource.API, actor=PRINTER)
    request = IssueRequest(
        office=OFFICE,
        service="pickup",
        source=TicketSource.KIOSK,
        application_no="1234567890",
        by_proxy=True,
    )
    services.issuing.issue(request, actor=Actor(name="kiosk-1"))
    page = new_page(browser)
    open_pickup_counter_and_call(page, base_url)
    expect(page.locator("#pickup-number")).to_have_value("1234567890")
    expect(page.locator("#pickup-proxy")).to_be_checked()
    expect(page.locator("#pickup-kiosk-proxy")).to_have_text(
        "At the kiosk the applicant said someone else collects: the surat kuasa is required."
    )
    page.locator("#pickup-lookup").click()
    expect(page.locator("#pickup-answer")).to_contain_text("The passport is ready since")
    page.check("#pickup-ktp")
    page.check("#pickup-receipt")
    handover = page.locator("#pickup-handover")
    expect(handover).to_be_disabled()  # the surat kuasa is not ticked yet
    page.check("#pickup-letter")
    expect(handover).to_be_enabled()
    Shots("ANTRE_CONSOLE_SCREENSHOTS", "console").take(page, "pickup-proxy-en")
    assert page.js_errors == []


def test_a_redraw_while_the_officer_types_keeps_the_caret_and_selection(
    services: Services, base_url: str, browser: Any
) -> None:
    """The screen is redrawn whenever the office changes (here: a kiosk issues a ticket)
    while the officer has part of the application number selected; what is typed next
    replaces the selection, as in any text field (before, the new field's caret went to
    the end and a scanner's digits were appended to the old number)."""
    issue_pickup(services)
    page = new_page(browser)
    open_pickup_counter_and_call(page, base_url)
    field = page.locator("#pickup-number")
    field.fill("9876543210")
    field.evaluate("(input) => { input.setSelectionRange(2, 5); input.dataset.before = 'yes'; }")
    issue_pickup(services)  # the office changed: the console redraws its screen
    page.wait_for_function(
        "() => { const input = document.getElementById('pickup-number');"
        " return input !== null && input.dataset.before === undefined; }"
    )
    assert field.evaluate(
        "(input) => [document.activeElement === input, input.selectionStart, input.selectionEnd]"
    ) == [True, 2, 5]
    page.keyboard.type("00")
    expect(field).to_have_value("980043210")
    assert page.js_errors == []
