"""The audit log's filters and its CSV export (administrators only, formula-safe)."""

from __future__ import annotations

import csv
import io
import json

from flask.testing import FlaskClient

from queue_server.domain.ids import Role
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from tests.services.clock import FakeClock
from tests.web.conftest import BASE, AuthActions
from tests.web.test_security import OTHER, OTHER_BASE, load_second_office

AUDIT = "/api/v1/audit"
CSV = "/api/v1/audit.csv"
FIXTURE = Actor(name="fixture")


def read_csv(response: object) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def make_history(auth: AuthActions, clock: FakeClock) -> None:
    """Monday: a token named like a formula; Tuesday: a counter opened; Wednesday: more."""
    auth.login("admin")
    assert auth.post("/api/v1/tokens", {"name": "-2-3", "role": "kiosk"}).status_code == 200
    clock.advance(days=1)
    auth.login("admin")  # the session ended while idle
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 200
    clock.advance(days=1)
    auth.login("admin")
    assert auth.post(f"{BASE}/counters/cs-1/close").status_code == 200


def test_the_export_is_a_formula_safe_csv_oldest_first(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    make_history(auth, clock)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="antre-audit-2026-11-25.csv"'
    )
    rows = read_csv(response)
    assert list(rows[0]) == ["at", "actor", "action", "office", "target", "details", "remote_addr"]
    stamps = [row["at"] for row in rows]
    assert stamps == sorted(stamps)
    token_row = next(row for row in rows if row["action"] == "token.create")
    assert token_row["target"] == "'-2-3"  # would run as a formula without the apostrophe
    assert token_row["details"].startswith("{")
    assert json.loads(token_row["details"])["role"] == "kiosk"
    listed = client.get(f"{AUDIT}?limit=500").get_json()["items"]
    assert len(rows) == len(listed)  # the same entries, the other way round
    assert [row["action"] for row in rows] == [entry["action"] for entry in reversed(listed)]


def test_filters_by_days_user_and_action(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    make_history(auth, clock)
    tuesday = client.get(f"{AUDIT}?from=2026-11-24&to=2026-11-24").get_json()["items"]
    assert tuesday and all(entry["at"].startswith("2026-11-24") for entry in tuesday)
    since_tuesday = read_csv(client.get(f"{CSV}?from=2026-11-24"))
    assert since_tuesday and all(row["at"] >= "2026-11-24" for row in since_tuesday)
    logins = client.get(f"{AUDIT}?action=auth.login").get_json()["items"]
    assert logins and {entry["action"] for entry in logins} == {"auth.login"}
    family = client.get(f"{AUDIT}?action=auth.").get_json()["items"]
    assert {entry["action"] for entry in family} <= {"auth.login", "auth.login_failed"}
    assert len(family) >= len(logins)
    created = client.get(f"{AUDIT}?user=fixture").get_json()["items"]
    assert [entry["action"] for entry in created] == ["user.create"] * 3  # the test users
    assert client.get(f"{AUDIT}?user=nobody").get_json()["items"] == []
    by_admin = client.get(f"{AUDIT}?user=admin").get_json()["items"]
    assert by_admin and {entry["actor"] for entry in by_admin} == {"admin"}


def test_bad_filters_are_refused_in_both_languages(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    for query, code, english in (
        ("from=24-11-2026", "bad_audit_date", "24-11-2026 is not a date"),
        ("from=2026-11-25&to=2026-11-24", "audit_range_reversed", "ends (2026-11-24)"),
        ("user=" + "x" * 81, "audit_filter_too_long", "The filter user is too long"),
    ):
        for path in (AUDIT, CSV):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
            error = response.get_json()["error"]
            assert error["code"] == code
            assert english in error["messages"]["en"]
            assert error["messages"]["id"] != error["messages"]["en"]


def test_only_administrators_export_and_only_their_offices(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    load_second_office(services)
    services.accounts.create_user(
        "admin.bjm", "A", "Kuat-sekali-77", Role.ADMIN, actor=FIXTURE, offices=[OTHER]
    )
    auth.login("admin")
    auth.post(f"{BASE}/counters/cs-1/open")
    auth.post(f"{OTHER_BASE}/counters/ramah-ham/open")
    auth.login("laporan")
    assert client.get(AUDIT).status_code == 200  # a supervisor reads the log
    assert client.get(CSV).get_json()["error"]["code"] == "forbidden"
    auth.login("admin.bjm", "Kuat-sekali-77")
    rows = read_csv(client.get(CSV))
    assert rows and {row["office"] for row in rows} == {OTHER}
