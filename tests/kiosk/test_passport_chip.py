"""The e-passport chip as identity at the kiosk (kiosk.flow + kiosk.passport_chip).

The reader is the product's virtual reader (devices.smartcard.virtual) holding the ICAO
specimen passport; the same journey through real pcscd is in
tests/devices/smartcard/test_kiosk_passport_chain.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from devices.smartcard.errors import NoReader
from devices.smartcard.mrz import MrzKey, key_from_mrz
from devices.smartcard.passport import PassportReading
from devices.smartcard.virtual import VirtualCardReader
from devices.smartcard.virtual_cards import load_cards
from kiosk import passport_chip
from kiosk.flow import KioskFlow, Step, perform_request
from kiosk.issuing import IssueRequest
from kiosk.passport_chip import (
    ChipFailure,
    ChipOutcome,
    ChipRequest,
    MrzEntryError,
    MrzField,
    entry_problem,
    parse_document_number,
    parse_typed_date,
    perform_chip,
)
from kiosk.scan_routes import ScanKind, route_scan
from tests.devices.smartcard.virtual_passport import SPECIMEN_MRZ
from tests.kiosk.flow_fakes import FakeDesk

# The ICAO 9303 specimen in devices/smartcard/demo_cards.json: L898902C3, 12-08-1974,
# expiring 15-04-2012.
NUMBER, BIRTH, EXPIRY = "L898902C3", "12081974", "15042012"
SPECIMEN = MrzKey(NUMBER, "740812", "120415")


@pytest.fixture
def reader() -> VirtualCardReader:
    return VirtualCardReader(load_cards()).start()


@pytest.fixture
def chip_flow(flow: KioskFlow, reader: VirtualCardReader) -> KioskFlow:
    flow.collaborators = replace(flow.collaborators, card_reader=reader)
    return flow


@pytest.fixture(autouse=True)
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passport_chip, "CHIP_TIMEOUT_S", 0.2)


def at_nik_step(flow: KioskFlow) -> None:
    flow.start("en")
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=False)
    assert flow.state.step is Step.NIK


def type_details(flow: KioskFlow, number: str = NUMBER, birth: str = BIRTH) -> None:
    flow.use_passport()
    assert (flow.state.step, flow.state.mrz_field) == (Step.MRZ, MrzField.NUMBER)
    flow.submit_mrz_field(number)
    assert flow.state.mrz_field is MrzField.BIRTH
    flow.submit_mrz_field(birth)
    assert flow.state.mrz_field is MrzField.EXPIRY
    flow.submit_mrz_field(EXPIRY)


def run_request(flow: KioskFlow) -> None:
    request = flow.pending_request()
    assert request is not None
    flow.finish_request(perform_request(request, flow.collaborators, flow.content.branding))


def test_typed_details_open_the_chip_and_only_its_number_is_sent(
    chip_flow: KioskFlow, reader: VirtualCardReader, desk: FakeDesk
) -> None:
    at_nik_step(chip_flow)
    type_details(chip_flow)
    assert chip_flow.state.step is Step.CHIP and chip_flow.state.chip_busy
    request = chip_flow.pending_request()
    assert isinstance(request, ChipRequest) and request.key == SPECIMEN
    assert NUMBER not in repr(request) and NUMBER not in repr(chip_flow.state)
    reader.insert(0)
    outcome = perform_request(request, chip_flow.collaborators, chip_flow.content.branding)
    assert isinstance(outcome, ChipOutcome) and NUMBER not in repr(outcome)
    chip_flow.finish_request(outcome)
    assert chip_flow.state.step is Step.PRIORITY
    chip_flow.choose_priority(None)
    issue = chip_flow.pending_request()
    assert isinstance(issue, IssueRequest) and (issue.passport_no, issue.nik) == (NUMBER, None)
    chip_flow.finish_request(
        perform_request(issue, chip_flow.collaborators, chip_flow.content.branding)
    )
    assert chip_flow.state.step is Step.TICKET
    assert desk.calls[0][1]["passport_no"] == NUMBER
    kept = {name: value for name, value in vars(chip_flow).items() if name != "collaborators"}
    assert NUMBER not in repr(kept) and "740812" not in repr(kept), "nothing personal stays"


def test_details_are_checked_as_typed_and_again_when_submitted(chip_flow: KioskFlow) -> None:
    at_nik_step(chip_flow)
    chip_flow.use_passport()
    for bad in ("", "L89890<C3", "TOOLONG123", "ÄB12"):
        assert entry_problem(MrzField.NUMBER, bad) is not None
        chip_flow.submit_mrz_field(bad)
        assert chip_flow.state.mrz_field is MrzField.NUMBER and chip_flow.state.message
    chip_flow.submit_mrz_field("l898902c3")  # typed in lower case on a keyboard: accepted
    for bad in ("1208197", "31021990", "00011990", "12082099", "01011899"):
        chip_flow.submit_mrz_field(bad)
        assert chip_flow.state.mrz_field is MrzField.BIRTH and chip_flow.state.message
    chip_flow.submit_mrz_field(BIRTH)
    chip_flow.submit_mrz_field("15042099")  # an expiry may be far ahead
    request = chip_flow.pending_request()
    assert isinstance(request, ChipRequest) and request.key.date_of_expiry == "990415"


def test_typed_dates_become_the_mrz_form() -> None:
    assert parse_typed_date("29021996") == "960229"
    assert parse_document_number(" c1234567 ") == "C1234567"
    with pytest.raises(MrzEntryError) as raised:
        parse_typed_date("29021997")
    assert set(raised.value.messages) == {"id", "en"}
    assert raised.value.messages["id"] != raised.value.messages["en"]
    with pytest.raises(MrzEntryError):
        parse_typed_date("01012030", today=date(2026, 12, 3))


def test_back_steps_through_the_details_then_to_the_nik(chip_flow: KioskFlow) -> None:
    at_nik_step(chip_flow)
    chip_flow.use_passport()
    chip_flow.submit_mrz_field(NUMBER)
    chip_flow.submit_mrz_field(BIRTH)
    chip_flow.back()
    assert chip_flow.state.mrz_field is MrzField.BIRTH
    chip_flow.back()
    assert (chip_flow.state.step, chip_flow.state.mrz_field) == (Step.MRZ, MrzField.NUMBER)
    chip_flow.back()
    assert chip_flow.state.step is Step.NIK


def test_wrong_details_are_refused_by_the_chip_and_asked_again(
    chip_flow: KioskFlow, reader: VirtualCardReader
) -> None:
    at_nik_step(chip_flow)
    type_details(chip_flow, birth="13081974")
    reader.insert(0)
    run_request(chip_flow)
    state = chip_flow.state
    assert (state.step, state.mrz_field, state.chip_busy) == (Step.MRZ, MrzField.NUMBER, False)
    assert state.message is not None and "date of birth" in state.message["en"]


def test_no_passport_on_the_reader_waits_for_try_again(
    chip_flow: KioskFlow, reader: VirtualCardReader, desk: FakeDesk
) -> None:
    at_nik_step(chip_flow)
    type_details(chip_flow)
    run_request(chip_flow)  # nothing on the reader within the (shortened) wait
    state = chip_flow.state
    assert (state.step, state.chip_busy) == (Step.CHIP, False)
    assert state.message == passport_chip.both(passport_chip.NO_PASSPORT)
    reader.insert(0)
    chip_flow.retry_chip()
    assert chip_flow.state.chip_busy
    run_request(chip_flow)
    assert chip_flow.state.step is Step.PRIORITY


class BrokenReader:
    name = "broken"

    def read_passport(self, key: MrzKey, *, timeout_s: float = 10.0) -> PassportReading:
        raise NoReader("unplugged")


def test_the_nik_instead_while_the_chip_is_read_drops_the_read(
    chip_flow: KioskFlow, reader: VirtualCardReader
) -> None:
    at_nik_step(chip_flow)
    type_details(chip_flow)
    request = chip_flow.pending_request()
    assert isinstance(request, ChipRequest) and chip_flow.state.chip_busy
    chip_flow.use_nik()
    assert (chip_flow.state.step, chip_flow.state.chip_busy) == (Step.NIK, False)
    reader.insert(0)
    chip_flow.finish_request(perform_chip(request, reader))  # the read ends after all
    assert chip_flow.state.step is Step.NIK, "a late chip outcome changes nothing"
    chip_flow.choose_priority(None)
    assert chip_flow.pending_request() is None


def test_a_broken_reader_sends_the_applicant_to_the_nik(chip_flow: KioskFlow) -> None:
    chip_flow.collaborators = replace(chip_flow.collaborators, card_reader=BrokenReader())  # type: ignore[arg-type]
    at_nik_step(chip_flow)
    type_details(chip_flow)
    run_request(chip_flow)
    assert chip_flow.state.step is Step.NIK
    assert chip_flow.state.message == passport_chip.both(passport_chip.READER_BROKEN)
    assert perform_chip(ChipRequest(1, SPECIMEN), None).failure is ChipFailure.NO_READER


def test_without_a_reader_the_passport_is_not_offered(flow: KioskFlow) -> None:
    at_nik_step(flow)
    assert not flow.chip_offered
    flow.use_passport()
    assert flow.state.step is Step.NIK
    flow.scan(SPECIMEN_MRZ)
    assert flow.state.step is Step.NIK and flow.state.message is not None
    assert "cannot read passport chips" in flow.state.message["en"]


def test_a_scanned_photo_page_goes_straight_to_the_chip(chip_flow: KioskFlow) -> None:
    mrz = "".join(SPECIMEN_MRZ.split())
    chip_flow.start()
    chip_flow.scan(mrz)  # on the services screen: not asked here
    assert chip_flow.state.step is Step.SERVICES and chip_flow.state.message is not None
    at_nik_step(chip_flow)
    chip_flow.scan(mrz[:44] + "\r\n" + mrz[44:])
    request = chip_flow.pending_request()
    assert isinstance(request, ChipRequest) and request.key == SPECIMEN
    assert chip_flow.state.step is Step.CHIP


def test_mrz_scans_are_routed_and_their_check_digits_verified() -> None:
    mrz = "".join(SPECIMEN_MRZ.split())
    assert route_scan(mrz).mrz == SPECIMEN
    assert route_scan(mrz[44:]).mrz == SPECIMEN  # the second line alone
    assert key_from_mrz(mrz[:44] + "\n" + mrz[44:]) == SPECIMEN
    broken = mrz[:44] + mrz[44:53] + "9" + mrz[54:]  # the number's check digit changed
    route = route_scan(broken)
    assert (route.kind, route.mrz) == (ScanKind.MRZ, None) and route.problem is not None
    assert NUMBER not in repr(route_scan(mrz))
