"""The admin console's account screens in a real browser (Debian's Chromium): create a
user (a weak password is refused with the server's reason, nothing created) and deactivate
one; create a machine token whose secret is shown once and then only listed without it;
change one's own password from the top bar and sign in with the new one; reset a
device's credentials (the new password shown once; a report reader has no such button).
With ``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes ``admin-accounts-*.png``
in both languages.
"""

from __future__ import annotations

from typing import Any

import pytest

from queue_server.persistence.models import DeviceRow
from queue_server.services.container import Services
from queue_server.services.devices import DeviceNotFound, new_broker_password
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web import test_admin_browser as shared
from tests.web.conftest import OFFICE, PASSWORDS
from tests.web.test_admin_config_browser import admin_page
from tests.web.test_console_browser import new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser
SOMEONE = Actor(name="test")


def user(services: Services, username: str) -> Any:
    found = [
        item for item in services.accounts.list_users(actor=SOMEONE) if item.username == username
    ]
    return found[0] if found else None


def test_an_admin_creates_a_user_and_deactivates_one(
    base_url: str, browser: Any, services: Services
) -> None:
    page = admin_page(browser, base_url, "users")
    page.click("#usr-new")
    expect(page.locator("#usr-form")).to_contain_text("at least 10 characters")  # the rules
    page.fill("#usr-username", "siti.loket")
    page.fill("#usr-name", "Siti Rahma")
    page.select_option("#usr-role", "petugas")
    page.fill("#usr-password", "short")
    page.click("#usr-save")
    expect(page.locator(".cfg-message-error")).to_contain_text(
        "The password must have at least 10 characters."
    )
    assert user(services, "siti.loket") is None  # nothing created
    page.fill("#usr-password", "Loket-Siti-2026!")
    page.click("#usr-save")
    row = page.locator("tr[data-user='siti.loket']")
    expect(row).to_contain_text("Siti Rahma")
    expect(row).to_contain_text("Officer")
    expect(row).to_contain_text(OFFICE)
    expect(page.locator(".cfg-message-ok")).to_have_text("The user siti.loket is created.")
    created = user(services, "siti.loket")
    assert created.active and created.role == "petugas" and created.offices == [OFFICE]

    page.once("dialog", lambda dialog: dialog.dismiss())  # asked first: no, nothing happens
    row.locator(".usr-deactivate").click()
    expect(row.locator(".usr-deactivate")).to_be_visible()
    assert user(services, "siti.loket").active
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(".usr-deactivate").click()
    expect(page.locator(".cfg-message-ok")).to_have_text("The user siti.loket is deactivated.")
    expect(page.locator("tr[data-user='siti.loket'] .badge")).to_have_text("No")
    assert not user(services, "siti.loket").active
    expect(page.locator("tr[data-user='admin'] .usr-deactivate")).to_have_count(0)  # not oneself
    assert page.js_errors == []


def test_an_admin_creates_a_token_and_sees_its_secret_once(
    base_url: str, browser: Any, services: Services
) -> None:
    page = admin_page(browser, base_url, "tokens")
    page.click("#tok-new")
    page.fill("#tok-name", "Kiosk Lobby")  # refused: capitals and a space
    page.click("#tok-save")
    expect(page.locator(".cfg-message-error")).to_be_visible()
    assert services.accounts.list_tokens(actor=SOMEONE) == []
    page.fill("#tok-name", "kiosk-lobby")
    page.select_option("#tok-role", "kiosk")
    page.click("#tok-save")
    secret_box = page.locator("#tok-secret")
    expect(secret_box).to_be_visible()
    expect(page.locator(".tok-warning")).to_contain_text("shown this once only")
    secret = secret_box.input_value()
    assert len(secret) >= 20
    machine = services.accounts.authenticate_token(secret)
    assert machine is not None and machine.name == "token:kiosk-lobby"
    row = page.locator("tr[data-token='kiosk-lobby']")
    expect(row).to_contain_text("Kiosk")
    shared.open_section(page, "users")
    shared.open_section(page, "tokens")  # again: listed, the secret nowhere
    expect(row).to_contain_text(OFFICE)
    expect(page.locator("#tok-secret")).to_have_count(0)
    assert secret not in page.content()
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_account_screens_in_both_languages(
    base_url: str, browser: Any, services: Services, clock: FakeClock, language: str
) -> None:
    shots = shared.admin_shots()
    shared.add_devices(services, clock)
    services.offline.lease(
        OFFICE,
        "kiosk-lobby",
        "walkin",
        4,
        retry_key=RetryKey(device="kiosk-lobby", transaction="l"),
    )
    page = admin_page(browser, base_url, "users", lang=language)
    page.click("#usr-new")
    page.fill("#usr-username", "budi")
    page.fill("#usr-name", "Budi Santoso")
    page.fill("#usr-password", "1234567890")
    page.click("#usr-save")
    expect(page.locator(".cfg-message-error")).to_be_visible()
    if language == "id":
        expect(page.locator(".cfg-message-error")).not_to_contain_text("The password")
    shots.take(page, f"accounts-user-form-{language}")
    shared.open_section(page, "tokens")
    page.click("#tok-new")
    page.fill("#tok-name", "display-hall")
    page.select_option("#tok-role", "kiosk")
    page.click("#tok-save")
    expect(page.locator("#tok-secret")).to_be_visible()
    shots.take(page, f"accounts-token-once-{language}")
    page.click("#password-change")
    page.fill("#pw-current", "not-my-password")
    page.fill("#pw-new", "Kantor-Baru-2026!")
    page.fill("#pw-repeat", "Kantor-Baru-2026!")
    page.click("#pw-save")
    expect(page.locator(".pw-message")).to_be_visible()
    shots.take(page, f"accounts-password-{language}")
    page.click("#pw-cancel")
    shared.open_section(page, "devices")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr[data-device='kiosk-lobby'] .dev-reset").click()
    expect(page.locator("#dev-secret")).to_be_visible()
    shots.take(page, f"devices-reset-{language}")
    assert page.js_errors == []


