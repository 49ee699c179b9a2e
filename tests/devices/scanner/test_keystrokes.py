from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devices.scanner.keystrokes import (
    KEY_CAPSLOCK,
    KEY_KPENTER,
    KEY_PRESSED,
    KEY_RELEASED,
    KEY_REPEATED,
    AssemblerSettings,
    KeystrokeAssembler,
)
from tests.devices.scanner.keys import TYPABLE, KeyEvent, typed


def assemble(events: list[KeyEvent], settings: AssemblerSettings | None = None) -> list[str]:
    assembler = KeystrokeAssembler(settings)
    found = [assembler.feed(code, state, at_s) for code, state, at_s in events]
    return [code for code in found if code is not None]


def test_a_fast_stream_gives_the_code_with_shifted_characters() -> None:
    text = "https://antre.example/t/Ab_9-Z?x=1"
    assert assemble(typed(text)) == [text]


def test_a_slow_stream_like_a_person_typing_gives_nothing() -> None:
    assert assemble(typed("3174011701900123", key_gap_s=0.25)) == []


def test_a_pause_discards_the_partial_code_but_not_the_next_one() -> None:
    partial = typed("GARB")[:-2]  # no Enter: the scan was cut short
    events = partial + typed("MP2026ABC123", start_s=5.0)
    assembler = KeystrokeAssembler()
    found = [assembler.feed(*event) for event in events]
    assert [code for code in found if code] == ["MP2026ABC123"]
    assert assembler.discarded == 1


def test_two_codes_back_to_back() -> None:
    events = typed("FIRST123") + typed("SECOND456", start_s=0.2)
    assert assemble(events) == ["FIRST123", "SECOND456"]


def test_too_long_input_is_garbage_up_to_enter() -> None:
    settings = AssemblerSettings(max_code_chars=10)
    assert assemble(typed("A" * 11) + typed("SHORT1", start_s=1.0), settings) == ["SHORT1"]
    assert assemble(typed("A" * 10), settings) == ["A" * 10]


def test_stray_short_input_is_ignored() -> None:
    assert assemble(typed("ab")) == []
    assert assemble(typed("ab"), AssemblerSettings(min_code_chars=1)) == ["ab"]


def test_caps_lock_inverts_letters_only() -> None:
    events = [(KEY_CAPSLOCK, KEY_PRESSED, 0.0), (KEY_CAPSLOCK, KEY_RELEASED, 0.0)]
    events += typed("abC1!", start_s=0.01)
    assert assemble(events) == ["ABc1!"]


def test_keypad_enter_ends_a_code_and_repeats_are_ignored() -> None:
    events = typed("12345")[:-2]
    events += [(events[-1][0], KEY_REPEATED, 0.03), (KEY_KPENTER, KEY_PRESSED, 0.031)]
    assert assemble(events) == ["12345"]


def test_unknown_keys_are_skipped() -> None:
    f1_key = 59
    events = [*typed("AB")[:-2], (f1_key, KEY_PRESSED, 0.009), *typed("CD", start_s=0.01)]
    assert assemble(events) == ["ABCD"]


@given(st.text(TYPABLE, min_size=3, max_size=200), st.floats(0.0005, 0.05))
def test_any_typable_text_typed_fast_round_trips(text: str, key_gap_s: float) -> None:
    assert assemble(typed(text, key_gap_s=key_gap_s)) == [text]


@given(st.text(TYPABLE, min_size=1, max_size=40), st.floats(0.1, 2.0))
def test_any_text_typed_slowly_gives_nothing(text: str, key_gap_s: float) -> None:
    assert assemble(typed(text, key_gap_s=key_gap_s)) == []


@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 2), st.floats(0, 1e6))))
def test_any_event_stream_is_handled(events: list[KeyEvent]) -> None:
    for code in assemble(sorted(events, key=lambda event: event[2])):
        assert 3 <= len(code) <= 1024
