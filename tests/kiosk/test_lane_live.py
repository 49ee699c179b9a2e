"""A drive-thru lane kiosk (Kivy, under Xvfb) against the real server and Mosquitto: a
ready application gets number 1 and appears in the lane, the same car scanned again is
"already in the lane" with nothing added, one without a ready passport shows the server's
refusal in English, a NIK is refused on the kiosk and never sent; without a broker the
kiosk says it cannot check and claims nothing. The kiosk's log holds no application
number or NIK. tests/kiosk/lane_driver.py runs the window in its own process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.demo import GO_TO_COUNTER
from kiosk.lane import ANSWER_TITLES, LANE_NIK, LANE_UNCHECKED, PLACE_CAPTION
from queue_server.i18n import translate
from queue_server.persistence.models import DriveThruArrivalRow
from tests.kiosk.kivy_process import driver_report
from tests.kiosk.lane_driver import NIK, NOT_READY, READY
from tests.mqtt.live import OFFICE, LiveServer, live_server
from tests.mqtt.test_drive_thru_lane import with_lane

DEVICE = "kiosk-lajur-1"
DRIVER_TIMEOUT_S = 150

pytestmark = pytest.mark.timeout(DRIVER_TIMEOUT_S + 60)


@pytest.fixture
def lane_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The test office with the lane ``lajur-1``, application READY ready, the kiosk's
    account registered; broker and MQTT runtime running."""
    folder = tmp_path / "server"
    folder.mkdir()
    server = live_server(folder)
    with_lane(server)
    server.add_device(DEVICE)
    server.start()
    yield server
    server.close()


def _drive(display: str, out_dir: Path, mode: str, port: int, password: str) -> dict[str, Any]:
    environment = {
        "ANTRE_KIOSK_OFFICE": OFFICE,
        "ANTRE_KIOSK_DEVICE": DEVICE,
        "ANTRE_KIOSK_PASSWORD": password,
        "ANTRE_KIOSK_HOST": "127.0.0.1",
        "ANTRE_KIOSK_PORT": str(port),
        "ANTRE_KIOSK_DB": str(out_dir / "kiosk.db"),
        "ANTRE_KIOSK_LANE": "lajur-1",
    }
    report = driver_report(
        "tests.kiosk.lane_driver",
        display,
        out_dir,
        "1024x600",
        mode,
        shots="lane-*.png",
        timeout_s=DRIVER_TIMEOUT_S,
        overrides=environment,
    )
    assert report.get("error") is None, report
    log = (out_dir / "kiosk.log").read_text()
    assert READY not in log and NIK not in log and NOT_READY not in log, log
    return report


def test_a_lane_kiosk_announces_a_car_once_and_shows_refusals(
    x_display: str, lane_server: LiveServer, tmp_path: Path
) -> None:
    password = lane_server.passwords[DEVICE]
    report = _drive(x_display, tmp_path, "online", lane_server.port, password)
    answers = {answer["name"]: answer for answer in report["answers"]}
    assert list(answers) == ["waiting", "already", "refused", "nik"]

    waiting, already = answers["waiting"], answers["already"]
    assert (waiting["result"], waiting["position"], waiting["language"]) == ("waiting", 1, "id")
    for msgid in (ANSWER_TITLES["waiting"], PLACE_CAPTION):
        assert translate(msgid, "id") in waiting["texts"]
    assert "1" in waiting["texts"]
    assert (already["result"], already["position"]) == ("already_waiting", 1)
    assert translate(ANSWER_TITLES["already_waiting"], "id") in already["texts"]

    refused = answers["refused"]
    assert (refused["result"], refused["language"]) == ("refused", "en")
    assert translate(GO_TO_COUNTER, "en", application=NOT_READY) in refused["texts"]

    nik = answers["nik"]
    assert nik["screen"] == "lane" and translate(LANE_NIK, "en") in nik["texts"]

    with lane_server.services.database.reader() as session:
        rows = list(session.scalars(select(DriveThruArrivalRow)))
    assert [(row.application_no, row.lane, row.device) for row in rows] == [
        (READY, "lajur-1", f"kiosk:{DEVICE}")
    ]


def test_without_the_server_the_lane_kiosk_claims_nothing(
    x_display: str, lane_server: LiveServer, tmp_path: Path
) -> None:
    with socket.socket() as unused:  # a port no broker listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    report = _drive(x_display, tmp_path, "offline", port, lane_server.passwords[DEVICE])
    (offline,) = report["answers"]
    assert (offline["result"], offline["position"]) == ("unchecked", None)
    for msgid in (ANSWER_TITLES["unchecked"], LANE_UNCHECKED):
        assert translate(msgid, "id") in offline["texts"]
    assert "1" not in offline["texts"]
    assert lane_server.count(DriveThruArrivalRow) == 0
