"""One-row reads joined into one statement on PostgreSQL (``fast.read_one`` within
``fast.ahead``): an issue's office version, quota and number upserts and new ids.

Held reads travel as ``WITH`` queries of one statement answering one row; these tests
check that each still gets its own answer (typed, or none), that reads which could see
one another's effects are never joined, and that nothing held is lost or reordered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import (
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import InvalidRequestError, MultipleResultsFound
from sqlalchemy.orm import Session

from queue_server.persistence import fast
from tests.support.sent import Sent, ahead_unit

METADATA = MetaData()
COUNTS = Table(
    "counts",
    METADATA,
    Column("name", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)
DAYS = Table(
    "days",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("note", String(20)),
)

_insert = postgresql.insert(COUNTS).values(name=bindparam("name"), value=bindparam("amount"))
#: Like the number and quota upserts: one row, always.
BUMP = _insert.on_conflict_do_update(
    index_elements=["name"], set_={"value": COUNTS.c.value + bindparam("amount")}
).returning(COUNTS.c.value)
#: A read by key: one row or none, with a typed column (a date).
DAY = select(DAYS.c.day, DAYS.c.note).where(DAYS.c.id == bindparam("id"))
#: Reads the table BUMP writes: never joined with it.
VALUE = select(COUNTS.c.value).where(COUNTS.c.name == bindparam("name"))
ALL_DAYS = select(DAYS.c.id)  # more than one row: a caller's mistake, refused loudly


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    fast.watch_pipelines(engine)
    METADATA.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            DAYS.insert(),
            [
                {"id": 1, "day": date(2026, 12, 5), "note": "first"},
                {"id": 2, "day": date(2026, 12, 7), "note": None},
            ],
        )
    yield engine
    engine.dispose()


def test_held_reads_go_as_one_statement_and_each_gets_its_own_row(engine: Engine) -> None:
    sent = Sent(engine)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        day = fast.read_one(session, DAY, {"id": 1})
        bumped = fast.read_one(session, BUMP, {"name": "B", "amount": 1})
        missing = fast.read_one(session, DAY, {"id": 99})
        ids = fast.read_one(session, select(func.nextval("days_id_seq"), func.now()), {})
        assert sent.statements == []  # nothing sent until an answer is needed
        assert day.first() == (date(2026, 12, 5), "first")
        assert len(sent.statements) == 1 and sent.statements[0].startswith("WITH ")
        assert sent.statements[0].count(" AS (") == 4
        # a second upsert of the same table is never joined with the first
        other = fast.read_one(session, BUMP, {"name": "C", "amount": 5})
        assert bumped.scalar_one() == 1
        assert missing.first() is None and missing.all() == [] and missing.rowcount == 0
        assert isinstance(ids.first()[0], int)
        assert other.scalar_one() == 5
        assert fast.read_one(session, DAY, {"id": 2}).first() == (date(2026, 12, 7), None)
    assert len(sent.statements) == 3


def test_a_read_of_a_table_a_held_read_writes_waits_for_it(engine: Engine) -> None:
    """The upsert and a read of its table are never one statement (the read would not see
    the upsert): the read sees it, as statement by statement."""
    sent = Sent(engine)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.read_one(session, BUMP, {"name": "B", "amount": 2})
        value = fast.read_one(session, VALUE, {"name": "B"})
        again = fast.read_one(session, BUMP, {"name": "B", "amount": 3})
        assert value.scalar() == 2
        assert again.scalar_one() == 5
    assert not any(s.startswith("WITH ") for s in sent.statements)
    assert len(sent.statements) == 3


def test_held_reads_are_sent_before_any_other_statement(engine: Engine) -> None:
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.read_one(session, BUMP, {"name": "B", "amount": 4})
        # a plain statement through the driver, then one through SQLAlchemy itself
        assert fast.run(session, VALUE, {"name": "B"}).scalar() == 4
        fast.read_one(session, BUMP, {"name": "B", "amount": 1})
        assert session.scalar(select(COUNTS.c.value)) == 5
        fast.read_one(session, BUMP, {"name": "B", "amount": 1})
        fast.write(session, DAYS.update().values(note="x"), {})  # a write after a held read
    with engine.connect() as connection:
        assert connection.execute(select(COUNTS.c.value)).scalar() == 6
        assert set(connection.execute(select(DAYS.c.note)).scalars()) == {"x"}


def test_reads_held_when_the_unit_ends_are_sent_and_committed(engine: Engine) -> None:
    """A held upsert whose answer nobody read still counts (the unit's change)."""
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.read_one(session, BUMP, {"name": "B", "amount": 7})
    with engine.connect() as connection:
        assert connection.execute(select(COUNTS.c.value)).scalar() == 7


def test_reads_of_a_failing_unit_are_dropped_and_say_so(engine: Engine) -> None:
    sent = Sent(engine)
    with pytest.raises(RuntimeError), ahead_unit(engine) as session:
        held = fast.read_one(session, BUMP, {"name": "B", "amount": 1})
        raise RuntimeError("refused")
    assert not any("counts" in s for s in sent.statements)
    with pytest.raises(InvalidRequestError, match="dropped"):
        held.first()
    with engine.connect() as connection:
        assert connection.execute(select(COUNTS.c.value)).all() == []


def test_a_joined_read_answering_several_rows_is_refused(engine: Engine) -> None:
    with (
        Session(engine) as session,
        session.begin(),
        fast.ahead(session),
    ):
        fast.read_one(session, BUMP, {"name": "B", "amount": 1})
        several = fast.read_one(session, ALL_DAYS, {})
        with pytest.raises(MultipleResultsFound):
            several.all()


def test_outside_ahead_and_on_sqlite_a_read_runs_at_once(engine: Engine) -> None:
    sqlite = create_engine("sqlite://")
    METADATA.create_all(sqlite)
    with sqlite.begin() as connection:
        connection.execute(DAYS.insert(), {"id": 1, "day": date(2026, 12, 5), "note": "a"})
    for database in (engine, sqlite):
        sent = Sent(database)
        with Session(database) as session, session.begin():
            assert fast.read_one(session, DAY, {"id": 1}).first()[0] == date(2026, 12, 5)
            assert len(sent.statements) == 1
            with fast.ahead(session):  # SQLite: no pipeline, nothing waits
                if database is sqlite:
                    fast.read_one(session, DAY, {"id": 1})
                    assert len(sent.statements) == 2
    sqlite.dispose()
