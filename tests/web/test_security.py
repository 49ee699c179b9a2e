"""Account security over HTTP: tokens, server-side sessions, office scope, passwords,
booked issuing, and hostile URLs and bodies (each answered 4xx, changing nothing)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import ApiTokenRow, BookingRow, VisitRow
from queue_server.services.bookings import BookingEntry
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.web.conftest import (
    BASE,
    OFFICE,
    PASSWORDS,
    AuthActions,
    FakeMonotonic,
    count_rows,
    office_settings,
    web_config,
)

OTHER = "kanim-banjarmasin"
OTHER_BASE = f"/api/v1/offices/{OTHER}"
DEMO_FILE = Path(__file__).parents[2] / "queue_server" / "demo" / "banjarmasin.yaml"
FIXTURE = Actor(name="fixture")
SESSION_COOKIE = "antre_session"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def load_second_office(services: Services) -> None:
    settings = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    with services.database.writer() as session, session.begin():
        store_office(session, settings, now=MONDAY_10_WITA)


def error_code(response: Any) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


# --- machine tokens ---------------------------------------------------------------------


def test_tokens_record_their_creator_and_die_with_them(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    services.accounts.create_user(
        "admin.dua", "Admin Dua", "Kuat-sekali-77", Role.ADMIN, actor=FIXTURE
    )
    auth.login("admin.dua", "Kuat-sekali-77")
    token = auth.post("/api/v1/tokens", {"name": "kiosk-lobby"}).get_json()["token"]
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    listed = {item["name"]: item for item in auth.get("/api/v1/tokens").get_json()["items"]}
    assert listed["kiosk-lobby"]["created_by"] == "admin.dua"
    assert listed["kiosk-lobby"]["offices"] == [OFFICE]
    assert "token" not in listed["kiosk-lobby"]
    services.accounts.deactivate_user("admin.dua", actor=FIXTURE)
    with services.database.reader() as session:
        row = session.query(ApiTokenRow).filter_by(name="kiosk-lobby").one()
    assert row.revoked and row.revoked_at is not None
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def test_a_revoked_token_stops_at_once_despite_the_cache(
    client: FlaskClient, auth: AuthActions, kiosk: dict[str, str], monotonic: FakeMonotonic
) -> None:
    assert (
        client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=kiosk).status_code == 200
    )
    auth.login("admin")
    token_id = auth.get("/api/v1/tokens").get_json()["items"][0]["id"]
    revoked = auth.post(f"/api/v1/tokens/{token_id}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] is True
    # No time has passed on the cache's clock: the revocation itself cleared it.
    after = client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=kiosk)
    assert error_code(after) == (401, "unauthenticated")
    again = auth.post(f"/api/v1/tokens/{token_id}/revoke")
    assert again.status_code == 200  # revoking twice changes nothing
    assert auth.post("/api/v1/tokens/999999/revoke").status_code == 404


def test_deactivating_over_http_stops_cached_tokens_too(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    services.accounts.create_user("admin.tiga", "A3", "Kuat-sekali-77", Role.ADMIN, actor=FIXTURE)
    creator = Actor(name="admin.tiga", user_id=_user_id(services, "admin.tiga"), role=Role.ADMIN)
    token = services.accounts.create_token("kiosk-9", Role.KIOSK, actor=creator)
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200  # cached
    auth.login("admin")
    assert auth.post("/api/v1/users/admin.tiga/deactivate").status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def _user_id(services: Services, username: str) -> int:
    return next(user.id for user in services.accounts.list_users() if user.username == username)


# --- server-side sessions ---------------------------------------------------------------


def test_a_replayed_cookie_is_dead_after_logout(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    assert auth.logout().status_code == 200
    client.set_cookie(SESSION_COOKIE, cookie.value)  # an attacker's copy of the cookie
    assert client.get("/api/v1/auth/me").status_code == 401
    client.set_cookie(SESSION_COOKIE, cookie.value)
    replay = client.post(f"{BASE}/counters/cs-1/open", json={}, headers={"X-CSRF-Token": auth.csrf})
    assert error_code(replay) == (401, "unauthenticated")


def test_a_cookie_signed_with_another_key_or_altered_is_no_session(
    client: FlaskClient, auth: AuthActions, app: Any
) -> None:
    """The signing serializer is built once per key (CookieSessions): a cookie still has
    to carry this key's signature, and a new key ends every session signed with the old."""
    auth.login("petugas")
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    assert client.get("/api/v1/auth/me").status_code == 200
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    value = cookie.value
    flipped = "B" if value[-5] == "A" else "A"  # a character of the signature, all 6 bits used
    client.set_cookie(SESSION_COOKIE, value[:-5] + flipped + value[-4:])
    assert client.get("/api/v1/auth/me").status_code == 401
    client.set_cookie(SESSION_COOKIE, cookie.value)
    assert client.get("/api/v1/auth/me").status_code == 200
    app.secret_key = "another key altogether, 32 bytes at least"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_changing_the_password_ends_every_other_session(
    client: FlaskClient, auth: AuthActions, app: Any
) -> None:
    other_browser = AuthActions(app.test_client())
    other_browser.login("petugas")
    auth.login("petugas")
    wrong = auth.post(
        "/api/v1/auth/password", {"current_password": "nope", "new_password": "Baru-kuat-2026"}
    )
    assert error_code(wrong) == (403, "wrong_password")
    weak = auth.post(
        "/api/v1/auth/password",
        {"current_password": "petugas-password-1", "new_password": "1234567890"},
    )
    assert error_code(weak) == (422, "weak_password")
    changed = auth.post(
        "/api/v1/auth/password",
        {"current_password": "petugas-password-1", "new_password": "Baru-kuat-2026"},
    )
    assert changed.status_code == 200
    auth.csrf = changed.get_json()["csrf_token"]
    assert auth.get("/api/v1/auth/me").status_code == 200  # this browser keeps going
    assert other_browser.get("/api/v1/auth/me").status_code == 401
    assert auth.logout().status_code == 200
    assert auth.login("petugas", "petugas-password-1").status_code == 401
    assert auth.login("petugas", "Baru-kuat-2026").status_code == 200


