"""The printable daily recap in a real browser (Debian's Chromium through Playwright):
it renders under the strict CSP without a console error, in both languages. Set
``ANTRE_RECAP_SCREENSHOTS=docs/screenshots/admin`` to write the documentation's
screenshots (``recap-*.png``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from queue_server.services.container import Services
from tests.services.clock import FakeClock
from tests.services.test_reports import play_day
from tests.web.conftest import OFFICE, PASSWORDS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
A4_SCREEN = {"width": 1123, "height": 1400}
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


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
    expect(page.locator("#print")).to_be_visible()
    folder = os.environ.get("ANTRE_RECAP_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"recap-{language}.png"), full_page=True)
    # The browser's own favicon request is the only 404 (the page asks for none).
    assert [problem for problem in problems if "favicon.ico" not in problem] == []
