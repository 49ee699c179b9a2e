"""Officer use cases at a counter: open, close, call next, recall, start, finish, ...

Concurrency: every action locks its counter row first (``SELECT ... FOR UPDATE`` on
PostgreSQL; the whole write transaction is ``BEGIN IMMEDIATE`` on SQLite), so two
actions on one counter never interleave. ``call_next`` locks the first ticket of the
chosen one's line that still waits (``... WHERE status = 'waiting' ... FOR UPDATE SKIP
LOCKED``, :func:`_claim`) before it changes it, so two counters can never call the same
ticket; the partial unique indexes on ``tickets`` are the safety net.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.calling import QueueEntry, Streak, choose_next
from queue_server.domain.errors import (
    CounterBusy,
    CounterClosed,
    CounterNotFound,
    CounterNotServingStation,
    CounterTaken,
    NoNextStep,
    NoShowGraceExpired,
    QueueEmpty,
    TicketAlreadyCalled,
    TicketNotAtCounter,
    TicketNotFound,
    TransferTargetInvalid,
)
from queue_server.domain.events import CounterChanged
from queue_server.domain.ids import (
    AT_COUNTER_STATUSES,
    CounterId,
    OfficeId,
    Role,
    ServiceId,
    StationType,
    TicketStatus,
)
from queue_server.domain.model import CounterProfile
from queue_server.domain.numbering import format_number
from queue_server.domain.transitions import Action, target_status
from queue_server.persistence.fast import run, write
from queue_server.persistence.models import CounterRow, UserRow
from queue_server.persistence.sequences import next_number
from queue_server.persistence.statements import (
    END_VISIT,
    LOCK_COUNTER,
    LOCK_TICKET,
    TICKET_AT_NAMED_COUNTER,
    UPDATE_COUNTER,
    UPDATE_TICKET,
    lock_first_waiting,
)
from queue_server.services import queries, rating_prompts
from queue_server.services.issuing import (
    Placement,
    QueuedTicket,
    VisitKey,
    add_waiting_ticket,
    record_change,
)
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


@dataclass(frozen=True)
class TicketState:
    """The columns of a ticket that the officer actions read (from a plain select)."""

    id: int
    visit_id: int
    office_id: str
    office_day: date
    service_code: str
    step_index: int
    station: str
    priority: bool
    label: str
    status: str
    counter_pk: int | None
    recall_count: int
    no_show_at: datetime | None


@dataclass(frozen=True)
class CounterLock:
    """A counter row locked for the rest of the transaction."""

    pk: int
    code: str
    is_open: bool
    priority_streak: int
    regular_streak: int
    #: The user who opened it (None when closed, or opened with a machine token).
    officer_id: int | None = None
    #: The counter's called or serving ticket as the lock found it (read with the lock).
    current: TicketState | None = None


class OfficerService(UseCases):
    def open_counter(self, office: str, counter: str, *, actor: Actor) -> None:
        with self.grouped() as work:
            row = _lock_counter(work, office, counter, actor)
            _update_counter(work, row, is_open=True, officer_id=actor.user_id, opened_at=work.now)
            self._counter_event(work, office, counter, is_open=True, actor=actor)

    def close_counter(self, office: str, counter: str, *, actor: Actor) -> None:
        with self.grouped() as work:
            row = _lock_counter(work, office, counter, actor)
            if row.current is not None:
                raise CounterBusy(counter=counter, ticket=row.current.label)
            _update_counter(work, row, is_open=False, officer_id=None)
            self._counter_event(work, office, counter, is_open=False, actor=actor)

    def call_next(self, office: str, counter: str, *, actor: Actor) -> TicketView:
        with self.grouped(ahead=True) as work:
            ready = self._ready_counter(work, office, counter, actor, heads=True)
            snapshot, row, profile, heads = ready
            return self._call_next_at(work, snapshot, row, profile, actor, heads=heads)

    def call_specific(
        self, office: str, counter: str, ticket_id: int, *, actor: Actor
    ) -> TicketView:
        with self.grouped(ahead=True) as work:
            snapshot, row, profile, _heads = self._ready_counter(work, office, counter, actor)
            ticket = _lock_ticket(work.session, office, ticket_id)
            _refuse_if_at_a_counter(work.session, ticket)
            if not profile.serves(StationType(ticket.station), ServiceId(ticket.service_code)):
                raise CounterNotServingStation(counter=counter)
            if TicketStatus(ticket.status) is TicketStatus.NO_SHOW:
                _check_grace(snapshot, ticket, work)
            called = self._put_at_counter(work, ticket, row, actor, Action.CALL_SPECIFIC)
            return _view(called, counter)

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
        with self.grouped(ahead=True) as work:
            snapshot, row, _heads = self._locked_counter(work, office, counter, actor)
            return self._finish_at(work, snapshot, row, actor, end_visit=end_visit)

    def finish_and_call_next(
        self, office: str, counter: str, *, actor: Actor, end_visit: bool = False
    ) -> tuple[TicketView, TicketView | None, TicketView | None]:
        """Finish the counter's ticket and call the next one at once, in one transaction
        (the console's "Finish & call next": one request, one commit, for the officer's
        most frequent pair of actions). The finish stands when nobody is waiting for this
        counter: the third value is then None. Calling clears the rating question the
        finish may have put on the counter display, as a separate call-next does."""
        with self.grouped(ahead=True) as work:
            snapshot, row, _heads = self._locked_counter(work, office, counter, actor)
            finished, following = self._finish_at(work, snapshot, row, actor, end_visit=end_visit)
            try:
                called = self._call_next_at(work, snapshot, row, snapshot.counter(counter), actor)
            except QueueEmpty:
                called = None  # nothing was written by the attempt: the finish alone commits
            return finished, following, called

    def transfer(
        self, office: str, counter: str, target: TransferTarget, *, actor: Actor
    ) -> tuple[TicketView, TicketView]:
        with self.grouped() as work:
            snapshot, row, _heads = self._locked_counter(work, office, counter, actor)
            ticket = _current(row)
            service_code, step = _resolve_target(snapshot, ticket, target)
            moved = self._change(work, ticket, Action.TRANSFER, actor, counter)
            successor = _queue_step(work, snapshot, ticket, service_code, step, target.station)
            return _view(moved, counter), _view(successor, None)

    def reactivate(self, office: str, ticket_id: int, *, actor: Actor) -> TicketView:
        """Put a no-show back in its queue, at its original place, within the grace period."""
        with self.grouped() as work:
            snapshot = self.catalog.get(work.session, office)
            ticket = _lock_ticket(work.session, office, ticket_id)
            if TicketStatus(ticket.status) is TicketStatus.NO_SHOW:
                _check_grace(snapshot, ticket, work)
            back = self._change(work, ticket, Action.REACTIVATE, actor, None, counter_pk=None)
            return _view(back, None)

    def cancel(self, office: str, ticket_id: int, *, actor: Actor) -> TicketView:
        with self.grouped() as work:
            ticket = _lock_ticket(work.session, office, ticket_id)
            _refuse_if_at_a_counter(work.session, ticket)
            cancelled = self._change(work, ticket, Action.CANCEL, actor, None)
            _end_visit(work, ticket)
            return _view(cancelled, None)

    # -- shared steps ---------------------------------------------------------------

    def _act(
        self, office: str, counter: str, action: Action, *, actor: Actor, note: str | None = None
    ) -> TicketView:
        with self.grouped(ahead=True) as work:
            row = _lock_counter(work, office, counter, actor)
            ticket = _current(row)
            changes: dict[str, Any] = {}
            if action is Action.RECALL:
                changes["recall_count"] = ticket.recall_count + 1
            elif action is Action.START:
                changes["started_at"] = work.now
            elif action is Action.NO_SHOW:
                changes["no_show_at"] = work.now
            elif action is Action.PARK:
                changes["park_note"] = note
            return _view(self._change(work, ticket, action, actor, counter, **changes), counter)

    def _change(
        self,
        work: Unit,
        ticket: TicketState,
        action: Action,
        actor: Actor,
        counter: str | None,
        **changes: Any,
    ) -> TicketState:
        """Move ``ticket`` by ``action`` and write ``changes`` with it; the ticket after."""
        previous = TicketStatus(ticket.status)
        changes["status"] = target_status(previous, action).value
        if action in {Action.FINISH, Action.TRANSFER}:
            changes["finished_at"] = work.now
        write(work.session, UPDATE_TICKET, {"ticket": ticket.id, **changes})
        changed = replace(ticket, **{k: v for k, v in changes.items() if k in _STATE_FIELDS})
        record_change(
            work,
            changed,
            action=action.value,
            previous=previous,
            user_id=actor.user_id,
            counter_code=counter,
        )
        work.audit(
            actor, action.value, office_id=ticket.office_id, target=ticket.label, counter=counter
        )
        return changed

    def _finish_at(
        self,
        work: Unit,
        snapshot: OfficeSnapshot,
        row: CounterLock,
        actor: Actor,
        *,
        end_visit: bool,
    ) -> tuple[TicketView, TicketView | None]:
        """Finish the ticket at the locked counter ``row``; its successor, if any."""
        counter = row.code
        ticket = _current(row)
        finished = self._change(work, ticket, Action.FINISH, actor, counter)
        if rating_prompts.step_asks_rating(snapshot, ticket.service_code, ticket.step_index):
            rating_prompts.ask(work, snapshot, row.pk, ticket.id)
        service = snapshot.service(ticket.service_code)
        following = None if end_visit else service.next_same_day_step(ticket.step_index)
        if following is None:
            _end_visit(work, ticket)
            return _view(finished, counter), None
        successor = _queue_step(work, snapshot, ticket, ticket.service_code, following, None)
        return _view(finished, counter), _view(successor, None)

    def _call_next_at(
        self,
        work: Unit,
        snapshot: OfficeSnapshot,
        row: CounterLock,
        profile: CounterProfile,
        actor: Actor,
        *,
        heads: Callable[[], list[QueueEntry]] | None = None,
    ) -> TicketView:
        """Claim the next ticket by the calling policy for the locked, free counter ``row``
        (``heads``: the queue heads already sent, see :func:`_claim`)."""
        streak = Streak(priority=row.priority_streak, regular=row.regular_streak)
        ticket = _claim(work.session, profile, streak, snapshot, heads)
        priority_streak, regular_streak = _streak_after(streak, ticket.priority)
        called = self._put_at_counter(
            work,
            ticket,
            row,
            actor,
            Action.CALL,
            priority_streak=priority_streak,
            regular_streak=regular_streak,
        )
        return _view(called, row.code)

    def _put_at_counter(
        self,
        work: Unit,
        ticket: TicketState,
        row: CounterLock,
        actor: Actor,
        action: Action,
        **counter_changes: Any,
    ) -> TicketState:
        """Call ``ticket`` to the locked counter ``row``, writing ``counter_changes`` to
        the counter with the end of its rating question (the next applicant is here)."""
        _update_counter(work, row, **rating_prompts.CLEARED, **counter_changes)
        return self._change(
            work,
            ticket,
            action,
            actor,
            row.code,
            counter_pk=row.pk,
            officer_id=actor.user_id,
            called_at=work.now,
        )

    def _locked_counter(
        self, work: Unit, office: str, counter: str, actor: Actor, *, heads: bool = False
    ) -> tuple[OfficeSnapshot, CounterLock, Callable[[], list[QueueEntry]] | None]:
        """The office's snapshot and the counter row, locked, with the ticket at it. The
        version query, the lock and the ticket's read travel together in pipeline mode
        (one round trip for all on PostgreSQL); ``heads``: the queue heads for this
        counter's profile as this process knows it go with them (None when the office
        changed meanwhile: the caller reads them then). An unknown office is still
        refused as such before an unknown counter."""
        cached, current = self.catalog.get_later(work.session, office)
        sent = _send_lock(work.session, office, counter)
        profile = None if cached is None or not heads else cached.counters.get(CounterId(counter))
        later = (
            None
            if cached is None or profile is None
            else queries.head_entries_later(
                work.session, cached.office.id, profile, limit=HEAD_SIZE
            )
        )
        try:
            row = _lock_counter(work, office, counter, actor, sent)
        except CounterNotFound:
            current()
            raise
        snapshot = current()
        if later is not None and snapshot.counters.get(CounterId(counter)) != profile:
            later = None  # the office changed since: these heads may be of another profile
        return snapshot, row, later

    def _ready_counter(
        self, work: Unit, office: str, counter: str, actor: Actor, *, heads: bool = False
    ) -> tuple[OfficeSnapshot, CounterLock, CounterProfile, Callable[[], list[QueueEntry]] | None]:
        """The snapshot, the locked row and the profile of an open counter with no ticket
        at it (``heads``: as for :meth:`_locked_counter`)."""
        snapshot, row, later = self._locked_counter(work, office, counter, actor, heads=heads)
        if not row.is_open:
            raise CounterClosed(counter=counter)
        _refuse_if_busy(row)
        return snapshot, row, snapshot.counter(counter), later

    def _counter_event(
        self, work: Unit, office: str, counter: str, *, is_open: bool, actor: Actor
    ) -> None:
        work.events.append(
            CounterChanged(OfficeId(office), CounterId(counter), is_open=is_open, at=work.now)
        )
        work.audit(actor, "open" if is_open else "close", office_id=office, target=counter)


_STATE_FIELDS = frozenset(field.name for field in fields(TicketState))


def _send_lock(session: Session, office: str, counter: str) -> tuple[Any, Any]:
    """Send the counter's lock and, after it, the read of the ticket at the counter (it
    runs once the lock is held); their results, read later (pipeline mode) or now."""
    params = {"office_id": office, "code": counter}
    return run(session, LOCK_COUNTER, params), run(session, TICKET_AT_NAMED_COUNTER, params)


def _lock_counter(
    work: Unit, office: str, counter: str, actor: Actor, sent: tuple[Any, Any] | None = None
) -> CounterLock:
    """Lock the counter row; refuse an officer acting on a counter another officer opened.
    ``sent``: what :func:`_send_lock` sent already."""
    locked, at_counter = sent or _send_lock(work.session, office, counter)
    row = locked.first()
    if row is None:
        raise CounterNotFound(counter=counter)
    ticket = at_counter.first()
    pk, code, is_open, priority_streak, regular_streak, officer_id = row
    locked_row = CounterLock(
        pk,
        code,
        is_open,
        priority_streak,
        regular_streak,
        officer_id,
        current=None if ticket is None else TicketState(*ticket),
    )
    if not _may_act_on(locked_row, actor):
        officer = work.session.scalar(
            select(UserRow.username).where(UserRow.id == locked_row.officer_id)
        )
        raise CounterTaken(counter=counter, officer=officer or "?")
    return locked_row


def _may_act_on(row: CounterLock, actor: Actor) -> bool:
    """An open counter belongs to the user who opened it; an administrator may step in
    (e.g. to close a counter whose officer went home)."""
    if not row.is_open or row.officer_id is None or actor.role is Role.ADMIN:
        return True
    return actor.user_id == row.officer_id


def _update_counter(work: Unit, row: CounterLock, **changes: Any) -> None:
    write(work.session, UPDATE_COUNTER, {"counter": row.pk, **changes})


def _ticket_state(session: Session, statement: Any, params: dict[str, Any]) -> TicketState | None:
    row = run(session, statement, params).first()
    return None if row is None else TicketState(*row)


def _refuse_if_busy(row: CounterLock) -> None:
    if row.current is not None:
        raise CounterBusy(counter=row.code, ticket=row.current.label)


def _claim(
    session: Session,
    profile: CounterProfile,
    streak: Streak,
    snapshot: OfficeSnapshot,
    heads: Callable[[], list[QueueEntry]] | None = None,
) -> TicketState:
    """Lock and take the ticket the policy picks; skip any another counter is taking.
    ``heads``: the first queue heads, already sent (:func:`queries.head_entries_later`).

    The lock is tried on the chosen ticket and, in the same statement, on the ones after it
    in its class: another server process's counters may hold several heads at once (their
    group's transaction has not committed yet), and one round trip skips them all."""
    skipped: set[int] = set()
    candidates = None if heads is None else heads()
    for _attempt in range(MAX_CLAIM_ATTEMPTS):
        if candidates is None:
            candidates = queries.head_entries(
                session, snapshot.office.id, profile, limit=HEAD_SIZE, skip=skipped
            )
        chosen = choose_next(candidates, profile, streak, snapshot.office.priority)
        if chosen is None:
            break
        line = [int(entry.ticket_id) for entry in _in_line(candidates, chosen, profile)]
        ticket = _lock_first_waiting(session, line)
        if ticket is not None:
            return ticket
        skipped.update(line)
        candidates = None  # all of those are taken: fetch the next heads
    raise QueueEmpty()


