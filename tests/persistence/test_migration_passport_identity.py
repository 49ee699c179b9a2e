"""Migration 0011 gives visits a passport identity (keyed hash, last four), empty for old ones."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from queue_server.persistence.migrate import current_revision, upgrade


def test_visits_gain_empty_passport_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0010")
    upgrade(url, "0011")
    engine = create_engine(url)
    try:
        columns = {column["name"]: column for column in inspect(engine).get_columns("visits")}
    finally:
        engine.dispose()
    assert current_revision(url) == "0011"
    assert columns["passport_hash"]["nullable"] and columns["passport_last4"]["nullable"]
    assert str(columns["passport_last4"]["type"]) == "VARCHAR(4)"
