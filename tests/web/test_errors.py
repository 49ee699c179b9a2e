"""Errors are JSON in both languages; bad input never changes anything."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from queue_server.persistence.models import AuditLogRow, QuotaUsageRow, TicketRow, VisitRow
from queue_server.services.container import Services
from tests.web.conftest import BASE, AuthActions, count_rows

NIK = "6371010101900001"


def snapshot(services: Services) -> tuple[int, ...]:
    return tuple(
        count_rows(services, model) for model in (VisitRow, TicketRow, QuotaUsageRow, AuditLogRow)
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service": "walkin", "nik": "123"}, 422, "invalid_field"),
        ({"service": "walkin", "nik": "63710101019000O1"}, 422, "invalid_field"),
        ({"service": "walkin", "colour": "red"}, 422, "invalid_field"),
        ({"service": "walkin", "appointment_at": "2026-11-23T10:00:00"}, 422, "invalid_field"),
        ({"service": "walkin", "phone": "call me"}, 422, "invalid_field"),
        ({"service": "walkin", "by_proxy": "perhaps"}, 422, "invalid_field"),
        ({"service": "walkin", "language": "fr"}, 422, "invalid_field"),
        ({"service": "Walk In"}, 422, "invalid_field"),
        ([{"service": "walkin"}], 422, "invalid_field"),
        ({}, 422, "invalid_field"),
        ({"service": "nope"}, 404, "not_found"),
        ({"service": "walkin", "priority_category": "vip"}, 422, "unknown_priority_category"),
        ({"service": "mpaspor"}, 409, "booking_required"),
    ],
)
def test_bad_issue_bodies_change_nothing(
    auth: AuthActions, services: Services, body: Any, status: int, code: str
) -> None:
    auth.login("petugas")
    before = snapshot(services)
    response = auth.post(f"{BASE}/tickets", body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert set(error["messages"]) == {"id", "en"}
    assert error["message"] == error["messages"]["id"]
    assert snapshot(services) == before


def test_field_errors_name_the_field_in_both_languages(auth: AuthActions) -> None:
    auth.login("petugas")
    response = auth.post(f"{BASE}/tickets", {"service": "walkin", "nik": "12"})
    messages = response.get_json()["error"]["messages"]
    assert messages["en"].startswith("Field nik: ")
    assert messages["id"] != messages["en"] and "nik" in messages["id"]


def test_message_follows_accept_language(auth: AuthActions) -> None:
    auth.login("petugas")
    response = auth.post(f"{BASE}/counters/cs-1/call-next", **{"Accept-Language": "en-US,en"})
    error = response.get_json()["error"]
    assert (response.status_code, error["code"]) == (409, "counter_closed")
    assert error["message"] == error["messages"]["en"] == "Counter cs-1 is closed; open it first."
    assert response.headers["Content-Language"] == "en"


def test_malformed_json_non_json_and_large_bodies(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    before = snapshot(services)
    headers = {"X-CSRF-Token": auth.csrf, "Content-Type": "application/json"}
    bad = client.post(f"{BASE}/tickets", data=b"{not json", headers=headers)
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "bad_json")
    form = client.post(
        f"{BASE}/tickets", data={"service": "walkin"}, headers={"X-CSRF-Token": auth.csrf}
    )
    assert form.status_code == 400
    huge = client.post(f"{BASE}/tickets", data=b"[" + b"1," * 40_000 + b"1]", headers=headers)
    assert (huge.status_code, huge.get_json()["error"]["code"]) == (413, "too_large")
    assert snapshot(services) == before


def test_unknown_routes_and_methods(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "The resource was not found."
    assert client.get("/api/v1/nothing-here").get_json()["error"]["message"] != (
        "The resource was not found."
    )
    wrong_method = client.delete("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    assert client.get(f"{BASE}/tickets/abc/cancel").status_code in {404, 405}
    assert client.get("/api/v1/offices/nope/services").status_code == 404
    assert client.get("/api/v1/public/tickets/unknown-token").get_json()["error"]["code"] == (
        "not_found"
    )


def test_database_conflicts_answer_409(
    auth: AuthActions, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def collide(*_: Any, **__: Any) -> None:
        raise IntegrityError("INSERT ...", {"phone": "+6281234567890"}, Exception("unique"))

    monkeypatch.setattr(services.officer, "open_counter", collide)
    auth.login("petugas")
    response = auth.post(f"{BASE}/counters/cs-1/open")
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "conflict")


def test_unexpected_errors_answer_500_and_log_no_personal_data(
    auth: AuthActions,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(request: Any, **_: Any) -> None:
        raise RuntimeError(f"could not store {request.nik} {request.phone}")

    monkeypatch.setattr(services.issuing, "issue", explode)
    auth.login("petugas")
    with caplog.at_level(logging.DEBUG):
        response = auth.post(
            f"{BASE}/tickets", {"service": "walkin", "nik": NIK, "phone": "+6281234567890"}
        )
    assert (response.status_code, response.get_json()["error"]["code"]) == (500, "internal")
    assert response.get_json()["error"]["messages"]["en"] == (
        "Internal error; the request was not applied."
    )
    assert "RuntimeError" in caplog.text
    assert NIK not in caplog.text and "6281234567890" not in caplog.text


def test_public_token_never_reaches_the_logs(
    client: FlaskClient,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(token: str) -> None:
        raise RuntimeError(token)

    monkeypatch.setattr(services.views, "ticket_status", explode)
    with caplog.at_level(logging.DEBUG):
        assert client.get("/api/v1/public/tickets/secret-token-123").status_code == 500
    assert "secret-token-123" not in caplog.text
    assert "/api/v1/public/tickets/<token>" in caplog.text
