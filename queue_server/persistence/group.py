"""Group commit: units of work that arrive together share one transaction and one commit.

Callers (MQTT workers, HTTP threads) enter :meth:`GroupCommit.member` and run their unit
of work in their own thread, one at a time (a first-come, first-served turn within each
of two lanes, see the urgent members below). The first
member opens the group's transaction; each later member runs in its own SAVEPOINT, so a
refusal rolls back only itself. A member that succeeded hands the turn to the next
waiting caller and waits; the member that finds nobody waiting (or the group full) commits
once, passes the turn to the next group, runs every member's after-commit work (events to
the bus; groups' deliveries in commit order) and wakes them all. A group
takes the callers that were waiting when its first member's work was done (at most 64);
later callers form the next group, so a steady stream of requests does not keep one
group open and its first answers waiting.

Urgent members (a kiosk's issue: somebody stands at the screen) have a lane of their own.
A group opened by an urgent member takes only urgent callers. In a group of the others,
once it holds ``CUT_AFTER`` members, the urgent callers waiting then join next and the
group commits after them (the others it had counted, and urgent callers arriving later,
wait for the next group): a kiosk's answer
waits for at most that many officer actions, not for every one queued when it came.
The turn after a group that held urgent members goes to the others first (when they
wait), so a stream of urgent callers still leaves them ``CUT_AFTER`` places a group.
Nobody
is answered before the commit that holds its change; if that commit fails, every member of
the group fails (:class:`GroupCommitFailed`) and nothing of the group is stored.

On PostgreSQL the urgent members have a group commit of their own
(``Database.urgent_group``), whose transaction runs beside the others' (row locks keep
them apart); the two share a :class:`CommitOrder`, so their groups' deliveries still
follow commit order. SQLite has one writer: one group commit with both lanes.

The first member runs without a savepoint (one round trip less): if it fails, the whole
transaction, which holds nothing else yet, is rolled back and the next member opens a new
one.

On PostgreSQL a member that lets answers wait (an issue: ``fast.ahead``) puts the group's
connection in the driver's pipeline mode until the group's commit
(:mod:`queue_server.persistence.fast`): later members' SAVEPOINT and RELEASE travel with
the statements that follow them, and COMMIT with the group's last sync. Such a member has
everything it sent settled before it leaves, so a failure is still its own; except the
first member when nobody waits to join once its work is done: the group then commits at
once and that member's writes travel with the COMMIT (one round trip less), an error of
theirs raised to it as its own (the group held nothing else).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from queue_server.persistence import fast

#: Members per group at most: bounds one transaction's locks and the first member's wait.
GROUP_LIMIT = 64

#: Members of the others a group takes before urgent callers may cut it short.
CUT_AFTER = 8

#: Work run once after the commit, with every member's payload in order (e.g. publish).
Deliver = Callable[[list[Any]], None]


class GroupCommitFailed(RuntimeError):
    """The group's commit (or its transaction) failed: this member's change is not stored."""


@dataclass
class Member:
    """One unit of work in a group: the shared session, and what to do after the commit."""

    session: Session
    deliveries: list[tuple[Deliver, Any]] = field(default_factory=list)

    def after_commit(self, deliver: Deliver, payload: Any) -> None:
        """Hand ``payload`` to ``deliver`` after the group's commit (one call per
        ``deliver`` for the whole group, payloads in commit order)."""
        self.deliveries.append((deliver, payload))


@dataclass
class _Group:
    session: Session
    committed: list[Member] = field(default_factory=list)
    #: Members that ran in it, refused ones included.
    size: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    #: The transaction cannot go on (a savepoint could not be released or rolled back).
    broken: BaseException | None = None
    #: Members it takes at most: the opener and whoever was waiting when the opener's work
    #: was done (set then). Callers arriving later go to the next group, so a group does
    #: not grow for as long as requests keep coming and its first member's answer waits
    #: only for those queued ahead of it.
    quota: int | None = None
    #: Opened by an urgent member: takes only urgent callers.
    urgent: bool = False
    #: Urgent callers joined this group of the others: it takes only urgent ones now.
    cut: bool = False


class CommitOrder:
    """What group commits sharing one event bus share: their groups' deliveries run in
    commit order, one group's at a time."""

    def __init__(self) -> None:
        #: Held from a group's commit until it has its place in the delivery order.
        self.committing = threading.Lock()
        #: Held from a group's commit to the end of its deliveries.
        self.delivering = threading.Lock()


