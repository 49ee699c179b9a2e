"""The officer console's reads, and who may act on which counter."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from queue_server.domain.ids import Role
from queue_server.services.bookings import BookingEntry
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, OFFICE, AuthActions

CS = f"{BASE}/counters/cs-1"
FIXTURE = Actor(name="fixture")
SECOND_PASSWORD = "petugas-password-2"


def issue(auth: AuthActions, service: str = "walkin", **fields: Any) -> dict[str, Any]:
    response = auth.post(f"{BASE}/tickets", {"service": service, **fields})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def screen(auth: AuthActions, counter: str = "cs-1") -> dict[str, Any]:
    response = auth.get(f"{BASE}/counters/{counter}/console")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def second_officer(app: Flask, services: Services) -> AuthActions:
    services.accounts.create_user(
        "petugas2", "Petugas Dua", SECOND_PASSWORD, Role.PETUGAS, actor=FIXTURE
    )
    other = AuthActions(app.test_client())
    assert other.login("petugas2", SECOND_PASSWORD).status_code == 200
    return other


def test_setup_lists_services_steps_counters_and_rules(auth: AuthActions) -> None:
    auth.login("petugas")
    auth.post(f"{CS}/open")
    setup = auth.get(f"{BASE}/console").get_json()
    assert setup["office"] == {
        "id": OFFICE,
        "name": "Kantor Imigrasi Uji",
        "demo": False,
        "timezone": "Asia/Makassar",
        "utc_offset_minutes": 480,
    }
    assert setup["no_show_grace_minutes"] == 30
    assert "elderly" in setup["priority_categories"]
    services = {service["id"]: service for service in setup["services"]}
    assert services["mpaspor"]["booking_required"] and not services["walkin"]["booking_required"]
    assert [step["station"] for step in services["lost"]["steps"]] == ["CS", "BAP"]
    assert services["walkin"]["steps"][2]["later_visit"] is True
    assert setup["stations"] == ["CS", "BIO", "BIO_PRIORITY", "BAP", "PICKUP"]
    counters = {counter["code"]: counter for counter in setup["counters"]}
    assert counters["cs-1"] | {"stations": []} == {
        "code": "cs-1",
        "name": "CS 1",
        "stations": [],
        "is_open": True,
        "officer": "petugas",
        "mine": True,
    }
    assert (counters["cs-2"]["is_open"], counters["cs-2"]["officer"]) == (False, None)


def test_counter_screen_follows_the_ticket(auth: AuthActions, clock: FakeClock) -> None:
    auth.login("petugas")
    first = issue(auth)
    clock.advance(minutes=6)
    issue(auth, priority_category="elderly")
    idle = screen(auth)
    assert idle["current"] is None and idle["counter"]["is_open"] is False
    waiting = [
        (item["label"], item["priority"], item["waiting_minutes"]) for item in idle["waiting"]
    ]
    assert waiting == [("B-002", True, 0.0), ("B-001", False, 6.0)]
    assert idle["waiting"][0]["appointment_at"] is None

    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call", {"ticket_id": first["ticket_id"]})
    clock.advance(minutes=1)
    auth.post(f"{CS}/recall")
    auth.post(f"{CS}/start")
    serving = screen(auth)
    current = serving["current"]
    assert (current["label"], current["status"], current["recall_count"]) == ("B-001", "serving", 1)
    assert current["started_at"] is not None and current["priority_category"] is None
    steps = [(entry["action"], entry["status"], entry["counter"]) for entry in current["timeline"]]
    assert steps == [
        ("issue", "waiting", None),
        ("call_specific", "called", "CS 1"),
        ("recall", "called", "CS 1"),
        ("start", "serving", "CS 1"),
    ]
    assert [item["label"] for item in serving["waiting"]] == ["B-002"]


def test_parked_and_no_shows_are_listed_with_the_grace_period(
    auth: AuthActions, clock: FakeClock
) -> None:
    auth.login("petugas")
    issue(auth)
    issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    auth.post(f"{CS}/park", {"note": "fotokopi KK"})
    auth.post(f"{CS}/call-next")
    auth.post(f"{CS}/no-show")
    clock.advance(minutes=10)
    listed = screen(auth)
    assert [(item["label"], item["note"]) for item in listed["parked"]] == [
        ("B-001", "fotokopi KK")
    ]
    assert [(item["label"], item["grace_left_minutes"]) for item in listed["no_shows"]] == [
        ("B-002", 20.0)
    ]
    assert listed["no_show_grace_minutes"] == 30
    clock.advance(minutes=21)
    assert screen(auth)["no_shows"] == []  # past its grace: it can no longer come back


def test_a_booked_check_in_shows_its_slot(auth: AuthActions, services: Services) -> None:
    entry = BookingEntry(
        code="MP-2026-000123", service="mpaspor", day=date(2026, 11, 23), slot=time(10, 30)
    )
    services.bookings.import_bookings(OFFICE, [entry], actor=FIXTURE)
    auth.login("petugas")
    issue(auth, "mpaspor", booking_ref="MP-2026-000123", documents_ready=True)
    [item] = screen(auth)["waiting"]
    assert item["appointment_at"].startswith("2026-11-23T02:30")  # 10:30 WITA in UTC


def test_another_officers_open_counter_is_refused_in_both_languages(
    app: Flask, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    issue(auth)
    auth.post(f"{CS}/open")
    other = second_officer(app, services)
    for path in ("call-next", "open", "close", "recall", "start", "no-show", "park", "finish"):
        refused = other.post(f"{CS}/{path}")
        error = refused.get_json()["error"]
        assert (refused.status_code, error["code"]) == (403, "counter_taken"), path
        assert "petugas" in error["messages"]["en"] and "Loket" in error["messages"]["id"]
    assert other.post(f"{CS}/transfer", {}).status_code == 403
    assert screen(auth)["current"] is None  # nothing was called
    mine = screen(other)["counter"]
    assert (mine["mine"], mine["officer"]) == (False, "petugas")


def test_an_administrator_may_step_in_and_a_closed_counter_is_free(
    app: Flask, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    auth.post(f"{CS}/open")
    admin = AuthActions(app.test_client())
    admin.login("admin")
    assert admin.post(f"{CS}/close").get_json() == {"counter": "cs-1", "is_open": False}
    other = second_officer(app, services)
    assert other.post(f"{CS}/open").status_code == 200
    assert screen(other)["counter"]["mine"] is True


def test_report_readers_and_kiosk_tokens_cannot_use_the_console(
    client: FlaskClient, auth: AuthActions, kiosk: dict[str, str]
) -> None:
    for path in (f"{BASE}/console", f"{CS}/console"):
        assert client.get(path, headers=kiosk).status_code == 403
        assert client.get(path).status_code == 401
    assert client.post(f"{CS}/open", headers=kiosk).status_code == 403
    auth.login("laporan")
    refused = auth.get(f"{CS}/console")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden")


def test_unknown_counter_is_a_clear_404(auth: AuthActions) -> None:
    auth.login("petugas")
    missing = auth.get(f"{BASE}/counters/nope/console")
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "not_found")


def test_a_ticket_another_counter_just_called_is_refused_with_where_it_went(
    app: Flask, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    first = issue(auth)
    auth.post(f"{CS}/open")
    other = second_officer(app, services)
    other.post(f"{BASE}/counters/cs-2/open")
    assert other.post(f"{BASE}/counters/cs-2/call-next").get_json()["ticket"]["label"] == "B-001"
    for refused in (
        auth.post(f"{CS}/call", {"ticket_id": first["ticket_id"]}),
        auth.post(f"{BASE}/tickets/{first['ticket_id']}/cancel"),
    ):
        error = refused.get_json()["error"]
        assert (refused.status_code, error["code"]) == (409, "ticket_already_called")
        assert error["messages"]["en"].startswith("Ticket B-001 has just been called to CS 2")
        assert error["messages"]["id"].startswith("Tiket B-001 baru saja dipanggil ke CS 2")
    assert screen(auth)["current"] is None


def test_a_counter_calls_only_tickets_of_the_queues_it_serves(auth: AuthActions) -> None:
    auth.login("petugas")
    first = issue(auth)  # waits at CS
    auth.post(f"{BASE}/counters/bio-1/open")
    refused = auth.post(f"{BASE}/counters/bio-1/call", {"ticket_id": first["ticket_id"]})
    error = refused.get_json()["error"]
    assert (refused.status_code, error["code"]) == (409, "counter_wrong_station")
    assert screen(auth, "bio-1")["current"] is None
    assert [item["label"] for item in screen(auth)["waiting"]] == ["B-001"]
