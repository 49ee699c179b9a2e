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


def _increment(session: Session, table: Table, keys: dict[str, Any], column: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(table).values(**keys, **{column: 1})
    statement = upsert.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + 1}
    ).returning(table.c[column])
    value = session.execute(statement).scalar_one()
    return int(value)


def next_number(session: Session, *, office_id: str, series: str, office_day: date) -> int:
    """The next ticket number of ``series`` on ``office_day`` (1, 2, 3, ...)."""
    keys = {"office_id": office_id, "series": series, "office_day": office_day}
    return _increment(session, NumberSeriesRow.__table__, keys, "last_number")  # type: ignore[arg-type]


def take_quota_place(session: Session, *, office_id: str, scope: str, office_day: date) -> int:
    """Count one more place used in ``scope`` on ``office_day``; returns places used so far."""
    keys = {"office_id": office_id, "scope": scope, "office_day": office_day}
    return _increment(session, QuotaUsageRow.__table__, keys, "used")  # type: ignore[arg-type]