class GroupCommit:
    """One open group at a time; see the module notes. ``order``: shared with the other
    group commit of the process, if it has two (PostgreSQL: kiosks' issues in their own)."""

    def __init__(
        self,
        writer: sessionmaker[Session],
        gate: AbstractContextManager[object],
        *,
        limit: int = GROUP_LIMIT,
        order: CommitOrder | None = None,
    ) -> None:
        self._writer, self._gate, self._limit = writer, gate, limit
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._urgent: deque[threading.Event] = deque()
        #: The last group held urgent members: the others have the next turn.
        self._after_urgent = False
        self._busy = False
        self._group: _Group | None = None
        self._order = order or CommitOrder()
        #: Groups committed and members they held (for tests and benchmarks).
        self.groups = 0
        self.members = 0

    @property
    def waiting(self) -> int:
        """Callers waiting for their turn now."""
        with self._mutex:
            return len(self._waiters) + len(self._urgent)

    @contextmanager
    def member(self, *, urgent: bool = False) -> Iterator[Member]:
        """Run one unit of work in the current group; returns after the group's commit.
        ``urgent``: ahead of the others waiting (see the module notes)."""
        self._take_turn(urgent)
        try:
            group = self._group or self._open(urgent)
        except BaseException:
            self._pass_turn()
            raise
        self._group = group
        group.size += 1
        savepoint: SessionTransaction | None = None
        try:
            if group.committed:
                savepoint = group.session.begin_nested()
        except BaseException as error:
            group.broken = error
            self._leave(group, succeeded=False)
            raise
        member = Member(group.session)
        alone = False
        try:
            yield member
            if savepoint is not None:
                fast.settle(group.session)
                savepoint.commit()  # RELEASE SAVEPOINT
            elif fast.unsettled(group.session):
                alone = self._alone(group)
                if not alone:
                    fast.settle(group.session)
        except BaseException:
            self._undo(group, savepoint)
            self._leave(group, succeeded=False)
            raise
        group.committed.append(member)
        self._leave(group, succeeded=True, alone=alone)

    def _alone(self, group: _Group) -> bool:
        """Nobody is waiting who could join ``group`` (its first member's work is done):
        that member's answers still on their way travel with the COMMIT."""
        with self._mutex:
            return not self._urgent and (group.urgent or not self._waiters)

    def _undo(self, group: _Group, savepoint: SessionTransaction | None) -> None:
        """Roll back the failed member only (its savepoint, or the whole transaction when
        it was the first)."""
        try:
            if savepoint is not None:
                savepoint.rollback()
                return
            group.session.rollback()
        except BaseException as error:
            group.broken = error
            return
        self._close(group)

    def _leave(self, group: _Group, *, succeeded: bool, alone: bool = False) -> None:
        """Hand the turn on and wait for the commit, or commit the group now. ``alone``:
        the group's only member, its answers unsettled: the group commits now (a caller
        arriving meanwhile opens the next group), and an error of those answers, raised
        by the commit, is the member's own."""
        open_group = self._group is group
        with self._mutex:
            if group.quota is None:
                waiting = len(self._urgent) + (0 if group.urgent else len(self._waiters))
                group.quota = min(self._limit, group.size + waiting)
            if group.urgent:
                joining, quota = self._urgent, group.quota
            elif group.cut or (self._urgent and (group.size >= CUT_AFTER or not self._waiters)):
                if not group.cut:  # the urgent callers waiting now join, and close it
                    group.cut = True
                    group.quota = min(self._limit, group.size + len(self._urgent))
                joining, quota = self._urgent, group.quota
            else:
                joining, quota = self._waiters, group.quota
            if open_group and joining and group.broken is None and group.size < quota and not alone:
                joining.popleft().set()  # the next caller joins this group
                handed = True
            else:
                handed = False
        if not handed:
            if open_group:
                self._finish(group)  # passes the turn once committed
            else:
                self._pass_turn()
        if succeeded:
            group.done.wait()
            if group.error is not None:
                if alone:
                    raise group.error
                raise GroupCommitFailed("the group's commit failed") from group.error

    def _finish(self, group: _Group) -> None:
        """Commit (or roll back a broken group) and pass the turn; then deliver and wake
        every member. The next group runs while this one's deliveries do (they may read
        the database, a round trip each on PostgreSQL); the delivery lock, taken before
        the turn is passed, keeps the groups' deliveries in commit order."""
        self._group = None
        self._after_urgent = group.urgent or group.cut
        order = self._order
        unclosed: BaseException | None = None
        with order.committing:  # the commit and its place in the delivery order together
            try:
                if group.broken is not None:
                    raise group.broken
                group.session.commit()
                self.groups += 1
                self.members += len(group.committed)
            except BaseException as error:
                group.error = error
                with suppress(Exception):  # the connection is closed below either way
                    group.session.rollback()
            try:
                self._close(group)
            except BaseException as error:  # raised once the members are woken
                unclosed = error
            order.delivering.acquire()
        self._pass_turn()
        try:
            if group.error is None:
                _deliver(group.committed)
        finally:
            order.delivering.release()
            group.done.set()
        if unclosed is not None:
            raise unclosed

    def _open(self, urgent: bool) -> _Group:
        self._gate.__enter__()
        try:
            session = self._writer()
            session.begin()
        except BaseException:
            self._gate.__exit__(None, None, None)
            raise
        return _Group(session, urgent=urgent)

    def _close(self, group: _Group) -> None:
        """Give the connection and the write gate back (the group is over)."""
        if self._group is group:
            self._group = None
        try:
            group.session.close()
        finally:
            self._gate.__exit__(None, None, None)

    def _take_turn(self, urgent: bool) -> None:
        with self._mutex:
            if not self._busy:
                self._busy = True
                return
            turn = threading.Event()
            (self._urgent if urgent else self._waiters).append(turn)
        turn.wait()  # handed over by _leave or _pass_turn

    def _pass_turn(self) -> None:
        with self._mutex:
            first, then = (
                (self._waiters, self._urgent)
                if self._after_urgent
                else (self._urgent, self._waiters)
            )
            if first:
                first.popleft().set()
            elif then:
                then.popleft().set()
            else:
                self._busy = False


def _deliver(members: list[Member]) -> None:
    """One call per distinct ``deliver`` with the payloads of every member, in order."""
    batches: dict[Deliver, list[Any]] = {}
    for member in members:
        for deliver, payload in member.deliveries:
            batches.setdefault(deliver, []).append(payload)
    for deliver, payloads in batches.items():
        deliver(payloads)
