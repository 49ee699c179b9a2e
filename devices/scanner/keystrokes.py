"""Keyboard-wedge (USB HID) scanners type the code as key presses and end it with Enter.

:class:`KeystrokeAssembler` turns Linux input key events (``EV_KEY`` codes from
``linux/input-event-codes.h``, US layout) back into text. Pure: no device access.
"""

from __future__ import annotations

from dataclasses import dataclass

KEY_RELEASED, KEY_PRESSED, KEY_REPEATED = 0, 1, 2
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_CAPSLOCK = 42, 54, 58
_SHIFT_KEYS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})


def _row(first_code: int, plain: str, shifted: str) -> dict[int, tuple[str, str]]:
    pairs = zip(plain, shifted, strict=True)
    return {first_code + offset: pair for offset, pair in enumerate(pairs)}


#: key code -> (character, character with Shift), US layout.
US_LAYOUT: dict[int, tuple[str, str]] = {
    **_row(2, "1234567890-=", "!@#$%^&*()_+"),
    **_row(16, "qwertyuiop[]", "QWERTYUIOP{}"),
    **_row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
    **_row(43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
    57: (" ", " "),
    55: ("*", "*"),
    **_row(71, "789-456+1230.", "789-456+1230."),
    98: ("/", "/"),
}


@dataclass(frozen=True)
class AssemblerSettings:
    """Tuning for :class:`KeystrokeAssembler`.

    Attributes:
        max_gap_s: longest pause between two keys of one code. Scanners type a key every
            few milliseconds; a longer pause means a person typing or a code cut short, and
            what was collected so far is discarded.
        min_code_chars: shorter codes are ignored (stray key presses).
        max_code_chars: longer input is garbage and is discarded up to the next Enter.
    """

    max_gap_s: float = 0.08
    min_code_chars: int = 3
    max_code_chars: int = 1024


class KeystrokeAssembler:
    """Assembles key events into codes ending at Enter."""

    def __init__(self, settings: AssemblerSettings | None = None) -> None:
        self._settings = settings or AssemblerSettings()
        self._chars: list[str] = []
        self._overflowed = False
        self._last_key_at_s: float | None = None
        self._shift_keys_down: set[int] = set()
        self._caps_lock = False
        self.discarded = 0

    def feed(self, key_code: int, key_state: int, at_s: float) -> str | None:
        """Process one key event.

        Args:
            key_code: the Linux key code (``event.code``).
            key_state: 0 released, 1 pressed, 2 auto-repeat (``event.value``).
            at_s: the event time in seconds (``event.timestamp()``).

        Returns:
            The complete code when this event was its Enter, else ``None``.
        """
        if key_code in _SHIFT_KEYS:
            self._track_shift(key_code, key_state)
            return None
        if key_state != KEY_PRESSED:
            return None
        if key_code == KEY_CAPSLOCK:
            self._caps_lock = not self._caps_lock
            return None
        self._discard_after_pause(at_s)
        if key_code in (KEY_ENTER, KEY_KPENTER):
            return self._finish()
        if key_code in US_LAYOUT:
            self._append(self._character(key_code))
        return None

    def _track_shift(self, key_code: int, key_state: int) -> None:
        if key_state == KEY_RELEASED:
            self._shift_keys_down.discard(key_code)
        else:
            self._shift_keys_down.add(key_code)

    def _character(self, key_code: int) -> str:
        plain, shifted = US_LAYOUT[key_code]
        upper = bool(self._shift_keys_down)
        if plain.isalpha() and self._caps_lock:
            upper = not upper
        return shifted if upper else plain

    def _discard_after_pause(self, at_s: float) -> None:
        previous_s, self._last_key_at_s = self._last_key_at_s, at_s
        pending = self._chars or self._overflowed
        if pending and previous_s is not None and at_s - previous_s > self._settings.max_gap_s:
            self._reset(discarded=True)

    def _append(self, character: str) -> None:
        if self._overflowed:
            return
        self._chars.append(character)
        if len(self._chars) > self._settings.max_code_chars:
            self._chars.clear()
            self._overflowed = True

    def _finish(self) -> str | None:
        code = "".join(self._chars)
        if self._overflowed or len(code) < self._settings.min_code_chars:
            self._reset(discarded=bool(code) or self._overflowed)
            return None
        self._reset(discarded=False)
        return code

    def _reset(self, *, discarded: bool) -> None:
        if discarded:
            self.discarded += 1
        self._chars.clear()
        self._overflowed = False
