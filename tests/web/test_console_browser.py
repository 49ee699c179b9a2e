"""The officer console in a real browser (Debian's Chromium through Playwright) at 1366x768:
sign in, open a counter, every action by button or key, the other officer's conflict,
and who may not use it. Set ``ANTRE_CONSOLE_SCREENSHOTS=docs/screenshots`` to write the
documentation's screenshots (``console-*.png``) while the flow runs.
"""

from __future__ import annotations

import re
import threading
from datetime import date, time
from typing import Any

from flask import Flask

from queue_server.domain.ids import Role, TicketSource
from queue_server.push.hub import PushHub
from queue_server.services.bookings import BookingEntry
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.browser_support import (
    Shots,
    base_url,
    browser,
    expect,
    live,
    needs_chromium,
    new_page,
)
from tests.web.conftest import OFFICE, PASSWORDS

__all__ = ["base_url", "browser", "live"]  # fixtures
KIOSK = Actor(name="kiosk-1")
SECOND_PASSWORD = "petugas-password-2"
pytestmark = needs_chromium


def console_shots() -> Shots:
    """Screenshots for the docs, only when asked for (ANTRE_CONSOLE_SCREENSHOTS)."""
    return Shots("ANTRE_CONSOLE_SCREENSHOTS", "console")


def issue(services: Services, service: str = "walkin", **fields: Any) -> str:
    request = IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK, **fields)
    return services.issuing.issue(request, actor=KIOSK).label


def sign_in(page: Any, base_url: str, username: str, password: str, lang: str = "en") -> None:
    page.goto(f"{base_url}/console/?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")


def status_line(page: Any) -> Any:
    return page.locator("#status .status-text")


def row(page: Any, label: str) -> Any:
    return page.locator(f"tr[data-ticket='{label}']")


def press(page: Any, key: str, expected: str | re.Pattern[str]) -> None:
    page.keyboard.press(key)
    expect(status_line(page)).to_have_text(expected)


