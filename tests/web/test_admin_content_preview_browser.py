"""The Content form's kiosk preview in a real browser (Debian's Chromium): what the
administrator types shows at once on a drawing of the kiosk's "Please complete your
documents first" screen, in either kiosk language and screen, before anything is saved.
With ``ANTRE_ADMIN_SCREENSHOTS=docs/screenshots/admin`` it writes
``admin-content-preview-{id,en}.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

from queue_server.i18n import translate
from queue_server.web.kiosk_preview import KIOSK_TEXTS, PREVIEW_TEXTS
from tests.web import test_admin_browser as shared
from tests.web.test_admin_config_browser import admin_page, config

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(
    not shared.CHROMIUM.exists(), reason="needs Debian's chromium package"
)
base_url = shared.base_url
browser = shared.browser

REQUIREMENTS = {
    "id": "e-KTP asli dan fotokopi di kertas A4\nKartu keluarga asli\n"
    "Akta kelahiran, akta perkawinan atau ijazah (asli)\nPaspor lama, bila mengganti paspor",
    "en": "Original e-KTP and a copy on A4 paper\nOriginal family card\n"
    "Birth or marriage certificate or diploma (original)\nOld passport, if you replace one",
}
INFO = {
    "id": "Pemohon tanpa janji dilayani setelah pemohon M-Paspor.",
    "en": "Walk-in applicants are served after M-Paspor bookings.",
}
#: The longest list the office file allows: 30 lines of 200 characters.
LONGEST = "\n".join(f"{number:02d} " + "x" * 197 for number in range(1, 31))


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.locator(selector).bounding_box()
    return found


def test_the_preview_follows_what_the_admin_types(base_url: str, browser: Any) -> None:
    page = admin_page(browser, base_url, "content", lang="id")
    page.select_option("#ct-service", "walkin")
    screen, items = page.locator("#kp-screen"), page.locator("#kp-list .kp-item")
    expect(screen).to_contain_text(translate(KIOSK_TEXTS["title"], "id"))
    expect(screen).to_contain_text("Paspor tanpa janji")
    expect(page.locator("#kp-builtin")).to_be_visible()  # nothing written: the SOP list stays

    page.fill("#ct-req-id", "KTP asli\n\n  Kartu keluarga asli ")
    expect(items).to_have_text(["•\u00a0\u00a0KTP asli", "•\u00a0\u00a0Kartu keluarga asli"])
    expect(page.locator("#kp-builtin")).to_have_count(0)

    page.click("[data-kp='language:en']")  # no English list yet: the kiosk shows the Indonesian
    expect(screen).to_contain_text(translate(KIOSK_TEXTS["title"], "en"))
    expect(items).to_have_count(2)
    expect(page.locator("#kp-notes")).to_contain_text(
        translate(PREVIEW_TEXTS["ct_preview_fallback"], "id")
    )
    page.fill("#ct-req-en", "Original ID card")
    expect(items).to_have_text(["•\u00a0\u00a0Original ID card"])
    page.fill("#ct-info-en", INFO["en"])
    expect(page.locator("#kp-list")).to_contain_text(INFO["en"])

    page.click("[data-kp='size:portrait']")
    stage = box(page, "#kp-stage")
    assert stage["height"] > stage["width"]
    page.fill("#ct-req-en", LONGEST)  # scrolls; the answer and the bars stay on the screen
    expect(items).to_have_count(30)
    expect(page.locator("#kp-notes")).to_contain_text(
        translate(PREVIEW_TEXTS["ct_preview_scrolls"], "id")
    )
    for size in ("portrait", "landscape"):
        page.click(f"[data-kp='size:{size}']")
        stage = box(page, "#kp-stage")
        for part in (".kp-button", ".kp-home", ".kp-title"):
            inside = box(page, f"#kp-stage {part}")
            assert stage["y"] <= inside["y"]
            assert inside["y"] + inside["height"] <= stage["y"] + stage["height"] + 1, (size, part)
    # only a preview: nothing was saved
    assert "walkin" not in (config(page, base_url)["settings"].get("content") or {}).get(
        "services", {}
    )
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_preview_screenshots(base_url: str, browser: Any, language: str) -> None:
    """The documentation's pictures: a list typed in the console's language."""
    page = admin_page(browser, base_url, "content", lang=language)
    page.select_option("#ct-service", "walkin")
    page.fill("#ct-req-id", REQUIREMENTS["id"])
    page.fill("#ct-req-en", REQUIREMENTS["en"])
    page.fill("#ct-info-id", INFO["id"])
    page.fill("#ct-info-en", INFO["en"])
    expect(page.locator("#kp-list .kp-item")).to_have_count(4)
    expect(page.locator("#kp-list")).to_contain_text(REQUIREMENTS[language].split("\n")[0])
    shared.admin_shots().take(page, f"content-preview-{language}")
    assert page.js_errors == []


def test_every_preview_text_is_in_indonesian() -> None:
    for msgid in [*PREVIEW_TEXTS.values(), *KIOSK_TEXTS.values()]:
        assert translate(msgid, "id") != msgid, msgid
