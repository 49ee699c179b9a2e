"""Writes joined into one statement on PostgreSQL (``fast.write`` within ``fast.ahead``).

Consecutive writes whose answers nobody reads travel as one statement (data-modifying
``WITH`` queries of the last); these tests check that this changes what is sent, never
what is stored: order where it matters, reads seeing earlier writes, errors, rollback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.persistence import fast
from tests.support.sent import Sent, ahead_unit

METADATA = MetaData()
PARENTS = Table(
    "parents",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("note", String(40)),
)
CHILDREN = Table(
    "children",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("parents.id"), nullable=False),
)
SLOTS = Table(
    "slots",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("holder", Integer, nullable=False),
    Column("live", Boolean, nullable=False),
    Index("uq_slots_live", "holder", unique=True, postgresql_where=text("live")),
)

ADD_PARENT = PARENTS.insert()
ADD_CHILD = CHILDREN.insert()
NOTE = PARENTS.update().where(PARENTS.c.id == bindparam("parent"))
ADD_SLOT = SLOTS.insert()
END_SLOT = SLOTS.update().where(SLOTS.c.id == bindparam("slot")).values(live=False)
#: Reads another table: never joined (it would not see the others' changes).
NOTE_FROM_CHILDREN = (
    PARENTS.update()
    .where(PARENTS.c.id == bindparam("parent"))
    .values(note=select(CHILDREN.c.id).limit(1).scalar_subquery().cast(String))
)


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    fast.watch_pipelines(engine)
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def _notes(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as connection:
        return {row.id: row.note for row in connection.execute(select(PARENTS))}


def test_writes_to_different_tables_go_as_one_statement(engine: Engine) -> None:
    sent = Sent(engine)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        fast.write(session, ADD_CHILD, {"parent_id": 1})  # its parent in the same statement
        fast.write(session, ADD_CHILD, {"parent_id": 1})  # inserts into one table join
        assert not sent.statements  # nothing sent until something else needs it
    assert len(sent.joined()) == 1
    assert sent.joined()[0].count(" AS (INSERT INTO") == 2
    with engine.connect() as connection:
        assert connection.execute(select(CHILDREN.c.parent_id)).scalars().all() == [1, 1]
    assert _notes(engine) == {1: "a"}


def test_a_second_update_of_a_table_waits_for_the_first(engine: Engine) -> None:
    """Two updates of one table are never in one statement (they would not see each
    other): the later one wins, as it would statement by statement."""
    sent = Sent(engine)
    with Session(engine) as session, session.begin():
        fast.run(session, ADD_PARENT, {"id": 1, "note": "a"})
        with fast.ahead(session):
            fast.write(session, NOTE, {"parent": 1, "note": "first"})
            fast.write(session, ADD_CHILD, {"parent_id": 1})
            fast.write(session, NOTE, {"parent": 1, "note": "second"})
    assert _notes(engine) == {1: "second"}
    updates = [s.count("UPDATE parents") for s in sent.statements]
    assert sorted(n for n in updates if n) == [1, 1]  # the first one joined the insert


def test_ending_one_live_row_and_inserting_the_next_keeps_their_order(engine: Engine) -> None:
    """Like a finish that queues the visit's next step (one live ticket per visit)."""
    with Session(engine) as session, session.begin():
        fast.run(session, ADD_SLOT, {"id": 1, "holder": 7, "live": True})
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, END_SLOT, {"slot": 1})
        fast.write(session, ADD_SLOT, {"id": 2, "holder": 7, "live": True})
    with engine.connect() as connection:
        rows = connection.execute(select(SLOTS.c.id, SLOTS.c.live).order_by(SLOTS.c.id)).all()
    assert [tuple(row) for row in rows] == [(1, False), (2, True)]


def test_a_read_sees_the_writes_before_it(engine: Engine) -> None:
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        fast.write(session, ADD_CHILD, {"parent_id": 1})
        # through the driver directly...
        assert fast.run(session, select(CHILDREN.c.parent_id), {}).scalars() == [1]
        fast.write(session, ADD_PARENT, {"id": 2, "note": "b"})
        # ...and through SQLAlchemy itself
        assert session.scalars(select(PARENTS.c.id).order_by(PARENTS.c.id)).all() == [1, 2]


def test_a_write_reading_another_table_is_not_joined(engine: Engine) -> None:
    sent = Sent(engine)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        fast.write(session, ADD_CHILD, {"id": 41, "parent_id": 1})
        fast.write(session, NOTE_FROM_CHILDREN, {"parent": 1})
    assert _notes(engine) == {1: "41"}  # it saw the child written just before it
    assert not any("WITH" in s and "SELECT children" in s for s in sent.statements)


def test_a_joined_statement_returns_the_last_statements_rows(engine: Engine) -> None:
    returning = CHILDREN.insert().returning(CHILDREN.c.id)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        result = fast.run(session, returning, {"id": 5, "parent_id": 1})
        assert result.scalar_one() == 5
        assert result.rowcount == 1


def test_an_error_in_joined_writes_fails_the_unit_and_stores_nothing(engine: Engine) -> None:
    with (
        pytest.raises(IntegrityError, match="children_parent_id_fkey"),
        Session(engine) as session,
        session.begin(),
        fast.ahead(session),
    ):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        fast.write(session, ADD_CHILD, {"parent_id": 2})  # no such parent
    assert _notes(engine) == {}


def test_writes_of_a_failing_unit_are_not_sent(engine: Engine) -> None:
    sent = Sent(engine)
    with pytest.raises(RuntimeError), ahead_unit(engine) as session:
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        raise RuntimeError("refused after writing")
    assert not any("parents" in s for s in sent.statements)
    assert _notes(engine) == {}


def test_writes_past_what_the_driver_keeps_parsed_are_split(engine: Engine) -> None:
    """A joined statement stays within psycopg's parsed-query cache (50 parameters)."""
    sent = Sent(engine)
    with Session(engine) as session, session.begin(), fast.ahead(session):
        fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
        for _ in range(60):  # 60 one-parameter inserts: more than 50 parameters joined
            fast.write(session, ADD_CHILD, {"parent_id": 1})
    joined = sent.joined()
    assert len(joined) >= 2
    assert all(s.count("%(") <= fast.MAX_JOINED_PARAMETERS for s in joined)
    assert all(len(s.encode()) <= fast.MAX_JOINED_SQL for s in joined)
    with engine.connect() as connection:
        assert len(connection.execute(select(CHILDREN.c.id)).all()) == 60


def test_outside_ahead_and_on_sqlite_a_write_runs_at_once(engine: Engine) -> None:
    sqlite = create_engine("sqlite://")
    METADATA.create_all(sqlite)
    for database in (engine, sqlite):
        sent = Sent(database)
        with Session(database) as session, session.begin():
            fast.write(session, ADD_PARENT, {"id": 1, "note": "a"})
            assert len(sent.statements) == 1
            with fast.ahead(session):  # SQLite: no pipeline, nothing waits
                if database is sqlite:
                    fast.write(session, ADD_CHILD, {"parent_id": 1})
                    assert len(sent.statements) == 2
    sqlite.dispose()