def _lock_first_waiting(session: Session, line: list[int]) -> TicketState | None:
    params = {f"ticket_{i}": ticket for i, ticket in enumerate(line)}
    return _ticket_state(session, lock_first_waiting(len(line)), params)


def _in_line(
    candidates: list[QueueEntry], chosen: QueueEntry, profile: CounterProfile
) -> list[QueueEntry]:
    """``chosen`` and the fetched tickets of its class after it, in calling order, as far as
    the fetched heads tell: a head that came back full may hide tickets that come before
    the other head's later ones, so the line stops at the end of the shorter full head."""
    same = [
        entry
        for entry in candidates
        if entry.priority == chosen.priority and profile.serves(entry.station, entry.service)
    ]
    ends = [
        max(entry.sort_key for entry in head)
        for head in (
            [entry for entry in candidates if _head_group(entry) == group]
            for group in ((chosen.priority, False), (chosen.priority, True))
        )
        if len(head) >= HEAD_SIZE
    ]
    line = sorted(
        (entry for entry in same if not ends or entry.sort_key <= min(ends)),
        key=lambda entry: entry.sort_key,
    )
    return line or [chosen]


def _head_group(entry: QueueEntry) -> tuple[bool, bool]:
    """The queue head an entry was fetched with (see ``queries.head_entries``)."""
    return entry.priority, entry.appointment_at is not None


