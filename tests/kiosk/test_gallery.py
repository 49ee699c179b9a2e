"""The kiosk screen gallery under Xvfb: every screen in both languages, and every one readable.

Each window size runs tests/kiosk/gallery.py in its own process (Kivy keeps global state);
this module never imports Kivy. The pictures go to the test's folder and are copied to
/tmp/antre-kiosk-shots/ (the documentation's copies: ``make kiosk-gallery``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kiosk.flow_core import SERVICE_UNAVAILABLE
from kiosk.flow_state import Step
from kiosk.guide import KTP
from queue_server.i18n import both, translate
from tests.kiosk.kivy_process import keep_shots, run_driver

DRIVER_TIMEOUT_S = 200
#: A screen drawn has text (anti-aliased: many shades) and coloured bars; a blank or
#: half-drawn window has a handful of colours, and a screen with only its bars drawn has
#: an empty middle.
MIN_COLOURS = 100
MIN_MIDDLE_COLOURS = 16
LANGUAGES = {"id", "en"}
MAINTENANCE = {"maintenance_pin", "maintenance"}

pytestmark = pytest.mark.timeout(DRIVER_TIMEOUT_S + 60)


def _gallery(display: str, out_dir: Path, size: str) -> dict[str, Any]:
    report_file = str(out_dir / f"gallery-{size}.json")
    done = run_driver(
        "tests.kiosk.gallery",
        display,
        out_dir,
        size,
        "--report",
        report_file,
        timeout_s=DRIVER_TIMEOUT_S,
    )
    report_path = Path(report_file)
    assert report_path.exists(), done.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    keep_shots(out_dir, f"gallery-{size}-*.png")
    assert report["errors"] == [], report["errors"]
    assert done.returncode == 0, done.stderr[-3000:]
    return report


@pytest.mark.parametrize("size", ["1024x600", "1080x1920"])
def test_every_screen_in_both_languages(x_display: str, tmp_path: Path, size: str) -> None:
    report = _gallery(x_display, tmp_path, size)
    shots = report["shots"]

    # Every step of the flow (a new one needs its gallery entry) and the officer's screens.
    shown = {(shot["screen"], shot["language"]) for shot in shots}
    wanted = {(screen, language) for screen in {*Step, *MAINTENANCE} for language in LANGUAGES}
    assert wanted - shown == set(), "screens without a picture in the gallery"
    names = [shot["file"] for shot in shots]
    assert len(names) == len(set(names)), "one picture per name and language"

    width, height = (int(side) for side in size.split("x"))
    for shot in shots:
        picture = Image.open(tmp_path / shot["file"]).convert("RGB")
        assert picture.size == (width, height), shot["file"]
        colours = picture.getcolors(maxcolors=width * height) or []
        assert len(colours) > MIN_COLOURS, f"{shot['file']} looks blank ({len(colours)} colours)"
        middle = picture.crop((0, height // 5, width, height * 4 // 5))
        shades = middle.getcolors(maxcolors=width * height) or []
        assert len(shades) > MIN_MIDDLE_COLOURS, f"{shot['file']}: nothing between the bars"

    # Before a language is chosen, the welcome screen says "unavailable" in both.
    unavailable = [shot for shot in shots if shot["name"] == "welcome-unavailable"]
    assert len(unavailable) == 2
    for shot in unavailable:
        texts = "\n".join(shot["texts"])
        assert all(text in texts for text in both(SERVICE_UNAVAILABLE).values()), texts

    # An office's own list (admin console, Content) replaces the SOP list, in each language;
    # the longest list the office file allows scrolls above the answer, which stays on screen.
    from tests.kiosk.gallery import OFFICE_LIST

    for shot in shots:
        if shot["name"] == "requirements-office":
            texts = "\n".join(shot["texts"])
            assert all(line in texts for line in OFFICE_LIST[shot["language"]]), texts
            assert translate(KTP, shot["language"]) not in texts, "the SOP list is replaced"

    # A pickup-only Saturday: the banner (both languages on the welcome screen), and the
    # services screen offers the pickup group only. A NIK typed for the application number
    # is named as such.
    from kiosk.content import GROUP_TITLES, ServiceGroup
    from kiosk.scan_routes import TYPED_NIK
    from tests.kiosk.saturday import SATURDAY_09, saturday_sessions

    day = saturday_sessions().pickup_only(SATURDAY_09)
    assert day is not None
    for shot in shots:
        texts = "\n".join(shot["texts"])
        language = shot["language"]
        if shot["name"] == "welcome-saturday":
            assert all(line in texts for line in day.banner().values()), texts
        if shot["name"] == "services-saturday":
            assert day.banner()[language] in texts, texts
            titles = {group: translate(GROUP_TITLES[group], language) for group in ServiceGroup}
            assert titles.pop(ServiceGroup.PICKUP) in shot["texts"], texts
            assert not set(titles.values()) & set(shot["texts"]), texts
        if shot["name"] == "application-nik":
            assert translate(TYPED_NIK, language) in texts, texts

    # The drive-thru lane kiosk: the car's number, the second scan, the server's refusal,
    # a NIK refused on the kiosk, and no claim while offline (each in its language).
    from kiosk.demo import GO_TO_COUNTER
    from kiosk.lane import ANSWER_TITLES, LANE_NIK, LANE_UNCHECKED, SCAN_PROMPT

    lane_texts = {
        "lane": [SCAN_PROMPT],
        "lane-nik": [SCAN_PROMPT, LANE_NIK],
        "lane-checking": [ANSWER_TITLES[None]],
        "lane-waiting": [ANSWER_TITLES["waiting"]],
        "lane-already": [ANSWER_TITLES["already_waiting"]],
        "lane-refused": [ANSWER_TITLES["refused"]],
        "lane-offline": [ANSWER_TITLES["unchecked"], LANE_UNCHECKED],
    }
    lane_shots = [shot for shot in shots if shot["name"] in lane_texts]
    assert len(lane_shots) == 2 * len(lane_texts)
    for shot in lane_shots:
        language, texts = shot["language"], shot["texts"]
        for msgid in lane_texts[shot["name"]]:
            assert translate(msgid, language) in texts, texts
        numbered = shot["name"] in {"lane-waiting", "lane-already"}
        assert ("1" in texts) is numbered, texts
    refused = [shot for shot in lane_shots if shot["name"] == "lane-refused"]
    for shot in refused:
        reason = translate(GO_TO_COUNTER, shot["language"], application="2026120400009")
        assert reason in shot["texts"], shot["texts"]

    # Texts that do not fit: cut off, running over their neighbours or off the window.
    misfits = {shot["file"]: shot["misfits"] for shot in shots if shot["misfits"]}
    assert misfits == {}, json.dumps(misfits, indent=1)


def test_the_gallery_names_every_step() -> None:
    """Without a window: a Step added to the flow without a gallery entry fails here first."""
    from tests.kiosk.gallery import GALLERY

    screens = {str(entry.screen) for entry in GALLERY}
    assert {step.value for step in Step} <= screens
    assert screens >= MAINTENANCE
    assert len({entry.name for entry in GALLERY}) == len(GALLERY)