def test_an_officer_serves_with_buttons_and_shortcuts(
    services: Services, base_url: str, browser: Any, clock: FakeClock
) -> None:
    for minutes in (0, 3, 4, 2, 5, 1):
        clock.advance(minutes=minutes)
        issue(services)
    issue(services, priority_category="elderly")
    clock.advance(minutes=2)
    shots = console_shots()
    page = new_page(browser)
    page.goto(f"{base_url}/console/?lang=en")
    expect(page.locator("#username")).to_be_visible()
    expect(page.locator("#signout")).to_be_hidden()  # nothing to sign out of yet
    expect(page.locator("#help-button")).to_be_hidden()
    shots.take(page, "signed-out-en")
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    expect(page.get_by_role("heading", name="Choose your counter")).to_be_visible()
    shots.take(page, "counter-choice-en")

    page.locator("[data-counter='cs-1'] button").click()
    expect(status_line(page)).to_have_text("Counter CS 1 is open")
    expect(row(page, "B-001")).to_be_visible()
    first_row = page.locator(".waiting tbody tr").first
    expect(first_row).to_have_attribute("data-ticket", "B-007")  # the elderly applicant first
    expect(first_row).to_contain_text("Priority")
    expect(row(page, "B-001")).to_contain_text("17 min")
    shots.take(page, "idle-en")

    page.get_by_role("button", name=re.compile("Call next")).click()  # by button
    expect(status_line(page)).to_have_text("Called B-007 to CS 1")
    expect(page.locator("#current-label")).to_have_text("B-007")
    expect(page.locator(".current")).to_contain_text("Elderly (60+)")
    press(page, "r", "Called B-007 to CS 1 again")
    expect(page.locator(".current")).to_contain_text("Called 1× again")
    shots.take(page, "called-en")
    press(page, "s", "Serving B-007")
    expect(page.locator(".timeline li")).to_have_count(4)
    shots.take(page, "serving-en")
    press(page, "f", "Finished B-007; the visit goes on to Loket Ramah HAM (priority) as B-007")

    press(page, "n", "Called B-001 to CS 1")  # by shortcut
    press(page, "a", re.compile("^B-001 is not present; it may come back within 30 minutes"))
    expect(page.locator(".noshows")).to_contain_text("B-001")

    press(page, "n", "Called B-002 to CS 1")
    page.keyboard.press("p")
    page.fill("#park-note", "Fotokopi KK")
    shots.take(page, "park-dialog-en")
    press(page, "Enter", "Parked B-002: Fotokopi KK")
    expect(page.locator(".parked")).to_contain_text("Fotokopi KK")

    press(page, "n", "Called B-003 to CS 1")
    page.keyboard.press("t")
    page.check("#transfer-kind-service")
    page.select_option("#transfer-service", "lost")
    page.select_option("#transfer-step", "1")
    shots.take(page, "transfer-dialog-en")
    press(page, "Enter", "Transferred B-003 to BAP examination as B-003")

    row(page, "B-001").click()  # the no-show comes back to its place
    press(page, "v", "B-001 is back in the queue at its place")
    row(page, "B-002").click()  # the parked applicant has the photocopy
    page.keyboard.press("c")
    expect(page.locator("#call-label")).to_have_value("B-002")
    press(page, "Enter", "Called B-002 to CS 1")
    press(page, "e", "Finished B-002; the visit has ended")

    page.keyboard.press("ArrowDown")
    expect(page.locator("tr.selected")).to_have_attribute("data-ticket", "B-001")
    page.keyboard.press("x")
    press(page, "Enter", "Cancelled B-001")
    expect(row(page, "B-001")).to_have_count(0)

    press(page, "n", "Called B-004 to CS 1")  # finish and call the next in one step
    page.get_by_role("button", name=re.compile("Finish & call next")).click()
    expect(status_line(page)).to_have_text("Finished B-004; called B-005 to CS 1")
    expect(page.locator("#current-label")).to_have_text("B-005")
    press(page, "b", "Finished B-005; called B-006 to CS 1")
    shots.take(page, "finish-call-next-en")
    nobody = re.compile(r"^Finished B-006; the visit goes on to .+ as B-006 Nobody is waiting\.$")
    press(page, "b", nobody)  # the finish stands; nobody left for CS
    expect(page.locator(".current")).to_contain_text("No ticket at the counter")

    page.keyboard.press("i")
    page.select_option("#issue-service", "walkin")
    page.select_option("#issue-priority", "pregnant")
    shots.take(page, "desk-issue-en")
    page.keyboard.press("Enter")
    expect(page.locator("#issued-label")).to_have_text("B-008")
    expect(status_line(page)).to_have_text("Issued B-008 for Passport walk-in")
    assert "/console/print/" in (page.locator("#print-ticket").get_attribute("href") or "")
    shots.take(page, "desk-issued-en")
    page.keyboard.press("Escape")
    expect(row(page, "B-008")).to_be_visible()

    page.keyboard.press("?")
    expect(page.locator(".help tbody tr")).to_have_count(18)
    shots.take(page, "help-en")
    page.keyboard.press("Escape")

    page.keyboard.press("s")  # nothing is called: says so, changes nothing
    expect(status_line(page)).to_have_text("Not possible now: Start serving")
    page.keyboard.press("q")
    press(page, "Enter", "Counter CS 1 is closed")
    expect(page.locator(".current")).to_contain_text("This counter is closed")
    press(page, "o", "Counter CS 1 is open")
    assert page.js_errors == []


def test_the_print_page_shows_the_number_and_its_qr(
    services: Services, base_url: str, browser: Any
) -> None:
    page = new_page(browser)
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    expect(page.get_by_role("heading", name="Choose your counter")).to_be_visible()
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.OFFICER)
    token = services.issuing.issue(request, actor=KIOSK).token
    page.goto(f"{base_url}/console/print/{token}?lang=en")
    expect(page.locator(".label")).to_have_text("B-001")
    expect(page.locator(".qr svg")).to_have_count(1)
    expect(page.locator(".issued")).to_have_text("23-11-2026 10:00")  # office time (WITA)
    expect(page.locator(".link")).to_contain_text(f"/t/{token}")


def test_another_officers_action_gives_a_clear_message_and_fresh_lists(
    services: Services, base_url: str, browser: Any
) -> None:
    services.accounts.create_user(
        "petugas2", "Petugas Dua", SECOND_PASSWORD, Role.PETUGAS, actor=Actor(name="fixture")
    )
    for _ in range(3):
        issue(services)
    shots = console_shots()
    mine = new_page(browser)
    sign_in(mine, base_url, "petugas", PASSWORDS["petugas"])
    mine.locator("[data-counter='cs-1'] button").click()
    expect(row(mine, "B-001")).to_be_visible()

    other = new_page(browser)
    sign_in(other, base_url, "petugas2", SECOND_PASSWORD)
    taken = other.locator("[data-counter='cs-1'] button")
    expect(taken).to_have_text("Another officer works here")
    expect(taken).to_be_disabled()
    other.locator("[data-counter='cs-2'] button").click()
    expect(other.locator("tr[data-ticket='B-001']")).to_be_visible()
    press(other, "n", "Called B-001 to CS 2")

    # No push hub runs in this test: the page still lists B-001, as after a lost update.
    row(mine, "B-001").click()
    mine.keyboard.press("c")
    press(
        mine,
        "Enter",
        "Ticket B-001 has just been called to CS 2; it is no longer waiting here. "
        "The lists were refreshed.",
    )
    expect(row(mine, "B-001")).to_have_count(0)
    expect(mine.locator(".status")).to_have_class(re.compile("status-error"))
    shots.take(mine, "error-en")
    assert mine.js_errors == [] and other.js_errors == []


