"""The loop that sends due messages: claim, send outside any transaction, record the result."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from queue_server.notify import queue
from queue_server.notify.gateways import Gateway, PermanentFailure, TemporaryFailure
from queue_server.persistence.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Attempt n (1-based) that failed for a temporary reason waits ``base * 2**(n-1)``, capped."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempt: int) -> timedelta:
        factor: int = 2 ** max(0, min(attempt - 1, 30))
        return min(self.cap, self.base * factor)


class NotificationWorker:
    """Sends what is due through one gateway.

    ``lease`` must be longer than the gateway's timeout: a row claimed longer ago than
    that is taken to belong to a dead worker and is sent again (same idempotency key).
    """

    def __init__(
        self,
        database: Database,
        gateway: Gateway,
        *,
        clock: Callable[[], datetime],
        lease: timedelta = timedelta(minutes=2),
        backoff: Backoff | None = None,
        batch: int = 20,
    ) -> None:
        self.database, self.gateway, self.clock = database, gateway, clock
        self.lease, self.backoff, self.batch = lease, backoff or Backoff(), batch

    def run_once(self) -> int:
        """One pass over the due rows; how many attempts it made."""
        with self.database.reader() as session, session.begin():
            ids = queue.due_ids(session, now=self.clock(), limit=self.batch)
        attempts = 0
        for row_id in ids:
            with self.database.write_guard, self.database.writer() as session, session.begin():
                claimed = queue.claim(session, row_id, now=self.clock(), lease=self.lease)
            if claimed is None:
                continue
            attempts += 1
            if claimed.attempts > self.backoff.max_attempts:  # its sends kept dying mid-way
                self._give_up(claimed, "no answer recorded")
                continue
            self._attempt(claimed)
        return attempts

    def _attempt(self, claimed: queue.Claimed) -> None:
        try:
            provider_id = self.gateway.send(
                claimed.message, idempotency_key=claimed.idempotency_key
            )
        except TemporaryFailure as failure:
            self._record_temporary(claimed, failure.reason)
            return
        except PermanentFailure as failure:
            log.warning(
                "notification %s (%s) refused by %s: %s",
                claimed.id,
                claimed.message.template,
                self.gateway.name,
                failure.reason,
            )
            with self.database.write_guard, self.database.writer() as session, session.begin():
                queue.mark_failed(
                    session,
                    claimed.id,
                    attempt=claimed.attempts,
                    reason=failure.reason,
                    now=self.clock(),
                )
            return
        except Exception as error:  # an adapter's bug must not leave the row to its lease
            # Only the type: an exception's text could hold the number.
            log.error(
                "notification %s: %s failed unexpectedly (%s)",
                claimed.id,
                self.gateway.name,
                type(error).__name__,
            )
            self._record_temporary(claimed, f"unexpected {type(error).__name__}")
            return
        with self.database.write_guard, self.database.writer() as session, session.begin():
            queue.mark_sent(session, claimed.id, provider_id=provider_id, now=self.clock())
        log.info(
            "notification %s (%s) sent by %s after %d attempt(s)",
            claimed.id,
            claimed.message.template,
            self.gateway.name,
            claimed.attempts,
        )

    def _record_temporary(self, claimed: queue.Claimed, reason: str) -> None:
        now = self.clock()
        with self.database.write_guard, self.database.writer() as session, session.begin():
            if claimed.attempts >= self.backoff.max_attempts:
                self._give_up(claimed, reason, session=session)
                return
            queue.mark_retry(
                session,
                claimed.id,
                attempt=claimed.attempts,
                reason=reason,
                at=now + self.backoff.delay(claimed.attempts),
            )
        log.info(
            "notification %s attempt %d failed (%s); retrying", claimed.id, claimed.attempts, reason
        )

    def _give_up(self, claimed: queue.Claimed, reason: str, session: Session | None = None) -> None:
        text = f"gave up after {claimed.attempts} attempts: {reason}"
        if session is None:
            with self.database.write_guard, self.database.writer() as own, own.begin():
                queue.mark_failed(
                    own, claimed.id, attempt=claimed.attempts, reason=text, now=self.clock()
                )
        else:
            queue.mark_failed(
                session, claimed.id, attempt=claimed.attempts, reason=text, now=self.clock()
            )
        log.warning("notification %s gave up: %s", claimed.id, reason)

    def run(self, stop: threading.Event, *, idle_s: float = 5.0) -> None:
        """Until ``stop`` is set: send what is due, then wait ``idle_s`` when nothing was."""
        while not stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # a database hiccup must not end the loop
                log.exception("notification worker pass failed")
                worked = 0
            if not worked:
                stop.wait(idle_s)
