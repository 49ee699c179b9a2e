"""Engines and sessions for SQLite (WAL) and PostgreSQL.

SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` so writers queue on
the database lock instead of failing half-way (pysqlite would otherwise run the
first SELECT outside the transaction). Reads use a second engine with deferred
transactions, so WAL readers never wait for writers.
PostgreSQL: READ COMMITTED; the use cases take row locks where they read-then-write.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from queue_server.persistence.gate import FairGate
from queue_server.persistence.group import GroupCommit

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long a request waits for a free connection before failing (409 at the HTTP boundary).
POOL_TIMEOUT_S = 60


@dataclass(frozen=True)
class Database:
    """A writer and a reader session factory over the same database.

    ``write_guard`` limits write transactions inside this process. On SQLite it is a
    lock (only one writer can run at a time anyway): threads queue on it instead of
    polling SQLite's busy handler, which backs off with sleeps and starves under load.
    """

    url: str
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    engines: tuple[Engine, ...]
    write_guard: AbstractContextManager[object] = field(default_factory=nullcontext)
    #: Group commit for the hot paths (``UseCases.grouped``); None: each unit commits alone.
    group: GroupCommit | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def _sqlite_engine(url: str, *, begin: str, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        hide_parameters=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=POOL_TIMEOUT_S,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def open_database(url: str, *, pool_size: int = 10, max_writers: int = 8) -> Database:
    """Connect to ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``).

    ``max_writers`` bounds the write transactions running at once in this process on
    PostgreSQL: with more runnable threads than that, a thread holding a row lock waits
    for the interpreter lock while the others queue behind its row lock (a convoy).
    """
    if make_url(url).get_backend_name() == "sqlite":
        writer_engine = _sqlite_engine(url, begin="BEGIN IMMEDIATE", pool_size=pool_size)
        reader_engine = _sqlite_engine(url, begin="BEGIN", pool_size=pool_size)
        writer = sessionmaker(writer_engine, expire_on_commit=False)
        gate = FairGate(1)
        return Database(
            url=url,
            writer=writer,
            reader=sessionmaker(reader_engine, expire_on_commit=False),
            engines=(writer_engine, reader_engine),
            write_guard=gate,
            group=GroupCommit(writer, gate),
        )
    engine = create_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
    )
    factory = sessionmaker(engine, expire_on_commit=False)
    gate = FairGate(max_writers)
    return Database(
        url=url,
        writer=factory,
        reader=factory,
        engines=(engine,),
        write_guard=gate,
        group=GroupCommit(factory, gate),
    )
