"""What the web pages' browser tests share: Debian's Chromium through Playwright, the app
served on a loopback port, the push hub fed as ``antre serve --no-mqtt`` feeds it, a page
the size of an office screen, and the documentation's screenshots when asked for.

A test module imports the fixtures it uses by name, lists them in its ``__all__`` (so
they count as used) and marks itself ``pytestmark = needs_chromium``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from queue_server.mqtt.runtime import start_publisher_without_broker
from queue_server.push.hub import PushHub
from queue_server.services.container import Services
from queue_server.web.api_push import PUSH_EXTENSION
from tests.support.chromium import CHROMIUM, LAUNCH_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")
OFFICE_SCREEN = {"width": 1366, "height": 768}
TIMEOUT_MS = 10_000


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app under werkzeug's threaded server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def live(app: Flask, services: Services) -> Iterator[PushHub]:
    """The push hub fed by the state publisher, as ``antre serve --no-mqtt`` runs them."""
    hub: PushHub = app.extensions[PUSH_EXTENSION]
    hub.start()
    publisher = start_publisher_without_broker(services, hub.publish)
    yield hub
    publisher.stop()
    hub.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any, timezone_id: str = "Asia/Makassar", **options: Any) -> Any:
    """A page of a fresh context at 1366x768; its JS errors collect in ``page.js_errors``."""
    context = browser.new_context(
        viewport=OFFICE_SCREEN, timezone_id=timezone_id, device_scale_factor=1, **options
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return page


class Shots:
    """Screenshots for the docs, only when the variable ``variable`` names a folder:
    ``take(page, name)`` writes ``{prefix}-{name}.png`` there."""

    def __init__(self, variable: str, prefix: str) -> None:
        folder = os.environ.get(variable)
        self.folder = Path(folder) if folder else None
        self.prefix = prefix

    def take(self, page: Any, name: str) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.folder / f"{self.prefix}-{name}.png"))
