"""``/daftar/<office>`` in a real browser (Debian's Chromium) on a phone-sized screen:
register and see the code and QR at once; when the quota is full, be told at once.

With ``ANTRE_REGISTRATION_SCREENSHOTS=docs/screenshots`` it writes the documentation's
``registration-id.png`` and ``registration-en.png`` (else to /tmp).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from queue_server.serve import http_server
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from tests.services.clock import FakeClock
from tests.services.test_registrations import EVENING, WINDOWS, wita
from tests.web.browser_support import CHROMIUM, LAUNCH_ARGS, needs_chromium, playwright_api
from tests.web.conftest import OFFICE, office_settings

PHONE = {"width": 360, "height": 740}
SHOTS = Path(os.environ.get("ANTRE_REGISTRATION_SCREENSHOTS", "/tmp"))
pytestmark = needs_chromium


@pytest.fixture
def base_url(app: Flask, services: Services, clock: FakeClock) -> Iterator[str]:
    clock.now = wita(23, 20, 0)  # Monday 20:00 WITA: percepatan is open for Tuesday
    settings = office_settings() | {"registration": WINDOWS}
    settings["calendar"]["sessions"].append(EVENING)
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=clock())
    server = http_server(app, host="127.0.0.1", port=0, threads=4, per_address=64)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/daftar/{OFFICE}"
    server.task_dispatcher.shutdown(timeout=2)
    for channel in list(server._map.values()):
        channel.close()
    thread.join(timeout=10)


def test_register_see_the_code_and_qr_then_full_is_told(base_url: str) -> None:
    expect = playwright_api.expect
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_context(viewport=PHONE, device_scale_factor=1).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            for language, registered, phone in (
                ("en", "You are registered", "0812 3456 7890"),
                ("id", "Anda sudah terdaftar", "0813 3456 7890"),  # one place per number
            ):
                page.goto(f"{base_url}?lang={language}")
                expect(page.locator("#window-petang .when")).to_contain_text("08:00")
                assert page.locator("#window-petang input").first.is_disabled()
                if language == "en":
                    page.screenshot(path=str(SHOTS / "registration-form-en.png"), full_page=True)
                page.locator("input[value='percepatan/walkin']").check()
                page.locator("#phone").fill(phone)
                page.locator("#submit").click()
                expect(page.locator("h1")).to_have_text(registered)
                expect(page.locator("#code")).to_have_text(re.compile(r"^[A-Z0-9]{6}$"))
                expect(page.locator("#qr svg")).to_be_visible()
                expect(page.locator("#day")).to_have_text("24-11-2026")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, "the page scrolls sideways on a 360 px screen"
                page.screenshot(path=str(SHOTS / f"registration-{language}.png"), full_page=True)
            page.goto(f"{base_url}?lang=en")  # the quota of 2 is used up
            page.locator("input[value='percepatan/walkin']").check()
            page.locator("#submit").click()
            expect(page.locator("#problem")).to_contain_text("is full: no place left")
            assert errors == []
        finally:
            browser.close()