def test_deactivation_ends_open_sessions(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("laporan")
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    services.accounts.deactivate_user("laporan", actor=FIXTURE)
    client.set_cookie(SESSION_COOKIE, cookie.value)
    assert client.get("/api/v1/audit").status_code == 401


# --- booked services --------------------------------------------------------------------


def book(services: Services, code: str = "MP-2026-000777", slot: time = time(10, 15)) -> None:
    entry = BookingEntry(code=code, service="mpaspor", day=date(2026, 11, 23), slot=slot)
    services.bookings.import_bookings(OFFICE, [entry], actor=FIXTURE)


def test_a_kiosk_token_cannot_issue_a_booked_service_without_a_booking(
    client: FlaskClient, kiosk: dict[str, str], services: Services
) -> None:
    body = {"service": "mpaspor", "booking_ref": "ANY-REF-1", "documents_ready": True}
    for _ in range(2):
        refused = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
        assert error_code(refused) == (404, "booking_not_found")
    assert count_rows(services, VisitRow) == 0


def test_a_booking_gives_one_ticket_over_http_queued_by_its_slot(
    client: FlaskClient, kiosk: dict[str, str], services: Services
) -> None:
    book(services)
    body = {"service": "mpaspor", "booking_ref": "mp-2026-000777"}
    not_ready = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
    assert error_code(not_ready) == (422, "documents_not_ready")
    body["documents_ready"] = True
    first = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
    assert first.status_code == 200, first.get_json()
    second = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
    assert error_code(second) == (409, "booking_used")
    with services.database.reader() as session:
        booking = session.query(BookingRow).one()
        visit = session.query(VisitRow).one()
    assert booking.visit_id == visit.id == first.get_json()["visit_id"]
    assert visit.appointment_at == booking.slot_at
    forged = {"service": "walkin", "appointment_at": "2026-11-23T08:00:00+08:00"}
    assert error_code(client.post(f"{BASE}/tickets", json=forged, headers=kiosk)) == (
        422,
        "invalid_field",
    )


def test_a_booking_is_for_its_own_service(
    client: FlaskClient, kiosk: dict[str, str], services: Services
) -> None:
    book(services)
    body = {"service": "walkin", "booking_ref": "MP-2026-000777", "documents_ready": True}
    refused = client.post(f"{BASE}/tickets", json=body, headers=kiosk)
    assert error_code(refused) == (409, "booking_other_service")
    assert "Passport (M-Paspor)" in refused.get_json()["error"]["messages"]["en"]
    assert count_rows(services, VisitRow) == 0


# --- office scope -----------------------------------------------------------------------


def test_an_officer_acts_only_in_their_offices(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    load_second_office(services)
    auth.login("petugas")
    refused = auth.post(f"{OTHER_BASE}/counters/ramah-ham/open")
    assert error_code(refused) == (403, "office_forbidden")
    assert OTHER in refused.get_json()["error"]["messages"]["en"]
    assert auth.get(f"{OTHER_BASE}/counters").status_code == 403
    assert auth.post(f"{OTHER_BASE}/tickets", {"service": "paspor-walkin"}).status_code == 403
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 200
    auth.login("laporan")
    assert auth.get(f"{OTHER_BASE}/devices").status_code == 403


def test_tokens_are_scoped_to_their_offices(
    client: FlaskClient, kiosk: dict[str, str], services: Services
) -> None:
    load_second_office(services)
    other = client.post(f"{OTHER_BASE}/tickets", json={"service": "paspor-walkin"}, headers=kiosk)
    assert error_code(other) == (403, "office_forbidden")
    officer = services.accounts.create_token(
        "console-2", Role.PETUGAS, actor=FIXTURE, offices=[OFFICE]
    )
    opened = client.post(f"{OTHER_BASE}/counters/ramah-ham/open", headers=bearer(officer))
    assert error_code(opened) == (403, "office_forbidden")
    assert client.post(f"{BASE}/counters/cs-1/open", headers=bearer(officer)).status_code == 200


def test_new_accounts_name_their_offices_once_several_exist(
    auth: AuthActions, services: Services
) -> None:
    load_second_office(services)
    auth.login("admin")
    unscoped = auth.post(
        "/api/v1/users",
        {
            "username": "budi",
            "display_name": "Budi",
            "password": "Kuat-sekali-77",
            "role": "petugas",
        },
    )
    assert error_code(unscoped) == (422, "offices_required")
    unknown = auth.post("/api/v1/tokens", {"name": "k-2", "offices": ["kanim-nowhere"]})
    assert error_code(unknown) == (422, "unknown_office")
    created = auth.post(
        "/api/v1/users",
        {
            "username": "budi",
            "display_name": "Budi",
            "password": "Kuat-sekali-77",
            "role": "admin",
            "offices": [OTHER],
        },
    )
    assert created.status_code == 200 and created.get_json()["offices"] == [OTHER]
    # An administrator of one office manages only that office's accounts.
    auth.login("budi", "Kuat-sekali-77")
    assert {user["username"] for user in auth.get("/api/v1/users").get_json()["items"]} == {"budi"}
    assert error_code(auth.post("/api/v1/users/petugas/deactivate"))[0] == 404
    beyond = auth.post("/api/v1/tokens", {"name": "k-3", "offices": [OFFICE]})
    assert error_code(beyond) == (403, "outside_your_offices")
    everywhere = auth.post("/api/v1/tokens", {"name": "k-4", "role": "admin"})
    assert error_code(everywhere) == (403, "outside_your_offices")
    assert auth.post("/api/v1/tokens", {"name": "k-5", "offices": [OTHER]}).status_code == 200
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 403


def test_the_audit_log_shows_a_scoped_reader_only_their_offices(
    auth: AuthActions, services: Services
) -> None:
    load_second_office(services)
    services.accounts.create_user(
        "laporan.bjm", "L", "Kuat-sekali-77", Role.LAPORAN, actor=FIXTURE, offices=[OTHER]
    )
    auth.login("admin")
    auth.post(f"{BASE}/counters/cs-1/open")
    auth.post(f"{OTHER_BASE}/counters/ramah-ham/open")
    auth.login("laporan.bjm", "Kuat-sekali-77")
    offices = {entry["office"] for entry in auth.get("/api/v1/audit").get_json()["items"]}
    assert offices == {OTHER}


# --- passwords and sign-in limits -------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "english"),
    [
        (" " * 10, "The password must not be blank."),
        ("1234567890", "The password is a sequence"),
        ("0987654321", "The password is a sequence"),
        ("qwertyuiop", "The password is a sequence"),
        ("aaaaaaaaaaaa", "The password repeats itself"),
        ("abab-abab-abab", "The password repeats itself"),
        ("password123", "The password is too common"),
        ("Indonesia2026!", "The password is too common"),
        ("budi.santoso1", "is the user name"),
        ("short-1", "at least 10 characters"),
    ],
)
def test_weak_passwords_are_refused_in_both_languages(
    auth: AuthActions, services: Services, password: str, english: str
) -> None:
    auth.login("admin")
    before = len(services.accounts.list_users())
    body = {"username": "budi.santoso", "display_name": "Budi", "password": password}
    refused = auth.post("/api/v1/users", body | {"role": "petugas"})
    status, code = error_code(refused)
    messages = refused.get_json()["error"]["messages"]
    assert (status, code) == (422, "weak_password")
    assert english in messages["en"]
    assert messages["id"] != messages["en"] and "sandi" in messages["id"]
    assert len(services.accounts.list_users()) == before


def test_one_address_cannot_try_many_user_names(
    client: FlaskClient, services: Services, app: Any
) -> None:
    per_address = services.config.login_attempts_per_address_per_minute
    names = [f"guess-{number}" for number in range(per_address)]
    for name in names:  # one wrong guess per name: under the per-name limit every time
        answer = client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
        assert answer.status_code == 401
    blocked = client.post(
        "/api/v1/auth/login", json={"username": "petugas", "password": "petugas-password-1"}
    )
    assert error_code(blocked) == (429, "rate_limited")
    assert int(blocked.headers["Retry-After"]) >= 1
    elsewhere = app.test_client().post(
        "/api/v1/auth/login",
        json={"username": "petugas", "password": "petugas-password-1"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert elsewhere.status_code == 200


# --- hostile URLs and bodies ------------------------------------------------------------

JSON_ROUTES = [
    "/api/v1/auth/login",
    "/api/v1/auth/password",
    "/api/v1/users",
    "/api/v1/tokens",
    f"{BASE}/tickets",
    f"{BASE}/counters/cs-1/call",
    f"{BASE}/counters/cs-1/park",
    f"{BASE}/counters/cs-1/finish",
    f"{BASE}/counters/cs-1/transfer",
]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[" * 32_000 + b"]" * 32_000, "too_deep"),
        (b'{"a":' * 6_000 + b"1" + b"}" * 6_000, "too_deep"),
        (b'{"ticket_id": ' + b"7" * 5_000 + b"}", "number_too_long"),
        (b'{"note": 1e' + b"9" * 5_000 + b"}", "number_too_long"),
        (b'{"end_visit": NaN}', "bad_json"),
        (b'{"service": "\xff"}', "bad_json"),
    ],
)
def test_hostile_bodies_get_a_clean_400_on_every_json_route(
    client: FlaskClient, auth: AuthActions, services: Services, path: str, body: bytes, code: str
) -> None:
    auth.login("admin")
    before = count_rows(services, VisitRow)
    answer = client.post(
        path,
        data=body,
        headers={"X-CSRF-Token": auth.csrf, "Content-Type": "application/json"},
    )
    assert error_code(answer) == (400, code)
    messages = answer.get_json()["error"]["messages"]
    assert messages["id"] != messages["en"]
    assert count_rows(services, VisitRow) == before


@pytest.mark.parametrize("ticket_id", [2**31, 2**63, 2**64 + 5, 10**30])
def test_ticket_ids_beyond_the_id_columns_are_not_found(auth: AuthActions, ticket_id: int) -> None:
    auth.login("petugas")
    for action in ("cancel", "reactivate"):
        answer = auth.post(f"{BASE}/tickets/{ticket_id}/{action}")
        assert error_code(answer) == (404, "not_found")
    largest = auth.post(f"{BASE}/tickets/{2**63 - 1}/cancel")
    assert error_code(largest) == (404, "not_found")
    assert error_code(auth.post(f"/api/v1/tokens/{ticket_id}/revoke"))[0] in {403, 404}


def test_behind_a_proxy_the_limits_key_on_the_client_address(
    services: Services, monotonic: FakeMonotonic
) -> None:
    config = services.config.model_copy(update={"proxy_hops": 1})
    client = create_app(config, services=services, monotonic=monotonic).test_client()

    def login(client_address: str, password: str) -> Any:
        return client.post(
            "/api/v1/auth/login",
            json={"username": "petugas", "password": password},
            headers={"X-Forwarded-For": client_address},
        )

    for _ in range(services.config.login_attempts_per_minute):
        assert login("203.0.113.7", "wrong-password").status_code == 401
    assert login("203.0.113.7", "petugas-password-1").status_code == 429
    assert login("203.0.113.8", "petugas-password-1").status_code == 200


def test_signing_in_again_ends_the_browser_s_previous_session(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("petugas")
    first = client.get_cookie(SESSION_COOKIE)
    assert first is not None
    auth.login("laporan")
    client.set_cookie(SESSION_COOKIE, first.value)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_me_names_the_caller_s_offices(
    client: FlaskClient, auth: AuthActions, kiosk: dict[str, str]
) -> None:
    assert client.get("/api/v1/auth/me", headers=kiosk).get_json()["user"]["offices"] == [OFFICE]
    auth.login("admin")
    assert auth.get("/api/v1/auth/me").get_json()["user"]["offices"] is None
    empty = auth.post("/api/v1/tokens", {"name": "k-6", "offices": []})
    assert error_code(empty) == (422, "invalid_field")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/offices/%00/counters",
        "/api/v1/offices/kanim-test/counters/cs%00/open",
        "/api/v1/public/tickets/%00",
        "/api/v1/offices/kanim%1f/services",
        "/api/v1/users/budi%00/deactivate",
    ],
)
def test_ids_with_control_characters_are_not_found(auth: AuthActions, path: str) -> None:
    auth.login("admin")
    answer = auth.post(path) if path.endswith(("open", "deactivate")) else auth.get(path)
    assert error_code(answer) == (404, "not_found")


