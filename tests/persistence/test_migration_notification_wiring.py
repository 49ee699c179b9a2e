"""Migration 0018 adds ticket_alerts (with its station index) and the masked form of
opted-out numbers, keeping the opt-outs there were; its downgrade removes both."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, inspect, text

from queue_server.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations import empty_url as empty_url  # the fixture


def schema(url: str) -> tuple[set[str], set[str], set[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        tables = set(found.get_table_names())
        opt_outs = {column["name"] for column in found.get_columns("notification_opt_outs")}
        indexes = (
            {index["name"] or "" for index in found.get_indexes("ticket_alerts")}
            if "ticket_alerts" in tables
            else set()
        )
        return tables, opt_outs, indexes
    finally:
        engine.dispose()


def test_notification_wiring_up_and_down(empty_url: str) -> None:
    upgrade(empty_url, "0017")
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO notification_opt_outs (recipient_hash, created_at) VALUES (:h, :at)"),
            {"h": "a" * 64, "at": datetime(2026, 12, 1, tzinfo=UTC)},
        )
    upgrade(empty_url, "0018")
    assert current_revision(empty_url) == "0018"
    tables, opt_outs, indexes = schema(empty_url)
    assert "ticket_alerts" in tables and "masked" in opt_outs
    assert "ix_ticket_alerts_station" in indexes
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT recipient_hash, masked FROM notification_opt_outs"))
        assert list(kept) == [("a" * 64, None)]
    engine.dispose()
    command.downgrade(alembic_config(empty_url), "0017")
    tables, opt_outs, _ = schema(empty_url)
    assert "ticket_alerts" not in tables and "masked" not in opt_outs