def test_an_admin_changes_the_password_and_signs_in_with_the_new_one(
    base_url: str, browser: Any, services: Services
) -> None:
    page = admin_page(browser, base_url, "users")
    page.click("#password-change")
    dialog = page.locator("#pw-dialog")
    expect(dialog).to_be_visible()
    page.fill("#pw-current", PASSWORDS["admin"])
    page.fill("#pw-new", "Kantor-Baru-2026!")
    page.fill("#pw-repeat", "Kantor-Baru-2027!")
    page.click("#pw-save")
    expect(dialog.locator(".pw-message")).to_have_text(
        "The two new passwords differ; nothing was changed."
    )
    page.fill("#pw-current", "not-my-password")
    page.fill("#pw-repeat", "Kantor-Baru-2026!")
    page.click("#pw-save")
    expect(dialog.locator(".pw-message")).not_to_contain_text("differ")
    wrong = dialog.locator(".pw-message").inner_text()
    page.fill("#pw-current", PASSWORDS["admin"])
    page.fill("#pw-new", "abcdefghijk")
    page.fill("#pw-repeat", "abcdefghijk")
    page.click("#pw-save")
    expect(dialog.locator(".pw-message")).to_contain_text("sequence")
    assert wrong != dialog.locator(".pw-message").inner_text()
    page.fill("#pw-new", "Kantor-Baru-2026!")
    page.fill("#pw-repeat", "Kantor-Baru-2026!")
    page.click("#pw-save")
    expect(page.locator("#status .status-text")).to_have_text(
        "Your password is changed. Your other sessions have ended."
    )
    expect(dialog).to_have_count(0)
    shared.open_section(page, "tokens")  # the renewed session and CSRF token still work
    page.click("#tok-new")
    page.fill("#tok-name", "after-change")
    page.click("#tok-save")
    expect(page.locator("#tok-secret")).to_be_visible()

    page.click("#signout")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORDS["admin"])  # the old one: refused
    page.press("#password", "Enter")
    expect(page.locator("#status.status-error")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    page.fill("#password", "Kantor-Baru-2026!")
    page.press("#password", "Enter")
    expect(page.locator("#status .status-text")).to_have_text("Signed in as admin")
    expect(page.locator("[data-view='tokens']")).to_be_visible()  # back where it was
    assert page.js_errors == []


def test_an_admin_resets_a_devices_credentials(
    base_url: str, browser: Any, services: Services, clock: FakeClock
) -> None:
    old_password, old_hash = new_broker_password()
    with services.database.writer() as session, session.begin():
        session.add(
            DeviceRow(id="kiosk-lobby", office_id=OFFICE, kind="kiosk", password_hash=old_hash,
                      created_at=clock(), status="online", last_seen_at=clock())
        )  # fmt: skip
    block = services.offline.lease(
        OFFICE,
        "kiosk-lobby",
        "walkin",
        4,
        retry_key=RetryKey(device="kiosk-lobby", transaction="l-1"),
    )
    leased = int(str(block["last_number"])) - int(str(block["first_number"])) + 1
    assert leased > 0
    page = admin_page(browser, base_url, "devices")
    row = page.locator("tr[data-device='kiosk-lobby']")
    expect(row).to_contain_text(f"walkin: {leased}")  # offline numbers not synced yet
    page.once("dialog", lambda dialog: dialog.dismiss())  # asked first: no, nothing happens
    row.locator(".dev-reset").click()
    expect(row).to_be_visible()
    assert services.devices.authenticate("kiosk-lobby", old_password) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(".dev-reset").click()
    secret_box = page.locator("#dev-secret")
    expect(secret_box).to_be_visible()
    expect(page.locator("[data-reset='kiosk-lobby']")).to_contain_text("set up again")
    password = secret_box.input_value()
    assert services.devices.authenticate("kiosk-lobby", password) is not None
    assert services.devices.authenticate("kiosk-lobby", old_password) is None
    audit = page.request.get(base_url + "/api/v1/audit").json()["items"]
    assert any(item["action"] == "device.reset" for item in audit)
    with pytest.raises(DeviceNotFound):  # an office's route resets only its own devices
        services.devices.reset("kiosk-lobby", old_hash, actor=SOMEONE, office="other-office")
    shared.open_section(page, "users")
    shared.open_section(page, "devices")  # the password is gone once the screen is left
    expect(row).to_be_visible()
    expect(page.locator("#dev-secret")).to_have_count(0)
    assert page.js_errors == []

    reader = new_page(browser)
    shared.sign_in(reader, base_url, "laporan")
    shared.open_section(reader, "devices")
    expect(reader.locator("tr[data-device='kiosk-lobby']")).to_be_visible()
    expect(reader.locator(".dev-reset")).to_have_count(0)  # administrators only
