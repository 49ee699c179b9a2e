"""The kiosk's local SQLite file (queued requests may carry a phone number) is private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.link.store import LocalStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_kiosk_database_and_its_wal_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "kiosk.db"
        store = LocalStore(path)
        store.schema("CREATE TABLE t (x TEXT)")
        with store.transaction() as connection:
            connection.execute("INSERT INTO t VALUES ('081234567890')")
        modes = [_mode(Path(f"{path}{suffix}")) for suffix in ("", "-wal", "-shm")]
        store.close()
        assert modes == [0o600, 0o600, 0o600]

        path.chmod(0o644)  # a file left by an older version is made private at start
        LocalStore(path).close()
        assert _mode(path) == 0o600
    finally:
        os.umask(old_umask)
