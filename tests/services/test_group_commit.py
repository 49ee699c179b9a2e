"""Group commit (issue 13 item 2): requests arriving together share one transaction, each
in its own savepoint, with one commit; on SQLite and PostgreSQL.

To make a group deterministic, the first request holds its turn (inside its issuing
transaction, through the ``on_issue`` hook) until the other threads queue behind it;
the wait is bounded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select

from queue_server.domain.errors import DomainError, QueueEmpty
from queue_server.domain.ids import TicketSource
from queue_server.persistence.group import CUT_AFTER, GroupCommit, GroupCommitFailed
from queue_server.persistence.models import OutboxRow, QuotaUsageRow, TicketEventRow, VisitRow
from queue_server.services.issuing import IssuedTicket, IssueRequest
from queue_server.services.retries import RetryKey
from queue_server.services.unit import Actor, Unit
from tests.services.conftest import Engine

OFFICE = "kanim-test"
KIOSK = Actor(name="kiosk:test")


class Refused(DomainError):
    code = "test_refusal"
    template = "Refused by the test."


def _group(engine: Engine) -> GroupCommit:
    group = engine.database.group
    assert group is not None
    return group


def _issue_group(engine: Engine) -> GroupCommit:
    """The group commit kiosks' issues go through (PostgreSQL: one of their own)."""
    return engine.database.urgent_group or _group(engine)


def _request() -> IssueRequest:
    return IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)


def _hold_until_queued(group: GroupCommit, others: int, holding: threading.Event) -> Any:
    """An ``on_issue`` hook keeping its turn until ``others`` callers wait for theirs."""

    def hook(_work: Unit, _issued: IssuedTicket) -> None:
        holding.set()
        for _ in range(4000):  # at most about 20 s
            if group.waiting >= others:
                return
            time.sleep(0.005)
        raise AssertionError("the other requests never queued behind the first")

    return hook


def _refuse(_work: Unit, _issued: IssuedTicket) -> None:
    raise Refused()


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a request hung"


def _grouped_issues(
    engine: Engine, hooks: list[Callable[[Unit, IssuedTicket], None] | None]
) -> list[object]:
    """Issue one ticket per hook, all in one group (the first holds until the rest queue)."""
    group = _issue_group(engine)
    holding = threading.Event()
    results: list[object] = [None] * (len(hooks) + 1)
    hold = _hold_until_queued(group, len(hooks), holding)

    def issue(index: int, hook: Callable[[Unit, IssuedTicket], None] | None) -> None:
        try:
            results[index] = engine.issuing.issue(_request(), actor=KIOSK, on_issue=hook)
        except BaseException as error:  # collected for the assertions
            results[index] = error

    first = threading.Thread(target=issue, args=(0, hold))
    first.start()
    assert holding.wait(30), "the first request never ran"
    threads = [first]
    for index, hook in enumerate(hooks, start=1):
        thread = threading.Thread(target=issue, args=(index, hook))
        thread.start()
        threads.append(thread)
    _join(threads)
    return results


def _count(engine: Engine, column: Any) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count(column))) or 0)


def test_a_refusal_in_a_group_undoes_only_itself(engine: Engine) -> None:
    group = _issue_group(engine)
    groups_before, members_before = group.groups, group.members
    results = _grouped_issues(engine, [None, _refuse, None, _refuse, None])
    refused = [result for result in results if isinstance(result, Refused)]
    issued = [result for result in results if isinstance(result, IssuedTicket)]
    assert len(refused) == 2 and len(issued) == 4, results
    # One commit for the four that succeeded; the refused ones gave their numbers back.
    assert (group.groups - groups_before, group.members - members_before) == (1, 4)
    assert sorted(ticket.label for ticket in issued) == ["B-001", "B-002", "B-003", "B-004"]
    with engine.database.reader() as session:
        labels = sorted(session.scalars(select(VisitRow.label)))
        used = session.scalar(select(QuotaUsageRow.used))
    assert labels == ["B-001", "B-002", "B-003", "B-004"]
    assert used == 4
    assert _count(engine, OutboxRow.id) == 4 == len(engine.published)


