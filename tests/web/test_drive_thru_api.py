"""The drive-thru lane's API: a scan puts a ready car in the lane, a second scan adds
nothing; bad input and refusals say why in Indonesian and English and change nothing;
handover once; the lanes' report (kind drive_thru) as JSON and CSV."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from queue_server.domain.passports import ReadySource
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.services.container import Services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.web.conftest import BASE, OFFICE, AuthActions, count_rows, office_settings
from tests.web.test_office_config_api import send

LANE = f"{BASE}/drive-thru/lanes/lajur-1"
READY = ("1234567890", "2345678901")


@pytest.fixture
def lane_office(services: Services) -> Services:
    """The test office with one drive-thru lane and two passports ready."""
    settings: dict[str, Any] = office_settings()
    settings["drive_thru"] = {"lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]}
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=services.clock())
    services.passports.mark_ready(OFFICE, READY, source=ReadySource.API, actor=Actor(name="t"))
    return services


def test_scans_handover_and_the_report(lane_office: Services, auth: AuthActions) -> None:
    auth.login()
    assert auth.get(f"{BASE}/drive-thru/lanes").get_json() == {
        "lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]
    }
    first = auth.post(f"{LANE}/arrivals", {"scan": f"APP:{READY[0]}"})
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["result"], first.get_json()["position"]) == ("waiting", 1)
    auth.post(f"{LANE}/arrivals", {"scan": READY[1]})
    again = auth.post(f"{LANE}/arrivals", {"scan": READY[0]})
    assert (again.status_code, again.get_json()["result"]) == (200, "already_waiting")
    assert again.get_json()["message"]["id"].startswith("Mobil ini sudah ada di jalur")
    assert count_rows(lane_office, DriveThruArrivalRow) == 2

    cars = auth.get(f"{LANE}/arrivals").get_json()["cars"]
    assert [car["application_no"] for car in cars] == list(READY)
    done = auth.post(f"{BASE}/drive-thru/arrivals/{cars[0]['arrival_id']}/handover", {})
    assert (done.status_code, done.get_json()["status"]) == (200, "handed_over")
    twice = auth.post(f"{BASE}/drive-thru/arrivals/{cars[0]['arrival_id']}/handover", {})
    assert (twice.status_code, twice.get_json()["error"]["code"]) == (409, "arrival_closed")
    assert twice.get_json()["error"]["messages"]["id"].startswith("Mobil ini sudah meninggalkan")

    auth.logout()
    auth.login("laporan")
    report = auth.get(f"{BASE}/reports/drive_thru?from=2026-11-23").get_json()
    assert report["rows"][0]["arrivals"] == 2 and report["rows"][0]["handed_over"] == 1
    csv = auth.get(f"{BASE}/reports/drive_thru?from=2026-11-23&format=csv")
    assert csv.status_code == 200 and csv.get_data(as_text=True).startswith("day,arrivals,")


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/lanes/lajur-1/arrivals", {"scan": "3171234567890123"}, 422, "application_invalid"),
        ("/lanes/lajur-1/arrivals", {"scan": "12ab"}, 422, "application_invalid"),
        ("/lanes/lajur-1/arrivals", {"scan": ""}, 422, "invalid_field"),
        ("/lanes/lajur-1/arrivals", {"scan": "1234567890", "x": 1}, 422, "invalid_field"),
        ("/lanes/lajur-1/arrivals", {"scan": "9999999999"}, 409, "drive_thru_go_to_counter"),
        ("/lanes/lajur-9/arrivals", {"scan": "1234567890"}, 404, "lane_not_found"),
        ("/arrivals/999/handover", {}, 404, "arrival_not_found"),
        ("/arrivals/999/send-to-counter", {"reason": "identity"}, 404, "arrival_not_found"),
        ("/arrivals/999/send-to-counter", {"reason": "bribe"}, 422, "invalid_field"),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_changes_nothing(
    lane_office: Services, auth: AuthActions, path: str, body: Any, status: int, code: str
) -> None:
    auth.login()
    answer = auth.post(f"{BASE}/drive-thru{path}", body)
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == code
    assert error["messages"]["id"] and error["messages"]["en"]
    assert error["messages"]["id"] != error["messages"]["en"]
    assert "3171234567890123" not in answer.get_data(as_text=True)
    with lane_office.database.reader() as session:
        assert session.scalars(select(DriveThruArrivalRow)).all() == []


def test_an_admin_adds_a_lane_over_the_configuration_api(
    services: Services, auth: AuthActions
) -> None:
    auth.login("admin")
    bad = send(auth, "PUT", f"{BASE}/config/drive_thru", {"version": 1, "value": {"lanes": []}})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["messages"]["id"] != bad.get_json()["error"]["messages"]["en"]
    assert auth.get(f"{BASE}/drive-thru/lanes").get_json() == {"lanes": []}
    lanes = {"lanes": [{"id": "lajur-1", "name": "Drive-thru 1"}]}
    good = send(auth, "PUT", f"{BASE}/config/drive_thru", {"version": 1, "value": lanes})
    assert good.status_code == 200, good.get_json()
    assert auth.get(f"{BASE}/drive-thru/lanes").get_json() == lanes
