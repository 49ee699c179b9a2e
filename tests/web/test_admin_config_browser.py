"""The admin console's configuration forms in a real browser (Debian's Chromium): create a
service with its journey and a counter and find them in the lists and in ``GET config``;
refused input is explained next to the form; add a holiday to the calendar; import a CSV
booking list with bad rows and read the refused lines; download the office file and import
it back; an edit made on a stale version says someone else changed the configuration and
offers to reload. With ``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes the
screenshots of the forms (``admin-cfg-*.png``) in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_server.persistence.models import DeviceRow
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web import test_admin_browser as shared
from tests.web.conftest import OFFICE
from tests.web.test_booking_csv_api import GOOD_AND_BAD
from tests.web.test_console_browser import new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser
CONFIG = f"/api/v1/offices/{OFFICE}/config"


def config(page: Any, base_url: str) -> dict[str, Any]:
    answer = page.request.get(base_url + CONFIG)
    assert answer.status == 200
    body: dict[str, Any] = answer.json()
    return body


def by_id(items: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == wanted)


def admin_page(browser: Any, base_url: str, section: str, lang: str = "en") -> Any:
    page = new_page(browser, locale={"id": "id-ID", "en": "en-GB"}[lang])  # date pickers
    shared.sign_in(page, base_url, "admin", lang=lang)
    expect(page.locator("[data-view='dashboard']")).to_be_visible()
    shared.open_section(page, section)
    return page


def test_an_admin_creates_a_service_and_a_counter(
    base_url: str, browser: Any, services: Services, clock: FakeClock
) -> None:
    with services.database.writer() as session, session.begin():
        session.add(
            DeviceRow(id="layar-visa", office_id=OFFICE, kind="counter-display",
                      password_hash="-", created_at=clock())
        )  # fmt: skip
    page = admin_page(browser, base_url, "services")
    before = config(page, base_url)["version"]
    expect(page.locator("tr[data-service-id='walkin']")).to_contain_text("Passport walk-in")
    page.click("#svc-new")
    page.click("#svc-save")  # empty: the server's reasons in the page's language, not the
    expect(page.locator(".cfg-message-error")).to_contain_text("services")  # browser's
    assert config(page, base_url)["version"] == before
    page.fill("#svc-id", "visa")
    page.fill("#svc-prefix", "e")
    page.fill("#svc-name-id", "Visa kunjungan")
    page.fill("#svc-name-en", "")  # refused: the English name is required
    page.select_option("#svc-kind", "walk_in")
    page.fill("#svc-quota", "40")
    page.click("#svc-add-step")
    second = page.locator(".step-row").nth(1)
    second.locator(".step-station").select_option("BIO")
    second.locator(".step-minutes").fill("10")
    second.locator(".step-rating").check()
    page.click("#svc-add-step")
    third = page.locator(".step-row").nth(2)
    third.locator(".step-station").select_option("PICKUP")
    third.locator(".step-minutes").fill("2.5")
    third.locator(".step-later").fill("3")
    page.click("#svc-save")
    error = page.locator(".cfg-message-error")
    expect(error).to_contain_text(re.compile(r"services\[\d+\]\.name_en"))
    expect(error).to_contain_text("at least 1 character")
    assert config(page, base_url)["version"] == before  # nothing changed
    page.fill("#svc-name-en", "Visit visa")
    page.click("#svc-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text(
        f"Saved: configuration version {before + 1}"
    )
    row = page.locator("tr[data-service-id='visa']")
    expect(row).to_contain_text("Visit visa")
    expect(row).to_contain_text("CS 5 min → BIO 10 min → PICKUP 2.5 min (after 3 working days)")
    visa = by_id(config(page, base_url)["settings"]["services"], "visa")
    assert visa["prefix"] == "E" and visa["daily_quota"] == 40 and visa["kind"] == "walk_in"
    assert visa["journey"] == [
        {"station": "CS", "minutes": 5},
        {"station": "BIO", "minutes": 10, "rating": True},
        {"station": "PICKUP", "minutes": 2.5, "after_working_days": 3},
    ]

    row.locator(".svc-edit").click()  # edit: the quota goes, the name changes
    page.fill("#svc-quota", "")
    page.fill("#svc-name-en", "Visit visa (tourism)")
    page.click("#svc-save")
    expect(row).to_contain_text("Visit visa (tourism)")
    visa = by_id(config(page, base_url)["settings"]["services"], "visa")
    assert "daily_quota" not in visa and visa["name_id"] == "Visa kunjungan"

    shared.open_section(page, "counters")
    page.click("#ctr-new")
    page.fill("#ctr-id", "visa-1")
    page.fill("#ctr-name", "Loket Visa")
    page.locator("[data-ticks='stations'] input[data-value='CS']").check()
    page.locator("[data-ticks='services'] input[data-value='visa']").check()
    page.click("#ctr-save")
    counter_row = page.locator("tr[data-counter-id='visa-1']")
    expect(counter_row).to_contain_text("Loket Visa")
    expect(counter_row).to_contain_text("visa")
    counter = by_id(config(page, base_url)["settings"]["counters"], "visa-1")
    assert counter == {
        "id": "visa-1",
        "name": "Loket Visa",
        "stations": ["CS"],
        "services": ["visa"],
    }

    display = page.locator("tr[data-display='layar-visa'] .cd-counter")
    display.select_option("visa-1")  # the counter display now shows the new counter
    expect(page.locator(".cfg-message-ok")).to_contain_text(
        "The display layar-visa now shows visa-1."
    )
    with services.database.reader() as session:
        assert session.get(DeviceRow, "layar-visa").counter == "visa-1"  # type: ignore[union-attr]
    display.select_option("")
    expect(page.locator(".cfg-message-ok")).to_contain_text("now shows No counter.")

    page.once("dialog", lambda dialog: dialog.accept())
    counter_row.locator(".ctr-delete").click()
    expect(page.locator(".cfg-message-ok")).to_contain_text("Loket Visa is deleted.")
    expect(counter_row).to_have_count(0)
    counters = config(page, base_url)["settings"]["counters"]
    assert "visa-1" not in {item["id"] for item in counters}
    assert page.js_errors == []


def test_an_admin_adds_a_holiday_and_changes_hours(base_url: str, browser: Any) -> None:
    page = admin_page(browser, base_url, "calendars", lang="id")
    page.fill("[data-add='cuti_bersama']", "24/12/2026")
    page.click("[data-add-button='cuti_bersama']")
    expect(page.locator("[data-dates='cuti_bersama'] li[data-date='2026-12-24']")).to_be_visible()
    page.fill("[data-add='cuti_bersama']", "24/12/2026")
    page.click("[data-add-button='cuti_bersama']")  # twice: refused, said in Indonesian
    expect(page.locator(".cfg-message-error")).to_contain_text("24/12/2026 sudah ada di daftar.")
    page.locator("tr[data-day='sat'] .cal-open").check()
    page.locator("tr[data-day='sat'] .cal-opens").fill("08:00")
    page.locator("tr[data-day='sat'] .cal-closes").fill("12:00")
    page.locator("tr[data-session='sabtu-ambil'] .cal-quota").fill("5")
    page.fill("#ses-code", "malam-rabu")
    page.fill("#ses-name-id", "Layanan malam")
    page.fill("#ses-name-en", "Evening service")
    page.fill("#ses-opens", "16:00")
    page.fill("#ses-closes", "20:00")
    page.fill("#ses-quota", "10")
    page.locator("[data-ticks='session-weekdays'] input[data-value='wed']").check()
    page.locator("[data-ticks='session-services'] input[data-value='walkin']").check()
    page.click("#ses-add")
    expect(page.locator("tr[data-session='malam-rabu']")).to_contain_text("Rabu · 16:00–20:00")
    page.click("#cal-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text("Tersimpan: konfigurasi versi")
    calendar = config(page, base_url)["settings"]["calendar"]
    assert calendar["cuti_bersama"] == ["2026-12-24"]
    assert calendar["hours"]["sat"] == ["08:00", "12:00"]
    assert calendar["hours"]["fri"] == ["08:00", "16:30"]  # untouched
    assert calendar["sessions"][0]["quota"] == 5
    assert calendar["sessions"][1] == {
        "code": "malam-rabu", "name_id": "Layanan malam", "name_en": "Evening service",
        "opens": "16:00", "closes": "20:00", "weekdays": ["wed"], "services": ["walkin"],
        "quota": 10,
    }  # fmt: skip
    expect(page.locator("[data-dates='cuti_bersama'] li[data-date='2026-12-24']")).to_be_visible()

    page.locator("tr[data-day='sun'] .cal-open").check()  # opens after it closes: refused
    page.locator("tr[data-day='sun'] .cal-opens").fill("14:00")
    page.locator("tr[data-day='sun'] .cal-closes").fill("10:00")
    page.click("#cal-save")
    expect(page.locator(".cfg-message-error")).to_contain_text("harus sebelum tutup")
    assert "sun" not in config(page, base_url)["settings"]["calendar"]["hours"]
    assert page.js_errors == []


def test_a_booking_list_with_bad_rows_is_reported_by_line(
    base_url: str, browser: Any, services: Services
) -> None:
    page = admin_page(browser, base_url, "bookings")
    page.set_input_files(
        "#bk-file",
        files=[{"name": "bookings.csv", "mimeType": "text/csv", "buffer": GOOD_AND_BAD.encode()}],
    )
    page.click("#bk-upload")
    expect(page.locator(".bk-counts")).to_have_text(
        "12 rows: 2 imported, 0 updated, 0 unchanged, 10 refused"
    )
    rejected = page.locator(".bk-rejected tbody tr")
    expect(rejected).to_have_count(10)
    expect(page.locator(".bk-rejected tr[data-line='4']")).to_contain_text(
        "unknown service at this office"
    )
    expect(page.locator(".bk-rejected tr[data-line='11']")).to_contain_text(
        "the office is closed on that date"
    )
    page.click("#bk-upload")  # the same file again adds nothing
    expect(page.locator(".bk-counts")).to_have_text(
        "12 rows: 0 imported, 0 updated, 2 unchanged, 10 refused"
    )
    assert page.js_errors == []


READY_CSV = """nomor_permohonan;catatan
1234567890;ok
3171234567890123;a NIK by mistake
12345678901234567;ok
"""


def test_ready_passports_are_imported_looked_up_and_listed(base_url: str, browser: Any) -> None:
    page = admin_page(browser, base_url, "passports")
    expect(page.locator(".ps-summary")).to_contain_text("passports wait for their owners")
    page.click("#ps-upload")  # no file chosen: said, nothing sent
    expect(page.locator(".cfg-message-error")).to_have_text("Choose a file first.")
    page.set_input_files(
        "#ps-file",
        files=[{"name": "ready.csv", "mimeType": "text/csv", "buffer": READY_CSV.encode()}],
    )
    page.click("#ps-upload")
    expect(page.locator(".ps-counts")).to_have_text(
        "3 rows: 2 marked ready, 0 already ready, 1 refused"
    )
    refused = page.locator(".ps-rejected tr[data-line='3']")
    expect(refused).to_contain_text("NIK")
    expect(page.locator(".ps-rejected")).not_to_contain_text("3171234567890123")
    expect(page.locator(".ps-list tr[data-application='1234567890']")).to_contain_text("0")
    expect(page.locator(".ps-list tr[data-application='12345678901234567']")).to_be_visible()
    page.click("#ps-upload")  # the same file again marks nothing more
    expect(page.locator(".ps-counts")).to_have_text(
        "3 rows: 0 marked ready, 2 already ready, 1 refused"
    )
    page.fill("#ps-number", "1234 567 890")
    page.click("#ps-look")
    expect(page.locator("#ps-answer")).to_contain_text("1234567890: The passport is ready since")
    page.fill("#ps-number", "3171234567890123")
    page.click("#ps-look")
    expect(page.locator("#ps-answer.is-error")).to_contain_text("NIK")
    assert page.js_errors == []


def test_the_office_file_downloads_and_imports_back(
    base_url: str, browser: Any, tmp_path: Path
) -> None:
    page = admin_page(browser, base_url, "office_file")
    version = config(page, base_url)["version"]
    expect(page.locator(".cfg-version")).to_have_text(f"Configuration version {version}")
    with page.expect_download() as download_info:
        page.click("#of-download")
    saved = tmp_path / "office.yaml"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename == f"{OFFICE}.yaml"
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert data == config(page, base_url)["settings"]

    broken = dict(data, counters=[])
    page.set_input_files(
        "#of-file",
        files=[{"name": "bad.yaml", "mimeType": "application/yaml",
                "buffer": yaml.safe_dump(broken).encode()}],
    )  # fmt: skip
    page.click("#of-upload")
    expect(page.locator(".cfg-message-error")).to_contain_text("counters")
    assert config(page, base_url)["version"] == version

    data["office"]["name"] = "Kantor Imigrasi Uji Baru"
    page.set_input_files(
        "#of-file",
        files=[{"name": "office.yaml", "mimeType": "application/yaml",
                "buffer": yaml.safe_dump(data, allow_unicode=True).encode()}],
    )  # fmt: skip
    page.click("#of-upload")
    message = page.locator(".cfg-message-ok")
    expect(message).to_contain_text(f"Imported: configuration version {version + 1}.")
    expect(message).to_contain_text("office.name")
    assert config(page, base_url)["settings"]["office"]["name"] == "Kantor Imigrasi Uji Baru"
    assert page.js_errors == []


def test_a_stale_edit_says_someone_else_changed_it_and_reloads(
    base_url: str, browser: Any, services: Services
) -> None:
    page = admin_page(browser, base_url, "services")
    row = page.locator("tr[data-service-id='lost']")
    row.locator(".svc-edit").click()
    page.fill("#svc-name-en", "Lost passport")
    current = services.office_admin.definition(OFFICE)  # another admin saves meanwhile
    services.office_admin.patch(
        OFFICE, {"booking": {"early_minutes": 45}}, version=current["version"],
        actor=Actor(name="other-admin"),
    )  # fmt: skip
    page.click("#svc-save")
    error = page.locator(".cfg-message-error")
    expect(error).to_contain_text("Someone else changed the office configuration meanwhile")
    expect(page.locator("#svc-form")).to_be_visible()  # the form is kept
    lost = by_id(config(page, base_url)["settings"]["services"], "lost")
    assert lost["name_en"] == "Lost or damaged passport"
    page.click(".cfg-reload")
    expect(page.locator(".cfg-version")).to_have_text(
        f"Configuration version {current['version'] + 1}"
    )
    expect(page.locator("#svc-form")).to_have_count(0)
    row.locator(".svc-edit").click()
    page.fill("#svc-name-en", "Lost passport")
    page.click("#svc-save")
    expect(row).to_contain_text("Lost passport")
    assert page.js_errors == []


def test_an_admin_edits_the_kiosk_content_and_restores_a_version(
    base_url: str, browser: Any
) -> None:
    page = admin_page(browser, base_url, "content")
    page.select_option("#ct-service", "walkin")
    page.fill("#ct-req-id", "KTP asli\n\nKartu keluarga ")
    page.fill("#ct-req-en", "Original ID card\nFamily card")
    page.fill("#ct-info-en", "Walk-in applicants are served after bookings.")
    page.click("#ct-save")
    expect(page.locator(".cfg-message-ok")).to_contain_text("Saved: configuration version")
    content = config(page, base_url)["settings"]["content"]
    assert content["services"]["walkin"] == {
        "requirements_id": ["KTP asli", "Kartu keluarga"],
        "requirements_en": ["Original ID card", "Family card"],
        "info_id": "",
        "info_en": "Walk-in applicants are served after bookings.",
    }
    first = content["version"]
    expect(page.locator("#ct-version")).to_have_text(f"Content version {first}")
    page.select_option("#ct-service", "walkin")
    page.fill("#ct-req-en", "Original ID card")
    page.click("#ct-save")
    expect(page.locator("#ct-version")).to_have_text(f"Content version {first + 1}")
    earlier = page.locator(f"tr[data-version='{first}']")
    expect(earlier).to_contain_text("2 requirements")
    page.select_option("#ct-service", "walkin")
    earlier.locator(".ct-use").click()
    expect(page.locator("#ct-req-en")).to_have_value("Original ID card\nFamily card")
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_forms_draw_in_both_languages(
    base_url: str, browser: Any, services: Services, language: str
) -> None:
    shots = shared.admin_shots()
    page = admin_page(browser, base_url, "services", lang=language)
    assert page.evaluate("AntreUi.decimal(2.5)") == {"id": "2,5", "en": "2.5"}[language]
    page.locator("tr[data-service-id='mpaspor'] .svc-edit").click()
    expect(page.locator("#svc-form")).to_be_visible()
    shots.take(page, f"cfg-service-form-{language}")
    current = services.office_admin.definition(OFFICE)
    services.office_admin.patch(
        OFFICE, {"booking": {"early_minutes": 45}}, version=current["version"],
        actor=Actor(name="other-admin"),
    )  # fmt: skip
    page.click("#svc-save")
    expect(page.locator(".cfg-reload")).to_be_visible()
    shots.take(page, f"cfg-stale-{language}")
    shared.open_section(page, "calendars")
    page.fill("[data-add='cuti_bersama']", "24/12/2026")
    page.click("[data-add-button='cuti_bersama']")
    page.fill("[data-add='cuti_bersama']", "31/12/2026")
    page.click("[data-add-button='cuti_bersama']")
    page.click("#cal-save")
    expect(page.locator(".cfg-message-ok")).to_be_visible()
    shots.take(page, f"cfg-calendar-saved-{language}")
    shared.open_section(page, "counters")
    page.locator("tr[data-counter-id='bio-1'] .ctr-edit").click()
    expect(page.locator("#ctr-form")).to_be_visible()
    shots.take(page, f"cfg-counter-form-{language}")
    shared.open_section(page, "bookings")
    page.set_input_files(
        "#bk-file",
        files=[{"name": "bookings.csv", "mimeType": "text/csv", "buffer": GOOD_AND_BAD.encode()}],
    )
    page.click("#bk-upload")
    expect(page.locator(".bk-rejected")).to_be_visible()
    shots.take(page, f"cfg-bookings-report-{language}")
    shared.open_section(page, "passports")
    page.set_input_files(
        "#ps-file",
        files=[{"name": "ready.csv", "mimeType": "text/csv", "buffer": READY_CSV.encode()}],
    )
    page.click("#ps-upload")
    expect(page.locator(".ps-rejected")).to_be_visible()
    page.fill("#ps-number", "1234567890")
    page.click("#ps-look")
    expect(page.locator("#ps-answer.is-ready")).to_be_visible()
    shots.take(page, f"cfg-passports-{language}")
    assert page.js_errors == []


def registered_day(services: Services, clock: FakeClock) -> list[str]:
    """Tuesday 24 Nov 2026, 08:15 WITA: four registrations of the percepatan window (quota
    20), two by WhatsApp, the first checked in at the kiosk; their codes."""
    from queue_server.services.offices import store_office
    from tests.services.test_registrations import WINDOWS, wita
    from tests.web.conftest import office_settings

    clock.now = wita(23, 20, 0)  # Monday 20:00: the window is open for Tuesday
    settings = office_settings() | {"registration": [WINDOWS[0] | {"quota": 20}]}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    codes = [
        services.registrations.register(
            office=OFFICE, window="percepatan", phone=f"08123456780{n}", channel=channel
        ).code
        for n, channel in enumerate(("web", "whatsapp", "web", "whatsapp"))
    ]
    clock.now = wita(24, 8, 15)
    services.registrations.check_in(
        office=OFFICE, registration=codes[0], service="walkin", actor=Actor(name="kiosk-1")
    )
    return codes


@pytest.mark.parametrize("language", ["en", "id"])
def test_registrations_of_a_day_and_a_cancel(
    base_url: str, browser: Any, services: Services, clock: FakeClock, language: str
) -> None:
    codes = registered_day(services, clock)
    shots = shared.admin_shots()
    page = admin_page(browser, base_url, "registrations", lang=language)
    window = page.locator(".rg-windows tr[data-window='percepatan'] td")
    expect(window.nth(1)).to_have_text("20")  # quota
    expect(window.nth(2)).to_have_text("4")  # places taken
    expect(window.nth(3)).to_have_text("1")  # checked in
    expect(window.nth(4)).to_have_text("3")  # not come yet
    expect(page.locator(".rg-list tbody tr")).to_have_count(4)
    expect(page.locator(f".rg-list tr[data-code='{codes[0]}']")).to_have_attribute(
        "data-status", "checked_in"
    )
    expect(page.locator(f".rg-list tr[data-code='{codes[0]}'] .rg-cancel")).to_have_count(0)
    expect(page.locator(".rg-list")).to_contain_text("WhatsApp")
    expect(page.locator("[data-view='registrations']")).not_to_contain_text("0812")
    second = page.locator(f".rg-list tr[data-code='{codes[1]}']")
    page.once("dialog", lambda dialog: dialog.dismiss())  # asked first: no, nothing happens
    second.locator(".rg-cancel").click()
    expect(second).to_have_attribute("data-status", "confirmed")
    page.once("dialog", lambda dialog: dialog.accept())
    second.locator(".rg-cancel").click()
    expect(second).to_have_attribute("data-status", "cancelled")
    expect(window.nth(2)).to_have_text("3")  # the place is free again
    expect(window.nth(5)).to_have_text("1")
    expect(page.locator(".cfg-message-ok")).to_contain_text(codes[1])
    shots.take(page, f"registrations-{language}")
    page.fill("#rg-day", "31/11/2026")  # no such day: said in the page, nothing asked
    page.click("#rg-show")
    expect(page.locator(".cfg-message-error")).to_contain_text("DD/MM/YYYY")
    page.fill("#rg-day", "23/11/2026")
    page.click("#rg-show")
    expect(page.locator(".rg-list")).to_have_count(0)  # none for Monday
    assert page.js_errors == []

    reader = new_page(browser)
    shared.sign_in(reader, base_url, "laporan", lang=language)
    shared.open_section(reader, "registrations")
    expect(reader.locator(".rg-list tbody tr")).to_have_count(4)
    expect(reader.locator(".rg-cancel")).to_have_count(0)  # a report reader only reads
    assert reader.js_errors == []
