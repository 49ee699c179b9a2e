"""The calendar form in a real browser (Debian's Chromium): extra closed days get a name
and a kind, a special session on a given date gets its quota, dates are typed DD/MM/YYYY
in both languages and a bad one is refused with a message in the page's language and
changes nothing. With ``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes
``admin-cfg-calendar-*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web import test_admin_browser as shared
from tests.web.test_admin_config_browser import admin_page, config

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser

BAD_DATE = {
    "id": "“31/02/2026” bukan tanggal: tulis sebagai DD/MM/YYYY",
    "en": "“31/02/2026” is not a date: write it as DD/MM/YYYY",
}
SATURDAY = {"id": "12/12/2026 (Sabtu)", "en": "12/12/2026 (Saturday)"}


def add_closed_day(page: Any, day: str, name: str = "", kind: str = "") -> None:
    page.fill("[data-add='cuti_bersama']", day)
    if kind:
        page.select_option("[data-add-kind='cuti_bersama']", kind)
    page.fill("[data-add-name='cuti_bersama']", name)
    page.click("[data-add-button='cuti_bersama']")


@pytest.mark.parametrize("language", ["id", "en"])
def test_named_closed_days_and_a_dated_session(base_url: str, browser: Any, language: str) -> None:
    shots = shared.admin_shots()
    page = admin_page(browser, base_url, "calendars", lang=language)
    before = config(page, base_url)
    natal = page.locator(".cal-national-days li[data-date='2026-12-25']")  # the built-in list
    expect(natal).to_contain_text("Hari Raya Natal")
    expect(natal).to_contain_text(
        {"id": "25/12/2026 (Jumat)", "en": "25/12/2026 (Friday)"}[language]
    )
    page.click(".cal-year-next")
    expect(page.locator(".cal-year")).to_have_text("2027")
    expect(page.locator(".cal-national-days li[data-date='2027-01-01']")).to_be_visible()
    page.click(".cal-year-prev")
    expect(natal).to_be_visible()

    add_closed_day(page, "31/02/2026", "Tidak ada")  # no such day: refused, nothing added
    expect(page.locator(".cfg-message-error")).to_contain_text(BAD_DATE[language])
    expect(page.locator("[data-dates='cuti_bersama'] li[data-date]")).to_have_count(0)
    expect(page.locator("[data-add='cuti_bersama']")).to_have_value("31/02/2026")  # kept
    shots.take(page, f"cfg-calendar-bad-date-{language}")

    add_closed_day(page, "24/12/2026")  # plain: a cuti bersama day, as the older files
    add_closed_day(page, "20/3/2026", "Cuti bersama Idul Fitri")
    add_closed_day(page, "18.08.2026", "Rapat kerja", kind="closure")
    day = page.locator("[data-dates='cuti_bersama'] li[data-date='2026-03-20']")
    expect(day.locator(".cfg-day")).to_have_text(
        {"id": "20/03/2026 (Jumat)", "en": "20/03/2026 (Friday)"}[language]
    )

    page.fill("#ses-code", "sabtu-12-des")
    page.fill("#ses-name-id", "Pengambilan paspor Sabtu")
    page.fill("#ses-name-en", "Saturday passport pickup")
    page.fill("#ses-opens", "08:00")
    page.fill("#ses-closes", "12:00")
    page.fill("#ses-quota", "30")
    page.locator("[data-ticks='session-services'] input[data-value='pickup']").check()
    page.fill("#ses-dates", "12/12/2026, 31/02/2026")  # one bad date: the session is not added
    page.click("#ses-add")
    expect(page.locator(".cfg-message-error")).to_contain_text(BAD_DATE[language])
    expect(page.locator("tr[data-session='sabtu-12-des']")).to_have_count(0)
    page.fill("#ses-dates", "12/12/2026")
    page.click("#ses-add")
    session_row = page.locator("tr[data-session='sabtu-12-des']")
    expect(session_row).to_contain_text(SATURDAY[language] + " · 08:00–12:00")
    expect(session_row).to_contain_text(
        {"id": "Pengambilan paspor", "en": "Passport pickup"}[language]
    )
    expect(session_row.locator(".cal-quota")).to_have_value("30")
    assert config(page, base_url)["version"] == before["version"]  # nothing saved yet
    shots.take(page, f"cfg-calendar-edit-{language}")

    page.click("#cal-save")
    expect(page.locator(".cfg-message-ok")).to_be_visible()
    calendar = config(page, base_url)["settings"]["calendar"]
    assert calendar["cuti_bersama"] == [
        {"date": "2026-03-20", "name": "Cuti bersama Idul Fitri"},
        {"date": "2026-08-18", "name": "Rapat kerja", "kind": "closure"},
        "2026-12-24",
    ]
    assert calendar["sessions"][0] == before["settings"]["calendar"]["sessions"][0]
    assert calendar["sessions"][1] == {
        "code": "sabtu-12-des", "name_id": "Pengambilan paspor Sabtu",
        "name_en": "Saturday passport pickup", "opens": "08:00", "closes": "12:00",
        "dates": ["2026-12-12"], "services": ["pickup"], "quota": 30,
    }  # fmt: skip

    plain = page.locator("[data-dates='cuti_bersama'] li[data-date='2026-12-24']")
    plain.locator(".cfg-day-kind").select_option("holiday")  # the plain day gets a name
    plain.locator(".cfg-day-name").fill("Hari Raya Natal (tambahan)")
    page.locator("tr[data-session='sabtu-12-des'] .cal-session-edit").click()  # another date
    expect(page.locator("#ses-dates")).to_have_value("12/12/2026")
    expect(page.locator("#ses-quota")).to_have_value("30")
    page.fill("#ses-dates", "12/12/2026, 19/12/2026")
    page.fill("#ses-quota", "25")
    page.click("#ses-add")
    expect(page.locator("tr[data-session='sabtu-12-des']")).to_contain_text("19/12/2026")
    expect(page.locator("tr[data-session]")).to_have_count(2)  # changed in place, not added
    page.click("#cal-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text(str(before["version"] + 2))
    calendar = config(page, base_url)["settings"]["calendar"]
    assert calendar["cuti_bersama"][2] == {
        "date": "2026-12-24",
        "name": "Hari Raya Natal (tambahan)",
        "kind": "holiday",
    }
    assert calendar["sessions"][1]["quota"] == 25
    assert calendar["sessions"][1]["dates"] == ["2026-12-12", "2026-12-19"]
    expect(
        page.locator("[data-dates='cuti_bersama'] li[data-date='2026-12-24'] .cfg-day-name")
    ).to_have_value("Hari Raya Natal (tambahan)")
    shots.take(page, f"cfg-calendar-named-{language}")
    assert page.js_errors == []


TOO_SMALL = {"id": "harus lebih besar atau sama dengan 0", "en": "greater than or equal to 0"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_booking_window_and_priority_categories(base_url: str, browser: Any, language: str) -> None:
    shots = shared.admin_shots()
    page = admin_page(browser, base_url, "policies", lang=language)
    before = config(page, base_url)
    page.fill("#pol-early", "-5")  # refused by the server, said in the page's language
    page.click("#pol-booking-save")
    error = page.locator(".cfg-message-error")
    expect(error).to_contain_text("booking.early_minutes")
    expect(error).to_contain_text(TOO_SMALL[language])
    assert config(page, base_url)["version"] == before["version"]  # nothing changed
    page.fill("#pol-early", "45")
    page.click("#pol-booking-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text(str(before["version"] + 1))
    assert config(page, base_url)["settings"]["booking"]["early_minutes"] == 45

    page.fill("#pol-new-code", "Veteran")  # not a code: refused at once
    page.click("#pol-add")
    expect(page.locator(".cfg-message-error")).to_contain_text("“Veteran”")
    page.fill("#pol-new-code", "veteran")
    page.click("#pol-add")
    veteran = page.locator("tr[data-category='veteran']")
    veteran.locator(".pol-label-id").fill("Veteran")
    veteran.locator(".pol-label-en").fill("Veteran")
    page.locator("tr[data-category='pregnant'] .pol-use").uncheck()
    page.fill("#pol-priority-run", "2")
    page.click("#pol-priority-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text(str(before["version"] + 2))
    priority = config(page, base_url)["settings"]["priority"]
    assert priority["categories"] == [
        code
        for code in before["settings"]
        .get("priority", {})
        .get("categories", ["disabled", "elderly", "child_under_five", "pregnant"])
        if code != "pregnant"
    ] + ["veteran"]
    assert priority["labels"] == {"veteran": {"id": "Veteran", "en": "Veteran"}}
    assert priority["priority_run"] == 2
    expect(page.locator("tr[data-category='pregnant'] .pol-use")).not_to_be_checked()
    shots.take(page, f"cfg-policies-{language}")
    assert page.js_errors == []
