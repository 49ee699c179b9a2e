"""The printable daily recap in a real browser (Debian's Chromium through Playwright):
it renders under the strict CSP without a console error, in both languages. Set
``ANTRE_RECAP_SCREENSHOTS=docs/screenshots/admin`` to write the documentation's
screenshots (``recap-*.png``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from queue_server.services.container import Services
from tests.services.clock import FakeClock
from tests.services.test_reports import play_day
from tests.web.browser_support import base_url, browser, expect, needs_chromium
from tests.web.conftest import OFFICE, PASSWORDS

__all__ = ["base_url", "browser"]  # fixtures
A4_SCREEN = {"width": 1123, "height": 1400}
pytestmark = needs_chromium


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_recap_prints_a_played_day(
    services: Services, clock: FakeClock, base_url: str, browser: Any, language: str
) -> None:
    engine = SimpleNamespace(
        database=services.database,
        clock=clock,
        officer=services.officer,
        issuing=services.issuing,
        ratings=services.ratings,
    )
    play_day(engine, seed=7)  # type: ignore[arg-type]
    page = browser.new_page(viewport=A4_SCREEN)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.text} {message.location}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login = {"username": "laporan", "password": PASSWORDS["laporan"]}
    assert page.request.post(f"{base_url}/api/v1/auth/login", data=login).ok
    page.goto(f"{base_url}/admin/recap/{OFFICE}/2026-11-23?lang={language}")
    title = "Rekapitulasi harian" if language == "id" else "Daily recap"
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("#volumes tbody tr")).to_have_count(2)  # walk-in and lost passport
    expect(page.locator("#compliance tbody tr").first).to_be_visible()
    expect(page.locator("#ratings tbody tr")).to_have_count(1)  # BIO
    decimal, other = (r"\d,\d", r"\d\.\d") if language == "id" else (r"\d\.\d", r"\d,\d")
    compliance = page.locator("#compliance tbody")
    expect(compliance).to_contain_text(re.compile(decimal))  # Indonesian: a decimal comma
    expect(compliance).not_to_contain_text(re.compile(other))
    expect(page.locator("#print")).to_be_visible()
    folder = os.environ.get("ANTRE_RECAP_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"recap-{language}.png"), full_page=True)
    # The browser's own favicon request is the only 404 (the page asks for none).
    assert [problem for problem in problems if "favicon.ico" not in problem] == []
