"""The server's data folder: private file modes and the one-server-per-folder lock.

The data folder is the folder of the SQLite database (``var/`` for PostgreSQL). It holds
the keys, the managed broker's files and, with SQLite, the database with personal data:
the database files are 0600 like the keys, and a folder Antre creates is 0711 (others may
not list it, but may pass through, so a broker started by root and running as the
``mosquitto`` user reaches its files in ``mqtt/``). Only one
``antre serve`` may use a data folder at a time; :class:`ServerLock` holds an exclusive
``flock`` on ``antre-serve.lock`` for the life of the process, so the kernel releases it
when the process ends in any way (also ``kill -9``).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from queue_server.config import ServerConfig, sqlite_path

LOCK_FILE = "antre-serve.lock"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o711
#: The database file and the files SQLite keeps beside it.
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def data_folder(config: ServerConfig) -> Path:
    """Where this server keeps its keys and broker files (absolute)."""
    path = sqlite_path(config.database_url)
    return (path.parent if path else Path("var")).resolve()


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and its missing parents, listable by the owner only.

    An existing folder keeps its mode: it may be shared (``/tmp``) or chosen by the operator.
    """
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        created.chmod(PRIVATE_FOLDER)


def secure_sqlite_files(database: Path) -> None:
    """Create the database file 0600 if missing and make it and its WAL files 0600.

    SQLite gives the ``-wal`` and ``-shm`` files it creates the database file's mode.
    """
    if not database.parent.exists():
        make_private_folder(database.parent)
    if not database.exists():
        database.touch(mode=PRIVATE_FILE)
    for suffix in SQLITE_SUFFIXES:
        path = Path(f"{database}{suffix}")
        if path.exists():
            path.chmod(PRIVATE_FILE)


class ServerRunning(RuntimeError):
    """Another ``antre serve`` holds this data folder."""

    def __init__(self, folder: Path, pid: str) -> None:
        super().__init__(f"{folder} (pid {pid or '?'})")
        self.folder, self.pid = folder, pid


class ServerLock:
    """An exclusive lock on the data folder, held until :meth:`release` or process exit."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> ServerLock:
        """Take the lock or raise :class:`ServerRunning` at once (never waits)."""
        if not self.path.parent.exists():
            make_private_folder(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise ServerRunning(self.path.parent, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> ServerLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
