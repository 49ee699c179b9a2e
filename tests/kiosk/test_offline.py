"""Offline issuing from leased blocks, the sync, and honest refusals."""

from __future__ import annotations

from collections import Counter

import pytest

from kiosk.link import IssuedOffline, IssuedOnline, NotAvailableOffline, OfflineRefused
from tests.kiosk.conftest import KioskStack, advance, restart_broker, server_labels, stop_broker
from tests.mqtt.live import OFFICE, LiveServer, wait_until


def test_offline_tickets_sync_once_and_queue_by_issue_time(
    live: LiveServer, kiosk: KioskStack
) -> None:
    kiosk.core.maintain()  # online: leases a block for walkin
    assert kiosk.issuer.remaining("walkin") == 20
    early = kiosk.core.issue("walkin")
    assert isinstance(early, IssuedOnline)
    stop_broker(live, kiosk)
    offline = []
    for _ in range(3):
        advance(live, minutes=1)
        issued = kiosk.core.issue("walkin")
        assert isinstance(issued, IssuedOffline)
        offline.append(issued.label)
    assert offline == ["B-001", "B-002", "B-003"]  # the block was leased first
    advance(live, minutes=1)
    kiosk.core.start()  # the kiosk syncs by itself when the link returns
    restart_broker(live, kiosk)
    assert wait_until(lambda: kiosk.issuer.pending_count() == 0, limit_s=10)
    advance(live, minutes=1)
    late = kiosk.core.issue("walkin")
    assert isinstance(late, IssuedOnline)
    labels = server_labels(live)
    assert sorted(labels) == sorted([early.label, *offline, late.label])
    assert set(Counter(labels).values()) == {1}
    records = kiosk.issuer.records()
    assert [record["server_label"] for record in records] == offline
    assert all(record["status"] == "accepted" and record["token"] for record in records)
    queue = [entry["label"] for entry in live.services.views.waiting_list(OFFICE, "cs-1")]
    assert queue == [early.label, *offline, late.label]


def test_used_up_blocks_and_booking_services_are_refused_in_both_languages(
    live: LiveServer, tmp_path: object
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    kiosk = KioskStack(live, tmp_path / "small", block_size=2, refill_below=1)
    try:
        kiosk.wait_up()
        kiosk.issuer.refill(["walkin", "mpaspor"])
        stop_broker(live, kiosk)
        assert [kiosk.core.issue("walkin").label for _ in range(2)] == ["B-001", "B-002"]
        with pytest.raises(OfflineRefused) as used_up:
            kiosk.core.issue("walkin")
        assert used_up.value.code == "no_numbers_left"
        assert "nomor offline" in used_up.value.messages["id"]
        assert "no offline numbers" in used_up.value.messages["en"]
        with pytest.raises(OfflineRefused) as booking:
            kiosk.core.issue("mpaspor")
        assert booking.value.code == "offline_not_available"
        assert "offline" in booking.value.messages["id"] and booking.value.messages["en"]
        for online_only in (
            lambda: kiosk.core.lookup("abc"),
            lambda: kiosk.core.check_in("ABC123", documents_ready=True),
        ):
            with pytest.raises(NotAvailableOffline) as refused:
                online_only()
            assert refused.value.messages["id"] != refused.value.messages["en"]
        assert kiosk.core.rate("token-not-known", 4) is None  # kept in the outbox
        restart_broker(live, kiosk)
        kiosk.core.maintain()
        assert kiosk.outbox.pending() == []  # delivered (and answered: nothing to rate)
    finally:
        kiosk.close()


def test_a_ticket_printed_offline_after_a_slow_answer_withdraws_the_servers_copy(
    live: LiveServer, kiosk: KioskStack
) -> None:
    kiosk.core.maintain()
    # Hold the server's database writer: it receives the request but answers too late.
    with live.services.database.write_guard:
        issued = kiosk.core.issue("walkin", timeout_s=0.5)
    assert isinstance(issued, IssuedOffline)
    assert wait_until(lambda: len(server_labels(live)) == 1)  # the server issued it anyway
    (withdrawn,) = server_labels(live)
    assert kiosk.issuer.sync().accepted == 1
    statuses = {
        entry.label: entry.status
        for entry in (
            live.services.views.ticket_status(record["token"]) for record in kiosk.issuer.records()
        )
    }
    assert statuses == {issued.label: "waiting"}
    queue = [entry["label"] for entry in live.services.views.waiting_list(OFFICE, "cs-1")]
    assert queue == [issued.label] and withdrawn not in queue
