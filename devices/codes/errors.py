"""The one error every payload parser raises, with a bilingual message for the applicant."""

from __future__ import annotations

from enum import StrEnum

from queue_server.i18n import both


class CodeErrorReason(StrEnum):
    """Why a scanned or typed code was refused (stable, for logs, metrics and tests)."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_A_TICKET_LINK = "not_a_ticket_link"
    NOT_A_BOOKING_CODE = "not_a_booking_code"
    NIK_FORMAT = "nik_format"
    NIK_REGION = "nik_region"
    NIK_BIRTH_DATE = "nik_birth_date"
    NIK_SERIAL = "nik_serial"


#: English msgid shown to the applicant for each reason (translated through gettext).
MESSAGES: dict[CodeErrorReason, str] = {
    CodeErrorReason.MALFORMED: "This QR code is damaged or not from this office.",
    CodeErrorReason.BAD_SIGNATURE: "This QR code is not valid. Please ask an officer.",
    CodeErrorReason.EXPIRED: "This QR code has expired.",
    CodeErrorReason.NOT_YET_VALID: "This QR code is not valid yet.",
    CodeErrorReason.NOT_A_TICKET_LINK: "This is not an Antre ticket QR code.",
    CodeErrorReason.NOT_A_BOOKING_CODE: "This is not an M-Paspor booking code.",
    CodeErrorReason.NIK_FORMAT: "A NIK has exactly 16 digits.",
    CodeErrorReason.NIK_REGION: "This NIK has an unknown region code.",
    CodeErrorReason.NIK_BIRTH_DATE: "This NIK has an impossible date of birth.",
    CodeErrorReason.NIK_SERIAL: "This NIK has an invalid serial number.",
}


class CodeError(ValueError):
    """A scanned or typed code was refused.

    The message never contains the input itself (it may be a NIK, which is personal data).

    Attributes:
        reason: machine-readable cause.
        messages: the applicant-facing message, ``{"id": ..., "en": ...}``.
    """

    def __init__(self, reason: CodeErrorReason) -> None:
        self.reason = reason
        self.messages = both(MESSAGES[reason])
        super().__init__(f"{reason.value}: {self.messages['en']}")
