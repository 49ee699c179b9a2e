"""The card file of the virtual reader: which passports and badges can be "inserted".

A JSON list, for example::

    [
      {"kind": "passport", "mrz": {"issuing_state": "UTO", "primary_identifier": "ERIKSSON",
        "secondary_identifier": "ANNA MARIA", "document_number": "L898902C3",
        "nationality": "UTO", "date_of_birth": "740812", "sex": "F",
        "date_of_expiry": "120415", "optional_data": "ZE184226B"}},
      {"kind": "badge", "uid": "04A1B2C3D4E5F6"}
    ]

``mrz`` is either those TD3 fields (check digits are computed) or the 88 MRZ characters.
Every passport goes through the product's TD3 parser, so a card file cannot hold data a
real chip could not. ``demo_cards.json`` beside this module is the file used when none
is configured (the public ICAO 9303 specimen; no real person).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from devices.smartcard.errors import DocumentDataError, SmartCardError
from devices.smartcard.mrz import MrzKey, PassportData, check_digit, parse_td3

DEMO_CARDS_PATH = Path(__file__).with_name("demo_cards.json")
MAX_CARD_FILE_BYTES = 256 * 1024
PASSPORT_ATR = bytes.fromhex("3B8880010000000000718100F9")
BADGE_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")


class CardFileError(SmartCardError, ValueError):
    """The card file of the virtual reader is not valid; ``problems`` lists each one."""

    code = "card_file"

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"card file {path}: " + "; ".join(problems))


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MrzFields(_Entry):
    """The printed fields of a TD3 MRZ (check digits are computed)."""

    document_type: str = Field(default="P", pattern=r"^[A-Z][A-Z<]?$")
    issuing_state: str = Field(pattern=r"^[A-Z<]{3}$")
    primary_identifier: str = Field(min_length=1, max_length=38)
    secondary_identifier: str = Field(default="", max_length=36)
    document_number: str = Field(pattern=r"^[0-9A-Z<]{1,9}$")
    nationality: str = Field(pattern=r"^[A-Z<]{3}$")
    date_of_birth: str = Field(pattern=r"^\d{6}$")
    sex: Literal["M", "F", "X", "<"] = "X"
    date_of_expiry: str = Field(pattern=r"^\d{6}$")
    optional_data: str = Field(default="", pattern=r"^[0-9A-Z< ]{0,14}$")


class PassportEntry(_Entry):
    kind: Literal["passport"]
    mrz: MrzFields | str
    data_groups: tuple[str, ...] = ("DG1", "DG2")
    uid: str | None = Field(default=None, pattern=r"^([0-9A-Fa-f]{2}){4,10}$")


class BadgeEntry(_Entry):
    kind: Literal["badge"]
    uid: str = Field(pattern=r"^([0-9A-Fa-f]{2}){4,10}$")


_CARD_LIST = TypeAdapter(list[Annotated[PassportEntry | BadgeEntry, Field(discriminator="kind")]])


@dataclass(frozen=True, repr=False)
class VirtualCard:
    """One card of the file: a passport (``passport`` set) or a badge (``uid`` only)."""

    atr: bytes
    passport: PassportData | None = None
    data_groups: tuple[str, ...] = ()
    uid_hex: str | None = None

    def accepts(self, key: MrzKey) -> bool:
        """Whether ``key`` opens this passport (what BAC decides on a real chip)."""
        if self.passport is None:
            return False
        printed = MrzKey(
            self.passport.document_number, self.passport.date_of_birth,
            self.passport.date_of_expiry,
        )  # fmt: skip
        return printed.key_seed() == key.key_seed()

    def __repr__(self) -> str:  # no personal data
        return f"VirtualCard({'passport' if self.passport else 'badge'})"


def _filler(text: str) -> str:
    return text.strip().upper().replace(" ", "<")


def _padded(text: str, width: int) -> str:
    return _filler(text).ljust(width, "<")[:width]


def compose_td3(fields: MrzFields) -> str:
    """The two 44-character lines (joined, 88 characters) of a TD3 MRZ, check digits set."""
    names = _filler(fields.primary_identifier) + "<<" + _filler(fields.secondary_identifier)
    upper = _padded(fields.document_type, 2) + fields.issuing_state + _padded(names, 39)
    number = _padded(fields.document_number, 9)
    optional = _padded(fields.optional_data, 14)
    optional_check = "<" if set(optional) == {"<"} else check_digit(optional)
    lower = (
        number + check_digit(number) + fields.nationality
        + fields.date_of_birth + check_digit(fields.date_of_birth) + fields.sex
        + fields.date_of_expiry + check_digit(fields.date_of_expiry)
        + optional + optional_check
    )  # fmt: skip
    composite = lower[0:10] + lower[13:20] + lower[21:43]
    return upper + lower + check_digit(composite)


def _card(entry: PassportEntry | BadgeEntry) -> VirtualCard:
    if isinstance(entry, BadgeEntry):
        return VirtualCard(BADGE_ATR, uid_hex=entry.uid.upper())
    mrz = entry.mrz if isinstance(entry.mrz, str) else compose_td3(entry.mrz)
    uid = entry.uid.upper() if entry.uid else None
    return VirtualCard(PASSPORT_ATR, parse_td3(mrz), entry.data_groups, uid)


def parse_cards(data: Any, path: Path) -> list[VirtualCard]:
    """The cards described by ``data`` (the decoded JSON).

    Raises:
        CardFileError: listing every problem as ``[index].field: message``.
    """
    try:
        entries = _CARD_LIST.validate_python(data)
    except ValidationError as err:
        raise CardFileError(path, [_describe(item) for item in err.errors()]) from err
    cards, problems = [], []
    for index, entry in enumerate(entries):
        try:
            cards.append(_card(entry))
        except DocumentDataError as err:
            problems.append(f"[{index}].mrz: {err}")
    if problems:
        raise CardFileError(path, problems)
    return cards


def load_cards(path: Path = DEMO_CARDS_PATH) -> list[VirtualCard]:
    """Read a card file.

    Raises:
        CardFileError: the file cannot be read, is not JSON, or describes a bad card.
    """
    try:
        if path.stat().st_size > MAX_CARD_FILE_BYTES:
            raise CardFileError(path, [f"(file): larger than {MAX_CARD_FILE_BYTES} bytes"])
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CardFileError(path, [f"(file): cannot be read: {err.strerror}"]) from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CardFileError(path, [f"(file): not valid JSON: {err}"]) from err
    return parse_cards(data, path)


def _describe(item: Any) -> str:
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]]
    where = "".join(parts).lstrip(".") or "(file)"
    return f"{where}: {item['msg']}"
