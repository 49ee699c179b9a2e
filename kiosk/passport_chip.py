"""The e-passport chip as the applicant's identity: the MRZ details and the read (pure code).

Where the office asks for the applicant's identity (passport pickup), the kiosk takes a
NIK typed on the keypad or the chip of the applicant's e-passport. The chip opens only
with Basic Access Control, whose key comes from the photo page's machine-readable zone
(MRZ): the document number, the date of birth and the expiry date, scanned from the page
or typed. :func:`perform_chip` reads the chip on a worker thread (never raises); of all it
reads, only the document number leaves this module, and the server keeps only a keyed
hash and its last four characters. Nothing here is logged or shown in ``repr``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from devices.errors import MissingDependency
from devices.smartcard.errors import (
    AccessDenied,
    CardRemoved,
    CardTimeout,
    NoReader,
    SmartCardError,
)
from devices.smartcard.mrz import MrzKey
from queue_server.i18n import both

if TYPE_CHECKING:
    from devices.smartcard.reader import CardReader

log = logging.getLogger(__name__)
#: How long the kiosk waits for the passport on the reader, per try.
CHIP_TIMEOUT_S = 20.0
DOCUMENT_NUMBER = re.compile(r"[0-9A-Z]{1,9}")
TYPED_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})")
NUMBER_FORMAT = (
    "The passport number is 1 to 9 letters and digits, as printed on the photo page "
    "(for example C1234567)."
)
DATE_FORMAT = "Type the date as day, month and year: 8 digits, for example 17081990."
NO_SUCH_DATE = "That date does not exist. Please check it."
BIRTH_IN_FUTURE = "The date of birth cannot be in the future."
NO_PASSPORT = (
    "No passport was found on the reader. Open it at the photo page, lay it flat on "
    "the reader and press Try again."
)
READER_BROKEN = "The passport reader is not working. Please type your NIK instead."
CHIP_UNREADABLE = (
    "The passport's chip could not be read. Please try again, or type your NIK instead."
)


class MrzField(StrEnum):
    """The three details of the photo page, typed one after the other."""

    NUMBER = "number"
    BIRTH = "birth"
    EXPIRY = "expiry"


class ChipFailure(StrEnum):
    """Why a read gave no document number, and so where the applicant goes next."""

    REFUSED = "refused"  # the chip refused the key: the details are wrong (type them again)
    NO_PASSPORT = "no_passport"  # nothing on the reader, or taken away (try again)
    UNREADABLE = "unreadable"  # a chip that answers badly (try again, or the NIK)
    NO_READER = "no_reader"  # the reader is gone or broken (the NIK)


@dataclass(frozen=True, slots=True)
class ChipRequest:
    seq: int
    key: MrzKey = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChipOutcome:
    """The document number read from the chip, or why there is none (bilingual)."""

    seq: int
    document_number: str | None = field(default=None, repr=False)
    failure: ChipFailure | None = None
    problem: dict[str, str] | None = None


class MrzEntryError(ValueError):
    """A typed detail that cannot be right; ``messages`` says why, in id and en."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.messages = both(msgid)


def parse_document_number(text: str) -> str:
    """The typed passport number, upper case, checked (no ``<`` fillers).

    Raises:
        MrzEntryError: not 1 to 9 letters and digits.
    """
    number = text.strip().upper()
    if not DOCUMENT_NUMBER.fullmatch(number):
        raise MrzEntryError(NUMBER_FORMAT)
    return number


def parse_typed_date(text: str, *, today: date | None = None) -> str:
    """A date typed as DDMMYYYY, as the MRZ writes it (YYMMDD).

    Args:
        today: given for a date of birth, which must not be after it.

    Raises:
        MrzEntryError: not 8 digits, no such date, or a birth in the future.
    """
    found = TYPED_DATE.fullmatch(text.strip())
    if found is None:
        raise MrzEntryError(DATE_FORMAT)
    day, month, year = (int(part) for part in found.groups())
    try:
        typed = date(year, month, day)
    except ValueError:
        raise MrzEntryError(NO_SUCH_DATE) from None
    if year < 1900:
        raise MrzEntryError(NO_SUCH_DATE)
    if today is not None and typed > today:
        raise MrzEntryError(BIRTH_IN_FUTURE)
    return typed.strftime("%y%m%d")


def entry_problem(mrz_field: MrzField, text: str) -> dict[str, str] | None:
    """The keyboards' validator: None when ``text`` can be this field, else why not."""
    try:
        if mrz_field is MrzField.NUMBER:
            parse_document_number(text)
        else:
            parse_typed_date(text)
    except MrzEntryError as err:
        return err.messages
    return None


def perform_chip(request: ChipRequest, reader: CardReader | None) -> ChipOutcome:
    """Wait for the passport and read its document number with BAC; never raises."""
    seq = request.seq
    if reader is None:
        return ChipOutcome(seq, failure=ChipFailure.NO_READER, problem=both(READER_BROKEN))
    try:
        reading = reader.read_passport(request.key, timeout_s=CHIP_TIMEOUT_S)
    except AccessDenied as err:
        return ChipOutcome(seq, failure=ChipFailure.REFUSED, problem=err.user_message())
    except (CardTimeout, CardRemoved):
        return ChipOutcome(seq, failure=ChipFailure.NO_PASSPORT, problem=both(NO_PASSPORT))
    except (NoReader, MissingDependency) as err:
        log.warning("passport reader unavailable: %s", type(err).__name__)
        return ChipOutcome(seq, failure=ChipFailure.NO_READER, problem=both(READER_BROKEN))
    except SmartCardError as err:
        log.info("passport chip not read: %s", err.code)
        return ChipOutcome(seq, failure=ChipFailure.UNREADABLE, problem=both(CHIP_UNREADABLE))
    except Exception:
        log.exception("passport chip read failed")
        return ChipOutcome(seq, failure=ChipFailure.UNREADABLE, problem=both(CHIP_UNREADABLE))
    number = reading.mrz.document_number
    if not DOCUMENT_NUMBER.fullmatch(number):  # the chip's own MRZ is checked, but be sure
        return ChipOutcome(seq, failure=ChipFailure.UNREADABLE, problem=both(CHIP_UNREADABLE))
    return ChipOutcome(seq, document_number=number)
