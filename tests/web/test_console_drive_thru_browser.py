"""The drive-thru lane page in a real browser (Chromium through Playwright): a scanner types
two cars' application QRs into the scan field, both are listed in arrival order, a second
scan of a car is recognised, the identity checklist gates "Handed over", the first car is
handed over and leaves the list. Set ``ANTRE_CONSOLE_SCREENSHOTS=docs/screenshots`` to
write ``console-drive-thru-{id,en}.png``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.browser_support import Shots, base_url, browser, expect, needs_chromium, new_page
from tests.web.conftest import OFFICE, PASSWORDS, office_settings
from tests.web.test_admin_browser import open_section
from tests.web.test_admin_browser import sign_in as sign_in_admin

__all__ = ["base_url", "browser"]  # fixtures
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
    services: Services, clock: FakeClock, base_url: str, browser: Any
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
    expect(page.locator("#dt-cars .dt-number")).to_have_text([SECOND, THIRD])  # polled
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
