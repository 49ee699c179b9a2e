"""The drive-thru lane page in a real browser (Chromium through Playwright): a scanner types
two cars' application QRs into the scan field, both are listed in arrival order, a second
scan of a car is recognised, the identity checklist gates "Handed over", the first car is
handed over and leaves the list. Cars scanned elsewhere and a handover on another page
reach an open page through the office's event stream, with the page's safety poll switched
off. Set ``ANTRE_CONSOLE_SCREENSHOTS=docs/screenshots`` to write
``console-drive-thru-{id,en}.png``.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.push.hub import PushHub
from queue_server.services.container import Services
from queue_server.services.offices import store_office
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
from tests.web.conftest import OFFICE, PASSWORDS, office_settings
from tests.web.test_admin_browser import open_section
from tests.web.test_admin_browser import sign_in as sign_in_admin

__all__ = ["base_url", "browser", "live"]  # fixtures
pytestmark = needs_chromium
FIRST, SECOND, THIRD = "1234567890", "2345678901", "3456789012"


def with_lane(services: Services) -> None:
    settings = office_settings()
    settings["drive_thru"] = {"lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=services.clock())
    services.passports.mark_ready(
        OFFICE, [FIRST, SECOND, THIRD], source=ReadySource.API, actor=Actor(name="printer")
    )


def sign_in(page: Any, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/console/drive-thru/?lang={lang}")
    page.fill("#username", "petugas")
    page.fill("#password", PASSWORDS["petugas"])
    page.press("#password", "Enter")


def test_scan_two_cars_hand_over_the_first_and_a_second_scan_is_recognised(
    services: Services, clock: FakeClock, live: PushHub, base_url: str, browser: Any
) -> None:
    with_lane(services)
    shots = Shots("ANTRE_CONSOLE_SCREENSHOTS", "console")
    page = new_page(browser)
    sign_in(page, base_url, "en")
    scan = page.locator("#dt-scan")
    expect(scan).to_be_focused()  # one lane: its screen at once, ready for the scanner
    expect(page.locator("#dt-cars li")).to_have_text(["No car is waiting in the lane."])

    scan.press_sequentially(f"PERMOHONAN:{FIRST}\n")  # what a keyboard-wedge scanner types
    expect(page.locator("#dt-answer")).to_have_text(
        "Please wait in the lane Drive-thru 1: you are number 1."
    )
    clock.advance(minutes=3)
    scan.press_sequentially(f"{SECOND}\n")
    numbers = page.locator("#dt-cars .dt-number")
    expect(numbers).to_have_text([FIRST, SECOND])
    expect(page.locator("#dt-cars .dt-position")).to_have_text(["1", "2"])

    scan.press_sequentially(f"{FIRST}\n")  # the same car scanned again
    expect(page.locator("#dt-answer")).to_have_text(
        "This car is already in the lane Drive-thru 1, number 1; it was not added again."
    )
    expect(page.locator("#dt-answer")).to_have_attribute("data-kind", "already")

    page.locator(f"[data-application='{FIRST}']").click()
    handover = page.locator("#dt-handover")
    expect(handover).to_be_disabled()
    page.check("#dt-ktp")
    expect(handover).to_be_disabled()
    page.check("#dt-receipt")
    expect(handover).to_be_enabled()
    page.check("#dt-proxy")  # a proxy: the surat kuasa is needed too
    expect(handover).to_be_disabled()
    page.check("#dt-letter")
    expect(handover).to_be_enabled()
    clock.advance(minutes=2)
    shots.take(page, "drive-thru-en")
    handover.click()
    expect(page.locator("#status .status-text")).to_have_text(f"Passport {FIRST} handed over.")
    expect(numbers).to_have_text([SECOND])
    expect(page.locator("#dt-select-hint")).to_be_visible()
    scan.press_sequentially("3171234567890123\n")  # a NIK typed by mistake: refused
    expect(page.locator("#dt-answer")).to_contain_text("16 digits is a NIK")
    expect(page.locator("#dt-answer")).not_to_contain_text("3171234567890123")
    expect(numbers).to_have_text([SECOND])
    assert services.passports.status(OFFICE, FIRST)["handed_over_at"] is not None
    with services.database.reader() as session:
        statuses = dict(
            session.execute(
                select(DriveThruArrivalRow.application_no, DriveThruArrivalRow.status)
            ).all()
        )
    assert statuses == {FIRST: "handed_over", SECOND: "waiting"}
    assert page.js_errors == []

    # The same page in Indonesian, reached from the officer console's counter choice.
    page_id = new_page(browser)
    page_id.goto(f"{base_url}/console/?lang=id")
    page_id.fill("#username", "petugas")
    page_id.fill("#password", PASSWORDS["petugas"])
    page_id.press("#password", "Enter")
    page_id.locator("#drive-thru-link").click()
    clock.advance(minutes=1)
    page_id.locator("#dt-scan").press_sequentially(f"{THIRD}\n")
    expect(page_id.locator("#dt-answer")).to_have_text(
        "Silakan menunggu di jalur Drive-thru 1: Anda urutan ke-2."
    )
    expect(page_id.locator("#dt-cars .dt-number")).to_have_text([SECOND, THIRD])
    expect(page.locator("#dt-cars .dt-number")).to_have_text([SECOND, THIRD])  # pushed
    page_id.locator(f"[data-application='{SECOND}']").click()
    page_id.check("#dt-ktp")
    expect(page_id.locator("#dt-needs")).to_have_text(
        "Penyerahan memerlukan semua pemeriksaan dicentang."
    )
    shots.take(page_id, "drive-thru-id")
    page_id.select_option("#dt-reason", "identity")
    page_id.locator("#dt-send").click()
    expect(page_id.locator("#dt-cars .dt-number")).to_have_text([THIRD])
    assert page_id.js_errors == []

    # The admin console's Reports: the day's lane figures (one handed over after 5 min).
    admin = new_page(browser)
    sign_in_admin(admin, base_url, "admin")
    open_section(admin, "reports")
    admin.select_option("#rep-kind", "drive_thru")
    admin.fill("#rep-from", "2026-11-23")
    admin.fill("#rep-to", "2026-11-23")
    admin.locator("#rep-show").click()
    row = admin.locator(".rep-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        ["2026-11-23", "3", "1", "1", "1", "1", "1", "5", "5", "5"]
    )
    Shots("ANTRE_ADMIN_SCREENSHOTS", "admin").take(admin, "reports-drive-thru-en")
    assert admin.js_errors == []


#: Switches the page's timers off: the safety poll never runs, only the stream (and the
#: page's own actions) can bring a change.
NO_POLL = "window.setInterval = function () { return 0; };"


def lane_page(browser: Any, base_url: str) -> Any:
    page = new_page(browser)
    page.add_init_script(NO_POLL)
    sign_in(page, base_url, "en")
    expect(page.locator("#dt-cars li")).to_have_text(["No car is waiting in the lane."])
    return page


def scan_by_api(base_url: str, token: str, scan: str) -> dict[str, Any]:
    """What a lane scanner with a machine token sends (``POST .../arrivals``)."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/offices/{OFFICE}/drive-thru/lanes/lajur-1/arrivals",
        data=json.dumps({"scan": scan}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def test_cars_scanned_elsewhere_and_a_handover_on_another_page_are_pushed_to_open_pages(
    services: Services, live: PushHub, base_url: str, browser: Any
) -> None:
    with_lane(services)
    token = services.accounts.create_token("lane-scanner", Role.PETUGAS, actor=Actor(name="t"))
    first, second = lane_page(browser, base_url), lane_page(browser, base_url)
    for page in (first, second):
        expect(page.locator("#live")).to_be_hidden()  # the stream is up: no "lost" mark
        expect(page.locator(".dt-lane .hint")).to_contain_text("The list updates by itself")

    assert scan_by_api(base_url, token, f"PERMOHONAN:{FIRST}")["result"] == "waiting"
    for page in (first, second):
        expect(page.locator("#dt-cars .dt-number")).to_have_text([FIRST])
    assert scan_by_api(base_url, token, SECOND)["position"] == 2
    for page in (first, second):
        expect(page.locator("#dt-cars .dt-number")).to_have_text([FIRST, SECOND])
        expect(page.locator("#dt-cars .dt-position")).to_have_text(["1", "2"])
    again = scan_by_api(base_url, token, FIRST)  # the same car scanned again
    assert (again["result"], again["position"]) == ("already_waiting", 1)

    first.locator(f"[data-application='{FIRST}']").click()
    first.check("#dt-ktp")
    first.check("#dt-receipt")
    first.locator("#dt-handover").click()
    expect(first.locator("#dt-cars .dt-number")).to_have_text([SECOND])
    expect(second.locator("#dt-cars .dt-number")).to_have_text([SECOND])  # pushed
    assert first.js_errors == [] and second.js_errors == []


def test_a_lost_stream_shows_the_mark_and_the_lane_catches_up_when_it_is_back(
    services: Services, live: PushHub, base_url: str, browser: Any
) -> None:
    with_lane(services)
    token = services.accounts.create_token("lane-scanner", Role.PETUGAS, actor=Actor(name="t"))
    page = new_page(browser)
    page.add_init_script(NO_POLL)
    page.route("**/stream", lambda route: route.abort())  # the stream is down
    sign_in(page, base_url, "en")
    expect(page.locator("#live")).to_have_text("Live updates lost — reconnecting…")
    scan_by_api(base_url, token, FIRST)  # missed while the stream is down
    page.unroute("**/stream")
    expect(page.locator("#live")).to_be_hidden(timeout=15_000)  # reconnected by itself
    expect(page.locator("#dt-cars .dt-number")).to_have_text([FIRST])  # and caught up
    assert page.js_errors == []
