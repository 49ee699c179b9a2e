"""Flask test fixtures: an app over a migrated SQLite file with the test office loaded.

The office is the use-case tests' office file (WITA), parsed with ``yaml.safe_load``;
the clock stands on Monday 23 November 2026, 10:00 WITA, a working morning.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from queue_server.config import ServerConfig
from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock

OFFICE = "kanim-test"
BASE = f"/api/v1/offices/{OFFICE}"
OFFICE_FILE = Path(__file__).parents[1] / "services" / "office.yaml"
LOGIN_ATTEMPTS = 5
PASSWORDS = {
    "admin": "admin-password-1",
    "petugas": "petugas-password-1",
    "laporan": "laporan-password-1",
}


class FakeMonotonic:
    """The rate limiters' clock, moved by hand."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


def office_settings() -> dict[str, Any]:
    settings: dict[str, Any] = yaml.safe_load(OFFICE_FILE.read_text(encoding="utf-8"))
    return settings


def web_config(tmp_path: Path, **changes: Any) -> ServerConfig:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path}/web.db",
        "nik_key": "test",
        "secret_key": "test-secret",
        "login_attempts_per_minute": LOGIN_ATTEMPTS,
    }
    return ServerConfig(**(values | changes))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_10_WITA)


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run, with the office and one user per role; tests get copies."""
    folder = tmp_path_factory.mktemp("template")
    config = web_config(folder)
    upgrade(config.database_url)
    built = build_services(config, clock=FakeClock(MONDAY_10_WITA))
    try:
        with built.database.writer() as session, session.begin():
            store_office(session, office_settings(), now=MONDAY_10_WITA)
        system = Actor(name="fixture")
        for role, password in PASSWORDS.items():
            built.accounts.create_user(role, role.title(), password, Role(role), actor=system)
    finally:
        built.close()
    return folder / "web.db"


@pytest.fixture
def services(tmp_path: Path, clock: FakeClock, template_database: Path) -> Iterator[Services]:
    for suffix in ("", "-wal"):  # the WAL is normally folded in when the template closes
        source = Path(f"{template_database}{suffix}")
        if source.exists():
            shutil.copyfile(source, tmp_path / f"web.db{suffix}")
    built = build_services(web_config(tmp_path), clock=clock)
    yield built
    built.close()


@pytest.fixture
def app(services: Services, monotonic: FakeMonotonic) -> Flask:
    return create_app(services=services, monotonic=monotonic)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def kiosk(services: Services) -> dict[str, str]:
    """Headers of a kiosk's machine token."""
    token = services.accounts.create_token("kiosk-1", Role.KIOSK, actor=Actor(name="fixture"))
    return {"Authorization": f"Bearer {token}"}


class AuthActions:
    """Sign in as one of the fixture users; sends the CSRF token with later requests."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client
        self.csrf = ""

    def login(self, username: str = "petugas", password: str | None = None) -> Any:
        response = self._client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": password or PASSWORDS[username]},
        )
        self.csrf = (response.get_json() or {}).get("csrf_token") or ""
        return response

    def logout(self) -> Any:
        return self.post("/api/v1/auth/logout")

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._client.post(
            path, json={} if body is None else body, headers={"X-CSRF-Token": self.csrf, **headers}
        )

    def get(self, path: str, **headers: str) -> Any:
        return self._client.get(path, headers=headers)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def count_rows(services: Services, model: type) -> int:
    with services.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
