"""The virtual card reader, and one set of assertions run against it and the real PC/SC reader.

The real reader runs through pyscard -> pcscd -> vpcd with the virtual chips of
``virtual_passport.py`` (the package's pcscd fixtures; skipped where pcscd is missing).
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from devices.smartcard import (
    AccessDenied,
    CardError,
    CardReader,
    CardTimeout,
    NoReader,
    PcscCardReader,
    VirtualCardReader,
    events,
)
from devices.smartcard.mrz import MrzKey
from devices.smartcard.virtual_cards import (
    DEMO_CARDS_PATH,
    CardFileError,
    MrzFields,
    compose_td3,
    load_cards,
    parse_cards,
)
from tests.devices.smartcard.conftest import InsertCard, wait_until_empty
from tests.devices.smartcard.pcscd import READER_0
from tests.devices.smartcard.virtual_passport import (
    SPECIMEN_KEY,
    SPECIMEN_MRZ,
    VirtualBadgeChip,
    VirtualPassportChip,
    VpcdCard,
)

UID_HEX = "04A1B2C3D4E5F6"
WRONG_KEY = MrzKey("L898902C3", "740812", "130415")
EVENT_WAIT_S = 5.0


def demo_file_cards() -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = json.loads(DEMO_CARDS_PATH.read_text(encoding="utf-8"))
    return cards


# --- the card file ----------------------------------------------------------------


def test_demo_cards_are_the_icao_specimen_and_a_badge() -> None:
    passport, badge = load_cards()
    assert passport.passport is not None and passport.accepts(SPECIMEN_KEY)
    assert not passport.accepts(WRONG_KEY)
    assert (badge.uid_hex, badge.passport) == (UID_HEX, None)


def test_mrz_fields_compose_the_specimen_mrz_with_its_check_digits() -> None:
    fields = MrzFields(**demo_file_cards()[0]["mrz"])
    assert compose_td3(fields) == SPECIMEN_MRZ


def test_empty_optional_data_gets_a_filler_check_digit() -> None:
    fields = MrzFields(**{**demo_file_cards()[0]["mrz"], "optional_data": ""})
    mrz = compose_td3(fields)
    assert mrz[44 + 28 : 44 + 43] == "<" * 15
    (card,) = parse_cards([{"kind": "passport", "mrz": fields.model_dump()}], Path("x.json"))
    assert card.passport is not None and card.passport.optional_data == ""


def test_a_raw_mrz_string_is_accepted() -> None:
    (card,) = parse_cards([{"kind": "passport", "mrz": SPECIMEN_MRZ}], Path("x.json"))
    assert card.passport is not None and card.passport.primary_identifier == "ERIKSSON"


def test_every_bad_card_is_listed() -> None:
    broken_mrz = SPECIMEN_MRZ[:-1] + "9"  # composite check digit wrong
    data = [
        {"kind": "badge", "uid": "XYZ"},
        {"kind": "ktp"},
        {"kind": "passport", "mrz": broken_mrz},
        {"kind": "badge", "uid": UID_HEX, "colour": "red"},
    ]
    with pytest.raises(CardFileError) as raised:
        parse_cards(data, Path("cards.json"))
    where = " ".join(raised.value.problems)
    assert "[0].badge.uid" in where and "[1]" in where and "[3].badge.colour" in where
    with pytest.raises(CardFileError, match=r"\[0\]\.mrz: check digit"):
        parse_cards([data[2]], Path("cards.json"))


def test_unreadable_card_files_are_refused(tmp_path: Path) -> None:
    not_json = tmp_path / "cards.json"
    not_json.write_text("[{", encoding="utf-8")
    with pytest.raises(CardFileError, match="not valid JSON"):
        load_cards(not_json)
    with pytest.raises(CardFileError, match="cannot be read"):
        load_cards(tmp_path / "missing.json")


# --- the virtual reader on its own ----------------------------------------------------


@pytest.fixture
def seen() -> queue.Queue[events.CardEvent]:
    return queue.Queue()


@pytest.fixture
def virtual_reader(seen: queue.Queue[events.CardEvent]) -> Iterator[VirtualCardReader]:
    reader = VirtualCardReader.from_file(on_event=seen.put).start()
    yield reader
    reader.close()


def drain(seen: queue.Queue[events.CardEvent]) -> list[events.CardEvent]:
    found = []
    while not seen.empty():
        found.append(seen.get_nowait())
    return found


def test_events_are_the_watchers_types_in_order(
    virtual_reader: VirtualCardReader, seen: queue.Queue[events.CardEvent]
) -> None:
    name = virtual_reader.name
    virtual_reader.insert(0)
    virtual_reader.insert(1)
    virtual_reader.remove()
    virtual_reader.remove()
    passport_atr, badge_atr = (card.atr for card in virtual_reader.cards)
    assert drain(seen) == [
        events.ReaderAdded(name),
        events.CardInserted(name, passport_atr),
        events.CardRemoved(name),
        events.CardInserted(name, badge_atr),
        events.CardRemoved(name),
    ]


def test_no_events_before_start_then_the_card_already_in_is_reported(
    seen: queue.Queue[events.CardEvent],
) -> None:
    reader = VirtualCardReader.from_file(on_event=seen.put)
    reader.insert(1)
    assert seen.empty()
    reader.start()
    assert [type(event) for event in drain(seen)] == [events.ReaderAdded, events.CardInserted]
    reader.close()


def test_unknown_card_index_is_refused(virtual_reader: VirtualCardReader) -> None:
    with pytest.raises(IndexError, match="has 2 cards"):
        virtual_reader.insert(2)


def test_a_waiting_reader_wakes_when_a_card_is_inserted(virtual_reader: VirtualCardReader) -> None:
    inserter = threading.Timer(0.1, virtual_reader.insert, args=(1,))
    inserter.start()
    assert virtual_reader.read_badge(timeout_s=EVENT_WAIT_S).uid_hex == UID_HEX
    inserter.join()


def test_a_closed_reader_is_gone(virtual_reader: VirtualCardReader) -> None:
    virtual_reader.close()
    assert not virtual_reader.is_available()
    with pytest.raises(NoReader):
        virtual_reader.wait_for_card(timeout_s=1)


def test_control_fifo_inserts_and_removes_cards(
    tmp_path: Path, seen: queue.Queue[events.CardEvent]
) -> None:
    fifo = tmp_path / "card.fifo"
    os.mkfifo(fifo)
    reader = VirtualCardReader.from_file(on_event=seen.put, control_path=fifo).start()
    try:
        assert isinstance(seen.get(timeout=EVENT_WAIT_S), events.ReaderAdded)
        with fifo.open("w", encoding="ascii") as control:
            control.write("insert 7\nhello\ninsert 1\n")
        assert isinstance(seen.get(timeout=EVENT_WAIT_S), events.CardInserted)
        assert reader.read_badge(timeout_s=1).uid_hex == UID_HEX
        with fifo.open("w", encoding="ascii") as control:
            control.write("remove\n")
        assert isinstance(seen.get(timeout=EVENT_WAIT_S), events.CardRemoved)
    finally:
        reader.close()


def test_a_missing_control_fifo_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoReader, match="card control file"):
        VirtualCardReader.from_file(control_path=tmp_path / "nope.fifo").start()


# --- the same assertions against the virtual and the real reader ---------------------


class Deck(Protocol):
    """Puts cards on a reader, whatever the reader is."""

    reader: CardReader
    seen: queue.Queue[events.CardEvent]

    def present_passport(self) -> None: ...

    def present_badge(self) -> None: ...

    def take_away(self) -> None: ...


class VirtualDeck:
    def __init__(self) -> None:
        self.seen: queue.Queue[events.CardEvent] = queue.Queue()
        self._reader = VirtualCardReader.from_file(on_event=self.seen.put).start()
        self.reader: CardReader = self._reader

    def present_passport(self) -> None:
        self._reader.insert(0)

    def present_badge(self) -> None:
        self._reader.insert(1)

    def take_away(self) -> None:
        self._reader.remove()


class PcscDeck:
    def __init__(self, insert_card: InsertCard) -> None:
        self.seen: queue.Queue[events.CardEvent] = queue.Queue()
        self._insert_card = insert_card
        self._card: VpcdCard | None = None
        self.reader: CardReader = PcscCardReader(READER_0, on_event=self.seen.put).start()

    def present_passport(self) -> None:
        self.take_away()
        self._card = self._insert_card(VirtualPassportChip())

    def present_badge(self) -> None:
        self.take_away()
        self._card = self._insert_card(VirtualBadgeChip(bytes.fromhex(UID_HEX)))

    def take_away(self) -> None:
        if self._card is not None:
            self._card.remove()
            self._card = None
            wait_until_empty()


@pytest.fixture(params=["virtual", "pcsc"])
def deck(request: pytest.FixtureRequest) -> Iterator[Deck]:
    if request.param == "virtual":
        made: Deck = VirtualDeck()
    else:
        made = PcscDeck(request.getfixturevalue("insert_card"))
    yield made
    made.reader.close()


def next_inserted(seen: queue.Queue[events.CardEvent]) -> events.CardInserted:
    for _ in range(20):
        event = seen.get(timeout=EVENT_WAIT_S)
        if isinstance(event, events.CardInserted):
            return event
    raise AssertionError("no CardInserted event")


def test_reader_is_available(deck: Deck) -> None:
    assert deck.reader.is_available()
    assert deck.reader.name


def test_passport_is_read_with_its_mrz_key(deck: Deck) -> None:
    deck.present_passport()
    reading = deck.reader.read_passport(SPECIMEN_KEY, timeout_s=10)
    assert reading.data_groups == ("DG1", "DG2")
    assert (reading.lds_version, reading.unicode_version) == ("0107", "040000")
    mrz = reading.mrz
    assert (mrz.issuing_state, mrz.primary_identifier, mrz.secondary_identifier) == (
        "UTO", "ERIKSSON", "ANNA MARIA",
    )  # fmt: skip
    assert (mrz.document_number, mrz.date_of_birth, mrz.sex) == ("L898902C3", "740812", "F")
    assert "ERIKSSON" not in repr(reading)


def test_a_wrong_mrz_key_is_refused_the_same_way(deck: Deck) -> None:
    deck.present_passport()
    with pytest.raises(AccessDenied) as raised:
        deck.reader.read_passport(WRONG_KEY, timeout_s=10)
    assert raised.value.status == 0x6300
    assert raised.value.code == "access_denied"


def test_badge_uid_and_a_badge_is_no_passport(deck: Deck) -> None:
    deck.present_badge()
    assert deck.reader.read_badge(timeout_s=10).uid_hex == UID_HEX
    with pytest.raises(CardError) as raised:
        deck.reader.read_passport(SPECIMEN_KEY, timeout_s=10)
    assert not isinstance(raised.value, AccessDenied)


def test_insertion_is_an_event_and_removal_ends_the_card(deck: Deck) -> None:
    deck.present_badge()
    inserted = next_inserted(deck.seen)
    assert deck.reader.wait_for_card(timeout_s=10) == inserted.atr
    deck.take_away()
    with pytest.raises(CardTimeout):
        deck.reader.wait_for_card(timeout_s=0.3)
