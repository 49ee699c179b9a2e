"""Start-up shared by every server command: settings -> database -> services, built once.

``antre serve`` builds the services here and hands the same instance to the web app and
to the MQTT adapter; the one-shot commands (``office load``, ``user create-admin``, ...)
open them for one task and close them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from queue_server.config import ServerConfig, load_config, sqlite_path
from queue_server.data_folder import secure_sqlite_files

if TYPE_CHECKING:
    from queue_server.domain.events import OfficeReloaded
    from queue_server.services.container import Services
    from queue_server.services.unit import Clock

DEMO_OFFICE = Path(__file__).with_name("demo") / "banjarmasin.yaml"


def database_url(value: str | None) -> str | None:
    """Accept a URL or a plain file path for ``--db``."""
    if value is None or "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def server_config(db: str | None = None, **overrides: Any) -> ServerConfig:
    """The configuration: defaults, ``ANTRE_*`` variables, then ``--db`` and ``overrides``."""
    return load_config(database_url=database_url(db), **overrides)


NO_DATABASE = (
    "There is no database at {path}; nothing was done. Name the database with --db (while "
    "make run serves the demo: --db var/demo.db) or ANTRE_DATABASE_URL; antre db upgrade or "
    "antre office load makes a new one."
)


class NoDatabase(Exception):
    """A command that works on existing data was pointed at a SQLite file that is not there."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def require_database(config: ServerConfig) -> ServerConfig:
    """``config`` unchanged; raises NoDatabase when its SQLite file does not exist.

    Commands that read or change existing data (tokens, devices, bookings, the purge, the
    broker files) refuse a missing file instead of making an empty database and reporting
    on it: the usual cause is a forgotten ``--db``.
    """
    path = sqlite_path(config.database_url)
    if path is not None and not path.exists():
        raise NoDatabase(path.resolve())
    return config


def prepare_database(config: ServerConfig) -> None:
    """Create (private files for SQLite) or migrate the schema to the newest version."""
    from queue_server.persistence.migrate import upgrade

    path = sqlite_path(config.database_url)
    if path is not None:
        secure_sqlite_files(path)
    upgrade(config.database_url)
    if path is not None:
        secure_sqlite_files(path)  # the migration may have made the -wal and -shm files


def build(config: ServerConfig, clock: Clock | None = None) -> Services:
    """The server's use cases over ``config``'s database (the caller closes them); ``clock``
    replaces the real time (``antre serve --demo --demo-time``)."""
    from queue_server.services.container import build_services

    return build_services(config) if clock is None else build_services(config, clock=clock)


@contextmanager
def opened_services(config: ServerConfig) -> Iterator[Services]:
    """Migrate, then the services for one command; closed when the block ends."""
    prepare_database(config)
    services = build(config)
    try:
        yield services
    finally:
        services.close()


def read_office_file(path: Path) -> dict[str, Any]:
    """The office file's content, validated; problems raise OfficeConfigError."""
    from queue_server.office_config import load_office_file

    data, _definition = load_office_file(path)
    return dict(data)


def load_office(config: ServerConfig, settings: dict[str, Any]) -> OfficeReloaded:
    """Store ``settings`` as the office's configuration (a new version when it changed).

    The ``OfficeReloaded`` event goes through the outbox with it, so a server running on
    the same database republishes the office's retained ``config/*`` topics.
    """
    from queue_server.persistence.outbox import insert_events
    from queue_server.services.offices import store_office

    with opened_services(config) as services:
        with services.database.writer() as session, session.begin():
            now = services.clock()
            reloaded = store_office(session, settings, now=now)
            stored = insert_events(session, [reloaded], now=now)
        services.events.publish([reloaded], stored=stored)
        return reloaded