def _streak_after(streak: Streak, priority: bool) -> tuple[int, int]:
    following = streak.after(called_priority=priority)
    return following.priority, following.regular


def _lock_ticket(session: Session, office: str, ticket_id: int) -> TicketState:
    ticket = _ticket_state(session, LOCK_TICKET, {"ticket": ticket_id, "office_id": office})
    if ticket is None:
        raise TicketNotFound()
    return ticket


def _refuse_if_at_a_counter(session: Session, ticket: TicketState) -> None:
    """A ticket another counter has just called is not this officer's to call or cancel:
    say where it went, rather than that the transition is invalid."""
    if TicketStatus(ticket.status) not in AT_COUNTER_STATUSES or ticket.counter_pk is None:
        return
    name = session.scalar(select(CounterRow.name).where(CounterRow.pk == ticket.counter_pk))
    raise TicketAlreadyCalled(ticket=ticket.label, counter=name or "?")


def _current(row: CounterLock) -> TicketState:
    if row.current is None:
        raise TicketNotAtCounter(counter=row.code)
    return row.current


def _check_grace(snapshot: OfficeSnapshot, ticket: TicketState, work: Unit) -> None:
    grace = timedelta(minutes=snapshot.office.no_show_grace_minutes)
    if ticket.no_show_at is None or work.now - ticket.no_show_at > grace:
        raise NoShowGraceExpired(ticket=ticket.label)


def _resolve_target(
    snapshot: OfficeSnapshot, ticket: TicketState, target: TransferTarget
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
    previous: TicketState,
    service_code: str,
    step: int,
    station: StationType | None,
) -> QueuedTicket:
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
    visit = VisitKey(previous.visit_id, previous.office_id, previous.office_day)
    return add_waiting_ticket(work, visit, placement, action="queue")


def _end_visit(work: Unit, ticket: TicketState) -> None:
    write(work.session, END_VISIT, {"visit": ticket.visit_id, "ended_at": work.now})


def _view(ticket: TicketState | QueuedTicket, counter: str | None) -> TicketView:
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
