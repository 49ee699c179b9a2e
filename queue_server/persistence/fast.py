"""The hot paths' statements run straight on the database driver's cursor.

Executing a prebuilt Core statement through SQLAlchemy still costs about 25-30 us of
Python per call (cache key, execution context, parameter and result set-up); the
driver itself needs 1-3 us. :func:`run` compiles a statement once per dialect and set of
parameter names, keeps its SQL text, bind processors (UTC datetimes, dates, JSON,
booleans) and result processors, and then only binds values on the session's own
connection, in its transaction. Driver errors come out as SQLAlchemy's exceptions
(``IntegrityError``...), and the engine's ``before_cursor_execute`` listeners are still
called (statement counts in tests and benchmarks).

Only for statements without expanding (``IN``) parameters and without Python-side
column defaults to fill in; anything else goes through the session as usual.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any]


class _Form:
    """One statement compiled for one dialect and one set of parameter names."""

    __slots__ = ("binds", "defaults", "fallback", "names", "positional", "results", "row", "sql")

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: list[str]) -> None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=keys)
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        every = compiled.construct_params(_check=False)  # rendered name -> value
        self.names: list[str] = list(compiled.positiontup or every)
        self.binds: dict[str, Processor] = dict(compiled._bind_processors)
        self.defaults: dict[str, Any] = {
            name: value for name, value in every.items() if name not in keys
        }
        self.fallback = bool(
            compiled.insert_prefetch
            or compiled.update_prefetch
            or getattr(compiled, "_render_postcompile", False)
            or any(bind.expanding for bind in compiled.binds.values())
        )
        columns = list(compiled._result_columns)
        self.results: list[Processor | None] = [
            column.type._cached_result_processor(dialect, None) for column in columns
        ]
        names = [column.keyname for column in columns]
        self.row: Any = namedtuple("Row", names, rename=True) if names else None

    def parameters(self, values: Mapping[str, Any]) -> Any:
        merged = {**self.defaults, **values} if self.defaults else values
        binds = self.binds
        if self.positional:
            return tuple(
                binds[name](merged[name]) if name in binds else merged[name] for name in self.names
            )
        return {
            name: binds[name](merged[name]) if name in binds else merged[name]
            for name in self.names
        }


class FastResult:
    """The rows of one execution (already fetched) and the rows changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows, self.rowcount = rows, rowcount

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        if len(self.rows) != 1:
            raise exc.NoResultFound("expected exactly one row")
        return self.rows[0][0]

    def all(self) -> list[Any]:
        return self.rows

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


_FORMS: dict[tuple[int, str, tuple[str, ...]], tuple[ClauseElement, _Form]] = {}


def _form(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Form:
    key = (id(statement), dialect.name, keys)
    found = _FORMS.get(key)
    if found is None or found[0] is not statement:
        found = (statement, _Form(statement, dialect, list(keys)))
        _FORMS[key] = found
    return found[1]


def run(session: Session, statement: Any, values: Mapping[str, Any]) -> FastResult | Any:
    """Execute ``statement`` with ``values`` in the session's transaction; its rows.

    Pending ORM changes are flushed first, as ``Session.execute`` would.
    """
    session._autoflush()
    connection = _connection(session)
    dialect = connection.dialect
    form = _form(statement, dialect, tuple(values))
    if form.fallback:
        result = connection.execute(statement, dict(values))
        rows = list(result) if result.returns_rows else []
        return FastResult(rows, result.rowcount)
    parameters = form.parameters(values)
    return _execute(connection, form, parameters)


def _connection(session: Session) -> Connection:
    """The session's connection, remembered for its current transaction (asking the
    session each time cost about as much as running the statement)."""
    transaction = session._transaction
    remembered = session.info.get(_CONNECTION)
    if remembered is not None and transaction is not None and remembered[0]() is transaction:
        connection: Connection = remembered[1]
        return connection
    connection = session.connection()
    # A weak reference: the transaction refers to its session, so a strong one here would
    # make every session a reference cycle, freed only by the cyclic garbage collector,
    # whose full passes stalled requests for 50-150 ms under load.
    current = session._transaction  # (begun by connection() when there was none)
    if current is not None:
        session.info[_CONNECTION] = (weakref.ref(current), connection)
    return connection


_CONNECTION = "antre.fast.connection"


def _execute(connection: Connection, form: _Form, parameters: Any) -> FastResult:
    dialect = connection.dialect
    if connection.dispatch.before_cursor_execute:
        connection.dispatch.before_cursor_execute(
            connection, None, form.sql, parameters, None, False
        )
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(form.sql, parameters)
        raw = cursor.fetchall() if cursor.description is not None else []
        rowcount = cursor.rowcount
    except dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(
            form.sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    finally:
        cursor.close()
    if form.row is None or not raw:
        return FastResult([], rowcount)
    processors = form.results
    make = form.row._make
    if any(processors):
        rows = [
            make(
                value if process is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in raw
        ]
    else:
        rows = [make(row) for row in raw]
    return FastResult(rows, rowcount)
