"""Sign-in, sessions, CSRF, machine tokens, roles and the login rate limit."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from queue_server.persistence.models import ApiTokenRow
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.web.conftest import BASE, LOGIN_ATTEMPTS, AuthActions, FakeMonotonic, web_config

LOGIN = "/api/v1/auth/login"


def test_login_sets_a_protected_session_and_returns_the_csrf_token(
    client: FlaskClient, auth: AuthActions
) -> None:
    response = auth.login("petugas")
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "petugas"
    assert body["user"]["role"] == "petugas"
    assert len(body["csrf_token"]) >= 24
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "petugas-password" not in cookie
    me = client.get("/api/v1/auth/me").get_json()
    assert (me["user"]["username"], me["csrf_token"]) == ("petugas", body["csrf_token"])


def test_session_cookie_is_secure_when_configured(tmp_path: Path, services: Services) -> None:
    config = web_config(tmp_path, secure_cookies=True)
    app = create_app(config, services=services)
    response = AuthActions(app.test_client()).login("admin")
    assert "Secure" in response.headers["Set-Cookie"]


def test_create_app_builds_its_own_services(tmp_path: Path, services: Services) -> None:
    app = create_app(web_config(tmp_path))
    built = app.extensions["antre"]
    try:
        assert built is not services
        assert app.test_client().get("/healthz").get_json()["status"] == "ok"
    finally:
        built.close()


def test_wrong_password_and_unknown_user_get_the_same_bilingual_answer(
    client: FlaskClient,
) -> None:
    wrong = client.post(LOGIN, json={"username": "petugas", "password": "nope-nope-nope"})
    unknown = client.post(LOGIN, json={"username": "ghost", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"] == {
        "code": "wrong_credentials",
        "message": "Nama pengguna atau kata sandi salah.",
        "messages": {
            "id": "Nama pengguna atau kata sandi salah.",
            "en": "Wrong username or password.",
        },
    }
    assert "Set-Cookie" not in wrong.headers


def test_login_is_rate_limited_per_address_and_user_name(
    client: FlaskClient, auth: AuthActions, monotonic: FakeMonotonic
) -> None:
    for _ in range(LOGIN_ATTEMPTS):
        assert auth.login("petugas", "wrong-password").status_code == 401
    limited = auth.login("petugas")  # even the right password waits now
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "60" in limited.get_json()["error"]["messages"]["en"]
    assert auth.login("laporan").status_code == 200  # another user name is not blocked
    monotonic.advance(61)
    assert auth.login("petugas").status_code == 200


def test_successful_logins_do_not_use_up_attempts(auth: AuthActions) -> None:
    for _ in range(LOGIN_ATTEMPTS + 2):
        assert auth.login("petugas").status_code == 200


def test_logout_ends_the_session(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    assert auth.logout().get_json() == {"ok": True}
    assert client.get("/api/v1/auth/me").status_code == 401


def test_session_posts_need_the_csrf_token(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("petugas")
    missing = client.post(f"{BASE}/counters/cs-1/open", json={})
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (403, "csrf_failed")
    wrong = client.post(f"{BASE}/counters/cs-1/open", json={}, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    assert client.get(f"{BASE}/counters").status_code == 200  # reads need no token
    assert auth.post(f"{BASE}/counters/cs-1/open").status_code == 200


def test_roles(client: FlaskClient, auth: AuthActions, kiosk: dict[str, str]) -> None:
    anonymous = client.post(f"{BASE}/counters/cs-1/open", json={})
    assert (anonymous.status_code, anonymous.get_json()["error"]["code"]) == (
        401,
        "unauthenticated",
    )
    auth.login("laporan")
    forbidden = auth.post(f"{BASE}/counters/cs-1/call-next")
    assert (forbidden.status_code, forbidden.get_json()["error"]["code"]) == (403, "forbidden")
    assert auth.post(f"{BASE}/tickets", {"service": "walkin"}).status_code == 403
    assert auth.get(f"{BASE}/counters/cs-1/queue").status_code == 200
    assert auth.get("/api/v1/audit").status_code == 200
    assert auth.get("/api/v1/users").status_code == 403
    auth.login("petugas")
    assert auth.get("/api/v1/audit").status_code == 403
    assert auth.post("/api/v1/tokens", {"name": "k"}).status_code == 403


def test_kiosk_token_can_issue_but_not_call(client: FlaskClient, kiosk: dict[str, str]) -> None:
    issued = client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=kiosk)
    assert issued.status_code == 200  # no CSRF header: bearer tokens need none
    assert client.post(f"{BASE}/counters/cs-1/call-next", headers=kiosk).status_code == 403
    assert client.get(f"{BASE}/counters/cs-1/queue", headers=kiosk).status_code == 403
    assert client.get("/api/v1/audit", headers=kiosk).status_code == 403
    bogus = {"Authorization": "Bearer antre_not-a-real-token"}
    assert (
        client.post(f"{BASE}/tickets", json={"service": "walkin"}, headers=bogus).status_code == 401
    )


def test_deactivated_user_loses_session_and_tokens(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("petugas")
    assert auth.get("/api/v1/auth/me").status_code == 200
    services.accounts.deactivate_user("petugas", actor=Actor(name="test"))
    assert auth.get("/api/v1/auth/me").status_code == 401
    assert auth.login("petugas").status_code == 401


def test_tokens_created_over_http_work_once_shown(
    client: FlaskClient, auth: AuthActions, services: Services
) -> None:
    auth.login("admin")
    created = auth.post("/api/v1/tokens", {"name": "kiosk-lobby", "role": "kiosk"}).get_json()
    assert created["token"].startswith("antre_")
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["user"]["role"] == "kiosk"
    with services.database.reader() as session:
        stored = list(session.scalars(select(ApiTokenRow.token_hash)))
    assert stored and all(created["token"] not in digest for digest in stored)
