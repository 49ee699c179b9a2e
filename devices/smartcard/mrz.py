"""Machine-readable zone (ICAO 9303 parts 3 and 4): check digits, the BAC key, TD3 parsing.

Every field read here is personal data: ``repr`` and ``str`` of the classes below mask it,
and nothing is logged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from devices.smartcard.errors import DocumentDataError

_WEIGHTS = (7, 3, 1)
_DATE = re.compile(r"\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_DOCUMENT_NUMBER = re.compile(r"[0-9A-Z<]{1,9}")
TD3_LINE_LENGTH = 44


def _character_value(character: str) -> int:
    if character.isdigit():
        return int(character)
    if "A" <= character <= "Z":
        return ord(character) - ord("A") + 10
    if character == "<":
        return 0
    raise DocumentDataError(f"character {character!r} is not allowed in an MRZ")


def check_digit(field: str) -> str:
    """The ICAO 9303 check digit of ``field`` (weights 7, 3, 1; ``<`` counts as 0)."""
    total = sum(_character_value(char) * _WEIGHTS[index % 3] for index, char in enumerate(field))
    return str(total % 10)


def mask(value: str, visible: int = 1) -> str:
    """``value`` with all but its first ``visible`` characters replaced by ``*``."""
    return value[:visible] + "*" * max(len(value) - visible, 0)


@dataclass(frozen=True, repr=False)
class MrzKey:
    """What Basic Access Control needs from the photo page: document number and two dates.

    Attributes:
        document_number: up to 9 characters, ``[0-9A-Z<]`` (shorter ones are padded with ``<``).
        date_of_birth: ``YYMMDD``.
        date_of_expiry: ``YYMMDD``.
    """

    document_number: str
    date_of_birth: str
    date_of_expiry: str

    def __post_init__(self) -> None:
        number = self.document_number.strip().upper().replace(" ", "<")
        if not _DOCUMENT_NUMBER.fullmatch(number):
            raise DocumentDataError("document number must be 1-9 characters of 0-9, A-Z, <")
        object.__setattr__(self, "document_number", number.ljust(9, "<"))
        for name in ("date_of_birth", "date_of_expiry"):
            if not _DATE.fullmatch(getattr(self, name)):
                raise DocumentDataError(f"{name} must be a date written YYMMDD")

    def mrz_information(self) -> str:
        """Document number, dates and their check digits, as hashed into the key seed."""
        return "".join(
            field + check_digit(field)
            for field in (self.document_number, self.date_of_birth, self.date_of_expiry)
        )

    def key_seed(self) -> bytes:
        """K_seed: the first 16 bytes of SHA-1 over :meth:`mrz_information`."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()[:16]

    def __repr__(self) -> str:
        return f"MrzKey(document_number={mask(self.document_number)!r}, dates=<masked>)"


@dataclass(frozen=True, repr=False)
class PassportData:
    """The holder and document data of a TD3 (passport booklet) MRZ, check digits verified.

    Dates stay ``YYMMDD`` as printed: the century of a birth date is not in the MRZ.
    """

    document_type: str
    issuing_state: str
    primary_identifier: str
    secondary_identifier: str
    document_number: str
    nationality: str
    date_of_birth: str
    sex: str
    date_of_expiry: str
    optional_data: str

    def __repr__(self) -> str:
        return (
            f"PassportData(document_type={self.document_type!r}, "
            f"issuing_state={self.issuing_state!r}, "
            f"primary_identifier={mask(self.primary_identifier)!r}, "
            f"secondary_identifier={mask(self.secondary_identifier)!r}, "
            f"document_number={mask(self.document_number)!r}, <other fields masked>)"
        )

    __str__ = __repr__


def _field(text: str) -> str:
    return text.replace("<", " ").strip()


def _verify(field: str, digit: str, what: str) -> None:
    # An empty optional field may carry '<' as its check digit (ICAO 9303 part 4, 4.2.2.2).
    if digit == "<" and set(field) <= {"<"}:
        return
    if check_digit(field) != digit:
        raise DocumentDataError(f"check digit of the {what} does not match")


def parse_td3(mrz: str) -> PassportData:
    """Parse a two-line, 44-character TD3 MRZ and verify all five check digits.

    Args:
        mrz: the 88 characters, with or without a line break between the lines.

    Raises:
        DocumentDataError: wrong length, bad characters or a check digit mismatch.
    """
    text = mrz.replace("\n", "").replace("\r", "")
    if len(text) != 2 * TD3_LINE_LENGTH:
        raise DocumentDataError(f"a TD3 MRZ has 88 characters, not {len(text)}")
    for character in text:
        _character_value(character)
    upper, lower = text[:TD3_LINE_LENGTH], text[TD3_LINE_LENGTH:]
    _verify(lower[0:9], lower[9], "document number")
    _verify(lower[13:19], lower[19], "date of birth")
    _verify(lower[21:27], lower[27], "date of expiry")
    _verify(lower[28:42], lower[42], "optional data")
    _verify(lower[0:10] + lower[13:20] + lower[21:43], lower[43], "whole MRZ (composite)")
    primary, _, secondary = upper[5:].partition("<<")
    return PassportData(
        document_type=_field(upper[0:2]),
        issuing_state=_field(upper[2:5]),
        primary_identifier=_field(primary),
        secondary_identifier=_field(secondary),
        document_number=_field(lower[0:9]),
        nationality=_field(lower[10:13]),
        date_of_birth=lower[13:19],
        sex=_field(lower[20]) or "X",
        date_of_expiry=lower[21:27],
        optional_data=_field(lower[28:42]),
    )


def key_from_mrz(text: str) -> MrzKey:
    """The BAC key from a scanned TD3 MRZ: both lines, or the second line alone.

    Line breaks and spaces between the characters (as some MRZ readers send) are dropped.

    Raises:
        DocumentDataError: not a TD3 MRZ, or a check digit of the key's fields (or, with
            both lines, of any field) does not match.
    """
    compact = "".join(text.split())
    if len(compact) == 2 * TD3_LINE_LENGTH:
        parse_td3(compact)
        lower = compact[TD3_LINE_LENGTH:]
    elif len(compact) == TD3_LINE_LENGTH:
        lower = compact
        for character in lower:
            _character_value(character)
        _verify(lower[0:9], lower[9], "document number")
        _verify(lower[13:19], lower[19], "date of birth")
        _verify(lower[21:27], lower[27], "date of expiry")
    else:
        raise DocumentDataError(f"a TD3 MRZ has 44 or 88 characters, not {len(compact)}")
    number = lower[0:9].rstrip("<")
    if not number:
        raise DocumentDataError("the MRZ has no document number")
    return MrzKey(number, lower[13:19], lower[21:27])
