"""A user locked after failed sign-ins, in a real browser (Debian's Chromium): the officer
mistypes the password until the name is locked, the administrator sees "Locked until"
in the users list and unlocks it, and the officer signs in. With
``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes ``admin-users-locked-*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from queue_server.persistence.models import AuditLogRow
from queue_server.services.container import Services
from tests.web import test_admin_browser as shared
from tests.web.conftest import PASSWORDS, FakeMonotonic
from tests.web.test_admin_config_browser import admin_page
from tests.web.test_console_browser import new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser
FAILURES = 10  # ServerConfig.login_lockout_failures' default


def try_sign_in(page: Any, username: str, password: str) -> int:
    """Submit the sign-in form; the HTTP status of the server's answer, once the page has
    handled it (a refused sign-in empties the password field: filling it before that
    happened would lose the next password and the form would not be sent)."""
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_response(lambda answer: answer.url.endswith("/auth/login")) as answer:
        page.press("#password", "Enter")
    status: int = answer.value.status
    if status != 200:
        expect(page.locator("#password")).to_have_value("")
    return status


def test_a_locked_user_is_shown_and_unlocked_by_an_administrator(
    base_url: str, browser: Any, services: Services, monotonic: FakeMonotonic
) -> None:
    shots = shared.admin_shots()
    officer = new_page(browser)
    officer.goto(f"{base_url}/admin/?lang=en")
    answers = []
    for attempt in range(FAILURES + 1):
        monotonic.advance(61)  # past the per-address limit of a minute, not the lockout
        answers.append(try_sign_in(officer, "petugas", f"wrong-{attempt}"))
    assert answers == [401] * FAILURES + [429]
    expect(officer.locator("#status")).to_contain_text("locked for 15 minutes")

    pages = {}
    for language in ("id", "en"):
        page = admin_page(browser, base_url, "users", lang=language)
        row = page.locator("tr[data-user='petugas']")
        expect(row.locator(".usr-locked")).to_be_visible()
        expect(page.locator(".usr-unlock")).to_have_count(1)  # only the locked user
        pages[language] = page
        shots.take(page, f"users-locked-{language}")
    expect(pages["id"].locator("tr[data-user='petugas'] .usr-locked")).to_have_text(
        "Terkunci sampai 10:15"
    )
    expect(pages["id"].locator("tr[data-user='petugas'] .usr-unlock")).to_have_text("Buka kunci")
    page = pages["en"]
    row = page.locator("tr[data-user='petugas']")
    expect(row.locator(".usr-locked")).to_have_text("Locked until 10:15")  # WITA
    row.locator(".usr-unlock").click()
    expect(page.locator(".cfg-message-ok")).to_have_text(
        "The user petugas is unlocked and can sign in again."
    )
    expect(row.locator(".usr-locked")).to_have_count(0)
    expect(row.locator(".usr-unlock")).to_have_count(0)
    with services.database.reader() as session:
        unlocks = list(
            session.scalars(select(AuditLogRow).where(AuditLogRow.action == "user.unlock"))
        )
    assert [(item.actor, item.target) for item in unlocks] == [("admin", "petugas")]

    assert try_sign_in(officer, "petugas", PASSWORDS["petugas"]) == 200
    expect(officer.locator("#status")).to_contain_text("Signed in as petugas")
    assert officer.js_errors == [] and page.js_errors == [] and pages["id"].js_errors == []