@pytest.mark.postgres
def test_hostile_ids_on_postgresql_are_not_found(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL refuses NUL in strings and 64-bit numbers for INTEGER ids: never a 500."""
    config = web_config(tmp_path, database_url=pg_url)
    upgrade(config.database_url)
    built = build_services(config, clock=FakeClock(MONDAY_10_WITA))
    try:
        with built.database.writer() as session, session.begin():
            store_office(session, office_settings(), now=MONDAY_10_WITA)
        built.accounts.create_user("admin", "A", PASSWORDS["admin"], Role.ADMIN, actor=FIXTURE)
        auth = AuthActions(create_app(services=built).test_client())
        auth.login("admin")
        for path in (f"{BASE}/tickets/{2**31}/cancel", "/api/v1/tokens/2147483648/revoke"):
            assert error_code(auth.post(path)) == (404, "not_found")
        assert error_code(auth.get("/api/v1/offices/%00/counters")) == (404, "not_found")
        assert error_code(auth.get("/api/v1/public/tickets/ab%00cd")) == (404, "not_found")
        call = auth.post(f"{BASE}/counters/cs-1/call", {"ticket_id": 2**40})
        assert error_code(call) == (422, "invalid_field")
    finally:
        built.close()


@pytest.mark.parametrize("spelling", ["%D9%A1", "%EF%BC%91", "%E0%A5%A7", "01", "0001"])
def test_an_id_has_one_spelling_other_digits_are_not_found(
    client: FlaskClient, auth: AuthActions, kiosk: dict[str, str], spelling: str
) -> None:
    """Arabic-Indic, full-width and Devanagari "1" and leading zeros never reach ticket 1."""
    issued = client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=kiosk)
    assert issued.get_json()["ticket_id"] == 1
    auth.login("admin")
    for path in (f"{BASE}/tickets/{spelling}/cancel", f"/api/v1/tokens/{spelling}/revoke"):
        assert error_code(auth.post(path)) == (404, "not_found")
    ticket = auth.get(f"/api/v1/public/tickets/{issued.get_json()['token']}").get_json()
    assert ticket["status"] == "waiting"
    assert auth.get("/api/v1/auth/me", Authorization=kiosk["Authorization"]).status_code == 200
