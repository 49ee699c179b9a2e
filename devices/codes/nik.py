"""NIK (Nomor Induk Kependudukan), the 16-digit Indonesian population number.

Layout ``PP KK CC DDMMYY SSSS``: province, regency/city and district codes (Kemendagri
region codes), date of birth (women add 40 to the day) and a serial number. There is no
check digit, so this validates the structure only; whether the number was ever issued
is for Dukcapil to say.

A NIK is personal data: :class:`Nik` shows only its last four digits in ``repr``/``str``
and :class:`~devices.codes.errors.CodeError` never quotes the input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from devices.codes.errors import CodeError, CodeErrorReason

#: Kemendagri province codes (Permendagri 72/2019 and the 2022 Papua split:
#: 93 Papua Selatan, 94 Papua Tengah, 95 Papua Pegunungan, 96 Papua Barat Daya).
#: NIKs issued before a split keep their old province code, so old codes stay valid.
PROVINCE_CODES: frozenset[int] = frozenset(
    (
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    )
)
FEMALE_DAY_OFFSET = 40
_NIK_PATTERN = re.compile(r"[0-9]{16}")


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True, repr=False)
class Nik:
    """A structurally valid NIK. ``digits`` is the full number: never log it."""

    digits: str
    province_code: int
    regency_code: int
    district_code: int
    date_of_birth: dt.date
    sex: Sex
    serial: int

    @property
    def last_four(self) -> str:
        return self.digits[-4:]

    @property
    def masked(self) -> str:
        """``************1234``: safe to show and to log."""
        return "*" * 12 + self.last_four

    def __repr__(self) -> str:
        return f"Nik({self.masked})"

    def __str__(self) -> str:
        return self.masked


def parse_nik(text: str, *, today: dt.date | None = None) -> Nik:
    """Validate a typed or scanned NIK.

    Args:
        text: the NIK; surrounding whitespace is ignored.
        today: the date the date of birth must not be after (default: today).

    Raises:
        CodeError: ``nik_format``, ``nik_region``, ``nik_birth_date`` or ``nik_serial``.
    """
    digits = text.strip()
    if not _NIK_PATTERN.fullmatch(digits):
        raise CodeError(CodeErrorReason.NIK_FORMAT)
    province, regency, district = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if province not in PROVINCE_CODES or regency == 0 or district == 0:
        raise CodeError(CodeErrorReason.NIK_REGION)
    day, month, year_2 = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = Sex.FEMALE if day > FEMALE_DAY_OFFSET else Sex.MALE
    if sex is Sex.FEMALE:
        day -= FEMALE_DAY_OFFSET
    birth = _birth_date(day, month, year_2, today or dt.date.today())
    serial = int(digits[12:16])
    if serial == 0:
        raise CodeError(CodeErrorReason.NIK_SERIAL)
    return Nik(digits, province, regency, district, birth, sex, serial)


def _birth_date(day: int, month: int, year_2: int, today: dt.date) -> dt.date:
    """The latest real date ``DD-MM-YY`` not after ``today`` (2000s first, then 1900s)."""
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + year_2, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise CodeError(CodeErrorReason.NIK_BIRTH_DATE)


def format_nik(
    province_code: int,
    regency_code: int,
    district_code: int,
    date_of_birth: dt.date,
    sex: Sex,
    serial: int,
) -> str:
    """The 16 digits for the given parts (for tests, fixtures and the virtual card reader)."""
    day = date_of_birth.day + (FEMALE_DAY_OFFSET if sex is Sex.FEMALE else 0)
    return (
        f"{province_code:02d}{regency_code:02d}{district_code:02d}"
        f"{day:02d}{date_of_birth:%m}{date_of_birth.year % 100:02d}{serial:04d}"
    )
