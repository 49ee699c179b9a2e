"""``/t/<token>`` in a real browser (Debian's Chromium through Playwright) on a phone-sized
screen: readable at 360 px, and it redraws itself when the ticket is called (pushed over
server-sent events through waitress, as ``antre serve`` serves it)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from queue_server.domain.ids import TicketSource
from queue_server.mqtt.runtime import start_publisher_without_broker
from queue_server.push.hub import PushHub
from queue_server.serve import http_server
from queue_server.services.container import Services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from queue_server.web.api_push import PUSH_EXTENSION
from tests.web.browser_support import CHROMIUM, LAUNCH_ARGS, needs_chromium, playwright_api
from tests.web.conftest import OFFICE

PHONE = {"width": 360, "height": 740}
SCREENSHOT = Path("/tmp/antre-ticket-page-360.png")
pytestmark = needs_chromium


@pytest.fixture
def base_url(app: Flask, services: Services) -> Iterator[str]:
    """The app under waitress as ``antre serve`` runs it, its push hub fed by the publisher."""
    hub: PushHub = app.extensions[PUSH_EXTENSION].start()
    publisher = start_publisher_without_broker(services, hub.publish)
    server = http_server(app, host="127.0.0.1", port=0, threads=4, per_address=64)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    publisher.stop()
    hub.stop()
    server.task_dispatcher.shutdown(timeout=2)
    for channel in list(server._map.values()):
        channel.close()
    thread.join(timeout=10)


@pytest.fixture
def browser_page() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="en-US", device_scale_factor=1)
            yield context.new_page()
        finally:
            browser.close()


def issue(services: Services) -> str:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    return services.issuing.issue(request, actor=Actor(name="kiosk-1")).token


def test_the_page_fits_a_phone_and_follows_the_call(
    services: Services, base_url: str, browser_page: object
) -> None:
    page = browser_page
    token = issue(services)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # type: ignore[attr-defined]
    page.clock.install()  # type: ignore[attr-defined]
    page.goto(f"{base_url}/t/{token}")  # type: ignore[attr-defined]
    status = page.locator("#status")  # type: ignore[attr-defined]
    assert status.inner_text() == "Waiting for your turn"
    assert page.locator("#label").inner_text() == "B-001"  # type: ignore[attr-defined]
    overflow = page.evaluate(  # type: ignore[attr-defined]
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a 360 px screen"
    label_px = page.evaluate(  # type: ignore[attr-defined]
        "parseFloat(getComputedStyle(document.getElementById('status')).fontSize)"
    )
    assert label_px >= 16
    page.screenshot(path=str(SCREENSHOT), full_page=True)  # type: ignore[attr-defined]

    officer = Actor(name="officer-1")
    services.officer.open_counter(OFFICE, "cs-1", actor=officer)
    services.officer.call_next(OFFICE, "cs-1", actor=officer)
    # No clock fast-forward: the call is pushed to the page, which polls no more.
    # A locator assertion runs in Playwright's own world; a string predicate
    # (wait_for_function) would be eval'd in the page, which its CSP forbids.
    playwright_api.expect(status).to_have_text(re.compile(r"^Called"), timeout=10_000)
    assert "status-called" in (status.get_attribute("class") or "")
    assert page.locator("#updated").inner_text().startswith("Updated ")  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOT.with_name("antre-ticket-page-360-called.png")))  # type: ignore[attr-defined]
    assert errors == []


def test_the_language_switch_works_in_the_browser(
    services: Services, base_url: str, browser_page: object
) -> None:
    page = browser_page
    page.goto(f"{base_url}/t/{issue(services)}")  # type: ignore[attr-defined]
    assert page.locator("#status").inner_text() == "Waiting for your turn"  # type: ignore[attr-defined]
    page.get_by_role("link", name="Bahasa Indonesia").click()  # type: ignore[attr-defined]
    page.wait_for_url("**?lang=id")  # type: ignore[attr-defined]
    assert page.locator("#status").inner_text() == "Menunggu giliran Anda"  # type: ignore[attr-defined]
