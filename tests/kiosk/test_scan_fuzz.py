"""Hostile scanner input: whatever a scanner sends, the kiosk routes it or says why, and
never fails (the scanner is a keyboard: anything can come from it)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer import MemoryPrinter, profile_named
from devices.smartcard.errors import DocumentDataError
from devices.smartcard.mrz import key_from_mrz
from devices.smartcard.virtual import VirtualCardReader
from devices.smartcard.virtual_cards import load_cards
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD
from kiosk.flow import Collaborators, KioskFlow, Step
from kiosk.scan_routes import ScanKind, route_scan
from tests.devices.smartcard.virtual_passport import SPECIMEN_MRZ
from tests.kiosk.flow_fakes import NOW, FakeClock, FakeDesk

MRZ_ALPHABET = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
TEXT = st.text(max_size=600) | st.text(alphabet="0123456789<ABC \n", max_size=120)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_any_scanned_text_is_routed_or_explained(text: str) -> None:
    route = route_scan(text)
    if route.kind in {ScanKind.UNKNOWN}:
        assert route.problem is not None and set(route.problem) == {"id", "en"}
    if route.kind is ScanKind.MRZ:
        assert (route.mrz is None) != (route.problem is None)


@settings(max_examples=300, deadline=None)
@given(st.lists(MRZ_ALPHABET, min_size=44, max_size=44).map("".join))
def test_a_random_mrz_line_is_read_only_with_matching_check_digits(line: str) -> None:
    try:
        key = key_from_mrz(line)
    except DocumentDataError:
        return
    assert key.document_number.rstrip("<") == line[0:9].rstrip("<")


def _value(character: str) -> int:
    return 0 if character == "<" else int(character, 36)


def test_a_changed_key_character_is_caught_unless_the_icao_digits_cannot_see_it() -> None:
    """Weights 7, 3 and 1 are prime to 10: a change of a character's value by anything but
    a multiple of 10 changes its field's check digit. The rest (say L for B) reach the
    chip, which refuses the wrong key (tests/kiosk/test_passport_chip.py)."""
    mrz = "".join(SPECIMEN_MRZ.split())
    key_fields = [*range(44, 53), *range(57, 63), *range(65, 71)]
    seen = 0
    for index in key_fields:
        for new in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<":
            difference = _value(new) - _value(mrz[index])
            if difference % 10 == 0:
                continue
            route = route_scan(mrz[:index] + new + mrz[index + 1 :])
            assert route.kind is ScanKind.MRZ and route.mrz is None, (index, new)
            seen += 1
    assert seen > 600


def _flow_at_the_nik_step() -> KioskFlow:
    printer = MemoryPrinter(profile_named("80mm"))
    collaborators = Collaborators(
        desk=FakeDesk(),
        printer=printer,
        profile=printer.profile,
        monotonic=FakeClock(),
        now=lambda: NOW,
        card_reader=VirtualCardReader(load_cards()),
    )
    flow = KioskFlow(
        content=content_from_payload(DEMO_PAYLOAD), collaborators=collaborators, tap_guard_s=0
    )
    flow.start("en")
    flow.choose_service("pengambilan-paspor")
    flow.choose_pickup(by_proxy=False)
    return flow


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4))
def test_scans_on_the_identity_steps_never_break_the_journey(texts: list[str]) -> None:
    flow = _flow_at_the_nik_step()
    for text in texts:
        flow.scan(text)
        flow.submit_mrz_field(text)
        identity = {Step.NIK, Step.MRZ, Step.CHIP, Step.PRIORITY, Step.PICKUP}
        elsewhere = {Step.DOCUMENTS, Step.SCAN, Step.STATUS}  # a booking or a ticket scanned
        assert flow.state.step in identity | elsewhere
        assert flow.state.message is None or set(flow.state.message) == {"id", "en"}
