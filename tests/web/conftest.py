"""Flask test fixtures: an app over a migrated SQLite file with the test office loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.config import ServerConfig
from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web.app import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.services.conftest import office_settings

OFFICE = "kanim-test"
PASSWORDS = {
    "admin": "admin-password-1",
    "petugas": "petugas-password-1",
    "laporan": "laporan-password-1",
}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    config = ServerConfig(
        database_url=f"sqlite:///{tmp_path}/web.db",
        nik_key="test",
        secret_key="test-secret",
        login_attempts_per_minute=5,
    )
    upgrade(config.database_url)
    built = build_services(config, clock=FakeClock(MONDAY_10_WITA))
    with built.database.writer() as session, session.begin():
        store_office(session, office_settings(), now=MONDAY_10_WITA)
    system = Actor(name="fixture")
    for role, password in PASSWORDS.items():
        built.accounts.create_user(role, role.title(), password, Role(role), actor=system)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> Flask:
    return create_app(services=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    """Sign in as one of the fixture users; remembers the CSRF token for later POSTs."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client
        self.csrf = ""

    def login(self, username: str = "petugas") -> Any:
        response = self._client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
        )
        self.csrf = response.get_json().get("csrf_token", "")
        return response

    def post(self, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        return self._client.post(
            path, json=body or {}, headers={"X-CSRF-Token": self.csrf, **headers}
        )


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
