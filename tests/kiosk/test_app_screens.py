"""The Kivy kiosk under a real X server (Xvfb): touches through a whole journey.

Kivy keeps global state (window, Clock, kv rules), so each window size runs
tests/kiosk/kivy_driver.py in its own process; this module never imports Kivy. The
screenshots go to the test's folder and are copied to /tmp/antre-kiosk-shots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.kivy_process import driver_report

DRIVER_TIMEOUT_S = 110

pytestmark = pytest.mark.timeout(240)


def _drive(display: str, out_dir: Path, size: str) -> dict[str, Any]:
    return driver_report(
        "tests.kiosk.kivy_driver",
        display,
        out_dir,
        size,
        shots=f"journey-{size}-*.png",
        timeout_s=DRIVER_TIMEOUT_S,
    )


@pytest.mark.parametrize("size", ["1280x800", "1024x600", "1080x1920"])
def test_touch_journey_to_a_printed_ticket(x_display: str, tmp_path: Path, size: str) -> None:
    report = _drive(x_display, tmp_path, size)
    assert report.get("error") is None, report.get("error")
    assert report["screens"] == [
        "welcome",
        "services",
        "services-id",
        "passport",
        "documents",
        "documents-id",
        "requirements",
        "priority",
        "priority-id",
        "ticket",
        "ticket-id",
        "scan",
        "scan-en",
        "problem",
        "problem-en",
        "pickup",
        "nik",
        "nik-id",
        "nik-wrong",
        "ticket-unprinted",
        "proxy-id",
        "proxy",
        "info-list",
        "info",
        "bap",
        "documents-bap",
        "status",
        "status-rated",
        "status-countdown",
        "services-offline",
        "services-offline-id",
    ]
    # Screens are built when first shown (memory, P6): by the first ticket, only the ones
    # the journey went through.
    assert sorted(report["built_at_first_ticket"]) == [
        "documents", "issuing", "priority", "requirements", "services", "ticket", "welcome",
    ]  # fmt: skip
    ticket = report["ticket"]
    assert ticket["number"] == "B-007"
    assert ticket["number_font_size"] >= 120
    assert ticket["printed"] == "Your ticket has been printed. Please take it."
    assert "People ahead of you: 2" in ticket["waiting"]
    assert report["printer_jobs"] == ["job-000001.png"]
    for name in report["screens"]:
        assert (tmp_path / f"journey-{size}-{name}0001.png").stat().st_size > 10_000
    unprinted = report["unprinted"]
    assert unprinted["number"] == "D-007" and "paper" in unprinted["printed"]
    assert unprinted["nik_left"] == "", "the NIK is not left on screen"
    small = [b for b in report["buttons"] if b["height"] < b["min_px"] and not b["hidden"]]
    assert small == [], "touch targets are 120 px high (keyboard keys 64, the bars' buttons 80)"
    width, height = (int(side) for side in size.split("x"))
    if height > width:  # a portrait kiosk has the room: larger targets than the minimum
        shown = [b for b in report["buttons"] if not b["hidden"]]
        assert all(b["height"] >= 160 for b in shown if b["min_px"] == 120), "160 px answers"
        assert all(b["height"] >= 120 for b in shown if b["min_px"] == 80), "120 px bars"
    clipped = [b for b in report["buttons"] if b["texture_w"] > b["width"]]
    assert clipped == [], "no button text is wider than its button"
    primary = [
        b
        for b in report["buttons"]
        if b["screen"] == "documents" and b["text"].startswith(("Yes", "No"))
    ]
    assert primary and all(b["y"] + b["height"] <= height / 2 for b in primary), (
        "the main answers sit in the lower half of the screen"
    )
    groups = [b for b in report["buttons"] if b["screen"] in ("services", "services-id")]
    groups = [b for b in groups if not b["in_navbar"] and b["min_px"] == 120]
    ahead = [b for b in groups if b["text"].startswith(("I registered", "Saya sudah mendaftar"))]
    assert len(ahead) == 2, "the way to a registration's code, in both languages"
    assert len(groups) == 12 and all(b["icon"] for b in groups), "an icon per service group"
    backs = [b for b in report["buttons"] if b["text"] in ("Back", "Kembali")]
    assert all(b["in_navbar"] for b in backs), "Back is only in the navigation bar"
    back = {(b["x"], b["y"]) for b in backs}
    shown_back = [b for b in backs if not b["hidden"]]
    assert len(back) == 1 and len(shown_back) >= 20, "Back is in one place on every screen"
    homes = [b for b in report["buttons"] if b["text"] in ("Home", "Beranda")]
    assert all(b["in_navbar"] for b in homes) and len({(b["x"], b["y"]) for b in homes}) == 1
    assert not [b for b in backs + homes if b["screen"] == "welcome" and not b["hidden"]]
    regular = [b for b in report["buttons"] if b["text"] == "No, regular queue"]
    categories = [b for b in report["buttons"] if b["text"] in ("Elderly", "Pregnant")]
    assert (
        regular
        and categories
        and all(r["color"] != c["color"] for r in regular for c in categories)
    )
    assert all(r["width"] > 2 * c["width"] for r in regular for c in categories), (
        "the most common answer is the most prominent"
    )
    assert report["seconds"] < 60