def test_savepoints_go_as_driver_statements_not_compiled_clauses(engine: Engine) -> None:
    """SAVEPOINT, RELEASE and ROLLBACK TO are sent as plain statements (the dialect's own
    way compiles a fresh clause for each member); a refused member is still undone."""
    sent: list[tuple[str, bool]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if "SAVEPOINT" in statement:
            sent.append((statement.split(" sa_savepoint")[0], context.compiled is None))

    writer = engine.database.engines[0]
    event.listen(writer, "before_cursor_execute", record)
    try:
        results = _grouped_issues(engine, [None, _refuse])
    finally:
        event.remove(writer, "before_cursor_execute", record)
    assert sum(isinstance(result, IssuedTicket) for result in results) == 2, results
    kinds = [statement for statement, _plain in sent]
    assert kinds.count("SAVEPOINT") == 2, sent
    assert "RELEASE SAVEPOINT" in kinds and "ROLLBACK TO SAVEPOINT" in kinds, sent
    assert all(plain for _statement, plain in sent), sent


def test_a_refused_first_member_leaves_the_group_to_the_others(engine: Engine) -> None:
    group = _issue_group(engine)
    holding = threading.Event()
    hold = _hold_until_queued(group, 2, holding)

    def first_then_refuse(work: Unit, issued: IssuedTicket) -> None:
        hold(work, issued)
        raise Refused()

    results: list[object] = [None] * 3

    def issue(index: int, hook: Callable[[Unit, IssuedTicket], None] | None) -> None:
        try:
            results[index] = engine.issuing.issue(_request(), actor=KIOSK, on_issue=hook)
        except BaseException as error:  # collected for the assertions
            results[index] = error

    threads = [threading.Thread(target=issue, args=(0, first_then_refuse))]
    threads[0].start()
    assert holding.wait(30)
    threads += [threading.Thread(target=issue, args=(i, None)) for i in (1, 2)]
    for thread in threads[1:]:
        thread.start()
    _join(threads)
    assert isinstance(results[0], Refused)
    assert sorted(r.label for r in results[1:] if isinstance(r, IssuedTicket)) == [
        "B-001",
        "B-002",
    ]
    assert _count(engine, VisitRow.id) == 2 == _count(engine, OutboxRow.id)


def test_the_next_group_commits_while_deliveries_keep_commit_order(engine: Engine) -> None:
    """A group's deliveries (events to the bus) run after the turn has passed on, so the
    next group commits meanwhile; its deliveries still come after the first group's."""
    group = _group(engine)
    start = group.groups
    delivered: list[str] = []
    delivering = threading.Event()
    overlapped: list[bool] = []

    def deliver(payloads: list[str]) -> None:
        if payloads == ["first"]:
            delivering.set()
            for _ in range(2000):  # at most about 10 s for the second group's commit
                if group.groups >= start + 2:
                    break
                time.sleep(0.005)
            overlapped.append(group.groups >= start + 2)
        delivered.extend(payloads)

    def member(name: str) -> None:
        with group.member() as work:
            work.after_commit(deliver, name)

    first = threading.Thread(target=member, args=("first",))
    first.start()
    assert delivering.wait(30), "the first group never delivered"
    second = threading.Thread(target=member, args=("second",))
    second.start()
    _join([first, second])
    assert overlapped == [True], "the second group waited for the first one's deliveries"
    assert delivered == ["first", "second"]


def test_a_failed_commit_fails_every_member_and_stores_nothing(engine: Engine) -> None:
    failing = {"armed": True}

    def fail_commit(session: Any) -> None:
        # (also called when a savepoint is released: only the group's commit fails)
        if failing["armed"] and not session.in_nested_transaction():
            failing["armed"] = False
            raise RuntimeError("the disk is full (test)")

    event.listen(engine.database.writer, "before_commit", fail_commit)
    try:
        results = _grouped_issues(engine, [None, None, None])
    finally:
        event.remove(engine.database.writer, "before_commit", fail_commit)
    assert not failing["armed"], "the group never committed"
    assert all(isinstance(result, GroupCommitFailed) for result in results), [
        type(r).__name__ + (r.label if isinstance(r, IssuedTicket) else repr(r)) for r in results
    ]
    assert _count(engine, VisitRow.id) == 0
    assert _count(engine, OutboxRow.id) == 0
    assert engine.published == []
    # The writer works again afterwards, numbering from the start.
    issued = engine.issuing.issue(_request(), actor=KIOSK)
    assert issued.label == "B-001"


def test_a_lone_issue_failing_at_its_commit_fails_with_its_own_error(engine: Engine) -> None:
    """A kiosk's resend of an issue that committed runs the plain issue again, alone in its
    group: its stored answer's insert fails on the key (on PostgreSQL only at the COMMIT,
    which carries a lone member's writes). The member gets that error as its own, not as
    a failed group, so it is answered as a retry (the first ticket), and nothing of the
    second run is stored (its number is given again)."""
    key = RetryKey("kiosk-1", "transaction-1", "fingerprint")
    first = engine.issuing.issue(_request(), actor=KIOSK, retry_key=key)
    groups = _issue_group(engine).groups
    again = engine.issuing.issue(_request(), actor=KIOSK, retry_key=key)
    assert again == first
    assert _issue_group(engine).groups >= groups + 1  # the second run and the look-up
    assert _count(engine, VisitRow.id) == 1
    assert _count(engine, OutboxRow.id) == 1
    assert engine.issuing.issue(_request(), actor=KIOSK).label == "B-002"


def test_concurrent_issues_and_calls_share_commits_without_duplicates(engine: Engine) -> None:
    """Unique numbers, and exactly one outbox row per event, under free-running threads."""
    kiosks, per_kiosk = 6, 15
    errors: list[BaseException] = []
    labels: list[str] = []
    calls: list[str] = []
    for desk in ("cs-1", "cs-2"):
        engine.officer.open_counter(OFFICE, desk, actor=KIOSK)

    def kiosk() -> None:
        try:
            for _ in range(per_kiosk):
                labels.append(engine.issuing.issue(_request(), actor=KIOSK).label)
        except BaseException as error:  # collected and checked below
            errors.append(error)

    def desk(code: str) -> None:
        try:
            for _ in range(20):
                try:
                    calls.append(engine.officer.call_next(OFFICE, code, actor=KIOSK).label)
                except QueueEmpty:
                    continue
                engine.officer.finish(OFFICE, code, actor=KIOSK, end_visit=True)
        except BaseException as error:  # collected and checked below
            errors.append(error)

    threads = [threading.Thread(target=kiosk) for _ in range(kiosks)]
    threads += [threading.Thread(target=desk, args=(code,)) for code in ("cs-1", "cs-2")]
    for thread in threads:
        thread.start()
    _join(threads)
    assert errors == []
    total = kiosks * per_kiosk
    assert sorted(labels) == [f"B-{n:03d}" for n in range(1, total + 1)]
    assert len(set(calls)) == len(calls)
    with engine.database.reader() as session:
        stored = sorted(session.scalars(select(VisitRow.label)))
        ticket_events = int(session.scalar(select(func.count(TicketEventRow.id))) or 0)
        outbox = list(session.scalars(select(OutboxRow.data)))
    assert stored == sorted(labels)
    # Every ticket change has one outbox row (plus the two counters opened), none twice.
    assert len(outbox) == ticket_events + 2
    keys = [(row.get("ticket"), row.get("action"), row.get("counter")) for row in outbox]
    assert len(set(keys)) == len(keys)
    assert len(engine.published) == len(outbox)


@pytest.mark.parametrize("refuse", [False, True])
def test_officer_actions_in_one_group(engine: Engine, refuse: bool) -> None:
    """Two desks call in one group; a third, closed desk is refused inside it."""
    for _ in range(2):
        engine.issuing.issue(_request(), actor=KIOSK)
    for desk in ("cs-1", "cs-2"):
        engine.officer.open_counter(OFFICE, desk, actor=KIOSK)
    group = _group(engine)
    before = group.groups
    holding = threading.Event()
    results: dict[str, object] = {}

    def hold_then_call() -> object:
        with engine.issuing.grouped():
            holding.set()
            for _ in range(4000):
                if group.waiting >= (3 if refuse else 2):
                    break
                time.sleep(0.005)
        return "held"

    def call(code: str) -> None:
        try:
            results[code] = engine.officer.call_next(OFFICE, code, actor=KIOSK).label
        except BaseException as error:  # collected for the assertions
            results[code] = error

    first = threading.Thread(target=hold_then_call)
    first.start()
    assert holding.wait(30)
    desks = ["cs-1", "cs-2"] + (["cs-3"] if refuse else [])
    threads = [first] + [threading.Thread(target=call, args=(code,)) for code in desks]
    for thread in threads[1:]:
        thread.start()
    _join(threads)
    assert sorted(str(results[code]) for code in ("cs-1", "cs-2")) == ["B-001", "B-002"]
    if refuse:
        assert isinstance(results["cs-3"], DomainError)
    assert group.groups - before == 1


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(4000):  # at most about 20 s
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError(what)


def test_urgent_members_go_ahead_in_a_group_of_their_own_and_then_give_way(
    engine: Engine,
) -> None:
    """A kiosk's issue (urgent) waiting behind an urgent group joins it ahead of an officer
    action that queued first; that action then opens the next group (urgent traffic does
    not starve it), where a later urgent member joins it."""
    group = _group(engine)
    ran: list[tuple[str, int]] = []
    officer_running = threading.Event()

    def member(name: str, urgent: bool, hold: Callable[[], None] | None = None) -> None:
        with group.member(urgent=urgent):
            ran.append((name, group.groups))
            if hold is not None:
                hold()

    def kiosk_holds() -> None:
        officer.start()
        _wait_until(lambda: group.waiting >= 1, "the officer action never queued")
        late_kiosk.start()
        _wait_until(lambda: group.waiting >= 2, "the second kiosk never queued")

    def officer_holds() -> None:
        officer_running.set()
        _wait_until(lambda: group.waiting >= 1, "the third kiosk never queued")

    first_kiosk = threading.Thread(target=member, args=("kiosk 1", True, kiosk_holds))
    officer = threading.Thread(target=member, args=("officer", False, officer_holds))
    late_kiosk = threading.Thread(target=member, args=("kiosk 2", True))
    third_kiosk = threading.Thread(target=member, args=("kiosk 3", True))
    first_kiosk.start()
    assert officer_running.wait(30), "the officer action never ran"
    third_kiosk.start()
    _join([first_kiosk, officer, late_kiosk, third_kiosk])
    start = ran[0][1]
    assert ran == [
        ("kiosk 1", start),
        ("kiosk 2", start),
        ("officer", start + 1),
        ("kiosk 3", start + 1),
    ]
    assert group.waiting == 0


def test_an_urgent_member_cuts_a_long_group_of_the_others_short(engine: Engine) -> None:
    """Officer actions queued together would share one group; a kiosk's issue queued after
    them joins once the group holds ``CUT_AFTER`` of them, and the group commits after it
    (the officer actions left over form the next group, and so does a kiosk's issue
    arriving after the cut)."""
    group = _group(engine)
    officers = CUT_AFTER + 2
    ran: list[tuple[str, int]] = []

    def member(name: str, urgent: bool) -> None:
        with group.member(urgent=urgent):
            ran.append((name, group.groups))
            if name == "officer 0":
                for index in range(1, officers):
                    threads[index].start()
                    _wait_until(lambda n=index: group.waiting >= n, f"officer {index} never queued")
                threads[-2].start()
                _wait_until(lambda: group.waiting >= officers, "the kiosk never queued")
            elif name == "kiosk":
                threads[-1].start()
                _wait_until(lambda: group.waiting >= 3, "the late kiosk never queued")

    threads = [
        threading.Thread(target=member, args=(f"officer {index}", False))
        for index in range(officers)
    ]
    threads.append(threading.Thread(target=member, args=("kiosk", True)))
    threads.append(threading.Thread(target=member, args=("late kiosk", True)))
    threads[0].start()
    _join(threads)
    start = ran[0][1]
    first = [(f"officer {index}", start) for index in range(CUT_AFTER)] + [("kiosk", start)]
    rest = [(f"officer {index}", start + 1) for index in range(CUT_AFTER, officers)]
    assert ran == first + rest + [("late kiosk", start + 1)]


def test_on_postgresql_an_issue_never_waits_for_the_officers_group(engine: Engine) -> None:
    """Kiosks' issues have a group commit of their own on PostgreSQL: an issue commits
    and is answered while a group of officer actions is still running (row locks keep
    the two transactions apart); on SQLite (one writer) it waits for that group."""
    group = _group(engine)
    holding, released = threading.Event(), threading.Event()
    answered: list[IssuedTicket] = []

    def officer_group() -> None:
        with group.member():
            holding.set()
            released.wait(20)

    officer = threading.Thread(target=officer_group)
    officer.start()
    assert holding.wait(30)
    kiosk = threading.Thread(
        target=lambda: answered.append(engine.issuing.issue(_request(), actor=KIOSK))
    )
    kiosk.start()
    if engine.database.is_sqlite:
        kiosk.join(timeout=0.2)
    else:  # answered while the officers' group is still held (the bound: a slow machine)
        _wait_until(lambda: bool(answered) or not kiosk.is_alive(), "the issue never ended")
    answered_while_held = list(answered)
    released.set()
    _join([officer, kiosk])
    if engine.database.is_sqlite:
        assert engine.database.urgent_group is None
        assert answered_while_held == []
    else:
        assert [ticket.label for ticket in answered_while_held] == ["B-001"]
    assert [ticket.label for ticket in answered] == ["B-001"]


def test_two_group_commits_sharing_an_order_deliver_in_commit_order() -> None:
    """The officers' and the kiosks' group commits (PostgreSQL) hand their groups' events
    to the bus in commit order: a group committed while the other's deliveries run waits
    for them before delivering its own."""
    from contextlib import nullcontext

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from queue_server.persistence.group import CommitOrder

    database = create_engine("sqlite://")
    writer = sessionmaker(database)
    order = CommitOrder()
    officers = GroupCommit(writer, nullcontext(), order=order)
    kiosks = GroupCommit(writer, nullcontext(), order=order)
    delivered: list[str] = []
    delivering = threading.Event()

    def deliver(payloads: list[str]) -> None:
        if payloads == ["officers"]:
            delivering.set()
            _wait_until(lambda: kiosks.groups == 1, "the kiosks' group never committed")
            time.sleep(0.05)  # the kiosks' delivery would come first if it did not wait
        delivered.extend(payloads)

    def member(group: GroupCommit, name: str) -> None:
        with group.member() as work:
            work.after_commit(deliver, name)

    first = threading.Thread(target=member, args=(officers, "officers"))
    first.start()
    assert delivering.wait(30)
    second = threading.Thread(target=member, args=(kiosks, "kiosks"))
    second.start()
    _join([first, second])
    assert delivered == ["officers", "kiosks"]
    database.dispose()
