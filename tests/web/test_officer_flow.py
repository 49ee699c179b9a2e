"""The officer's day over HTTP: issue, public status, call, serve, move the visit on."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from queue_server.services.container import Services
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, AuthActions

CS = f"{BASE}/counters/cs-1"
BIO = f"{BASE}/counters/bio-1"


def issue(auth: AuthActions, service: str = "walkin", **fields: Any) -> dict[str, Any]:
    response = auth.post(f"{BASE}/tickets", {"service": service, **fields})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_full_journey(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    issued = issue(auth, language="en", nik="6371010101900001", phone="+6281234567890")
    assert (issued["label"], issued["station"]) == ("B-001", "CS")
    status = client.get(issued["status_url"]).get_json()
    assert (status["status"], status["people_ahead"], status["counter"]) == ("waiting", 0, None)
    assert status["service"] == {"id": "Paspor tanpa janji", "en": "Passport walk-in"}
    assert not {"nik", "phone", "nik_last4", "name"} & set(status)
    assert "6371010101900001" not in str(status) and "81234567890" not in str(status)

    assert auth.post(f"{CS}/open").get_json() == {"counter": "cs-1", "is_open": True}
    called = auth.post(f"{CS}/call-next").get_json()
    assert (called["ticket"]["label"], called["ticket"]["status"]) == ("B-001", "called")
    assert called["next"] is None
    status = client.get(issued["status_url"]).get_json()
    assert (status["status"], status["counter"]) == ("called", "CS 1")
    assert auth.post(f"{CS}/recall").get_json()["ticket"]["recall_count"] == 1
    assert auth.post(f"{CS}/start").get_json()["ticket"]["status"] == "serving"
    moved = auth.post(f"{CS}/finish").get_json()
    assert moved["ticket"]["status"] == "done"
    assert (moved["next"]["station"], moved["next"]["label"]) == ("BIO", "B-001")

    counters = {c["code"]: c for c in auth.get(f"{BASE}/counters").get_json()["items"]}
    assert counters["cs-1"]["ticket_label"] is None and counters["cs-1"]["is_open"]
    assert counters["bio-1"]["stations"] == ["BIO"]
    queue = auth.get(f"{BIO}/queue").get_json()["items"]
    assert [(item["label"], item["station"]) for item in queue] == [("B-001", "BIO")]
    assert client.get(issued["status_url"]).get_json()["station"] == "BIO"

    auth.post(f"{BIO}/open")
    auth.post(f"{BIO}/call-next")
    counters = {c["code"]: c for c in auth.get(f"{BASE}/counters").get_json()["items"]}
    assert (counters["bio-1"]["ticket_label"], counters["bio-1"]["ticket_status"]) == (
        "B-001",
        "called",
    )
    auth.post(f"{BIO}/start")
    last = auth.post(f"{BIO}/finish").get_json()  # pickup is days later: the visit ends today
    assert (last["ticket"]["status"], last["next"]) == ("done", None)
    assert client.get(issued["status_url"]).get_json()["status"] == "done"
    assert auth.post(f"{BIO}/close").get_json() == {"counter": "bio-1", "is_open": False}


def test_no_show_then_reactivate(auth: AuthActions) -> None:
    auth.login("petugas")
    first = issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    assert auth.post(f"{CS}/no-show").get_json()["ticket"]["status"] == "no_show"
    back = auth.post(f"{BASE}/tickets/{first['ticket_id']}/reactivate").get_json()["ticket"]
    assert (back["status"], back["counter"]) == ("waiting", None)
    assert auth.post(f"{CS}/call-next").get_json()["ticket"]["id"] == first["ticket_id"]


def test_reactivate_after_the_grace_period_is_refused(auth: AuthActions, clock: FakeClock) -> None:
    auth.login("petugas")
    first = issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    auth.post(f"{CS}/no-show")
    clock.advance(minutes=31)
    late = auth.post(f"{BASE}/tickets/{first['ticket_id']}/reactivate")
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "no_show_expired")


def test_park_then_call_specific(auth: AuthActions) -> None:
    auth.login("petugas")
    first = issue(auth)
    second = issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    parked = auth.post(f"{CS}/park", {"note": "fotokopi KK"}).get_json()["ticket"]
    assert (parked["status"], parked["id"]) == ("parked", first["ticket_id"])
    auth.post(f"{CS}/call", {"ticket_id": second["ticket_id"]})
    auth.post(f"{CS}/start")
    auth.post(f"{CS}/finish", {"end_visit": True})
    again = auth.post(f"{CS}/call", {"ticket_id": first["ticket_id"]}).get_json()["ticket"]
    assert (again["status"], again["label"]) == ("called", "B-001")


def test_transfer_to_another_service(auth: AuthActions) -> None:
    auth.login("petugas")
    issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    moved = auth.post(f"{CS}/transfer", {"service": "lost", "step": 1}).get_json()
    assert (moved["ticket"]["status"], moved["next"]["station"]) == ("transferred", "BAP")
    assert moved["next"]["service"] == "lost"
    queue = auth.get(f"{BASE}/counters/bap-1/queue").get_json()["items"]
    assert [item["service"] for item in queue] == ["lost"]


def test_cancel_a_waiting_ticket(auth: AuthActions) -> None:
    auth.login("petugas")
    first = issue(auth)
    cancelled = auth.post(f"{BASE}/tickets/{first['ticket_id']}/cancel").get_json()["ticket"]
    assert cancelled["status"] == "cancelled"
    again = auth.post(f"{BASE}/tickets/{first['ticket_id']}/cancel")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "invalid_transition")


def test_officer_actions_are_audited(auth: AuthActions, services: Services) -> None:
    auth.login("petugas")
    issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    auth.post(f"{CS}/start")
    auth.post(f"{CS}/finish")
    auth.login("laporan")
    entries = auth.get("/api/v1/audit?limit=50").get_json()["items"]
    ours = [entry for entry in entries if entry["actor"] == "petugas"]
    actions = {entry["action"] for entry in ours}
    assert {"issue", "call", "start", "finish"} <= actions
    assert all(entry["remote_addr"] for entry in ours)
    assert "6371" not in str(entries)
    page = auth.get("/api/v1/audit?limit=2&offset=1").get_json()["items"]
    assert page == entries[1:3]


def test_queue_state_waiting_quota_and_opening(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login("petugas")
    issue(auth)
    issue(auth, "pickup")
    state = client.get(f"{BASE}/services/walkin/queue").get_json()
    assert (state["waiting"], state["waiting_per_station"]) == (1, {"CS": 1})
    assert (state["open_now"], state["next_opening"]) == (True, None)
    assert state["people_ahead_of_newcomer"] == 1
    pickup = client.get(f"{BASE}/services/pickup/queue").get_json()
    assert pickup["quota"] == {"limit": 3, "used": 1, "left": 2}
    listed = client.get(f"{BASE}/services").get_json()["items"]
    assert {item["service"] for item in listed} == {"mpaspor", "walkin", "lost", "pickup"}
    clock.advance(hours=8)  # 18:00 WITA: closed until tomorrow 08:00
    closed = client.get(f"{BASE}/services/walkin/queue").get_json()
    assert closed["open_now"] is False
    assert closed["next_opening"].startswith("2026-11-24T08:00")
    offices = client.get("/api/v1/offices").get_json()["items"]
    assert offices == [
        {
            "id": "kanim-test",
            "name": "Kantor Imigrasi Uji",
            "timezone": "Asia/Makassar",
            "demo": False,
        }
    ]


def test_finish_with_call_next_answers_both_in_one_request(auth: AuthActions) -> None:
    auth.login("petugas")
    first, second = issue(auth), issue(auth)
    auth.post(f"{CS}/open")
    auth.post(f"{CS}/call-next")
    refused = auth.post(f"{CS}/finish", {"call_next": "maybe"})
    assert refused.status_code == 422  # a bad body changes nothing: B-001 is still at cs-1
    counters = {c["code"]: c for c in auth.get(f"{BASE}/counters").get_json()["items"]}
    assert counters["cs-1"]["ticket_label"] == first["label"]

    answer = auth.post(f"{CS}/finish", {"call_next": True}).get_json()
    assert (answer["ticket"]["label"], answer["ticket"]["status"]) == (first["label"], "done")
    assert answer["next"]["station"] == "BIO"
    assert (answer["called"]["id"], answer["called"]["status"]) == (second["ticket_id"], "called")
    counters = {c["code"]: c for c in auth.get(f"{BASE}/counters").get_json()["items"]}
    assert counters["cs-1"]["ticket_label"] == second["label"]

    last = auth.post(f"{CS}/finish", {"call_next": True, "end_visit": True}).get_json()
    assert (last["ticket"]["status"], last["next"], last["called"]) == ("done", None, None)
    plain = auth.post(f"{CS}/finish")  # nothing at the counter any more
    assert (plain.status_code, plain.get_json()["error"]["code"]) == (409, "ticket_not_at_counter")
