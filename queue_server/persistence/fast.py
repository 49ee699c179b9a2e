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

Pipeline mode (PostgreSQL, psycopg): :func:`start_pipeline` puts the session's connection
in the driver's pipeline mode, where a statement is sent without waiting for its answer.
:func:`run` still waits for each answer unless the caller opened :func:`ahead`: then it
returns a :class:`PendingResult` whose rows are read when first asked for, so statements
whose answers are not needed before the next one travel together (one round trip for
all of them). :func:`reserve_ids` takes new rows' ids from their sequences in such a
batch, so inserts that refer to each other need no answer in between. Statements run
through SQLAlchemy itself (ORM, ``IN`` lists) wait for their answer as before (see
:func:`watch_pipelines`). Within :func:`ahead`, :func:`write` holds back writes whose
answers nobody reads and sends consecutive ones as one statement (data-modifying ``WITH``
queries): a call's counter, ticket, timeline, audit and outbox rows are one driver call.
Likewise :func:`read_one` holds statements that answer at most one row and sends
consecutive ones as one statement answering one row (an issue's office version, quota and
number upserts and new ids). SQLite has no pipeline: every function here then runs as
before.
"""

from __future__ import annotations

import re
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Delete, Engine, Insert, Table, Update, event, exc, func, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.util import find_tables

Processor = Callable[[Any], Any]


class _Form:
    """One statement compiled for one dialect and one set of parameter names."""

    __slots__ = (
        "binds",
        "defaults",
        "fallback",
        "inserts",
        "names",
        "positional",
        "results",
        "row",
        "sql",
        "tables",
        "writes",
    )

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
        #: The table an INSERT, UPDATE or DELETE writes when it reads no other table and
        #: its SQL can be joined with others' (see :func:`write`); else None.
        self.writes: str | None = _joinable_target(statement, self)
        self.inserts = isinstance(statement, Insert)
        #: The tables it touches if it may be joined with other one-row reads (see
        #: :func:`read_one`); else None.
        self.tables: frozenset[str] | None = _joinable_tables(statement, self)

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

    @classmethod
    def joined(cls, forms: tuple[_Form, ...]) -> _Form:
        """One statement running ``forms`` (writes, see :func:`write`): all but the last
        as data-modifying ``WITH`` queries of the last, whose rows and row count it has.
        Parameters are renamed ``w<index>_<name>`` (see :func:`_joined`)."""
        *members, main = forms
        queries = ", ".join(f"w{i} AS ({_renamed(i, form.sql)})" for i, form in enumerate(members))
        joined = cls.__new__(cls)
        joined.sql = f"WITH {queries} {_renamed(len(members), main.sql)}"
        joined.positional, joined.fallback = False, False
        joined.names, joined.binds, joined.defaults = [], {}, {}
        joined.results, joined.row = main.results, main.row
        joined.writes, joined.inserts, joined.tables = None, False, None  # never joined again
        return joined

    @classmethod
    def joined_reads(cls, forms: tuple[_Form, ...]) -> _Form:
        """One statement running ``forms`` (each at most one row, see :func:`read_one`) as
        ``WITH`` queries, answering one row: for each, a presence flag (NULL when it had
        no row) and its columns. Parameters are renamed as for writes; the row comes
        unprocessed (each form's result processors apply to its own columns)."""
        queries = ", ".join(f"w{i} AS ({_renamed(i, form.sql)})" for i, form in enumerate(forms))
        columns = ", ".join(f"j{i}.*" for i in range(len(forms)))
        joins = " ".join(
            f"LEFT JOIN (SELECT true AS present, w{i}.* FROM w{i}) AS j{i} ON true"
            for i in range(len(forms))
        )
        joined = cls.__new__(cls)
        joined.sql = f"WITH {queries} SELECT {columns} FROM (SELECT 1) AS one {joins}"
        joined.positional, joined.fallback = False, False
        joined.names, joined.binds, joined.defaults = [], {}, {}
        joined.results, joined.row = [], None
        joined.writes, joined.inserts, joined.tables = None, False, None
        return joined


#: A bound parameter in SQL compiled for psycopg (``pyformat``): ``%(name)s``.
_PARAMETER = re.compile(r"%\((\w+)\)s")


def _renamed(index: int, sql: str) -> str:
    return _PARAMETER.sub(lambda found: f"%(w{index}_{found.group(1)})s", sql)


def _joinable_target(statement: ClauseElement, form: _Form) -> str | None:
    """The table an INSERT, UPDATE or DELETE writes if it may be joined with other
    writes: it reads no other table (it would not see the others' changes), its values
    are already bound, and its parameters can be renamed."""
    if not isinstance(statement, Insert | Update | Delete):
        return None
    table = statement.table
    if not isinstance(table, Table) or form.positional or form.fallback or "%%" in form.sql:
        return None
    found = find_tables(statement, check_columns=True, include_crud=True)
    return table.name if all(other is table for other in found) else None


def _joinable_tables(statement: ClauseElement, form: _Form) -> frozenset[str] | None:
    """What a statement answering at most one row touches, if it may be joined with
    others (:func:`read_one`): a write only its own table (as for :func:`write`) and with
    RETURNING columns, a read any tables; its parameters must be renamable."""
    if form.row is None or form.positional or form.fallback or "%%" in form.sql:
        return None
    if isinstance(statement, Insert | Update | Delete):
        return None if form.writes is None else frozenset((form.writes,))
    names = frozenset(getattr(table, "name", None) for table in find_tables(statement))
    return None if None in names else frozenset(name for name in names if name is not None)


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


class PendingResult(FastResult):
    """A result still on its way in pipeline mode: read (one round trip for everything
    sent so far) when its rows or row count are first asked for."""

    __slots__ = ("_connection", "_cursor", "_form", "_parameters")

    def __init__(self, connection: Connection, cursor: Any, form: _Form, parameters: Any) -> None:
        self._connection, self._cursor = connection, cursor
        self._form, self._parameters = form, parameters

    def __getattr__(self, name: str) -> Any:
        # Only the unset slots ``rows`` and ``rowcount`` get here: read the answer.
        if name not in ("rows", "rowcount"):
            raise AttributeError(name)
        cursor, self._cursor = self._cursor, None
        if cursor is None:
            raise AttributeError(name)
        try:
            done = _answer(self._connection, cursor, self._form, self._parameters)
        finally:
            cursor.close()
        self.rows, self.rowcount = done.rows, done.rowcount
        return getattr(self, name)


class HeldResult(FastResult):
    """The one row (or none) of a statement held by :func:`read_one`: sent, joined with
    the reads held beside it, when its rows are first asked for or before any other
    statement."""

    __slots__ = ("_form", "_index", "_source", "_state")

    def __init__(self, state: _Pipeline, form: _Form) -> None:
        self._state, self._form = state, form
        #: Once sent: the joined statement's result, and where this one's columns start
        #: (None: it went alone, its own statement).
        self._source: FastResult | None = None
        self._index: int | None = None

    def __getattr__(self, name: str) -> Any:
        # Only the unset slots ``rows`` and ``rowcount`` get here: send, then read.
        if name not in ("rows", "rowcount"):
            raise AttributeError(name)
        if self._source is None:
            state = self._state
            if state.connection is None or not any(part is self for _, _, part in state.reads):
                raise exc.InvalidRequestError("a held read was dropped (its unit failed)")
            _send_reads(state.connection, state)
        source = self._source
        assert source is not None
        if self._index is None:
            self.rows, self.rowcount = source.rows, source.rowcount
        else:
            self.rows = _part_rows(self._form, source.rows, self._index)
            self.rowcount = len(self.rows)
        return getattr(self, name)


def _part_rows(form: _Form, rows: list[Any], start: int) -> list[Any]:
    """One joined read's rows out of the joined statement's one row (see
    :meth:`_Form.joined_reads`): its presence flag at ``start``, its columns after."""
    if len(rows) != 1:
        raise exc.MultipleResultsFound("a joined read answered more than one row")
    row = rows[0]
    if row[start] is None:
        return []
    values = row[start + 1 : start + 1 + len(form.results)]
    return [
        form.row._make(
            value if process is None else process(value)
            for process, value in zip(form.results, values, strict=True)
        )
    ]


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


def write(session: Session, statement: Any, values: Mapping[str, Any]) -> None:
    """Run a write whose answer nobody reads (an INSERT, UPDATE or DELETE built once).

    Within :func:`ahead` on PostgreSQL it waits to travel with the writes after it: they
    go as one statement, the earlier ones as data-modifying ``WITH`` queries of the last
    (one driver call for a unit's ticket, timeline, audit and outbox rows instead of one
    each). Writes are joined only when none can see another's effects: different tables,
    or inserts into one table, each reading only the table it writes. Whatever is waiting
    is sent before any other statement of the session (its own or SQLAlchemy's), and
    when :func:`ahead` ends; an error comes out where pipeline mode raises it anyway,
    when the answers are read. Elsewhere it runs at once, as :func:`run`.
    """
    found = _state(session)
    if found is None or not found[1].ahead:
        run(session, statement, values)
        return
    session._autoflush()
    connection, state = found
    form = _form(statement, connection.dialect, tuple(values))
    if form.writes is None:
        run(session, statement, values)
        return
    _send_reads(connection, state)
    if not _may_join(state.writes, form):
        _send_writes(connection, state)
    state.writes.append((form, form.parameters(values)))


def read_one(session: Session, statement: Any, values: Mapping[str, Any]) -> FastResult:
    """Run a statement that answers at most one row (a read by key, an upsert with
    RETURNING, ``nextval``) whose answer may wait.

    Within :func:`ahead` on PostgreSQL it waits to travel with the next such reads: they
    go as one statement, each a ``WITH`` query, answering one row with the columns of
    all (an issue's office version, quota and number upserts and new ids: one driver
    call instead of four). Reads are joined only when none writes a table another
    touches (an upsert reads only its own table). Held reads are sent when one of them is
    read, before any other statement of the session, and when :func:`ahead` ends.
    Elsewhere it runs as :func:`run`.
    """
    found = _state(session)
    if found is None or not found[1].ahead:
        return run(session, statement, values)
    session._autoflush()
    connection, state = found
    form = _form(statement, connection.dialect, tuple(values))
    if form.tables is None:
        return run(session, statement, values)
    _send_writes(connection, state)
    if not _may_join_reads(state.reads, form):
        _send_reads(connection, state)
    part = HeldResult(state, form)
    state.connection = connection
    state.reads.append((form, form.parameters(values), part))
    return part


def _may_join_reads(reads: list[tuple[_Form, Any, HeldResult]], form: _Form) -> bool:
    tables, writes = form.tables or frozenset(), form.writes
    size, parameters = _joined_size(form)
    for other, _, _ in reads:
        touched = other.tables or frozenset()
        if (writes is not None and writes in touched) or (
            other.writes is not None and other.writes in tables
        ):
            return False
        more, named = _joined_size(other)
        size, parameters = size + more + 60, parameters + named
    return size <= MAX_JOINED_SQL and parameters <= MAX_JOINED_PARAMETERS


def _send_reads(connection: Connection, state: _Pipeline) -> None:
    """Send the reads held in ``state`` (see :func:`read_one`), joined when more than one."""
    reads, state.reads = state.reads, []
    if not reads:
        return
    if len(reads) == 1:
        form, parameters, part = reads[0]
        part._source = _execute(connection, form, parameters)
        return
    forms = tuple(form for form, _, _ in reads)
    key = ("reads", *map(id, forms))
    found = _JOINED_READS.get(key)
    if found is None or any(a is not b for a, b in zip(found[0], forms, strict=True)):
        found = _JOINED_READS[key] = (forms, _Form.joined_reads(forms))
    values = {
        f"w{index}_{name}": value
        for index, (_, parameters, _) in enumerate(reads)
        for name, value in parameters.items()
    }
    result = _execute(connection, found[1], values)
    start = 0
    for form, _, part in reads:
        part._source, part._index = result, start
        start += 1 + len(form.results)


_JOINED_READS: dict[tuple[Any, ...], tuple[tuple[_Form, ...], _Form]] = {}


def _send_held(connection: Connection, state: _Pipeline) -> None:
    """Send whatever waits: held reads, then held writes (one of the two at a time)."""
    _send_reads(connection, state)
    _send_writes(connection, state)


#: A joined statement stays within what psycopg keeps parsed between executions (its
#: ``MAX_CACHED_STATEMENT_LENGTH`` and ``..._PARAMS``): a longer one is parsed anew each
#: time, which cost more (0.36 ms for an issue's five inserts) than the calls it saves.
MAX_JOINED_SQL = 4096
MAX_JOINED_PARAMETERS = 50


def _may_join(writes: list[tuple[_Form, Any]], form: _Form) -> bool:
    if form.writes is None:
        return False
    size, parameters = _joined_size(form)
    for other, _ in writes:
        if other.writes == form.writes and not (other.inserts and form.inserts):
            return False
        more, named = _joined_size(other)
        size, parameters = size + more, parameters + named
    return size <= MAX_JOINED_SQL and parameters <= MAX_JOINED_PARAMETERS


def _joined_size(form: _Form) -> tuple[int, int]:
    """About how many bytes and parameters ``form`` adds to a joined statement."""
    return len(form.sql) + 4 * len(form.names) + 12, len(form.names)


_JOINED: dict[tuple[int, ...], tuple[tuple[_Form, ...], _Form]] = {}


def _joined(writes: list[tuple[_Form, Any]]) -> tuple[_Form, Any]:
    """The statement and parameters running ``writes`` (two or more) as one."""
    forms = tuple(form for form, _ in writes)
    key = tuple(map(id, forms))
    found = _JOINED.get(key)
    if found is None or any(a is not b for a, b in zip(found[0], forms, strict=True)):
        found = _JOINED[key] = (forms, _Form.joined(forms))
    parameters = {
        f"w{index}_{name}": value
        for index, (_, values) in enumerate(writes)
        for name, value in values.items()
    }
    return found[1], parameters


def _send_writes(connection: Connection, state: _Pipeline) -> None:
    """Send the writes waiting in ``state`` (their answer is read with the next ones)."""
    writes, state.writes = state.writes, []
    if writes:
        form, parameters = writes[0] if len(writes) == 1 else _joined(writes)
        _execute(connection, form, parameters)


def _execute(connection: Connection, form: _Form, parameters: Any) -> FastResult:
    dialect = connection.dialect
    state = connection.info.get(_PIPELINE)
    if state is not None and state.reads:
        _send_reads(connection, state)
    if state is not None and state.writes:
        if _may_join(state.writes, form):
            form, parameters = _joined([*state.writes, (form, parameters)])
            state.writes = []
        else:
            _send_writes(connection, state)
    if connection.dispatch.before_cursor_execute:
        connection.dispatch.before_cursor_execute(
            connection, None, form.sql, parameters, None, False
        )
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(form.sql, parameters)
    except dialect.loaded_dbapi.Error as error:
        cursor.close()
        _recover(connection)
        raise _wrapped(form.sql, parameters, error, dialect) from error
    except BaseException:
        cursor.close()
        raise
    if state is not None and state.ahead:
        return PendingResult(connection, cursor, form, parameters)
    try:
        return _answer(connection, cursor, form, parameters)
    finally:
        cursor.close()


def _answer(connection: Connection, cursor: Any, form: _Form, parameters: Any) -> FastResult:
    """The rows of an executed statement (in pipeline mode: after a round trip)."""
    dialect = connection.dialect
    state = connection.info.get(_PIPELINE)
    try:
        if state is not None and cursor.pgresult is None:
            state.pipeline.sync()
        raw = cursor.fetchall() if cursor.description is not None else []
        rowcount = cursor.rowcount
    except dialect.loaded_dbapi.Error as error:
        _recover(connection)
        raise _wrapped(form.sql, parameters, error, dialect) from error
    if not raw:
        return FastResult([], rowcount)
    if form.row is None:  # a text() statement: no typed columns, plain tuples
        return FastResult([tuple(row) for row in raw], rowcount)
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


def _wrapped(sql: str, parameters: Any, error: Exception, dialect: Dialect) -> Exception:
    """The driver's error as SQLAlchemy's exception (``IntegrityError``...)."""
    return exc.DBAPIError.instance(
        sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
    )


# -- pipeline mode (PostgreSQL) --------------------------------------------------------


class _Pipeline:
    """The driver's pipeline on one connection, and whether answers may wait."""

    __slots__ = (
        "ahead",
        "began",
        "connection",
        "manager",
        "pipeline",
        "reads",
        "reserved",
        "writes",
    )

    def __init__(self, manager: Any, *, began: bool) -> None:
        #: ``psycopg.Connection.pipeline()``, entered: leaving it sends a sync and waits.
        self.manager = manager
        self.pipeline = manager.__enter__()
        #: We sent BEGIN (the driver in autocommit mode until the transaction ends).
        self.began = began
        self.ahead = False
        #: Table name -> ids taken from its sequence and not used yet: (result, column).
        self.reserved: dict[str, list[tuple[FastResult, int]]] = {}
        #: Writes waiting to be sent as one statement (see :func:`write`).
        self.writes: list[tuple[_Form, Any]] = []
        #: One-row reads waiting to be sent as one statement (see :func:`read_one`).
        self.reads: list[tuple[_Form, Any, HeldResult]] = []
        #: The SQLAlchemy connection the pipeline is on (set by :func:`read_one`).
        self.connection: Connection | None = None


#: In ``Connection.info`` (the pooled connection's) while its pipeline is on.
_PIPELINE = "antre.fast.pipeline"
#: ``psycopg.pq.PipelineStatus.ABORTED``: an error skips what follows until a sync.
_ABORTED = 2
#: ``psycopg.pq.TransactionStatus.IDLE``: no transaction open.
_IDLE = 0


def start_pipeline(session: Session) -> None:
    """Put the session's connection in pipeline mode until its transaction is committed
    or it goes back to the pool (PostgreSQL with psycopg; elsewhere nothing changes).

    Before the transaction has begun, BEGIN is sent by us and travels with the first
    statements (psycopg's own would wait for its answer), the driver in autocommit mode
    meanwhile.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = _connection(session)
    dbapi: Any = connection.connection.dbapi_connection
    session.info[_PIPELINE] = True
    if _PIPELINE in connection.info or not hasattr(dbapi, "pipeline"):
        return
    begin = dbapi.info.transaction_status == _IDLE
    if begin and dbapi.isolation_level is not None:
        return  # a transaction of its own kind: begun by psycopg, as usual
    if begin:
        dbapi.autocommit = True
    state = _Pipeline(dbapi.pipeline(), began=begin)
    connection.info[_PIPELINE] = state
    if begin:
        cursor = dbapi.cursor()
        cursor.execute("BEGIN")
        cursor.close()


def _commit_in_pipeline(connection: Connection) -> None:
    """SQLAlchemy is about to commit (after the session's flush and its ``before_commit``
    listeners): in pipeline mode, COMMIT goes with whatever is still on its way and the
    sync that ends pipeline mode (one round trip); the driver's own commit then finds the
    transaction done and sends nothing."""
    state = connection.info.get(_PIPELINE)
    if state is None:
        return
    _send_held(connection, state)
    del connection.info[_PIPELINE]
    dialect = connection.dialect
    dbapi: Any = connection.connection.dbapi_connection
    try:
        cursor = dbapi.cursor()
        cursor.execute("COMMIT")
        state.manager.__exit__(None, None, None)
    except dialect.loaded_dbapi.Error as error:
        _leave(dbapi, state)
        raise _wrapped("COMMIT", None, error, dialect) from error
    if state.began:
        dbapi.autocommit = False


def _leave(dbapi: Any, state: _Pipeline) -> None:
    """Leave pipeline mode whatever happened: what is left of the transaction is rolled
    back and the driver leaves autocommit mode (a broken connection: the pool drops it)."""
    with suppress(Exception):
        state.manager.__exit__(None, None, None)
    if state.began:
        with suppress(Exception):
            if dbapi.info.transaction_status != _IDLE:
                dbapi.rollback()
            dbapi.autocommit = False


def _state(session: Session) -> tuple[Connection, _Pipeline] | None:
    """The session's connection and its pipeline, if :func:`start_pipeline` turned it on."""
    if not session.info.get(_PIPELINE):
        return None
    connection = _connection(session)
    state = connection.info.get(_PIPELINE)
    return None if state is None else (connection, state)


def _end_pipeline(dbapi_connection: Any, record: Any) -> None:
    """Leave pipeline mode before the pool resets (rolls back) or takes back the connection."""
    state = None if record is None else record.info.pop(_PIPELINE, None)
    if state is not None:
        _leave(dbapi_connection, state)


def _end_pipeline_on_reset(dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    _end_pipeline(dbapi_connection, record)


def watch_pipelines(engine: Engine) -> None:
    """Make ``engine`` safe for :func:`start_pipeline`: a statement that SQLAlchemy runs
    itself waits for its answer (SQLAlchemy reads it at once), except SAVEPOINT and
    RELEASE, which travel with what follows; COMMIT travels with the last sync; pipeline
    mode ends with the commit, or when the connection goes back to the pool."""
    event.listen(engine, "before_cursor_execute", _writes_first)
    event.listen(engine, "after_cursor_execute", _settle_after)
    event.listen(engine, "commit", _commit_in_pipeline)
    event.listen(engine, "reset", _end_pipeline_on_reset)
    event.listen(engine, "checkin", _end_pipeline)


def _writes_first(connection: Connection, *_rest: Any) -> None:
    state = connection.info.get(_PIPELINE)
    if state is not None and (state.writes or state.reads):
        _send_held(connection, state)


def _settle_after(connection: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
    state = connection.info.get(_PIPELINE)
    if state is not None and not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
        state.pipeline.sync()  # errors go through SQLAlchemy's handling of the statement


def _recover(connection: Connection) -> None:
    """After an error in pipeline mode: sync if the pipeline was left aborted (the error
    came without one), so the next statements are not skipped."""
    state = connection.info.get(_PIPELINE)
    if state is not None and state.pipeline.status == _ABORTED:
        with suppress(connection.dialect.loaded_dbapi.Error):
            state.pipeline.sync()


@contextmanager
def ahead(session: Session, *, settled: bool = True) -> Iterator[None]:
    """Within: :func:`run` does not wait for answers (pipeline mode only); on the way out
    everything sent is settled, errors raised as SQLAlchemy's exceptions. ``settled=False``:
    what is still on its way is only sent; the caller settles it (:func:`settle`), or the
    COMMIT's sync does (one round trip less), its error then raised by the commit."""
    start_pipeline(session)
    found = _state(session)
    if found is None or found[1].ahead:
        yield
        return
    connection, state = found
    state.ahead = True
    try:
        yield
        _send_held(connection, state)
    except BaseException:
        state.writes.clear()  # undone by the rollback that follows: not worth sending
        state.reads.clear()
        # Settle quietly what is still on its way: the unit is failing already, and the
        # rollback that follows must not meet an error of a statement it undoes.
        if state.pipeline.result_queue or state.pipeline.command_queue:
            with suppress(connection.dialect.loaded_dbapi.Error):
                state.pipeline.sync()
        raise
    finally:
        state.ahead = False
        state.reserved.clear()
    if settled:
        settle(session)


def unsettled(session: Session) -> bool:
    """Whether answers of the session's statements are still on their way."""
    found = _state(session)
    return found is not None and bool(
        found[1].writes or found[1].reads or found[1].pipeline.result_queue
    )


def settle(session: Session) -> None:
    """Wait for every answer still on its way (one round trip; none if nothing is)."""
    found = _state(session)
    if found is None:
        return
    connection, state = found
    _send_held(connection, state)
    if not state.pipeline.result_queue:
        return
    dialect = connection.dialect
    try:
        state.pipeline.sync()
    except dialect.loaded_dbapi.Error as error:
        _recover(connection)
        raise _wrapped("(pipeline)", None, error, dialect) from error


def reserve_ids(session: Session, *tables: Table) -> None:
    """Ahead of inserts into ``tables`` (one row each), take their ids from the tables'
    sequences in one statement of the current batch (within :func:`ahead` only)."""
    found = _state(session)
    if found is None or not found[1].ahead:
        return
    state = found[1]
    names = tuple(table.name for table in tables)
    statement = _NEXT_IDS.get(names)
    if statement is None:
        statement = _NEXT_IDS[names] = select(
            *(func.nextval(func.pg_get_serial_sequence(t.name, t.c.id.name)) for t in tables)
        )
    result = read_one(session, statement, {})
    for index, name in enumerate(names):
        state.reserved.setdefault(name, []).append((result, index))


def reserved_id(session: Session, table: Table) -> int | None:
    """An id reserved for a new row of ``table`` (used up), or None."""
    found = _state(session)
    waiting = None if found is None else found[1].reserved.get(table.name)
    if not waiting:
        return None
    result, index = waiting.pop(0)
    return int(result.first()[index])


_NEXT_IDS: dict[tuple[str, ...], Any] = {}
