"""The planner uses the indexes the hot queries were written for (SQLite's plans).

A partial index is used only when the query repeats its condition as written, not as a
bound parameter: the applicant at each counter was read by a full scan of ``tickets``
while its status was a parameter (found with ``EXPLAIN QUERY PLAN`` on a simulated day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, create_engine, event, select

from queue_server.bootstrap import prepare_database
from queue_server.config import ServerConfig
from queue_server.persistence.models import TicketRow
from queue_server.persistence.statements import AT_COUNTER
from queue_server.services.queries import (
    COUNTER_HISTORY,
    COUNTERS_WITH_TICKETS,
    JOINS_SINCE,
    TODAYS_BOOKINGS,
)

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder: Path = tmp_path_factory.mktemp("plans")
    address = f"sqlite:///{folder / 'antre.db'}"
    prepare_database(ServerConfig(database_url=address, secret_key="x" * 32, nik_key="plans"))
    return address


def plan(url: str, statement: Select, params: dict[str, object]) -> str:
    """The plan SQLite makes for ``statement`` with ``params``, as the server runs it."""
    engine = create_engine(url)

    def explain(*args: object) -> tuple[str, object]:
        sql, parameters = args[2], args[3]
        return f"EXPLAIN QUERY PLAN {sql}", parameters

    event.listen(engine, "before_cursor_execute", explain, retval=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(statement, params).cursor.fetchall()  # raw: no types
            return " | ".join(str(row[3]) for row in rows)
    finally:
        engine.dispose()


def test_the_applicant_at_a_counter_uses_the_partial_index(url: str) -> None:
    statement = select(TicketRow).where(TicketRow.counter_pk == 1, AT_COUNTER)
    found = plan(url, statement, {})
    assert "uq_tickets_active_per_counter" in found, found
    assert "SCAN tickets" not in found


def test_the_board_finds_each_counters_applicant_by_the_partial_index(url: str) -> None:
    found = plan(url, COUNTERS_WITH_TICKETS, {"office_id": "o"})
    assert "uq_tickets_active_per_counter" in found, found
    assert "SCAN tickets" not in found


@pytest.mark.parametrize(
    ("statement", "params", "index"),
    [
        (
            JOINS_SINCE,
            {"office_id": "o", "office_day": date(2026, 12, 4), "stations": ["CS"], "since": NOW},
            "COVERING INDEX ix_tickets_joins",
        ),
        (
            TODAYS_BOOKINGS,
            {"office_id": "o", "office_day": date(2026, 12, 4)},
            "COVERING INDEX ix_bookings_day",
        ),
        (
            COUNTER_HISTORY,
            {"office_id": "o", "since": NOW},
            "COVERING INDEX ix_audit_log_office_action",
        ),
    ],
    ids=["arrivals", "bookings", "counter-history"],
)
def test_the_estimate_inputs_read_only_their_index(
    url: str, statement: Select, params: dict[str, object], index: str
) -> None:
    found = plan(url, statement, params)
    assert index in found, found