def test_indonesian_is_the_default_and_the_switch_keeps_the_counter(
    services: Services, base_url: str, browser: Any, clock: FakeClock
) -> None:
    for minutes in (0, 4, 3):
        clock.advance(minutes=minutes)
        issue(services)
    shots = console_shots()
    page = new_page(browser)
    page.goto(f"{base_url}/console/")
    expect(page.get_by_role("heading", name="Masuk ke konsol petugas")).to_be_visible()
    shots.take(page, "signed-out-id")
    page.fill("#username", "petugas")
    page.fill("#password", PASSWORDS["petugas"])
    page.press("#password", "Enter")
    expect(page.get_by_role("heading", name="Pilih loket Anda")).to_be_visible()
    shots.take(page, "counter-choice-id")
    page.locator("[data-counter='cs-1'] button").click()
    expect(status_line(page)).to_have_text("Loket CS 1 dibuka")
    shots.take(page, "idle-id")
    press(page, "n", "Memanggil B-001 ke CS 1")
    press(page, "s", "Melayani B-001")
    shots.take(page, "serving-id")
    press(page, "b", "B-001 selesai; B-002 dipanggil ke CS 1")  # the button Selesai & berikutnya
    shots.take(page, "finish-call-next-id")
    page.keyboard.press("t")
    expect(page.get_by_role("heading", name="Alihkan B-002")).to_be_visible()
    shots.take(page, "transfer-dialog-id")
    page.keyboard.press("Escape")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#current-label")).to_have_text("B-002")  # same counter, same ticket
    expect(page.get_by_role("heading", name="At the counter")).to_be_visible()
    assert page.js_errors == []


