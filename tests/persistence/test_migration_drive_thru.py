"""Migration 0019 adds the drive-thru arrivals table (one waiting row per car); its
downgrade removes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from queue_server.persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence.test_migrations import empty_url as empty_url  # the fixture

INSERT = text(
    "INSERT INTO drive_thru_arrivals (office_id, lane, application_no, arrived_at, status, "
    "device) VALUES ('kanim', 'lajur-1', '1234567890', :at, :status, 'console:petugas')"
)


def test_drive_thru_up_and_down(empty_url: str) -> None:
    upgrade(empty_url, "0018")
    upgrade(empty_url, "0019")
    assert current_revision(empty_url) == "0019"
    engine = create_engine(empty_url)
    try:
        assert "drive_thru_arrivals" in inspect(engine).get_table_names()
        at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO offices (id, name, timezone, settings, config_version, "
                    "updated_at) VALUES ('kanim', 'K', 'Asia/Makassar', '{}', 1, :at)"
                ),
                {"at": at},
            )
            connection.execute(INSERT, {"at": at, "status": "handed_over"})
            connection.execute(INSERT, {"at": at, "status": "waiting"})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(INSERT, {"at": at, "status": "waiting"})  # waiting twice
    finally:
        engine.dispose()
    command.downgrade(alembic_config(empty_url), "0018")
    engine = create_engine(empty_url)
    try:
        assert "drive_thru_arrivals" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
