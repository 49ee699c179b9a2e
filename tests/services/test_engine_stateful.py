"""Random sequences of kiosk and officer actions against a real SQLite database.

Hypothesis drives issue / call-next / call-specific / recall / start / finish / no-show /
reactivate / park / transfer / cancel / clock steps in any order, and after every step
checks the engine's invariants from the tables: no number issued twice, every issued
visit still has its place (nothing lost), no ticket called twice by call-next, at most
one live ticket per visit and one active ticket per counter, and every ticket's status
matches what a model of the state machine expects.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select

from queue_server.domain.errors import DomainError, ServiceClosed
from queue_server.domain.ids import TicketSource
from queue_server.persistence.db import open_database
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import TicketEventRow, TicketRow, VisitRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.officer import TransferTarget
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.services.conftest import Engine, office_settings

OFFICE = "kanim-test"
COUNTERS = ["cs-1", "cs-2", "bio-1", "ramah-ham", "bap-1"]
LIVE = {"waiting", "called", "serving", "parked"}
ACTOR = Actor(name="machine")


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._folder = TemporaryDirectory(prefix="antre-stateful-")
        url = f"sqlite:///{Path(self._folder.name) / 'state.db'}"
        upgrade(url)
        self.engine = Engine(open_database(url), FakeClock(MONDAY_10_WITA))
        self.engine.load(office_settings())
        for counter in COUNTERS:
            self.engine.officer.open_counter(OFFICE, counter, actor=ACTOR)
        self.issued: list[int] = []  # visit ids acknowledged to kiosks

    def teardown(self) -> None:
        self.engine.database.dispose()
        self._folder.cleanup()

    def _try(self, action: Callable[[], object]) -> None:
        # A refused action rolls back; the invariants below then still hold.
        with contextlib.suppress(DomainError):
            action()

    @initialize(
        kinds=st.lists(
            st.tuples(st.sampled_from(["walkin", "lost"]), st.booleans()), min_size=3, max_size=8
        )
    )
    def some_people_are_waiting(self, kinds: list[tuple[str, bool]]) -> None:
        for service, priority in kinds:
            self.issue(service, priority)

    @rule(service=st.sampled_from(["walkin", "lost"]), priority=st.booleans())
    def issue(self, service: str, priority: bool) -> None:
        request = IssueRequest(
            office=OFFICE,
            service=service,
            source=TicketSource.KIOSK,
            priority_category="elderly" if priority else None,
        )
        try:
            issued = self.engine.issuing.issue(request, actor=ACTOR)
        except ServiceClosed:
            return  # the clock passed closing time: refused, and nothing may have changed
        self.issued.append(issued.visit_id)

    @rule(counter=st.sampled_from(COUNTERS))
    def call_next(self, counter: str) -> None:
        self._try(lambda: self.engine.officer.call_next(OFFICE, counter, actor=ACTOR))

    @rule(
        counter=st.sampled_from(COUNTERS),
        action=st.sampled_from(["recall", "start", "no_show", "park"]),
    )
    def counter_action(self, counter: str, action: str) -> None:
        method = getattr(self.engine.officer, action)
        self._try(lambda: method(OFFICE, counter, actor=ACTOR))

    @rule(counter=st.sampled_from(COUNTERS), end_visit=st.booleans())
    def finish(self, counter: str, end_visit: bool) -> None:
        self._try(
            lambda: self.engine.officer.finish(OFFICE, counter, actor=ACTOR, end_visit=end_visit)
        )

    @rule(counter=st.sampled_from(COUNTERS), to_bap=st.booleans())
    def transfer(self, counter: str, to_bap: bool) -> None:
        target = TransferTarget(service="lost", step=1) if to_bap else TransferTarget()
        self._try(lambda: self.engine.officer.transfer(OFFICE, counter, target, actor=ACTOR))

    @precondition(lambda self: bool(self.issued))
    @rule(data=st.data(), counter=st.sampled_from(COUNTERS))
    def by_ticket(self, data: st.DataObject, counter: str) -> None:
        # Draw a position, not a value from the database, so replays draw the same way.
        tickets = self._ticket_ids()
        ticket_id = tickets[data.draw(st.integers(0, 10_000)) % len(tickets)]
        choice = data.draw(st.sampled_from(["call_specific", "reactivate", "cancel"]))
        officer = self.engine.officer
        if choice == "call_specific":
            self._try(lambda: officer.call_specific(OFFICE, counter, ticket_id, actor=ACTOR))
        else:
            method = getattr(officer, choice)
            self._try(lambda: method(OFFICE, ticket_id, actor=ACTOR))

    @rule(minutes=st.integers(1, 45))
    def time_passes(self, minutes: int) -> None:
        self.engine.clock.advance(minutes=minutes)

    def _ticket_ids(self) -> list[int]:
        with self.engine.database.reader() as session:
            return list(session.scalars(select(TicketRow.id).order_by(TicketRow.id)))

    @invariant()
    def numbers_are_unique_and_nothing_is_lost(self) -> None:
        with self.engine.database.reader() as session:
            visits = session.execute(select(VisitRow.id, VisitRow.series, VisitRow.number)).all()
            first_steps = set(
                session.scalars(select(TicketRow.visit_id).where(TicketRow.step_index == 0))
            )
        numbers = Counter((series, number) for _, series, number in visits)
        assert all(count == 1 for count in numbers.values())
        assert {visit_id for visit_id, _, _ in visits} == set(self.issued)
        assert set(self.issued) <= first_steps

    @invariant()
    def one_live_ticket_per_visit_and_one_active_per_counter(self) -> None:
        with self.engine.database.reader() as session:
            rows = session.execute(
                select(TicketRow.visit_id, TicketRow.counter_pk, TicketRow.status)
            ).all()
        live = Counter(visit for visit, _, status in rows if status in LIVE)
        active = Counter(counter for _, counter, status in rows if status in {"called", "serving"})
        assert all(count == 1 for count in live.values())
        assert all(count == 1 for count in active.values())

    @invariant()
    def call_next_never_calls_a_ticket_twice(self) -> None:
        with self.engine.database.reader() as session:
            calls = Counter(
                session.scalars(
                    select(TicketEventRow.ticket_id).where(TicketEventRow.action == "call")
                )
            )
        assert all(count == 1 for count in calls.values())

    @invariant()
    def timeline_matches_status(self) -> None:
        with self.engine.database.reader() as session:
            last = dict(
                session.execute(
                    select(TicketEventRow.ticket_id, TicketEventRow.to_status).order_by(
                        TicketEventRow.id
                    )
                ).all()
            )
            statuses = dict(session.execute(select(TicketRow.id, TicketRow.status)).all())
        assert last == statuses


EngineMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineMachine = EngineMachine.TestCase
