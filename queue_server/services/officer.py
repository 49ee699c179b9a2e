"""Officer use cases at a counter: open, close, call next, recall, start, finish, ...

Concurrency: every action locks its counter row first (``SELECT ... FOR UPDATE`` on
PostgreSQL; the whole write transaction is ``BEGIN IMMEDIATE`` on SQLite), so two
actions on one counter never interleave. ``call_next`` claims the chosen ticket with
a conditional update (``... WHERE status = 'waiting'``) after trying to lock it with
``SKIP LOCKED``, so two counters can never call the same ticket; the partial unique
indexes on ``tickets`` are the safety net.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.calling import QueueEntry, Streak, choose_next
from queue_server.domain.errors import (
    CounterBusy,
    CounterClosed,
    CounterNotFound,
    NoNextStep,
    NoShowGraceExpired,
    QueueEmpty,
    TicketNotAtCounter,
    TicketNotFound,
    TransferTargetInvalid,
)
from queue_server.domain.events import CounterChanged
from queue_server.domain.ids import CounterId, OfficeId, StationType, TicketStatus
from queue_server.domain.model import CounterProfile
from queue_server.domain.numbering import format_number
from queue_server.domain.transitions import Action, target_status
from queue_server.persistence.models import CounterRow, TicketRow, VisitRow
from queue_server.persistence.sequences import next_number
from queue_server.services import queries
from queue_server.services.issuing import Placement, add_waiting_ticket, record_change
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Actor, Unit, UseCases

#: Short labels per station when an office renumbers at every station.
STATION_PREFIXES: dict[StationType, str] = {
    StationType.INFO: "IN",
    StationType.CS: "CS",
    StationType.BIO: "BI",
    StationType.BIO_PRIORITY: "BP",
    StationType.BAP: "BA",
    StationType.LOKET: "LK",
    StationType.PAY: "KS",
    StationType.PICKUP: "PA",
    StationType.COMPLAINT: "PG",
}
MAX_CLAIM_ATTEMPTS = 50
#: Tickets fetched per class when calling: only the head of each queue matters.
HEAD_SIZE = 8


@dataclass(frozen=True)
class TicketView:
    """A ticket as the officer console sees it after an action."""

    id: int
    label: str
    service: str
    station: str
    status: str
    priority: bool
    counter: str | None
    recall_count: int


@dataclass(frozen=True)
class TransferTarget:
    """Where a transferred visit goes: default is the next step of its own journey."""

    service: str | None = None
    step: int | None = None
    station: StationType | None = None


class OfficerService(UseCases):
    def open_counter(self, office: str, counter: str, *, actor: Actor) -> None:
        with self.unit() as work:
            row = self._lock_counter(work, office, counter)
            row.is_open, row.officer_id, row.opened_at = True, actor.user_id, work.now
            self._counter_event(work, office, counter, is_open=True, actor=actor)

    def close_counter(self, office: str, counter: str, *, actor: Actor) -> None:
        with self.unit() as work:
            row = self._lock_counter(work, office, counter)
            current = queries.ticket_at_counter(work.session, row.pk)
            if current is not None:
                raise CounterBusy(counter=counter, ticket=current.label)
            row.is_open, row.officer_id = False, None
            self._counter_event(work, office, counter, is_open=False, actor=actor)

    def call_next(self, office: str, counter: str, *, actor: Actor) -> TicketView:
        with self.unit() as work:
            snapshot, row, profile = self._ready_counter(work, office, counter)
            streak = Streak(priority=row.priority_streak, regular=row.regular_streak)
            ticket = _claim(work.session, profile, streak, snapshot)
            row.priority_streak, row.regular_streak = _streak_after(streak, ticket.priority)
            self._put_at_counter(work, ticket, row, actor, Action.CALL)
            return _view(ticket, counter)

    def call_specific(
        self, office: str, counter: str, ticket_id: int, *, actor: Actor
    ) -> TicketView:
        with self.unit() as work:
            snapshot, row, _profile = self._ready_counter(work, office, counter)
            ticket = _lock_ticket(work.session, office, ticket_id)
            if TicketStatus(ticket.status) is TicketStatus.NO_SHOW:
                _check_grace(snapshot, ticket, work)
            self._put_at_counter(work, ticket, row, actor, Action.CALL_SPECIFIC)
            return _view(ticket, counter)

    def recall(self, office: str, counter: str, *, actor: Actor) -> TicketView:
        return self._act(office, counter, Action.RECALL, actor=actor)

    def start(self, office: str, counter: str, *, actor: Actor) -> TicketView:
        return self._act(office, counter, Action.START, actor=actor)

    def no_show(self, office: str, counter: str, *, actor: Actor) -> TicketView:
        return self._act(office, counter, Action.NO_SHOW, actor=actor)

    def park(
        self, office: str, counter: str, *, actor: Actor, note: str | None = None
    ) -> TicketView:
        return self._act(office, counter, Action.PARK, actor=actor, note=note)

    def finish(
        self, office: str, counter: str, *, actor: Actor, end_visit: bool = False
    ) -> tuple[TicketView, TicketView | None]:
        """Finish the counter's ticket; the visit moves to its next same-day step unless ended."""
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            row = self._lock_counter(work, office, counter)
            ticket = _current(work.session, row, counter)
            self._change(work, ticket, Action.FINISH, actor, counter)
            service = snapshot.service(ticket.service_code)
            following = None if end_visit else service.next_same_day_step(ticket.step_index)
            if following is None:
                _end_visit(work, ticket)
                return _view(ticket, counter), None
            successor = _queue_step(work, snapshot, ticket, ticket.service_code, following, None)
            return _view(ticket, counter), _view(successor, None)

    def transfer(
        self, office: str, counter: str, target: TransferTarget, *, actor: Actor
    ) -> tuple[TicketView, TicketView]:
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            row = self._lock_counter(work, office, counter)
            ticket = _current(work.session, row, counter)
            service_code, step = _resolve_target(snapshot, ticket, target)
            self._change(work, ticket, Action.TRANSFER, actor, counter)
            successor = _queue_step(work, snapshot, ticket, service_code, step, target.station)
            return _view(ticket, counter), _view(successor, None)

    def reactivate(self, office: str, ticket_id: int, *, actor: Actor) -> TicketView:
        """Put a no-show back in its queue, at its original place, within the grace period."""
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            ticket = _lock_ticket(work.session, office, ticket_id)
            if TicketStatus(ticket.status) is TicketStatus.NO_SHOW:
                _check_grace(snapshot, ticket, work)
            self._change(work, ticket, Action.REACTIVATE, actor, None)
            ticket.counter_pk = None
            return _view(ticket, None)

    def cancel(self, office: str, ticket_id: int, *, actor: Actor) -> TicketView:
        with self.unit() as work:
            ticket = _lock_ticket(work.session, office, ticket_id)
            self._change(work, ticket, Action.CANCEL, actor, None)
            _end_visit(work, ticket)
            return _view(ticket, None)

    # -- shared steps ---------------------------------------------------------------

    def _act(
        self, office: str, counter: str, action: Action, *, actor: Actor, note: str | None = None
    ) -> TicketView:
        with self.unit() as work:
            row = self._lock_counter(work, office, counter)
            ticket = _current(work.session, row, counter)
            self._change(work, ticket, action, actor, counter)
            if action is Action.RECALL:
                ticket.recall_count += 1
            elif action is Action.START:
                ticket.started_at = work.now
            elif action is Action.NO_SHOW:
                ticket.no_show_at = work.now
            elif action is Action.PARK:
                ticket.park_note = note
            return _view(ticket, counter)

    def _change(
        self, work: Unit, ticket: TicketRow, action: Action, actor: Actor, counter: str | None
    ) -> None:
        previous = TicketStatus(ticket.status)
        ticket.status = target_status(previous, action).value
        if action in {Action.FINISH, Action.TRANSFER}:
            ticket.finished_at = work.now
        record_change(
            work,
            ticket,
            action=action.value,
            previous=previous,
            user_id=actor.user_id,
            counter_code=counter,
        )
        work.audit(
            actor, action.value, office_id=ticket.office_id, target=ticket.label, counter=counter
        )

    def _put_at_counter(
        self, work: Unit, ticket: TicketRow, row: CounterRow, actor: Actor, action: Action
    ) -> None:
        ticket.counter_pk, ticket.officer_id, ticket.called_at = row.pk, actor.user_id, work.now
        self._change(work, ticket, action, actor, row.code)

    def _lock_counter(self, work: Unit, office: str, counter: str) -> CounterRow:
        row = work.session.scalar(
            select(CounterRow)
            .where(CounterRow.office_id == office, CounterRow.code == counter, CounterRow.active)
            .with_for_update()
        )
        if row is None:
            raise CounterNotFound(counter=counter)
        return row

    def _ready_counter(
        self, work: Unit, office: str, counter: str
    ) -> tuple[OfficeSnapshot, CounterRow, CounterProfile]:
        snapshot = self.catalog.get(work.session, office)
        row = self._lock_counter(work, office, counter)
        if not row.is_open:
            raise CounterClosed(counter=counter)
        current = queries.ticket_at_counter(work.session, row.pk)
        if current is not None:
            raise CounterBusy(counter=counter, ticket=current.label)
        return snapshot, row, snapshot.counter(counter)

    def _counter_event(
        self, work: Unit, office: str, counter: str, *, is_open: bool, actor: Actor
    ) -> None:
        work.events.append(
            CounterChanged(OfficeId(office), CounterId(counter), is_open=is_open, at=work.now)
        )
        work.audit(actor, "open" if is_open else "close", office_id=office, target=counter)


