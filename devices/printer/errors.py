"""Printer errors: one class per fault, each with a bilingual message for applicants."""

from __future__ import annotations

from devices.errors import DeviceError
from queue_server.i18n import both


class PrinterError(DeviceError):
    """Base of every ticket printer error.

    Attributes:
        code: a stable machine code (``paper_out``...), the same as device health codes.
    """

    code = "printer_error"
    msgid = "The ticket printer has a fault. Please ask an officer for help."

    def user_message(self) -> dict[str, str]:
        """What to tell the applicant, as ``{"id": ..., "en": ...}``."""
        return both(self.msgid)


class PrinterConfigError(PrinterError, ValueError):
    """The printer configuration is not valid."""

    code = "printer_config"


class PrinterOffline(PrinterError):
    """The printer cannot be reached or reports itself offline."""

    code = "offline"
    msgid = "The ticket printer is offline. Please ask an officer for help."


class PrinterTimeout(PrinterOffline):
    """The printer did not answer in time."""

    code = "timeout"


class PaperOut(PrinterError):
    """The paper roll is empty."""

    code = "paper_out"
    msgid = "The ticket printer is out of paper. Please ask an officer for help."


class CoverOpen(PrinterError):
    """The paper cover is open."""

    code = "cover_open"
    msgid = "The ticket printer cover is open. Please ask an officer for help."
