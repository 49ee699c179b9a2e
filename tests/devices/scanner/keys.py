"""Build Linux key event streams the way a keyboard-wedge scanner (or a person) types."""

from __future__ import annotations

from devices.scanner.keystrokes import (
    KEY_ENTER,
    KEY_LEFTSHIFT,
    KEY_PRESSED,
    KEY_RELEASED,
    US_LAYOUT,
)

KeyEvent = tuple[int, int, float]  # code, state, time in seconds
_KEYS_BY_CHARACTER: dict[str, tuple[int, bool]] = {}
for _code, (_plain, _shifted) in sorted(US_LAYOUT.items(), reverse=True):
    # Main-block keys (lower codes) win over the keypad for the same character.
    _KEYS_BY_CHARACTER[_shifted] = (_code, True)
    _KEYS_BY_CHARACTER[_plain] = (_code, False)
TYPABLE = "".join(sorted(_KEYS_BY_CHARACTER))


def typed(text: str, *, start_s: float = 0.0, key_gap_s: float = 0.004) -> list[KeyEvent]:
    """Events for typing ``text`` then Enter, one key every ``key_gap_s``."""
    events: list[KeyEvent] = []
    moment_s = start_s
    for character in [*text, "\n"]:
        code, shift = (KEY_ENTER, False) if character == "\n" else _KEYS_BY_CHARACTER[character]
        if shift:
            events.append((KEY_LEFTSHIFT, KEY_PRESSED, moment_s))
        events += [(code, KEY_PRESSED, moment_s), (code, KEY_RELEASED, moment_s + 0.001)]
        if shift:
            events.append((KEY_LEFTSHIFT, KEY_RELEASED, moment_s + 0.001))
        moment_s += key_gap_s
    return events
