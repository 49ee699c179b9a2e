"""The HTTP API: auth, roles, CSRF, the officer flow, errors in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from queue_server.domain.ids import Role
from queue_server.persistence.models import AuditLogRow, TicketRow, VisitRow
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.web.conftest import OFFICE, AuthActions

BASE = f"/api/v1/offices/{OFFICE}"


def rows(services: Services, model: type) -> int:
    with services.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_login_wrong_password_is_bilingual_and_rate_limited(client: FlaskClient) -> None:
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/login", json={"username": "petugas", "password": "wrong"}
        )
        assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "wrong_credentials"
    assert error["messages"] == {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Wrong username or password.",
    }
    limited = client.post(
        "/api/v1/auth/login", json={"username": "petugas", "password": "petugas-password-1"}
    )
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_session_posts_need_the_csrf_token(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    response = client.post(f"{BASE}/counters/cs-1/open", json={})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 200


def test_roles(client: FlaskClient, auth: AuthActions, services: Services) -> None:
    assert client.post(f"{BASE}/counters/cs-1/open", json={}).status_code == 401
    auth.login("laporan")
    forbidden = auth.post(f"{BASE}/counters/cs-1/open")
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"]["code"] == "forbidden"
    kiosk = services.accounts.create_token("kiosk-1", Role.KIOSK, actor=Actor(name="test"))
    bearer = {"Authorization": f"Bearer {kiosk}"}
    issued = client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=bearer)
    assert issued.status_code == 200
    assert client.post(f"{BASE}/counters/cs-1/open", json={}, headers=bearer).status_code == 403
    assert (
        client.post(
            f"{BASE}/tickets", json={"service": "walkin"}, headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )


def test_officer_journey_over_http(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    issued = auth.post(f"{BASE}/tickets", {"service": "walkin", "language": "en"}).get_json()
    assert issued["label"] == "B-001"
    status = client.get(issued["status_url"]).get_json()
    assert (status["status"], status["people_ahead"]) == ("waiting", 0)
    assert "nik" not in status
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 200
    called = auth.post(f"{BASE}/counters/cs-1/call-next").get_json()["ticket"]
    assert called["label"] == "B-001"
    assert client.get(issued["status_url"]).get_json()["counter"] == "CS 1"
    assert auth.post(f"{BASE}/counters/cs-1/recall").get_json()["ticket"]["recall_count"] == 1
    auth.post(f"{BASE}/counters/cs-1/start")
    moved = auth.post(f"{BASE}/counters/cs-1/finish").get_json()
    assert moved["ticket"]["status"] == "done"
    assert (moved["next"]["station"], moved["next"]["label"]) == ("BIO", "B-001")
    counters = client.get(f"{BASE}/counters").get_json()["items"]
    assert {c["code"]: c["ticket_label"] for c in counters}["cs-1"] is None
    queue = client.get(f"{BASE}/counters/bio-1/queue").get_json()["items"]
    assert [item["label"] for item in queue] == ["B-001"]
    assert rows(services, AuditLogRow) >= 5


def test_no_show_reactivate_park_call_specific_transfer(auth: AuthActions) -> None:
    auth.login("petugas")
    first = auth.post(f"{BASE}/tickets", {"service": "walkin"}).get_json()
    auth.post(f"{BASE}/counters/cs-1/open")
    auth.post(f"{BASE}/counters/cs-1/call-next")
    assert auth.post(f"{BASE}/counters/cs-1/no-show").get_json()["ticket"]["status"] == "no_show"
    back = auth.post(f"{BASE}/tickets/{first['ticket_id']}/reactivate").get_json()["ticket"]
    assert back["status"] == "waiting"
    auth.post(f"{BASE}/counters/cs-1/call-next")
    assert (
        auth.post(f"{BASE}/counters/cs-1/park", {"note": "KK"}).get_json()["ticket"]["status"]
        == "parked"
    )
    again = auth.post(f"{BASE}/counters/cs-1/call", {"ticket_id": first["ticket_id"]}).get_json()
    assert again["ticket"]["status"] == "called"
    moved = auth.post(f"{BASE}/counters/cs-1/transfer", {"service": "lost", "step": 1}).get_json()
    assert (moved["ticket"]["status"], moved["next"]["station"]) == ("transferred", "BAP")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"service": "walkin", "nik": "123"}, "invalid_field"),
        ({"service": "walkin", "colour": "red"}, "invalid_field"),
        ({"service": "nope"}, "not_found"),
        ({"service": "walkin", "priority_category": "vip"}, "unknown_priority_category"),
        ({"service": "mpaspor"}, "booking_required"),
        ({}, "invalid_field"),
    ],
)
def test_bad_input_changes_nothing(
    auth: AuthActions, services: Services, body: dict[str, Any], code: str
) -> None:
    auth.login("petugas")
    response = auth.post(f"{BASE}/tickets", body)
    assert 400 <= response.status_code < 500
    error = response.get_json()["error"]
    assert error["code"] == code
    assert set(error["messages"]) == {"id", "en"}
    assert (rows(services, VisitRow), rows(services, TicketRow)) == (0, 0)


def test_malformed_json_and_unknown_routes(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    response = client.post(
        f"{BASE}/tickets",
        data=b"{not json",
        headers={"X-CSRF-Token": auth.csrf, "Content-Type": "application/json"},
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "bad_json")
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert missing.get_json()["error"]["message"] == "The resource was not found."
    assert client.delete("/healthz").status_code == 405


def test_openapi_describes_every_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (method, path)
    issue = document["paths"]["/api/v1/offices/{office}/tickets"]["post"]
    schema_name = issue["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[
        -1
    ]
    assert "nik" in document["components"]["schemas"][schema_name]["properties"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "service",
                "nik",
                "phone",
                "language",
                "by_proxy",
                "appointment_at",
                "priority_category",
                "x",
            ]
        ),
        st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans()),
        max_size=5,
    )
)
def test_random_issue_bodies_never_cause_a_server_error(
    services: Services, body: dict[str, Any]
) -> None:
    from queue_server.web.app import create_app

    client = create_app(services=services).test_client()
    token = services.accounts.create_token("fuzz", Role.KIOSK, actor=Actor(name="test"))
    response = client.post(
        f"{BASE}/tickets", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 500
