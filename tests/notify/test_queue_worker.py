"""The durable queue and its worker against a real loopback provider, SQLite and PostgreSQL.

Time is a fake clock: back-off and leases are checked by moving it, never by sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from queue_server.notify import queue
from queue_server.notify.gateways import SmsGateway, WebhookGateway
from queue_server.notify.messages import Message, Template
from queue_server.notify.worker import Backoff, NotificationWorker
from queue_server.persistence.db import Database, open_database
from queue_server.persistence.models import Base, NotificationOptOutRow, NotificationRow
from tests.notify.provider import SECRET, Provider

HASH_KEY = b"phone-hash-key"
PHONE = "0812-3456-7890"
PHONE_DIGITS = "81234567890"
LEASE = timedelta(minutes=2)
BACKOFF = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=5), max_attempts=4)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Crash(BaseException):
    """The process dies: nothing after it runs (not an Exception, so nothing catches it)."""


class CrashAfterSend:
    """The provider accepted the message, then the worker died before recording it."""

    name = "crashing"

    def __init__(self, inner: WebhookGateway) -> None:
        self.inner = inner

    def send(self, message: Message, *, idempotency_key: str) -> str:
        self.inner.send(message, idempotency_key=idempotency_key)
        raise Crash


class Broken:
    """An adapter with a bug: it raises something no adapter should."""

    name = "broken"

    def send(self, message: Message, *, idempotency_key: str) -> str:
        raise KeyError(message.phone)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (
        f"sqlite:///{tmp_path}/notify.db"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    db = open_database(url, pool_size=2)
    tables = [NotificationRow.__table__, NotificationOptOutRow.__table__]
    Base.metadata.create_all(db.engines[0], tables=tables)  # type: ignore[arg-type]
    yield db
    db.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def webhook(provider: Provider, *, timeout: float = 5) -> WebhookGateway:
    return WebhookGateway(provider.url + "/webhook", SECRET, timeout=timeout)


def message(phone: str = PHONE) -> Message:
    return Message(phone, Template.NUMBER_NEAR, "en", {"number": "A-012", "away": "3"})


def enqueue(db: Database, clock: Clock, key: str = "visit-1:near", phone: str = PHONE) -> int:
    with db.writer() as session, session.begin():
        queued = queue.enqueue(
            session, message(phone), idempotency_key=key, hash_key=HASH_KEY, now=clock()
        )
    return queued.id


def row(db: Database, row_id: int) -> NotificationRow:
    with db.reader() as session:
        found = session.get(NotificationRow, row_id)
        assert found is not None
        return found


def all_rows(db: Database) -> list[NotificationRow]:
    with db.reader() as session:
        return list(session.scalars(select(NotificationRow)))


def worker(db: Database, gateway: object, clock: Clock) -> NotificationWorker:
    return NotificationWorker(db, gateway, clock=clock, lease=LEASE, backoff=BACKOFF)  # type: ignore[arg-type]


def assert_no_phone(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    assert PHONE_DIGITS not in caplog.text
    for stored in all_rows(db):
        assert PHONE_DIGITS not in (stored.last_error or "")


def test_a_message_is_sent_once_and_its_number_forgotten(
    database: Database, provider: Provider, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row_id = enqueue(database, clock)
    assert enqueue(database, clock) == row_id  # the same key queues nothing new
    assert worker(database, webhook(provider), clock).run_once() == 1
    sent = row(database, row_id)
    assert (sent.status, sent.attempts, sent.provider_message_id) == ("sent", 1, "msg-1")
    assert sent.recipient is None and len(sent.recipient_hash) == 64
    assert provider.bad_signatures == 0 and list(provider.delivered) == ["visit-1:near"]
    assert worker(database, webhook(provider), clock).run_once() == 0  # nothing more to do
    assert len(provider.received) == 1
    assert_no_phone(database, caplog)


def test_a_server_error_is_retried_after_a_growing_back_off(
    database: Database, provider: Provider, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row_id = enqueue(database, clock)
    provider.plan.extend([500, 503])
    sender = worker(database, webhook(provider), clock)
    start = clock()
    assert sender.run_once() == 1
    first = row(database, row_id)
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "HTTP 500")
    assert first.next_attempt_at == start + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert sender.run_once() == 0  # not due yet
    clock.advance(timedelta(seconds=1))
    assert sender.run_once() == 1
    second = row(database, row_id)
    assert (second.status, second.attempts, second.last_error) == ("pending", 2, "HTTP 503")
    assert second.next_attempt_at == clock() + timedelta(seconds=60)  # doubled
    clock.advance(timedelta(seconds=60))
    assert sender.run_once() == 1
    done = row(database, row_id)
    assert (done.status, done.attempts, done.last_error) == ("sent", 3, None)
    assert len(provider.received) == 3 and len(provider.delivered) == 1
    assert_no_phone(database, caplog)


def test_back_off_is_capped_and_attempts_run_out() -> None:
    assert [BACKOFF.delay(n) for n in (1, 2, 3, 4, 5, 40)] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
        timedelta(minutes=5),
        timedelta(minutes=5),
    ]


def test_a_provider_down_for_good_ends_failed_after_the_last_attempt(
    database: Database, provider: Provider, clock: Clock
) -> None:
    row_id = enqueue(database, clock)
    provider.plan.extend([500] * BACKOFF.max_attempts)
    sender = worker(database, webhook(provider), clock)
    for _ in range(BACKOFF.max_attempts):
        assert sender.run_once() == 1
        clock.advance(BACKOFF.cap)
    failed = row(database, row_id)
    assert failed.status == "failed" and failed.attempts == BACKOFF.max_attempts
    assert failed.last_error == "gave up after 4 attempts: HTTP 500"
    assert failed.recipient is None
    assert sender.run_once() == 0 and provider.delivered == {}


def test_a_refusal_fails_at_once(database: Database, provider: Provider, clock: Clock) -> None:
    row_id = enqueue(database, clock)
    provider.plan.append(400)
    sender = worker(database, webhook(provider), clock)
    assert sender.run_once() == 1
    failed = row(database, row_id)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, "HTTP 400")
    clock.advance(timedelta(days=1))
    assert sender.run_once() == 0 and len(provider.received) == 1


def test_a_slow_provider_times_out_and_the_retry_is_not_a_second_message(
    database: Database, provider: Provider, clock: Clock
) -> None:
    row_id = enqueue(database, clock)
    provider.plan.append("slow")
    gateway = SmsGateway(provider.url + "/sms", timeout=0.2)
    sender = worker(database, gateway, clock)
    assert sender.run_once() == 1
    waiting = row(database, row_id)
    assert (waiting.status, waiting.last_error) == ("pending", "timeout")
    provider.release.set()  # the provider finishes the slow request after all
    clock.advance(timedelta(seconds=30))
    assert sender.run_once() == 1
    assert row(database, row_id).status == "sent"
    keys = {request.headers["idempotency-key"] for request in provider.received}
    assert keys == {"visit-1:near"} and len(provider.received) == 2
    assert len(provider.delivered) == 1


def test_a_worker_dying_mid_send_loses_nothing_and_sends_nothing_twice(
    database: Database, provider: Provider, clock: Clock
) -> None:
    row_id = enqueue(database, clock)
    with pytest.raises(Crash):
        worker(database, CrashAfterSend(webhook(provider)), clock).run_once()
    stuck = row(database, row_id)
    assert (stuck.status, stuck.attempts) == ("sending", 1)
    restarted = worker(database, webhook(provider), clock)
    assert restarted.run_once() == 0  # the lease still holds: perhaps it is still sending
    clock.advance(LEASE)
    assert restarted.run_once() == 1
    sent = row(database, row_id)
    assert (sent.status, sent.attempts, sent.provider_message_id) == ("sent", 2, "msg-1")
    assert len(provider.received) == 2
    assert {request.headers["idempotency-key"] for request in provider.received} == {"visit-1:near"}
    assert list(provider.delivered) == ["visit-1:near"]  # the provider delivered it once


def test_two_workers_never_claim_one_row(database: Database, clock: Clock) -> None:
    row_id = enqueue(database, clock)
    with database.writer() as session, session.begin():
        first = queue.claim(session, row_id, now=clock(), lease=LEASE)
    with database.writer() as session, session.begin():
        second = queue.claim(session, row_id, now=clock(), lease=LEASE)
    assert first is not None and second is None
    assert first.idempotency_key == "visit-1:near" and first.message.phone == "+6281234567890"


def test_opted_out_numbers_get_nothing(
    database: Database, provider: Provider, clock: Clock
) -> None:
    waiting = enqueue(database, clock, key="a")
    other = enqueue(database, clock, key="b", phone="0813 0000 1111")
    with database.writer() as session, session.begin():
        queue.opt_out(session, "+62 812 3456 7890", hash_key=HASH_KEY, now=clock())
    later = enqueue(database, clock, key="c")
    assert worker(database, webhook(provider), clock).run_once() == 1
    for row_id in (waiting, later):
        refused = row(database, row_id)
        assert (refused.status, refused.last_error, refused.recipient) == (
            "failed",
            "opted out",
            None,
        )
    assert row(database, other).status == "sent"
    assert list(provider.delivered) == ["b"]
    with database.reader() as session:
        stored = list(session.scalars(select(NotificationOptOutRow.recipient_hash)))
    assert len(stored) == 1 and PHONE_DIGITS not in stored[0]
    with database.writer() as session, session.begin():
        queue.opt_in(session, PHONE, hash_key=HASH_KEY)
    assert row(database, enqueue(database, clock, key="d")).status == "pending"


def test_prune_deletes_only_settled_rows_older_than_the_limit(
    database: Database, provider: Provider, clock: Clock
) -> None:
    sent = enqueue(database, clock, key="old")
    assert worker(database, webhook(provider), clock).run_once() == 1
    clock.advance(timedelta(days=31))
    waiting = enqueue(database, clock, key="new")
    with database.writer() as session, session.begin():
        removed = queue.prune(session, settled_before=clock() - timedelta(days=30))
    assert removed == 1
    assert [r.id for r in all_rows(database)] == [waiting] and waiting != sent


def test_an_opt_out_during_a_lapsed_send_stops_the_resend(
    database: Database, provider: Provider, clock: Clock
) -> None:
    row_id = enqueue(database, clock)
    with database.writer() as session, session.begin():
        assert queue.claim(session, row_id, now=clock(), lease=LEASE) is not None
    with database.writer() as session, session.begin():  # the claiming worker died
        queue.opt_out(session, PHONE, hash_key=HASH_KEY, now=clock())
    clock.advance(LEASE)
    assert worker(database, webhook(provider), clock).run_once() == 0
    stopped = row(database, row_id)
    assert (stopped.status, stopped.last_error, stopped.recipient) == ("failed", "opted out", None)
    assert provider.received == []


def test_two_workers_at_once_send_every_message_exactly_once(
    database: Database, provider: Provider, clock: Clock
) -> None:
    keys = [f"visit-{n}:near" for n in range(12)]
    for key in keys:
        enqueue(database, clock, key=key)
    # A second process: its own engines on the same database.
    other = open_database(database.url, pool_size=2)
    try:
        workers = [worker(db, webhook(provider), clock) for db in (database, other)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = list(pool.map(lambda w: w.run_once(), workers))
    finally:
        other.dispose()
    assert sum(counts) == len(keys)
    assert sorted(r.headers["idempotency-key"] for r in provider.received) == sorted(keys)
    assert {r.status for r in all_rows(database)} == {"sent"}


def test_an_adapter_bug_is_retried_like_a_temporary_failure_and_logs_no_number(
    database: Database, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row_id = enqueue(database, clock)
    assert worker(database, Broken(), clock).run_once() == 1
    retried = row(database, row_id)
    assert (retried.status, retried.last_error) == ("pending", "unexpected KeyError")
    assert_no_phone(database, caplog)


def test_a_message_whose_sends_keep_dying_is_given_up(
    database: Database, provider: Provider, clock: Clock
) -> None:
    row_id = enqueue(database, clock)
    crashing = worker(database, CrashAfterSend(webhook(provider)), clock)
    for _ in range(BACKOFF.max_attempts):
        with pytest.raises(Crash):
            crashing.run_once()
        clock.advance(LEASE)
    assert worker(database, webhook(provider), clock).run_once() == 1
    given_up = row(database, row_id)
    assert given_up.status == "failed" and given_up.recipient is None
    assert given_up.last_error == "gave up after 5 attempts: no answer recorded"
    assert len(provider.received) == BACKOFF.max_attempts


class Signalling:
    """The real webhook adapter, telling the test when a message went out."""

    name = "signalling"

    def __init__(self, inner: WebhookGateway) -> None:
        self.inner, self.sent = inner, threading.Event()

    def send(self, message: Message, *, idempotency_key: str) -> str:
        provider_id = self.inner.send(message, idempotency_key=idempotency_key)
        self.sent.set()
        return provider_id


def test_the_loop_sends_what_is_queued_and_stops_when_told(
    database: Database, provider: Provider, clock: Clock
) -> None:
    gateway = Signalling(webhook(provider))
    row_id = enqueue(database, clock)
    stop = threading.Event()
    loop = threading.Thread(target=worker(database, gateway, clock).run, args=(stop,))
    loop.start()
    try:
        assert gateway.sent.wait(timeout=15)
    finally:
        stop.set()
        loop.join(timeout=15)
    assert not loop.is_alive()
    assert list(provider.delivered) == ["visit-1:near"]
    assert row(database, row_id).status == "sent"  # the pass under way was finished
