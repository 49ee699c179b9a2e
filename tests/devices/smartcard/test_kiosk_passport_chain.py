"""The kiosk's passport-chip read (kiosk.passport_chip) through the real chain:
pyscard -> pcscd -> vpcd -> the virtual ICAO specimen chip.

Uses the one pcscd of the session and vpcd's fixed ports: must not run in parallel.
"""

from __future__ import annotations

import pytest

from devices.smartcard.mrz import MrzKey
from devices.smartcard.reader import PcscCardReader
from kiosk import passport_chip
from kiosk.passport_chip import ChipFailure, ChipRequest, perform_chip
from tests.devices.smartcard.conftest import InsertCard
from tests.devices.smartcard.pcscd import READER_0, PcscDaemon
from tests.devices.smartcard.virtual_passport import SPECIMEN_KEY, VirtualPassportChip


def test_the_kiosk_reads_the_document_number_through_bac(insert_card: InsertCard) -> None:
    insert_card(VirtualPassportChip())
    outcome = perform_chip(ChipRequest(7, SPECIMEN_KEY), PcscCardReader(READER_0))
    assert (outcome.seq, outcome.document_number, outcome.failure) == (7, "L898902C3", None)


def test_wrong_details_are_refused_with_the_chips_reason(insert_card: InsertCard) -> None:
    insert_card(VirtualPassportChip())
    wrong = MrzKey("L898902C3", "740813", "120415")
    outcome = perform_chip(ChipRequest(1, wrong), PcscCardReader(READER_0))
    assert (outcome.document_number, outcome.failure) == (None, ChipFailure.REFUSED)
    assert outcome.problem is not None and set(outcome.problem) == {"id", "en"}


def test_an_empty_reader_and_a_missing_one(
    pcscd: PcscDaemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passport_chip, "CHIP_TIMEOUT_S", 0.5)
    empty = perform_chip(ChipRequest(1, SPECIMEN_KEY), PcscCardReader(READER_0))
    assert empty.failure is ChipFailure.NO_PASSPORT
    missing = perform_chip(ChipRequest(2, SPECIMEN_KEY), PcscCardReader("No Such Reader"))
    assert missing.failure is ChipFailure.NO_READER