def _claim(
    session: Session, profile: CounterProfile, streak: Streak, snapshot: OfficeSnapshot
) -> TicketRow:
    """Lock and take the ticket the policy picks; skip any another counter is taking."""
    skipped: set[int] = set()
    candidates: list[QueueEntry] = []
    for _attempt in range(MAX_CLAIM_ATTEMPTS):
        if not candidates:
            candidates = queries.head_entries(
                session, snapshot.office.id, profile, limit=HEAD_SIZE, skip=skipped
            )
        chosen = choose_next(candidates, profile, streak, snapshot.office.priority)
        if chosen is None:
            break
        ticket = session.scalar(
            select(TicketRow)
            .where(TicketRow.id == chosen.ticket_id, TicketRow.status == TicketStatus.WAITING.value)
            .with_for_update(skip_locked=True)
        )
        if ticket is not None:
            return ticket
        skipped.add(chosen.ticket_id)
        candidates = [entry for entry in candidates if entry.ticket_id != chosen.ticket_id]
        if not any(entry.priority == chosen.priority for entry in candidates):
            candidates = []  # that class's head is used up here: fetch the next ones
    raise QueueEmpty()


def _streak_after(streak: Streak, priority: bool) -> tuple[int, int]:
    following = streak.after(called_priority=priority)
    return following.priority, following.regular


