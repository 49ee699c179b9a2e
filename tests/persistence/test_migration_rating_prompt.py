"""Migration 0010 adds the counter's rating question to existing counters, empty."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from queue_server.persistence.migrate import current_revision, upgrade


def test_existing_counters_get_an_empty_rating_question(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0009")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO offices (id, name, timezone, settings, config_version, updated_at)"
                    " VALUES ('kanim-a', 'Kanim', 'Asia/Makassar', '{}', 1, '2026-11-23 02:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO counters (office_id, code, name, active, is_open, "
                    "priority_streak, regular_streak) VALUES ('kanim-a', 'bio-1', 'BIO 1', "
                    "TRUE, TRUE, 0, 0)"
                )
            )
        upgrade(url, "0010")
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT code, is_open, rating_ticket_id, rating_asked_at, rating_until "
                    "FROM counters"
                )
            ).one()
    finally:
        engine.dispose()
    assert current_revision(url) == "0010"
    assert tuple(row) == ("bio-1", 1, None, None, None)
