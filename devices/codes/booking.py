"""M-Paspor booking / application codes.

The format of the code inside the M-Paspor QR is not publicly documented. The default
below is an ASSUMPTION (6-24 letters and digits, at least one digit, after removing
spaces and hyphens and upper-casing) to be replaced per office once real samples are
seen: set ``BookingCodeFormat(pattern=...)`` in the kiosk configuration. A named group
``code`` in the pattern selects the part to keep (e.g. when the QR holds a URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from devices.codes.errors import CodeError, CodeErrorReason

MAX_INPUT_CHARS = 512


@dataclass(frozen=True)
class BookingCodeFormat:
    """How booking codes look at one office.

    Attributes:
        pattern: regular expression the whole normalised text must match.
        remove_characters: characters dropped before matching (spaces, separators).
        upper_case: upper-case the text before matching.
    """

    pattern: str = r"(?=[A-Z]*[0-9])[A-Z0-9]{6,24}"
    remove_characters: str = " -"
    upper_case: bool = True
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = re.compile(self.pattern)
        except re.error as err:
            raise ValueError(f"invalid booking code pattern: {err}") from err
        object.__setattr__(self, "_compiled", compiled)

    @cached_property
    def _removal_table(self) -> dict[int, None]:
        return dict.fromkeys(map(ord, self.remove_characters))

    def normalise(self, text: str) -> str:
        cleaned = text.strip().translate(self._removal_table)
        return cleaned.upper() if self.upper_case else cleaned

    def match(self, text: str) -> re.Match[str] | None:
        return self._compiled.fullmatch(self.normalise(text))


DEFAULT_BOOKING_FORMAT = BookingCodeFormat()


@dataclass(frozen=True)
class BookingCode:
    """A booking code in normalised form, ready to look up."""

    code: str


def parse_booking_code(
    text: str, booking_format: BookingCodeFormat = DEFAULT_BOOKING_FORMAT
) -> BookingCode:
    """Normalise and check a scanned or typed booking code.

    Raises:
        CodeError: ``not_a_booking_code``.
    """
    if len(text) > MAX_INPUT_CHARS:
        raise CodeError(CodeErrorReason.NOT_A_BOOKING_CODE)
    found = booking_format.match(text)
    if found is None:
        raise CodeError(CodeErrorReason.NOT_A_BOOKING_CODE)
    code = found.group("code") if "code" in found.re.groupindex else found.group(0)
    if not code:
        raise CodeError(CodeErrorReason.NOT_A_BOOKING_CODE)
    return BookingCode(code)
