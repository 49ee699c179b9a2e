"""The on-screen keyboard, the navigation bar and the maintenance screen under Xvfb.

Each window size runs tests/kiosk/widgets_driver.py in its own process (Kivy keeps global
state) against a fake network printer on loopback. The screenshots go to the test's
folder and are copied to /tmp/antre-kiosk-shots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.conftest import DEVICE
from tests.kiosk.kivy_process import driver_report
from tests.mqtt.live import OFFICE, LiveServer

PIN = "246810"
DRIVER_TIMEOUT_S = 90

pytestmark = pytest.mark.timeout(150)


def _drive(
    display: str, out_dir: Path, size: str, *extra: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    return driver_report(
        "tests.kiosk.widgets_driver",
        display,
        out_dir,
        size,
        *extra,
        shots=f"{size}-*.png",
        timeout_s=DRIVER_TIMEOUT_S,
        defaults=env,
        overrides={"ANTRE_KIOSK_PIN": PIN},
    )


@pytest.mark.parametrize("size", ["1024x600", "1080x1920"])
def test_keyboard_navigation_bar_and_maintenance(
    x_display: str, tmp_path: Path, size: str
) -> None:
    report = _drive(x_display, tmp_path, size)
    assert report.get("error") is None, report.get("error")
    checks = report["checks"]

    # The keyboard: typed by touches, validated as typed, OK only when valid.
    assert checks["empty"] == {**checks["empty"], "text": "", "ok_enabled": False}
    assert checks["empty"]["keys"] == 36 + 3  # A-Z, 0-9, Delete, Clear all, OK
    assert checks["partial"]["text"] == "AB" and not checks["partial"]["ok_enabled"]
    assert checks["partial"]["message"] == "", "no complaint before a code could be complete"
    assert checks["wrong"]["text"] == "ABCDEF" and not checks["wrong"]["ok_enabled"]
    assert checks["wrong"]["message"] == "This is not an M-Paspor booking code."
    assert checks["cleared"]["text"] == "" and checks["cleared"]["message"] == ""
    assert checks["typed"]["text"] == "ABC1234X" and checks["typed"]["ok_enabled"]
    assert checks["deleted"]["text"] == "ABC1234" and checks["deleted"]["message"] == ""
    for label in ("empty", "partial", "pin_typed"):
        assert checks[label]["min_key_height"] >= 64 and checks[label]["min_key_width"] >= 64
        assert checks[label]["inside"], f"{label}: every key is inside the window"
    assert checks["after_home"] == {"text": ""}, "nothing typed stays after Home"

    # The navigation bar: Back and Home in the same place on every screen.
    nav = report["nav"]
    assert set(nav) == {
        "services",
        "group",
        "scan",
        "documents",
        "requirements",
        "priority",
        "ticket",
    }
    for name in ("back", "home"):
        places = {tuple(screen[name]) for screen in nav.values()}
        assert len(places) == 1, f"{name} moves between screens: {places}"
    back, home = nav["services"]["back"], nav["services"]["home"]
    width = int(size.split("x")[0])
    assert back[0] < width / 4 and home[0] + home[2] > width * 3 / 4 and back[1] == home[1] < 20
    assert all(screen["back_visible"] and screen["home_visible"] for screen in nav.values())
    assert re.fullmatch(r"Back to the start in \d+ s", nav["group"]["countdown"])
    assert {screen["countdown"] for label, screen in nav.items() if label != "group"} == {""}
    assert checks["after_double_back"]["group"] != "None", "a second quick Back is ignored"

    # The maintenance screen: the PIN is masked, a wrong one refused, the right one opens it.
    assert checks["pin_typed"]["text"] == "0000" and checks["pin_typed"]["ok_enabled"]
    assert checks["pin_wrong"]["text"] == "" and checks["pin_wrong"]["message"] == "PIN salah."
    assert checks["pin_wrong_en"]["message"] == "Wrong PIN.", "the notice follows the language"
    before, after = checks["before_scan"], checks["after_tests"]
    assert "demo" in before and "Scan any code to test the scanner." in before
    assert "Read: M-Paspor booking code" in after and "ABC12345" not in after
    assert "Present, card present" in after
    assert "Ready (network:127.0.0.1:" in after

    # The test print reached the network printer (after the walk-in ticket).
    received = [bytes.fromhex(job) for job in report["printer_jobs"]]
    jobs = [job for job in received if b"\x1b@" in job]  # status checks print nothing
    assert len(jobs) == 2 and b"TEST" in jobs[1] and b"TEST" not in jobs[0]
    for name in report["shots"]:
        assert (tmp_path / f"{size}-{name}0001.png").stat().st_size > 10_000


def test_maintenance_shows_the_live_link(
    x_display: str, live: LiveServer, tmp_path: Path
) -> None:
    """The real composition (link, store, core) against the live server and broker."""
    kiosk_env = {
        "ANTRE_KIOSK_OFFICE": OFFICE,
        "ANTRE_KIOSK_DEVICE": DEVICE,
        "ANTRE_KIOSK_PASSWORD": live.passwords[DEVICE],
        "ANTRE_KIOSK_HOST": "127.0.0.1",
        "ANTRE_KIOSK_PORT": str(live.port),
        "ANTRE_KIOSK_DB": str(tmp_path / "kiosk.db"),
    }
    report = _drive(x_display, tmp_path, "1024x600", "live", env=kiosk_env)
    assert report.get("error") is None, report.get("error")
    rows = report["checks"]["live"]
    assert f"Device\n{DEVICE}" in rows
    assert f"Connected (127.0.0.1:{live.port})" in rows
    assert "Answering (last answer " in rows
    assert report["shots"] == ["maintenance-live-en", "maintenance-live-id"]
