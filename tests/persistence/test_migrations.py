"""Migrations create exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
