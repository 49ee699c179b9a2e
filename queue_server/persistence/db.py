"""Engines and sessions for SQLite (WAL) and PostgreSQL.

SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` so writers queue on
the database lock instead of failing half-way (pysqlite would otherwise run the
first SELECT outside the transaction). Reads use a second engine with deferred
transactions, so WAL readers never wait for writers.
PostgreSQL: READ COMMITTED; the use cases take row locks where they read-then-write.
An issue puts the group commit's connection in psycopg's pipeline mode (see
:mod:`queue_server.persistence.fast`). A pooled connection is checked before use without
a round trip (:func:`_check_connections`) instead of the pool's pre-ping, which cost one per
transaction.
"""

from __future__ import annotations

import select
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from queue_server.persistence.fast import watch_pipelines
from queue_server.persistence.gate import FairGate
from queue_server.persistence.group import CommitOrder, GroupCommit

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: A pooled PostgreSQL connection unused for longer than this is pinged before use (a
#: firewall or NAT may have dropped it silently).
PING_AFTER_IDLE_S = 30.0
_RETURNED_AT = "antre.db.returned_at"
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
    #: PostgreSQL: the kiosks' issues (urgent units) in a group commit of their own, its
    #: transaction beside the others' (row locks keep them apart), so an issue never
    #: waits for officer actions' turn. None: urgent units share ``group``.
    urgent_group: GroupCommit | None = None

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
        # Statement journals (a group commit's savepoints) and sorts in memory, not in a
        # temporary file created and deleted for each.
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    _plain_savepoints(engine)
    return engine


def _plain_savepoints(engine: Engine) -> None:
    """SAVEPOINT, RELEASE and ROLLBACK TO as driver statements, not compiled clauses.

    A group commit opens and releases a savepoint for every member after the first; the
    dialect's own way builds and compiles a fresh clause each time (never cached): 39 µs
    of Python a pair against 11 µs (docs/benchmarks.md). The names are SQLAlchemy's own
    (``sa_savepoint_N``), so they need no quoting; errors are wrapped as for any statement.
    """
    dialect = engine.dialect

    def savepoint(connection: Any, name: str) -> None:
        connection.exec_driver_sql(f"SAVEPOINT {name}")

    def release(connection: Any, name: str) -> None:
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {name}")

    def rollback_to(connection: Any, name: str) -> None:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")

    # the instance's methods, for this engine only (other engines keep the dialect's own)
    setattr(dialect, "do_savepoint", savepoint)  # noqa: B010
    setattr(dialect, "do_release_savepoint", release)  # noqa: B010
    setattr(dialect, "do_rollback_to_savepoint", rollback_to)  # noqa: B010


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
    )
    _check_connections(engine)
    watch_pipelines(engine)
    _plain_savepoints(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    gate = FairGate(max_writers)
    order = CommitOrder()
    return Database(
        url=url,
        writer=factory,
        reader=factory,
        engines=(engine,),
        write_guard=gate,
        group=GroupCommit(factory, gate, order=order),
        urgent_group=GroupCommit(factory, gate, order=order),
    )


def _check_connections(engine: Engine) -> None:
    """The pool's pre-ping without its round trip on every checkout.

    An idle connection has nothing to read: if its socket is readable, the server closed
    it (a restart, an administrator's ``pg_terminate_backend``, an idle timeout) or sent
    a notice; only then, and after :data:`PING_AFTER_IDLE_S` unused, is it pinged. A
    connection that fails the ping is replaced, as the pre-ping did.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None:
            return  # just connected
        stale = time.monotonic() - returned > PING_AFTER_IDLE_S
        if not stale and dbapi_connection.closed:
            stale = True
        if not stale:
            readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
            stale = bool(readable)
        if not stale:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"connection lost: {error}") from error
