"""Notifications in a real browser (Debian's Chromium through Playwright, one browser and
one server for the module): the admin console's Notifications section (today's counts,
the latest messages with masked numbers and DD/MM/YYYY times, the status filter, "send
again" for a failed message, the opt-out list), and the ticket page's "tell me when my
number is near" form (strict CSP: a plain form, no inline script).

With ``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes
``notifications-{id,en}.png``; with ``ANTRE_TICKET_SCREENSHOTS=docs/screenshots`` it writes
``ticket-alert-{form-en,en,id}.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from queue_server.domain.ids import TicketSource
from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import NotificationRow, TicketAlertRow, TicketRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.passports import ReadyEntry
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.support.chromium import CHROMIUM, LAUNCH_ARGS
from tests.support.live_office import LiveOffice, live_office
from tests.web.browser_support import Shots, expect, needs_chromium, new_page, playwright_api
from tests.web.conftest import OFFICE, PASSWORDS

pytestmark = needs_chromium
PRINTER = Actor(name="printing-system")
PHONE = "0812 3456 7890"
MASKED = "+62 812-••••-7890"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveOffice]:
    with live_office(tmp_path_factory.mktemp("notify-browser"), FakeClock(MONDAY_10_WITA)) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def seed_messages(office: LiveOffice) -> None:
    """Three "passport ready" messages: one pending, one sent, one failed (HTTP 400)."""
    office.services.passports.mark_list(
        OFFICE,
        [
            ReadyEntry("1234567890", PHONE),
            ReadyEntry("1234567891", "0813 1111 2222", "en"),
            ReadyEntry("1234567892", "0857 9999 0001"),
        ],
        source=ReadySource.CSV,
        actor=PRINTER,
    )
    settled = MONDAY_10_WITA.replace(minute=5)
    with office.services.database.writer() as session, session.begin():
        ids = list(session.scalars(select(NotificationRow.id).order_by(NotificationRow.id)))
        session.execute(
            update(NotificationRow)
            .where(NotificationRow.id == ids[1])
            .values(status="sent", attempts=1, recipient=None, settled_at=settled)
        )
        session.execute(
            update(NotificationRow)
            .where(NotificationRow.id == ids[2])
            .values(status="failed", attempts=1, recipient=None, settled_at=settled,
                    last_error="HTTP 400")
        )  # fmt: skip


def test_the_admin_sees_retries_and_manages_the_opt_out_list(
    office: LiveOffice, chromium: Any
) -> None:
    seed_messages(office)
    shots = Shots("ANTRE_ADMIN_SCREENSHOTS", "notifications")
    for language, words in (("id", ("Gagal", "Kirim ulang")), ("en", ("Failed", "Send again"))):
        page = new_page(chromium)
        page.goto(f"{office.url}/admin/?lang={language}")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORDS["admin"])
        page.press("#password", "Enter")
        expect(page.locator("[data-view='dashboard']")).to_be_visible()
        page.click("nav a[data-section='notifications']")
        counts = page.locator("#ntf-counts .ntf-count-n")
        expect(counts).to_have_text(["1", "0", "1", "1"])  # pending, sending, sent, failed
        rows = page.locator("tr[data-id]")
        expect(rows).to_have_count(3)
        pending = page.locator("tr[data-status='pending']")
        expect(pending).to_contain_text(MASKED)
        expect(pending).to_contain_text("23/11/2026 10:00")
        expect(page.locator("body")).not_to_contain_text("3456")  # never the whole number
        failed = page.locator("tr[data-status='failed']")
        expect(failed).to_contain_text("HTTP 400")
        expect(failed).to_contain_text(words[0])
        expect(failed.locator(".ntf-retry")).to_have_text(words[1])
        shots.take(page, language)
        page.context.close()

    page = new_page(chromium)
    page.goto(f"{office.url}/admin/?lang=en")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORDS["admin"])
    page.press("#password", "Enter")
    page.click("nav a[data-section='notifications']")
    page.select_option("#ntf-filter", "failed")
    expect(page.locator("tr[data-id]")).to_have_count(1)
    # "Send again": the wrong number is refused, the right one queues the message again.
    page.once("dialog", lambda dialog: dialog.accept("0812 0000 0000"))
    page.click(".ntf-retry")
    expect(page.locator(".cfg-message-error")).to_contain_text("not the number")
    page.once("dialog", lambda dialog: dialog.accept("0857 9999 0001"))
    page.click(".ntf-retry")
    expect(page.locator("#status")).to_contain_text("queued again")
    expect(page.locator("tr[data-id]")).to_have_count(0)  # no failed one left
    # The opt-out list: a bad number is refused; a good one is listed masked, then removed.
    page.fill("#ntf-optout-phone", "12ab")
    page.click("#ntf-optout-add")
    expect(page.locator(".cfg-message-error")).to_contain_text("not valid")
    page.fill("#ntf-optout-phone", "0813 1111 2222")
    page.click("#ntf-optout-add")
    listed = page.locator("tr[data-optout]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("+62 813-••••-2222")
    expect(listed).to_contain_text("23/11/2026 10:00")
    listed.locator(".ntf-optout-remove").click()
    expect(page.locator("tr[data-optout]")).to_have_count(0)
    assert page.js_errors == []
    page.context.close()


def issue(office: LiveOffice) -> Any:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    return office.services.issuing.issue(request, actor=Actor(name="kiosk-1"))


def test_the_ticket_page_asks_for_a_message_when_the_number_is_near(
    office: LiveOffice, chromium: Any
) -> None:
    tickets = [issue(office) for _ in range(6)]
    mine = tickets[-1]  # five ahead: more than the office's 3
    shots = Shots("ANTRE_TICKET_SCREENSHOTS", "ticket-alert")
    page = new_page(chromium)
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(f"{office.url}/t/{mine.token}?lang=en")
    expect(page.locator("#alert-title")).to_have_text(
        "Send me a WhatsApp/SMS when my number is near"
    )
    page.locator("#alert").scroll_into_view_if_needed()
    shots.take(page, "form-en")
    page.fill("#alert-phone", "12ab")
    page.click("#alert-send")
    expect(page.locator("#alert-result")).to_contain_text("The phone number is not valid")
    page.fill("#alert-phone", PHONE)
    page.click("#alert-send")
    expect(page.locator("#alert-result")).to_have_text(
        "Done: we will send you a message when your number is near."
    )
    expect(page.locator("#alert-on")).to_contain_text(f"to {MASKED} when 3 or fewer")
    with office.services.database.reader() as session:
        kept = session.scalar(select(TicketAlertRow.phone))
    assert kept == "+6281234567890"
    shots.take(page, "en")
    page.goto(f"{office.url}/t/{mine.token}?lang=id")
    expect(page.locator("#alert-on")).to_contain_text(f"ke {MASKED}")
    shots.take(page, "id")
    page.click("#alert-stop")
    expect(page.locator("#alert-result")).to_have_text(
        "Selesai: tidak ada pesan yang akan dikirim."
    )
    expect(page.locator("#alert-form")).to_be_visible()
    with office.services.database.reader() as session:
        assert session.scalar(select(TicketAlertRow.phone)) is None
    assert page.js_errors == []
    page.context.close()


def test_the_console_sends_bap_approved_and_shows_the_ready_message(
    office: LiveOffice, chromium: Any
) -> None:
    services = office.services
    ticket = issue(office).ticket_id
    with services.database.writer() as session, session.begin():  # a ticket at the BAP room
        session.execute(update(TicketRow).where(TicketRow.id == ticket).values(station="BAP"))
    page = new_page(chromium)
    page.goto(f"{office.url}/console/?lang=en")
    page.fill("#username", "petugas")
    page.fill("#password", PASSWORDS["petugas"])
    page.press("#password", "Enter")
    page.locator("[data-counter='bap-1'] button").click()
    expect(page.locator("#status .status-text")).to_have_text("Counter Ruang BAP is open")
    expect(page.locator("#bap-panel")).to_have_count(0)  # nobody called yet
    page.keyboard.press("n")
    expect(page.locator("#current-label")).to_be_visible()
    page.click("#bap-open")
    page.fill("#bap-phone", "12")
    page.click("#bap-send")
    expect(page.locator("#bap-problem")).to_contain_text("The phone number is not valid")
    page.fill("#bap-phone", PHONE)
    page.select_option("#bap-language", "en")
    page.click("#bap-send")
    expect(page.locator("#status .status-text")).to_have_text("The message is queued.")
    page.click("#bap-open")
    page.fill("#bap-phone", PHONE)
    page.click("#bap-send")
    expect(page.locator("#status .status-text")).to_contain_text("queued before")
    with services.database.reader() as session:
        sent = list(session.scalars(select(NotificationRow.language).where(
            NotificationRow.template == "bap_approved")))  # fmt: skip
    assert sent == ["en"]

    # The pickup counter: the looked-up passport's "ready" message, queued, then sent.
    services.passports.mark_list(
        OFFICE, [ReadyEntry("2222222222", PHONE)], source=ReadySource.API, actor=PRINTER
    )
    pickup = IssueRequest(office=OFFICE, service="pickup", source=TicketSource.KIOSK)
    services.issuing.issue(pickup, actor=Actor(name="kiosk-1"))
    page.locator("button.action.link").click()  # change counter (the BAP ticket stays)
    page.locator("[data-counter='pickup-1'] button").click()
    expect(page.locator("#status .status-text")).to_have_text("Counter Pengambilan 1 is open")
    page.keyboard.press("n")
    page.fill("#pickup-number", "2222222222")
    page.press("#pickup-number", "Enter")
    message = page.locator("#pickup-message")
    expect(message).to_have_text('"Passport ready" message queued 23-11-2026 10:00, not sent yet.')
    with services.database.writer() as session, session.begin():
        session.execute(
            update(NotificationRow)
            .where(NotificationRow.idempotency_key == f"passport_ready:{OFFICE}:2222222222")
            .values(status="sent", recipient=None, settled_at=MONDAY_10_WITA.replace(minute=7))
        )
    page.press("#pickup-number", "Enter")
    expect(message).to_have_text('"Passport ready" message sent 23-11-2026 10:07.')
    assert page.js_errors == []
    page.context.close()
