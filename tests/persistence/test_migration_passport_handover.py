"""Migration 0017 adds the handover columns to passport_ready; its downgrade removes them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from queue_server.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations import empty_url as empty_url  # the fixture

HANDOVER = {"handed_over_at", "handed_over_by", "handed_to_proxy"}


def columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("passport_ready")}
    finally:
        engine.dispose()


def test_passport_handover_up_and_down(empty_url: str) -> None:
    upgrade(empty_url, "0016")
    assert not HANDOVER & columns(empty_url)
    upgrade(empty_url, "0017")
    assert current_revision(empty_url) == "0017"
    assert columns(empty_url) >= HANDOVER
    command.downgrade(alembic_config(empty_url), "0016")
    assert not HANDOVER & columns(empty_url)
    assert "application_no" in columns(empty_url)
