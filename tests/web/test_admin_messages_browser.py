"""The admin console shows the server's validation problems and warnings in the page's
language (Debian's Chromium): a calendar with two wrong days lists both problems, and a
saved change shows the office file's warning, in Indonesian and in English; a refusal
is not left in the status line once another screen is opened."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web import test_admin_browser as shared
from tests.web.test_admin_config_browser import admin_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser
EXPECTED = {
    "id": ("buka (14:00) harus sebelum tutup (10:00)", "office.public_base_url: belum diisi"),
    "en": ("opens (14:00) must be before closes (10:00)", "office.public_base_url: not set"),
}


def hours(page: Any, day: str, opens: str, closes: str) -> None:
    page.locator(f"tr[data-day='{day}'] .cal-open").check()
    page.locator(f"tr[data-day='{day}'] .cal-opens").fill(opens)
    page.locator(f"tr[data-day='{day}'] .cal-closes").fill(closes)


def test_problems_and_warnings_in_the_page_language(base_url: str, browser: Any) -> None:
    for language, (problem, warning) in EXPECTED.items():
        page = admin_page(browser, base_url, "calendars", lang=language)
        hours(page, "sat", "14:00", "10:00")
        hours(page, "sun", "14:00", "10:00")
        page.click("#cal-save")
        listed = page.locator(".cfg-message-error .cfg-problems li")
        expect(listed).to_have_count(2)
        expect(listed.nth(0)).to_contain_text(problem)
        expect(listed.nth(1)).to_contain_text(problem)
        status = page.locator("#status")
        expect(status).to_contain_text(problem)
        shared.open_section(page, "counters")  # the calendar's refusal is not the counters'
        expect(status).not_to_contain_text(problem)
        expect(status).not_to_have_class("status status-error")
        shared.open_section(page, "calendars")
        hours(page, "sat", "08:00", "12:00")
        page.locator("tr[data-day='sun'] .cal-open").uncheck()
        page.click("#cal-save")
        expect(page.locator(".cfg-message-ok .cfg-warnings li").first).to_contain_text(warning)
        assert page.js_errors == []
        page.context.close()
