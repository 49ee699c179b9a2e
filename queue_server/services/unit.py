"""What every use case shares: the actor, the clock, one transaction, events after commit.

Each event is also written to the outbox table in the use case's own transaction, so the
serving process publishes every committed change, also one committed by another process
or just before a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from queue_server.domain.events import DomainEvent
from queue_server.domain.ids import Role
from queue_server.persistence import fast
from queue_server.persistence.db import Database
from queue_server.persistence.fast import write
from queue_server.persistence.outbox import insert_events
from queue_server.persistence.statements import INSERT_AUDIT
from queue_server.services.events import EventBus
from queue_server.services.offices import OfficeCatalog

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who asks for a use case: a signed-in user, a machine token, or the system."""

    name: str
    user_id: int | None = None
    role: Role | None = None
    remote_addr: str | None = None
    #: The offices the actor may act in; None means every office (administrators, system).
    offices: frozenset[str] | None = None

    def may_act_in(self, office: str) -> bool:
        """True if the actor's office scope includes ``office``."""
        return self.offices is None or office in self.offices


SYSTEM = Actor(name="system")


@dataclass
class Unit:
    """One open transaction and the events to publish once it commits."""

    session: Session
    now: datetime
    events: list[DomainEvent] = field(default_factory=list)

    def audit(
        self,
        actor: Actor,
        action: str,
        *,
        office_id: str | None,
        target: str | None,
        **details: Any,
    ) -> None:
        write(
            self.session,
            INSERT_AUDIT,
            {
                "at": self.now,
                "office_id": office_id,
                "user_id": actor.user_id,
                "actor": actor.name,
                "action": action,
                "target": target,
                "details": details,
                "remote_addr": actor.remote_addr,
            },
        )


class UseCases:
    """Base of the application services: keyword-only collaborators, no globals."""

    def __init__(
        self,
        *,
        database: Database,
        catalog: OfficeCatalog,
        events: EventBus,
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.catalog = catalog
        self.events = events
        self.clock = clock

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """A write transaction; its events go to the outbox with it and to the bus after it."""
        with self.database.write_guard, self.database.writer() as session, session.begin():
            work = Unit(session=session, now=self.clock())
            yield work
            stored = insert_events(session, work.events, now=work.now)
        self.events.publish(work.events, stored=stored)

    @contextmanager
    def grouped(self, *, ahead: bool = False, urgent: bool = False) -> Iterator[Unit]:
        """Like :meth:`unit`, but shared with the units arriving at the same time: one
        transaction, each unit in its own savepoint (a refusal undoes only itself), one
        commit, and the group's events to the bus in one batch after it. Returns (or
        raises) only after that commit; a failed commit fails every unit of the group.
        Never nest it in another unit of this database (the group holds the write gate).

        ``ahead``: in pipeline mode (PostgreSQL) the unit's fast statements do not wait
        for their answers until one is read (:func:`~queue_server.persistence.fast.ahead`);
        what is still on its way, the outbox rows included, is settled before the unit
        leaves, so an error is raised here as it would have been at its statement; or,
        when the unit is alone in its group, with the group's COMMIT (one round trip
        less), its error then raised here too.

        ``urgent``: somebody waits at a screen (a kiosk's issue); the unit goes ahead of the
        others waiting for the group's turn, in a group of urgent units only
        (:mod:`~queue_server.persistence.group`); on PostgreSQL in a group commit of
        their own, beside the others' (``Database.urgent_group``).
        """
        group = self.database.group
        if urgent and self.database.urgent_group is not None:
            group = self.database.urgent_group
        if group is None:
            with self.unit() as work:
                yield work
            return
        with group.member(urgent=urgent) as member:
            work = Unit(session=member.session, now=self.clock())
            with fast.ahead(member.session, settled=False) if ahead else nullcontext():
                yield work
                if work.events:
                    stored = insert_events(member.session, work.events, now=work.now)
                    member.after_commit(self.events.publish_batches, (work.events, stored))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (never blocks writers on SQLite WAL)."""
        with self.database.reader() as session, session.begin():
            yield session