def test_a_report_reader_and_a_kiosk_token_cannot_use_the_console(
    services: Services, base_url: str, browser: Any
) -> None:
    page = new_page(browser)
    sign_in(page, base_url, "laporan", PASSWORDS["laporan"])
    expect(page.locator(".refused")).to_have_text(
        "Your role (laporan) cannot serve at a counter. Sign in as an officer."
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#username")).to_be_visible()
    page.reload()  # the session ended on the server: the page asks again
    expect(page.locator("#username")).to_be_visible()
    token = services.accounts.create_token("kiosk-9", Role.KIOSK, actor=Actor(name="fixture"))
    kiosk = new_page(browser, extra_http_headers={"Authorization": f"Bearer {token}"})
    kiosk.goto(f"{base_url}/console/?lang=en#{OFFICE}/cs-1")
    expect(kiosk.locator(".refused")).to_contain_text("Your role (kiosk) cannot serve")
    assert kiosk.locator(".counter-screen").count() == 0
    plain = new_page(browser)  # a browser without a session gets only the sign-in form
    plain.goto(f"{base_url}/console/?lang=en#{OFFICE}/cs-1")
    expect(plain.locator("#username")).to_be_visible()
    assert plain.locator(".counter-screen").count() == 0


def test_a_second_console_shows_the_other_counters_call_without_reload(
    services: Services, live: PushHub, base_url: str, browser: Any
) -> None:
    services.accounts.create_user(
        "petugas2", "Petugas Dua", SECOND_PASSWORD, Role.PETUGAS, actor=Actor(name="fixture")
    )
    for _ in range(2):
        issue(services)
    mine = new_page(browser)
    sign_in(mine, base_url, "petugas", PASSWORDS["petugas"])
    mine.locator("[data-counter='cs-1'] button").click()
    expect(row(mine, "B-001")).to_be_visible()
    expect(mine.locator("#live")).to_be_hidden()  # the stream is up: no "lost" mark
    navigations: list[str] = []
    mine.on("framenavigated", lambda frame: navigations.append(frame.url))

    other = new_page(browser)
    sign_in(other, base_url, "petugas2", SECOND_PASSWORD)
    other.locator("[data-counter='cs-2'] button").click()
    expect(other.locator("tr[data-ticket='B-001']")).to_be_visible()
    press(other, "n", "Called B-001 to CS 2")
    expect(row(mine, "B-001")).to_have_count(0)  # pushed, not reloaded
    expect(mine.locator(".waiting .count")).to_have_text("1 waiting")
    issue(services)  # a kiosk's ticket appears too
    expect(row(mine, "B-003")).to_be_visible()
    assert navigations == []
    assert mine.js_errors == [] and other.js_errors == []


def test_the_desk_checks_in_an_m_paspor_booking_as_the_kiosk_does(
    services: Services, base_url: str, browser: Any
) -> None:
    entry = BookingEntry(
        code="MP-2026-000555", service="mpaspor", day=date(2026, 11, 23), slot=time(10, 30)
    )
    services.bookings.import_bookings(OFFICE, [entry], actor=Actor(name="fixture"))
    shots = console_shots()
    page = new_page(browser)
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    page.locator("[data-counter='cs-1'] button").click()
    expect(status_line(page)).to_have_text("Counter CS 1 is open")
    page.keyboard.press("i")
    page.select_option("#issue-service", "walkin")
    expect(page.locator("#issue-booking")).to_be_hidden()  # no booking for a walk-in
    page.select_option("#issue-service", "mpaspor")
    expect(page.locator("#issue-booking")).to_be_visible()
    page.fill("#issue-booking", "MP-2026-999999")
    page.check("#issue-documents")
    page.keyboard.press("Enter")
    expect(page.locator(".dialog .problem")).to_contain_text("No M-Paspor booking with this code")
    page.fill("#issue-booking", "MP-2026-000555")
    shots.take(page, "desk-issue-booking-en")
    page.keyboard.press("Enter")
    expect(page.locator("#issued-label")).to_have_text("A-001")
    page.keyboard.press("Escape")
    expect(row(page, "A-001")).to_contain_text("10:30")  # its booked slot, in office time
    assert page.js_errors == []


def test_a_lost_stream_shows_the_mark_and_the_console_catches_up_when_it_is_back(
    services: Services, live: PushHub, base_url: str, browser: Any
) -> None:
    issue(services)
    page = new_page(browser)
    page.route("**/stream", lambda route: route.abort())  # the stream is down
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    page.locator("[data-counter='cs-1'] button").click()
    expect(row(page, "B-001")).to_be_visible()
    expect(page.locator("#live")).to_have_text("Live updates lost — reconnecting…")
    console_shots().take(page, "live-lost-en")
    issue(services)  # missed while the stream is down
    page.unroute("**/stream")
    expect(page.locator("#live")).to_be_hidden(timeout=15_000)  # reconnected by itself
    expect(row(page, "B-002")).to_be_visible()  # and fetched what it missed
    assert page.js_errors == []


def test_the_status_line_speaks_only_once_the_screen_shows_the_action(
    app: Flask, services: Services, live: PushHub, base_url: str, browser: Any
) -> None:
    # Found by the P2 bench: the stream asks for a refresh of its own after every action.
    # When that refresh was still on its way as the action's own answer came back, the
    # console threw the answer away, said "Finished …" over the old lists, and an N pressed
    # at once was refused. Every list fetch is slowed here so the two always overlap.
    for _ in range(2):
        issue(services)
    slow = threading.Event()
    inner = app.wsgi_app

    def slowed(environ: dict[str, Any], start_response: Any) -> Any:
        if slow.is_set() and environ["PATH_INFO"].endswith("/console"):
            threading.Event().wait(0.6)  # the fetch takes 0.6 s; the stream's follows 0.25 s in
        return inner(environ, start_response)

    app.wsgi_app = slowed  # type: ignore[method-assign]
    page = new_page(browser)
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    page.locator("[data-counter='cs-1'] button").click()
    expect(status_line(page)).to_have_text("Counter CS 1 is open")
    press(page, "n", "Called B-001 to CS 1")
    press(page, "s", "Serving B-001")
    threading.Event().wait(1.0)  # the stream's refresh after "start" has landed
    slow.set()
    press(page, "e", "Finished B-001; the visit has ended")
    expect(page.locator(".current")).not_to_contain_text("B-001", timeout=100)
    press(page, "n", "Called B-002 to CS 1")
    assert page.js_errors == []


def test_times_are_the_offices_even_on_a_pc_set_to_another_zone(
    services: Services, base_url: str, browser: Any
) -> None:
    issue(services)
    page = new_page(browser, timezone_id="Europe/London")  # 02:00 there, 10:00 in the office
    sign_in(page, base_url, "petugas", PASSWORDS["petugas"])
    page.locator("[data-counter='cs-1'] button").click()
    expect(status_line(page)).to_have_text("Counter CS 1 is open")
    press(page, "n", "Called B-001 to CS 1")
    expect(page.locator(".current")).to_contain_text("Called at 10:00")
    expect(page.locator("#status .status-time")).to_have_text("10:00")
    assert page.js_errors == []
