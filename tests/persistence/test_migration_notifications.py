"""Migration 0016: the notification tables come and go cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from queue_server.persistence.migrate import alembic_config, current_revision, upgrade


def test_0016_adds_the_notification_tables_and_downgrade_removes_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/notify.db"
    upgrade(url, "0016")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"notifications", "notification_opt_outs"} <= tables
        command.downgrade(alembic_config(url), "0015")
        assert current_revision(url) == "0015"
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert not {"notifications", "notification_opt_outs"} & tables
    finally:
        engine.dispose()
