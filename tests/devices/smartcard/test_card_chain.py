"""The product's reader code through the real chain: pyscard -> pcscd -> vpcd -> virtual card.

Uses the one pcscd of the session and vpcd's fixed ports: must not run in parallel.
"""

from __future__ import annotations

import queue
import time

import pytest

from devices.smartcard import (
    AccessDenied,
    BadgeProfile,
    CardTimeout,
    CardWatcher,
    NoReader,
    PassportProfile,
    SecureMessagingError,
    events,
    list_readers,
    open_session,
    read_card,
)
from devices.smartcard.errors import CardRemoved
from devices.smartcard.mrz import MrzKey
from tests.devices.smartcard.conftest import InsertCard, wait_for_pcscd_to_register_removal
from tests.devices.smartcard.pcscd import PORT_1, READER_0, READER_1, PcscDaemon
from tests.devices.smartcard.virtual_passport import (
    BADGE_ATR,
    PASSPORT_ATR,
    SPECIMEN_KEY,
    AnswerStyle,
    VirtualBadgeChip,
    VirtualPassportChip,
)

UID = bytes.fromhex("04A1B2C3D4E5F6")


def test_both_virtual_readers_are_listed(pcscd: PcscDaemon) -> None:
    assert {READER_0, READER_1} <= set(list_readers())


def test_passport_read_through_bac(insert_card: InsertCard) -> None:
    card = insert_card(VirtualPassportChip())
    reading = read_card(PassportProfile(SPECIMEN_KEY), reader=READER_0, timeout_s=10)
    assert reading.data_groups == ("DG1", "DG2")
    assert (reading.mrz.issuing_state, reading.mrz.secondary_identifier) == ("UTO", "ANNA MARIA")
    assert card.apdus_seen == 3 + 3 + 3  # BAC, then SELECT + 2 READ BINARY per file


def test_wrong_mrz_key_is_refused(insert_card: InsertCard) -> None:
    insert_card(VirtualPassportChip())
    wrong = MrzKey("L898902C3", "740812", "130415")
    with pytest.raises(AccessDenied) as raised:
        read_card(PassportProfile(wrong), reader=READER_0, timeout_s=10)
    assert raised.value.status == 0x6300


def test_tampered_mac_from_the_card_is_detected(insert_card: InsertCard) -> None:
    insert_card(VirtualPassportChip(tamper="response_mac"))
    with pytest.raises(SecureMessagingError):
        read_card(PassportProfile(SPECIMEN_KEY), reader=READER_0, timeout_s=10)


@pytest.mark.parametrize("style", ["direct", "get_response", "wrong_le"])
def test_badge_uid_on_the_second_reader(insert_card: InsertCard, style: AnswerStyle) -> None:
    insert_card(VirtualBadgeChip(UID, style), PORT_1)
    assert read_card(BadgeProfile(), reader="00 01", timeout_s=10).uid_hex == UID.hex().upper()


def test_card_request_timeout_is_typed(pcscd: PcscDaemon) -> None:
    with pytest.raises(CardTimeout) as raised:
        open_session(READER_0, timeout_s=0.3)
    assert raised.value.timeout_s == 0.3
    assert raised.value.user_message()["id"] != raised.value.user_message()["en"]


def test_unknown_reader_name_is_no_reader(pcscd: PcscDaemon) -> None:
    with pytest.raises(NoReader):
        open_session("Reader That Is Not Here", timeout_s=0.3)


def test_card_pulled_mid_session_is_card_removed(insert_card: InsertCard) -> None:
    card = insert_card(VirtualBadgeChip(UID))
    with open_session(READER_0, timeout_s=10) as session:
        card.remove()
        with pytest.raises(CardRemoved):
            BadgeProfile().read(session)
    wait_for_pcscd_to_register_removal(READER_0)


def _next_event(received: queue.Queue[events.CardEvent], kind: type) -> events.CardEvent:
    """The next ``kind`` event for reader 0, skipping others; fails after 10 s."""
    deadline, skipped = time.monotonic() + 10.0, []
    while (remaining_s := deadline - time.monotonic()) > 0:
        try:
            event = received.get(timeout=remaining_s)
        except queue.Empty:
            break
        if isinstance(event, kind) and getattr(event, "reader", None) == READER_0:
            return event
        skipped.append(event)
    raise AssertionError(f"no {kind.__name__} for {READER_0} in 10 s; saw {skipped}")


def test_insert_and_remove_events(insert_card: InsertCard) -> None:
    received: queue.Queue[events.CardEvent] = queue.Queue()
    with CardWatcher(received.put, poll_interval_s=0.05):
        assert _next_event(received, events.ReaderAdded) == events.ReaderAdded(READER_0)
        card = insert_card(VirtualPassportChip())
        assert _next_event(received, events.CardInserted) == events.CardInserted(
            READER_0, PASSPORT_ATR
        )
        card.remove()
        assert _next_event(received, events.CardRemoved) == events.CardRemoved(READER_0)
        insert_card(VirtualBadgeChip(UID))
        assert _next_event(received, events.CardInserted) == events.CardInserted(
            READER_0, BADGE_ATR
        )
