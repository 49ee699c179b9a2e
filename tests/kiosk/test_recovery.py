"""Nothing lost, nothing doubled: a kiosk crash before its sync, a broker killed mid-sync."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import pytest

from kiosk.link import Answer, IssuedOffline, SyncReport
from tests.kiosk.conftest import KioskStack, advance, restart_broker, server_labels, stop_broker
from tests.mqtt.live import LiveServer, wait_until


def issue_offline(live: LiveServer, kiosk: KioskStack, count: int) -> list[str]:
    kiosk.issuer.refill(["walkin"])
    stop_broker(live, kiosk)
    labels = []
    for _ in range(count):
        advance(live, seconds=20)
        issued = kiosk.core.issue("walkin")
        assert isinstance(issued, IssuedOffline)
        labels.append(issued.label)
    advance(live, seconds=20)
    return labels


def assert_exactly_once(live: LiveServer, kiosk: KioskStack, labels: list[str]) -> None:
    on_server = server_labels(live)
    assert sorted(on_server) == sorted(labels)
    assert set(Counter(on_server).values()) == {1}
    records = kiosk.issuer.records()
    assert [record["status"] for record in records] == ["accepted"] * len(labels)
    assert [record["server_label"] for record in records] == labels


def test_a_crash_after_sending_before_recording_the_answer_syncs_once(
    live: LiveServer, kiosk: KioskStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = issue_offline(live, kiosk, 4)
    restart_broker(live, kiosk)
    lost: list[Answer] = []
    monkeypatch.setattr(kiosk.link, "_deliver", lost.append)  # every answer lost
    assert kiosk.issuer.sync(timeout_s=1.5) == SyncReport(pending=4)
    assert lost and sorted(server_labels(live)) == labels  # the server has them already
    [batch] = kiosk.outbox.pending()
    kiosk.reopen()  # crashed before it recorded an answer
    kiosk.wait_up()
    assert [item.transaction for item in kiosk.outbox.pending()] == [batch.transaction]
    assert kiosk.issuer.sync() == SyncReport(accepted=4)
    assert kiosk.outbox.pending() == []
    assert_exactly_once(live, kiosk, labels)


def test_a_crash_before_any_sync_keeps_every_offline_ticket(
    live: LiveServer, kiosk: KioskStack
) -> None:
    labels = issue_offline(live, kiosk, 3)
    kiosk.reopen()
    assert kiosk.issuer.pending_count() == 3
    restart_broker(live, kiosk)
    assert kiosk.issuer.sync() == SyncReport(accepted=3)
    assert kiosk.issuer.sync() == SyncReport()  # nothing left, nothing sent twice
    assert_exactly_once(live, kiosk, labels)


def test_a_broker_killed_in_the_middle_of_a_sync(
    live: LiveServer, kiosk: KioskStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = issue_offline(live, kiosk, 20)  # four batches of five
    restart_broker(live, kiosk)
    assert live.runtime is not None and live.runtime.broker is not None
    broker = live.runtime.broker.process
    deliver, answers = kiosk.link._deliver, []

    def kill_after_the_first_batch(answer: Answer) -> None:
        answers.append(answer)
        if len(answers) == 1:  # the next batch is on its way: the broker dies under it
            os.kill(broker.pid or 0, signal.SIGKILL)
        deliver(answer)

    monkeypatch.setattr(kiosk.link, "_deliver", kill_after_the_first_batch)
    reports: list[SyncReport] = []
    syncing = threading.Thread(target=lambda: reports.append(kiosk.issuer.sync(timeout_s=30)))
    syncing.start()
    assert wait_until(lambda: broker.exit_code() is not None)
    assert wait_until(lambda: kiosk.issuer.pending_count() == 15)
    broker.relaunch()  # as the supervisor would
    syncing.join(timeout=40)
    assert not syncing.is_alive() and reports
    if kiosk.issuer.pending_count():  # the first sync may have run out of time
        kiosk.wait_up()
        kiosk.issuer.sync(timeout_s=20)
    assert kiosk.issuer.pending_count() == 0 and kiosk.outbox.pending() == []
    assert_exactly_once(live, kiosk, labels)
