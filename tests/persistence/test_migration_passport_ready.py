"""Migration 0015 adds the passport-ready table and an empty application number to visits;
its downgrade removes both."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from queue_server.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations import empty_url as empty_url  # the fixture


def shape(url: str) -> tuple[set[str], dict[str, bool]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        columns = {column["name"]: column["nullable"] for column in found.get_columns("visits")}
        return set(found.get_table_names()), columns
    finally:
        engine.dispose()


def test_passport_ready_up_and_down(empty_url: str) -> None:
    url = empty_url
    upgrade(url, "0014")
    upgrade(url, "0015")
    tables, columns = shape(url)
    assert current_revision(url) == "0015"
    assert "passport_ready" in tables and columns["application_no"] is True
    command.downgrade(alembic_config(url), "0014")
    tables, columns = shape(url)
    assert "passport_ready" not in tables and "application_no" not in columns
