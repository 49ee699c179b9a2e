"""Migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from queue_server.persistence.migrate import current_revision, upgrade
from queue_server.persistence.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/migrate.db"
    return str(request.getfixturevalue("pg_url"))


def test_upgrade_from_empty_matches_the_models(empty_url: str) -> None:
    upgrade(empty_url)
    assert current_revision(empty_url) is not None
    engine = create_engine(empty_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            indexes = {index["name"] for index in inspect(connection).get_indexes("tickets")}
    finally:
        engine.dispose()
    assert differences == []
    assert {"uq_tickets_live_per_visit", "uq_tickets_active_per_counter"} <= indexes


def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    upgrade(empty_url)
    first = current_revision(empty_url)
    upgrade(empty_url)
    assert current_revision(empty_url) == first


def test_accounts_made_before_office_scope_keep_their_offices(empty_url: str) -> None:
    upgrade(empty_url, "0005")
    engine = create_engine(empty_url)
    moment = "2026-11-23 02:00:00"
    try:
        with engine.begin() as connection:
            for office in ("kanim-a", "kanim-b"):
                connection.execute(
                    text(
                        "INSERT INTO offices (id, name, timezone, settings, config_version, "
                        "updated_at) VALUES (:id, 'Kanim', 'Asia/Makassar', '{}', 1, :at)"
                    ),
                    {"id": office, "at": moment},
                )
            for username, role in (("kepala", "admin"), ("budi", "petugas")):
                connection.execute(
                    text(
                        "INSERT INTO users (username, display_name, password_hash, role, active, "
                        "created_at) VALUES (:name, 'X', 'x', :role, TRUE, :at)"
                    ),
                    {"name": username, "role": role, "at": moment},
                )
            connection.execute(
                text(
                    "INSERT INTO api_tokens (name, token_hash, role, created_at, revoked) "
                    "VALUES ('kiosk-1', 'h', 'kiosk', :at, FALSE)"
                ),
                {"at": moment},
            )
        upgrade(empty_url)
        with engine.connect() as connection:
            users = dict(connection.execute(text("SELECT username, offices FROM users")).all())
            token = connection.execute(text("SELECT offices FROM api_tokens")).scalar_one()
    finally:
        engine.dispose()
    assert users["kepala"] is None
    assert _decoded(users["budi"]) == _decoded(token) == ["kanim-a", "kanim-b"]


def _decoded(value: object) -> object:
    """A JSON column read with plain SQL: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value