def _lock_ticket(session: Session, office: str, ticket_id: int) -> TicketRow:
    ticket = session.scalar(
        select(TicketRow)
        .where(TicketRow.id == ticket_id, TicketRow.office_id == office)
        .with_for_update()
    )
    if ticket is None:
        raise TicketNotFound()
    return ticket


def _current(session: Session, row: CounterRow, counter: str) -> TicketRow:
    ticket = queries.ticket_at_counter(session, row.pk)
    if ticket is None:
        raise TicketNotAtCounter(counter=counter)
    return ticket


def _check_grace(snapshot: OfficeSnapshot, ticket: TicketRow, work: Unit) -> None:
    grace = timedelta(minutes=snapshot.office.no_show_grace_minutes)
    if ticket.no_show_at is None or work.now - ticket.no_show_at > grace:
        raise NoShowGraceExpired(ticket=ticket.label)


def _resolve_target(
    snapshot: OfficeSnapshot, ticket: TicketRow, target: TransferTarget
) -> tuple[str, int]:
    if target.service is None and target.step is None:
        following = snapshot.service(ticket.service_code).next_same_day_step(ticket.step_index)
        if following is None and target.station is None:
            raise NoNextStep()
        return ticket.service_code, ticket.step_index if following is None else following
    service = snapshot.service(target.service or ticket.service_code)
    step = 0 if target.step is None else target.step
    if not 0 <= step < len(service.journey):
        raise TransferTargetInvalid(target=f"{service.id} step {step}")
    return service.id, step


def _queue_step(
    work: Unit,
    snapshot: OfficeSnapshot,
    previous: TicketRow,
    service_code: str,
    step: int,
    station: StationType | None,
) -> TicketRow:
    """Create the visit's waiting ticket for ``step`` (numbered per the office's mode)."""
    service = snapshot.service(service_code)
    placement = Placement(service, step, previous.priority, previous.label, station=station)
    if snapshot.office.numbering == "per_station":
        series = STATION_PREFIXES[station or service.station_for(step, priority=previous.priority)]
        number = next_number(
            work.session,
            office_id=previous.office_id,
            series=series,
            office_day=previous.office_day,
        )
        placement = replace(
            placement, series=series, number=number, label=format_number(series, number)
        )
    visit = work.session.get_one(VisitRow, previous.visit_id)
    return add_waiting_ticket(work, visit, placement, action="queue")


def _end_visit(work: Unit, ticket: TicketRow) -> None:
    visit = work.session.get_one(VisitRow, ticket.visit_id)
    visit.ended_at = work.now


def _view(ticket: TicketRow, counter: str | None) -> TicketView:
    return TicketView(
        id=ticket.id,
        label=ticket.label,
        service=ticket.service_code,
        station=ticket.station,
        status=ticket.status,
        priority=ticket.priority,
        counter=counter,
        recall_count=ticket.recall_count,
    )
