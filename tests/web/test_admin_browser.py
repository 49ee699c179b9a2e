"""The admin console in a real browser (Debian's Chromium through Playwright) at 1366x768:
the live dashboard follows the office without a reload, the reports answer "how long did
people wait for biometrics, and were services within the 10-minute standard?", a CSV
downloads, the lists show users, tokens (one revoked here), devices and the audit log;
a report reader sees no tokens, an officer is refused. Set
``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` to write the documentation's
screenshots (``admin-*.png``) of every screen in both languages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from queue_server.domain.ids import Role
from queue_server.persistence.models import DeviceRow
from queue_server.push.hub import PushHub
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.services.test_reports import play_day
from tests.web.browser_support import (
    CHROMIUM,
    Shots,
    base_url,
    browser,
    expect,
    live,
    needs_chromium,
    new_page,
)
from tests.web.conftest import OFFICE, PASSWORDS, office_settings
from tests.web.test_console_browser import issue

__all__ = ["CHROMIUM", "base_url", "browser", "live"]  # fixtures, and for the other admin tests
pytestmark = needs_chromium
SECTIONS = [
    "dashboard", "reports", "devices", "users", "tokens", "audit",
    "services", "counters", "calendars", "content", "bookings", "passports", "office_file",
    "registrations",
]  # fmt: skip
#: Sections whose screenshot, with data, another module takes (test_admin_config_browser).
SHOT_ELSEWHERE = {"registrations"}
DAY = "2026-11-23"


def admin_shots() -> Shots:
    """Screenshots for the docs, only when asked for (ANTRE_ADMIN_SCREENSHOTS)."""
    return Shots("ANTRE_ADMIN_SCREENSHOTS", "admin")


def played_day(services: Services, clock: FakeClock) -> None:
    engine = SimpleNamespace(
        database=services.database,
        clock=clock,
        officer=services.officer,
        issuing=services.issuing,
        ratings=services.ratings,
    )
    play_day(engine, seed=7)  # type: ignore[arg-type]


def add_devices(services: Services, clock: FakeClock) -> None:
    with services.database.writer() as session, session.begin():
        session.add(
            DeviceRow(id="kiosk-lobby", office_id=OFFICE, kind="kiosk", password_hash="-",
                      created_at=clock(), status="online", last_seen_at=clock(),
                      health={"printer": "paper_out", "scanner": "ok"}, outbox_waiting=3,
                      outbox_oldest_at=clock() - timedelta(minutes=12))
        )  # fmt: skip
        session.add(
            DeviceRow(id="board-hall", office_id=OFFICE, kind="display", password_hash="-",
                      created_at=clock(), status="offline", last_seen_at=clock())
        )  # fmt: skip


def sign_in(page: Any, base_url: str, username: str, lang: str = "en") -> None:
    page.goto(f"{base_url}/admin/?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.press("#password", "Enter")


def waiting_cell(page: Any, service: str) -> Any:
    return page.locator(f".dash-queues tr[data-service='{service}'] td").nth(1)


def open_section(page: Any, section: str) -> None:
    page.click(f"nav a[data-section='{section}']")
    expect(page.locator(f"[data-view='{section}']")).to_be_visible()


def test_an_admin_follows_the_floor_reads_reports_and_lists(
    services: Services,
    clock: FakeClock,
    base_url: str,
    browser: Any,
    live: PushHub,
    tmp_path: Path,
) -> None:
    played_day(services, clock)
    add_devices(services, clock)
    services.accounts.create_token("kiosk-lobby", Role.KIOSK, actor=Actor(name="fixture"))
    page = new_page(browser)
    loads: list[str] = []
    page.on("load", lambda _page: loads.append("load"))
    sign_in(page, base_url, "admin")
    expect(page.locator("[data-view='dashboard']")).to_be_visible()
    waiting = {item.service: item.waiting for item in services.views.services_overview(OFFICE)}
    expect(waiting_cell(page, "walkin")).to_have_text(str(waiting["walkin"]))
    paper = page.locator(".alert-device").filter(has_text="kiosk-lobby")
    expect(paper).to_have_text("Device kiosk-lobby: printer out of paper")
    expect(page.locator(".alert-device").filter(has_text="board-hall")).to_contain_text("offline")
    expect(page.locator(".alert-outbox")).to_have_text(
        "Kiosk kiosk-lobby: outbox 3 waiting, oldest 12 min (threshold 10 min)"
    )
    expect(page.locator(".dash-throughput svg rect.chart-bar").first).to_be_attached()
    expect(page.locator("#dash-today")).to_have_text("Today: opening hours 08:00–16:00")
    before = len(loads)

    issue(services)  # the stream says a queue changed: the dashboard redraws by itself
    expect(waiting_cell(page, "walkin")).to_have_text(str(waiting["walkin"] + 1))
    assert len(loads) == before  # no reload

    open_section(page, "reports")
    page.fill("#rep-from", "31/11/2026")  # no such day: refused in the page, nothing asked
    page.click("#rep-bio")
    expect(page.locator("#status")).to_contain_text("“31/11/2026” is not a date")
    page.fill("#rep-from", "17/11/2026")  # "choose the day": To follows a one-day choice
    expect(page.locator("#rep-to")).to_have_value("17/11/2026")  # (not left on today)
    page.fill("#rep-from", "23/11/2026")  # days as DD/MM/YYYY, sent as ISO dates
    expect(page.locator("#rep-to")).to_have_value("23/11/2026")
    page.click("#rep-bio")
    report = page.request.get(
        f"{base_url}/api/v1/offices/{OFFICE}/reports/compliance?from={DAY}&station=BIO"
    ).json()
    walkin = next(row for row in report["rows"] if row["service"] == "walkin")
    assert walkin["standard_minutes"] == 10 and walkin["served"] > 0
    share = f"{round(walkin['service_compliance'] * 100)}%"
    line = page.locator(".rep-summary li").filter(has_text="Passport walk-in")
    expect(line).to_contain_text("standard 10 min")
    expect(line).to_contain_text(f"{share} of {walkin['served']} services")
    expect(page.locator(".rep-table tbody tr")).to_have_count(len(report["rows"]))
    expect(page.locator(".rep-chart svg rect.chart-bar")).to_have_count(21)  # 0-3 ... 60+
    expect(page.locator("#rep-recap")).to_have_attribute(
        "href", f"/admin/recap/{OFFICE}/{DAY}?lang=en"
    )
    with page.expect_download() as download_info:
        page.click("#rep-csv")
    saved = tmp_path / "report.csv"
    download_info.value.save_as(saved)
    header = saved.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("station,service,step,standard_minutes")

    open_section(page, "users")
    expect(page.locator("tr[data-user='laporan']")).to_contain_text("Report reader")
    open_section(page, "devices")
    expect(page.locator("tr[data-device='board-hall']")).to_contain_text("offline")
    expect(page.locator("tr[data-device='kiosk-lobby'] .dev-outbox-waiting")).to_have_text(
        "3 waiting, oldest 12 min"
    )
    open_section(page, "tokens")
    token_row = page.locator("tr[data-token='kiosk-lobby']")
    page.once("dialog", lambda dialog: dialog.accept())
    token_row.locator("button").click()
    expect(page.locator("#status .status-text")).to_have_text("The token kiosk-lobby is revoked.")
    expect(token_row.locator("button")).to_have_count(0)
    assert all(token.revoked for token in services.accounts.list_tokens(actor=Actor(name="x")))
    open_section(page, "audit")
    expect(page.locator("tr[data-action='token.revoke']")).to_have_count(1)
    open_section(page, "content")
    expect(page.locator("#ct-form")).to_be_visible()
    assert page.js_errors == []


def test_a_report_reader_sees_dashboard_and_reports_but_no_tokens(
    services: Services, clock: FakeClock, base_url: str, browser: Any
) -> None:
    played_day(services, clock)
    page = new_page(browser)
    sign_in(page, base_url, "laporan", lang="id")
    expect(page.locator("[data-view='dashboard']")).to_be_visible()
    shown = page.locator("nav a.nav-item")
    expect(shown).to_have_count(5)  # dashboard, reports, registrations, devices, audit
    expect(page.locator("nav a[data-section='tokens']")).to_have_count(0)
    expect(page.locator("nav a[data-section='users']")).to_have_count(0)
    open_section(page, "reports")
    page.fill("#rep-from", DAY)
    page.click("#rep-bio")
    expect(page.locator(".rep-summary li").first).to_contain_text("standar 10 menit")
    # The 16 columns of the compliance table fit a 1366 px wide screen (no sideways scroll).
    assert page.viewport_size["width"] <= 1366
    assert page.locator(".rep-scroll").evaluate("node => node.scrollWidth <= node.clientWidth")
    token_list = page.request.get(f"{base_url}/api/v1/tokens")
    assert token_list.status == 403
    assert page.js_errors == []


def test_an_officer_is_refused(base_url: str, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, base_url, "petugas", lang="id")
    expect(page.locator(".refused")).to_contain_text("Peran Anda (Petugas)")
    expect(page.locator("nav")).to_be_hidden()
    page.goto(f"{base_url}/admin/?lang=en")
    expect(page.locator(".refused")).to_contain_text("Your role (Officer) cannot use")
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_screen_draws_in_both_languages(
    services: Services, clock: FakeClock, base_url: str, browser: Any, language: str
) -> None:
    played_day(services, clock)
    add_devices(services, clock)
    services.accounts.create_token("kiosk-lobby", Role.KIOSK, actor=Actor(name="fixture"))
    shots = admin_shots()
    locale = {"id": "id-ID", "en": "en-GB"}[language]  # the date pickers' format
    page = new_page(browser, locale=locale)
    page.goto(f"{base_url}/admin/?lang={language}")
    expect(page.locator("#username")).to_be_visible()
    shots.take(page, f"signin-{language}")
    sign_in(page, base_url, "admin", lang=language)
    expect(page.locator("[data-view='dashboard'] .dash-queues")).to_be_visible()
    for section in SECTIONS:
        open_section(page, section)
        if section == "reports":
            page.fill("#rep-from", DAY)
            page.fill("#rep-to", DAY)
            page.click("#rep-bio")
            expect(page.locator(".rep-chart svg")).to_be_visible()
        else:
            expect(page.locator(f"[data-view='{section}'] .panel").first).to_be_visible()
        if section not in SHOT_ELSEWHERE:
            shots.take(page, f"{section}-{language}")
    open_section(page, "reports")
    page.select_option("#rep-kind", "waiting")
    page.select_option("#rep-group", "hour")
    page.click("#rep-show")
    expect(page.locator(".rep-chart svg")).to_be_visible()
    shots.take(page, f"reports-waiting-{language}")
    page2 = new_page(browser, locale=locale)
    sign_in(page2, base_url, "petugas", lang=language)
    expect(page2.locator(".refused")).to_be_visible()
    shots.take(page2, f"refused-{language}")
    assert page.js_errors == [] and page2.js_errors == []


def test_an_administrator_of_some_offices_sees_only_those(
    services: Services, clock: FakeClock, base_url: str, browser: Any
) -> None:
    settings = office_settings()
    settings["office"] = settings["office"] | {"id": "kanim-lain", "name": "Kantor Imigrasi Lain"}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    services.accounts.create_user(
        "admin-uji", "Admin Uji", PASSWORDS["admin"], Role.ADMIN,
        actor=Actor(name="fixture", role=Role.ADMIN), offices=[OFFICE],
    )  # fmt: skip
    page = new_page(browser)
    sign_in(page, base_url, "admin")  # every office: a choice in the top bar
    expect(page.locator("#office-choice option")).to_have_count(2)
    page.select_option("#office-choice", "kanim-lain")
    expect(page.locator("#place")).to_have_text("Kantor Imigrasi Lain")
    expect(page).to_have_url(re.compile(r"#kanim-lain/dashboard$"))
    limited = new_page(browser)
    limited.goto(f"{base_url}/admin/?lang=en")
    limited.fill("#username", "admin-uji")
    limited.fill("#password", PASSWORDS["admin"])
    limited.press("#password", "Enter")
    expect(limited.locator("[data-view='dashboard']")).to_be_visible()
    expect(limited.locator("#place")).to_have_text("Kantor Imigrasi Uji")
    expect(limited.locator("#office-choice")).to_be_hidden()
    assert page.js_errors == [] and limited.js_errors == []
