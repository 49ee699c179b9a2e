"""The worker as ``antre serve`` runs it: started over a configured provider (a real
loopback server), stopped cleanly, off without settings; settled rows pruned."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from queue_server.notify import queue
from queue_server.notify.runner import configured_gateway, prune_settled, start_notifications
from queue_server.notify.settings import NotifySettingsError
from queue_server.persistence.db import Database, open_database
from queue_server.persistence.models import Base, NotificationOptOutRow, NotificationRow
from tests.notify.provider import Provider, running_provider
from tests.notify.test_queue_worker import (
    PHONE_DIGITS,
    SECRET,
    Clock,
    all_rows,
    enqueue,
    row,
)

WAIT_S = 20.0


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        running.reset(secret=SECRET)
        yield running


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/notify.db", pool_size=2)
    tables = [NotificationRow.__table__, NotificationOptOutRow.__table__]
    Base.metadata.create_all(db.engines[0], tables=tables)  # type: ignore[arg-type]
    yield db
    db.dispose()


def webhook_env(provider: Provider) -> dict[str, str]:
    return {
        "ANTRE_NOTIFY_PROVIDER": "webhook",
        "ANTRE_NOTIFY_URL": provider.url + "/webhook",
        "ANTRE_NOTIFY_SECRET": SECRET.decode(),
    }


def test_a_configured_provider_starts_the_worker_which_sends_and_stops(
    database: Database, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock()
    queued = enqueue(database, clock)
    gateway = configured_gateway(webhook_env(provider))
    runner = start_notifications(database, gateway, clock=clock, idle_s=0.05)
    assert runner is not None and runner.running
    try:
        deadline = time.monotonic() + WAIT_S
        while row(database, queued).status != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert row(database, queued).status == "sent"
        assert len(provider.delivered) == 1 and provider.bad_signatures == 0
    finally:
        assert runner.stop(timeout_s=10) is True
    assert not runner.running
    assert "sends through the webhook provider" in caplog.text
    assert "the worker stopped" in caplog.text
    assert PHONE_DIGITS not in caplog.text and provider.url not in caplog.text


def test_the_log_provider_writes_each_message_masked_and_settles_it(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """``ANTRE_NOTIFY_PROVIDER=log`` (demos): the text in the log, the number masked."""
    caplog.set_level(logging.INFO)
    clock = Clock()
    queued = enqueue(database, clock)
    runner = start_notifications(
        database, configured_gateway({"ANTRE_NOTIFY_PROVIDER": "log"}), clock=clock, idle_s=0.05
    )
    assert runner is not None
    try:
        deadline = time.monotonic() + WAIT_S
        while row(database, queued).status != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert row(database, queued).status == "sent"
    finally:
        assert runner.stop(timeout_s=10) is True
    written = [
        record.getMessage() for record in caplog.records if record.name == "antre.notify.log"
    ]
    assert len(written) == 1 and "-••••-" in written[0]
    assert PHONE_DIGITS not in caplog.text


def test_without_settings_nothing_starts_and_the_log_says_so(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    enqueue(database, Clock())
    assert configured_gateway({}) is None
    assert start_notifications(database, None, clock=Clock()) is None
    assert "notifications are off" in caplog.text and PHONE_DIGITS not in caplog.text
    assert [stored.status for stored in all_rows(database)] == ["pending"]


def test_a_bad_setting_is_named_without_its_value() -> None:
    with pytest.raises(NotifySettingsError) as bad:
        configured_gateway(
            {
                "ANTRE_NOTIFY_PROVIDER": "webhook",
                "ANTRE_NOTIFY_URL": "ftp://x/s3cret",
                "ANTRE_NOTIFY_SECRET": "k",
            }
        )
    assert "ANTRE_NOTIFY_URL" in str(bad.value) and "s3cret" not in str(bad.value)


def test_the_purge_prunes_settled_rows_older_than_the_retention(database: Database) -> None:
    clock = Clock()
    old = enqueue(database, clock, key="old")
    fresh = enqueue(database, clock, key="fresh")
    pending = enqueue(database, clock, key="pending")
    with database.writer() as session, session.begin():
        queue.mark_sent(session, old, provider_id="m1", now=clock() - timedelta(days=31))
        queue.mark_sent(session, fresh, provider_id="m2", now=clock() - timedelta(days=29))
    assert prune_settled(database, now=clock(), days=30) == 1
    assert sorted(stored.id for stored in all_rows(database)) == sorted([fresh, pending])
