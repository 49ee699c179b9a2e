"""Atomic counters: ticket numbers and quota usage.

Both are one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the caller's
transaction: never read-then-write, so two transactions can never obtain the same
value, and a rollback (e.g. quota exceeded) gives the value back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queue_server.persistence.models import NumberSeriesRow, QuotaUsageRow


def _increment(
    session: Session, table: Table, keys: dict[str, Any], column: str, amount: int = 1
) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(table).values(**keys, **{column: amount})
    statement = upsert.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + amount}
    ).returning(table.c[column])
    value = session.execute(statement).scalar_one()
    return int(value)


def next_number(session: Session, *, office_id: str, series: str, office_day: date) -> int:
    """The next ticket number of ``series`` on ``office_day`` (1, 2, 3, ...)."""
    keys = {"office_id": office_id, "series": series, "office_day": office_day}
    return _increment(session, NumberSeriesRow.__table__, keys, "last_number")  # type: ignore[arg-type]


def reserve_numbers(
    session: Session, *, office_id: str, series: str, office_day: date, count: int
) -> tuple[int, int]:
    """Reserve ``count`` consecutive numbers of ``series`` (an offline kiosk's block).

    Returns the first and last number; online issuing continues after the block.
    """
    keys = {"office_id": office_id, "series": series, "office_day": office_day}
    table = NumberSeriesRow.__table__
    last = _increment(session, table, keys, "last_number", count)  # type: ignore[arg-type]
    return last - count + 1, last


def take_quota_place(
    session: Session, *, office_id: str, scope: str, office_day: date, places: int = 1
) -> int:
    """Count ``places`` more used in ``scope`` on ``office_day``; returns places used so far."""
    keys = {"office_id": office_id, "scope": scope, "office_day": office_day}
    table = QuotaUsageRow.__table__
    return _increment(session, table, keys, "used", places)  # type: ignore[arg-type]
