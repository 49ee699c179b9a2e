"""Read the stored history of a range of office days into plain records (the only SQL).

One record per ticket (a visit's place in one queue, i.e. one journey step), with what
its events say: when it was first called, when it first left the waiting state, and
whether it was ever a no-show, transferred or cancelled. Everything else the reports
compute in Python from these records (:mod:`queue_server.services.reports.figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from queue_server.domain.ids import TicketStatus
from queue_server.persistence.models import (
    CounterRow,
    QuotaUsageRow,
    RatingRow,
    TicketEventRow,
    TicketRow,
    UserRow,
    VisitRow,
)
from queue_server.persistence.types import UTCDateTime

CALL_ACTIONS = ("call", "call_specific")
#: The statuses after which the time since the (last) start is service time.
SERVED_STATUSES = (TicketStatus.DONE.value, TicketStatus.TRANSFERRED.value)


@dataclass(frozen=True)
class TicketRecord:
    id: int
    office_day: date
    service: str
    step_index: int
    station: str
    status: str
    queued_at: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    #: When the ticket first stopped waiting (called, cancelled, withdrawn), if it did.
    left_waiting_at: datetime | None
    counter: str | None
    officer: str | None
    predicted_wait_minutes: float | None
    no_show: bool
    transferred: bool
    cancelled: bool

    @property
    def wait_minutes(self) -> float | None:
        """First call minus joining this queue (None: never called)."""
        if self.first_called_at is None:
            return None
        return _minutes(self.first_called_at - self.queued_at)

    @property
    def service_minutes(self) -> float | None:
        """Finish (or transfer) minus the last start, or minus the last call without a start."""
        began = self.started_at or self.called_at
        if self.status not in SERVED_STATUSES or self.finished_at is None or began is None:
            return None
        return _minutes(self.finished_at - began)

    @property
    def service_began_at(self) -> datetime | None:
        return self.started_at or self.called_at


@dataclass(frozen=True)
class CallRecord:
    """One call of a ticket to a counter (for the open-counter count of the naive estimate)."""

    station: str
    office_day: date
    at: datetime
    counter_pk: int | None


@dataclass(frozen=True)
class RatingRecord:
    office_day: date
    service: str
    station: str
    counter: str | None
    officer: str | None
    score: int


@dataclass(frozen=True)
class DayCount:
    office_day: date
    service: str
    count: int


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _first_at(condition: ColumnElement[bool]) -> ColumnElement[datetime]:
    expression = func.min(case((condition, TicketEventRow.at), else_=None))
    return type_coerce(expression, UTCDateTime())


def _has(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.max(case((condition, 1), else_=0))


def _in_range(office: str, first: date, last: date) -> ColumnElement[bool]:
    return and_(
        TicketRow.office_id == office, TicketRow.office_day >= first, TicketRow.office_day <= last
    )


def load_tickets(session: Session, office: str, first: date, last: date) -> list[TicketRecord]:
    action = TicketEventRow.action
    in_range = select(TicketRow.id).where(_in_range(office, first, last))
    events = (
        select(
            TicketEventRow.ticket_id.label("ticket_id"),
            _first_at(action.in_(CALL_ACTIONS)).label("first_called_at"),
            _first_at(TicketEventRow.from_status == TicketStatus.WAITING.value).label(
                "left_waiting_at"
            ),
            _has(action == "no_show").label("no_show"),
            _has(action == "transfer").label("transferred"),
            _has(action == "cancel").label("cancelled"),
        )
        .where(
            TicketEventRow.office_id == office,
            TicketEventRow.ticket_id.in_(in_range),
        )
        .group_by(TicketEventRow.ticket_id)
        .subquery()
    )
    statement = (
        select(
            TicketRow.id,
            TicketRow.office_day,
            TicketRow.service_code,
            TicketRow.step_index,
            TicketRow.station,
            TicketRow.status,
            TicketRow.queued_at,
            events.c.first_called_at,
            TicketRow.called_at,
            TicketRow.started_at,
            TicketRow.finished_at,
            events.c.left_waiting_at,
            CounterRow.code,
            UserRow.username,
            TicketRow.predicted_wait_minutes,
            events.c.no_show,
            events.c.transferred,
            events.c.cancelled,
        )
        .join(events, events.c.ticket_id == TicketRow.id, isouter=True)
        .join(CounterRow, CounterRow.pk == TicketRow.counter_pk, isouter=True)
        .join(UserRow, UserRow.id == TicketRow.officer_id, isouter=True)
        .where(_in_range(office, first, last))
        .order_by(TicketRow.queued_at, TicketRow.id)
    )
    return [
        TicketRecord(*row[:15], *(bool(flag) for flag in row[15:]))
        for row in session.execute(statement)
    ]


def load_calls(session: Session, office: str, first: date, last: date) -> list[CallRecord]:
    statement = (
        select(
            TicketRow.station, TicketRow.office_day, TicketEventRow.at, TicketEventRow.counter_pk
        )
        .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
        .where(_in_range(office, first, last), TicketEventRow.action.in_(CALL_ACTIONS))
        .order_by(TicketEventRow.at)
    )
    return [CallRecord(*row) for row in session.execute(statement)]


def load_ratings(session: Session, office: str, first: date, last: date) -> list[RatingRecord]:
    statement = (
        select(
            TicketRow.office_day,
            TicketRow.service_code,
            RatingRow.station,
            CounterRow.code,
            UserRow.username,
            RatingRow.score,
        )
        .join(TicketRow, TicketRow.id == RatingRow.ticket_id)
        .join(CounterRow, CounterRow.pk == RatingRow.counter_pk, isouter=True)
        .join(UserRow, UserRow.id == RatingRow.user_id, isouter=True)
        .where(_in_range(office, first, last))
    )
    return [RatingRecord(*row) for row in session.execute(statement)]


def issued_visits(session: Session, office: str, first: date, last: date) -> list[DayCount]:
    """Visits (tickets issued at the kiosk, desk or offline) per office day and service."""
    statement = (
        select(VisitRow.office_day, VisitRow.service_code, func.count())
        .where(VisitRow.office_id == office, VisitRow.office_day.between(first, last))
        .group_by(VisitRow.office_day, VisitRow.service_code)
    )
    return [DayCount(*row) for row in session.execute(statement)]


def quota_used(session: Session, office: str, first: date, last: date) -> list[DayCount]:
    """Places taken per office day and service quota (``service:<id>`` scopes only)."""
    statement = select(QuotaUsageRow.office_day, QuotaUsageRow.scope, QuotaUsageRow.used).where(
        QuotaUsageRow.office_id == office,
        QuotaUsageRow.office_day.between(first, last),
        QuotaUsageRow.scope.startswith("service:"),
    )
    return [
        DayCount(day, scope.removeprefix("service:"), used)
        for day, scope, used in session.execute(statement)
    ]


def session_quota_used(session: Session, office: str, first: date, last: date) -> list[DayCount]:
    """Places taken per office day in each special session's quota (``session:<code>``);
    ``DayCount.service`` holds the session's code."""
    statement = select(QuotaUsageRow.office_day, QuotaUsageRow.scope, QuotaUsageRow.used).where(
        QuotaUsageRow.office_id == office,
        QuotaUsageRow.office_day.between(first, last),
        QuotaUsageRow.scope.startswith("session:"),
    )
    return [
        DayCount(day, scope.removeprefix("session:"), used)
        for day, scope, used in session.execute(statement)
    ]
