"""Atomic counters: ticket numbers and quota usage.

Both are one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the caller's
transaction: never read-then-write, so two transactions can never obtain the same
value, and a rollback (e.g. quota exceeded) gives the value back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from queue_server.persistence.fast import read_one
from queue_server.persistence.models import NumberSeriesRow, QuotaUsageRow

NUMBER_SERIES: Table = NumberSeriesRow.__table__  # type: ignore[assignment]
QUOTA_USAGE: Table = QuotaUsageRow.__table__  # type: ignore[assignment]


def _upsert(dialect: str, table: Table, keys: tuple[str, ...], column: str) -> ReturningInsert[Any]:
    """``INSERT keys, column = :amount ON CONFLICT (keys) DO UPDATE column += :amount``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    amount = bindparam("amount", type_=table.c[column].type)
    statement = insert(table).values(
        {**{key: bindparam(key, type_=table.c[key].type) for key in keys}, column: amount}
    )
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + amount}
    ).returning(table.c[column])


_NUMBER_KEYS = ("office_id", "series", "office_day")
_QUOTA_KEYS = ("office_id", "scope", "office_day")
#: Built once per dialect: building them per call cost more than running them.
_UPSERTS = {
    (dialect, table.name): _upsert(dialect, table, keys, column)
    for dialect in ("postgresql", "sqlite")
    for table, keys, column in (
        (NUMBER_SERIES, _NUMBER_KEYS, "last_number"),
        (QUOTA_USAGE, _QUOTA_KEYS, "used"),
    )
}


def _increment(session: Session, table: Table, keys: dict[str, Any], amount: int = 1) -> int:
    return _increment_later(session, table, keys, amount)()


def _increment_later(
    session: Session, table: Table, keys: dict[str, Any], amount: int = 1
) -> Callable[[], int]:
    """Send the upsert now; the returned call reads the new value (in pipeline mode with
    :func:`~queue_server.persistence.fast.ahead`, the answer travels with later statements)."""
    statement = _UPSERTS[session.get_bind().dialect.name, table.name]
    result = read_one(session, statement, {**keys, "amount": amount})
    return lambda: int(result.scalar_one())


def next_number(session: Session, *, office_id: str, series: str, office_day: date) -> int:
    """The next ticket number of ``series`` on ``office_day`` (1, 2, 3, ...)."""
    return next_number_later(session, office_id=office_id, series=series, office_day=office_day)()


def next_number_later(
    session: Session, *, office_id: str, series: str, office_day: date
) -> Callable[[], int]:
    """:func:`next_number`, read when the returned call is made."""
    keys = {"office_id": office_id, "series": series, "office_day": office_day}
    return _increment_later(session, NUMBER_SERIES, keys)


def reserve_numbers(
    session: Session, *, office_id: str, series: str, office_day: date, count: int
) -> tuple[int, int]:
    """Reserve ``count`` consecutive numbers of ``series`` (an offline kiosk's block).

    Returns the first and last number; online issuing continues after the block.
    """
    keys = {"office_id": office_id, "series": series, "office_day": office_day}
    last = _increment(session, NUMBER_SERIES, keys, count)
    return last - count + 1, last


def take_quota_place(
    session: Session, *, office_id: str, scope: str, office_day: date, places: int = 1
) -> int:
    """Count ``places`` more used in ``scope`` on ``office_day``; returns places used so far."""
    return take_quota_place_later(
        session, office_id=office_id, scope=scope, office_day=office_day, places=places
    )()


def take_quota_place_later(
    session: Session, *, office_id: str, scope: str, office_day: date, places: int = 1
) -> Callable[[], int]:
    """:func:`take_quota_place`, read when the returned call is made."""
    keys = {"office_id": office_id, "scope": scope, "office_day": office_day}
    return _increment_later(session, QUOTA_USAGE, keys, places)


def give_back_quota_place(
    session: Session, *, office_id: str, scope: str, office_day: date, places: int = 1
) -> bool:
    """Count ``places`` fewer used in ``scope`` on ``office_day`` (a cancelled place).

    One conditional ``UPDATE ... SET used = used - places WHERE used >= places``: the row
    lock it takes orders it with concurrent :func:`take_quota_place` calls (PostgreSQL; SQLite
    has one writer), and the counter never goes below zero. Returns whether it was counted.
    """
    table = QUOTA_USAGE
    result = session.execute(
        update(table)
        .where(
            table.c.office_id == office_id,
            table.c.scope == scope,
            table.c.office_day == office_day,
            table.c.used >= places,
        )
        .values(used=table.c.used - places)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]
