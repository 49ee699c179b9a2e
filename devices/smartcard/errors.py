"""Smart-card errors: one class per fault, each with a bilingual message for the user.

Messages never contain personal data (names, document numbers, NIK): only status words,
reader names and durations.
"""

from __future__ import annotations

from devices.errors import DeviceError
from queue_server.i18n import both


class SmartCardError(DeviceError):
    """Base of every smart-card error.

    Attributes:
        code: a stable machine code for logs, metrics and tests.
    """

    code = "smartcard_error"
    msgid = "The card could not be read. Please try again or ask an officer."

    def user_message(self) -> dict[str, str]:
        """What to tell the user, as ``{"id": ..., "en": ...}``."""
        return both(self.msgid)


class NoReader(SmartCardError):
    """No PC/SC reader is available (none plugged in, wrong name, or pcscd not running)."""

    code = "no_reader"
    msgid = "No card reader was found. Please ask an officer for help."


class CardTimeout(SmartCardError):
    """No card was presented before the timeout."""

    code = "card_timeout"
    msgid = "No card was presented in time. Please place the card on the reader."

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"no card presented within {timeout_s:g} s")
        self.timeout_s = timeout_s


class CardRemoved(SmartCardError):
    """The card was taken away, or stopped answering, before the reading finished."""

    code = "card_removed"
    msgid = "The card was removed before reading finished. Please place it on the reader again."


class CardError(SmartCardError):
    """The card answered a command with an error status word.

    Attributes:
        sw1: first status byte.
        sw2: second status byte.
    """

    code = "card_status"

    def __init__(self, sw1: int, sw2: int, command: str = "command") -> None:
        super().__init__(f"{command} failed with status {sw1:02X}{sw2:02X}")
        self.sw1 = sw1
        self.sw2 = sw2

    @property
    def status(self) -> int:
        """The status word as one number, e.g. ``0x6A82``."""
        return (self.sw1 << 8) | self.sw2


class AccessDenied(CardError):
    """The passport chip refused Basic Access Control: the MRZ key is wrong."""

    code = "access_denied"
    msgid = (
        "The passport chip refused the data from the photo page. "
        "Please check the document number, date of birth and expiry date."
    )


class SecureMessagingError(SmartCardError):
    """A protected reply failed its integrity check (wrong MAC, sequence or format)."""

    code = "secure_messaging"
    msgid = "The card's reply failed its security check and was discarded. Please try again."


class DocumentDataError(SmartCardError, ValueError):
    """Data read from the card is malformed or a check digit does not match."""

    code = "document_data"
    msgid = "The data on the card is damaged. Please ask an officer for help."


class CardNotSupported(SmartCardError):
    """This kind of card cannot be read by this installation."""

    code = "not_supported"
    msgid = (
        "Reading the e-KTP is not supported on this kiosk: it needs the card reader "
        "vendor's certified software. Please ask an officer for help."
    )
