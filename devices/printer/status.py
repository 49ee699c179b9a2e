"""Printer status from the ESC/POS real-time status bytes (``DLE EOT n``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from devices.printer.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline

HealthLevel = Literal["ok", "warning", "error"]

# Bits of the answers, per the Epson ESC/POS reference for DLE EOT.
_OFFLINE_BIT = 0x08  # n=1: printer status
_COVER_OPEN_BIT = 0x04  # n=2: offline cause
_PAPER_END_STOP_BIT = 0x20  # n=2
_ERROR_BIT = 0x40  # n=2
_NEAR_END_BITS = 0x0C  # n=4: roll paper sensor
_PAPER_OUT_BITS = 0x60  # n=4


class StatusRequest(IntEnum):
    """The ``n`` of ``DLE EOT n``."""

    PRINTER = 1
    OFFLINE_CAUSE = 2
    PAPER_SENSOR = 4

    @property
    def command(self) -> bytes:
        """The bytes that ask for this status."""
        return bytes((0x10, 0x04, self.value))


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What a printer said about itself.

    ``reported`` is false for transports that cannot answer (CUPS): nothing is known.
    """

    online: bool = True
    cover_open: bool = False
    paper_near_end: bool = False
    paper_out: bool = False
    error: bool = False
    reported: bool = True

    @classmethod
    def from_answers(cls, printer: int, offline_cause: int, paper_sensor: int) -> PrinterStatus:
        """Decode the answers to ``DLE EOT`` 1, 2 and 4."""
        return cls(
            online=not printer & _OFFLINE_BIT,
            cover_open=bool(offline_cause & _COVER_OPEN_BIT),
            paper_near_end=bool(paper_sensor & _NEAR_END_BITS),
            paper_out=bool(paper_sensor & _PAPER_OUT_BITS or offline_cause & _PAPER_END_STOP_BIT),
            error=bool(offline_cause & _ERROR_BIT),
        )

    def health(self) -> tuple[HealthLevel, str]:
        """The status as device health: a level and a code (``"ok"`` when all is well)."""
        if not self.reported:
            return "ok", "status_unknown"
        if self.paper_out:
            return "error", "paper_out"
        if self.cover_open:
            return "error", "cover_open"
        if self.error:
            return "error", "printer_error"
        if not self.online:
            return "error", "offline"
        if self.paper_near_end:
            return "warning", "paper_near_end"
        return "ok", "ok"

    def raise_for_fault(self) -> None:
        """Raise the error that stops printing, if any (paper near-end still prints).

        Raises:
            PaperOut, CoverOpen, PrinterError, PrinterOffline: the matching fault.
        """
        level, code = self.health()
        if level != "error":
            return
        error_class: type[PrinterError] = {
            "paper_out": PaperOut,
            "cover_open": CoverOpen,
            "offline": PrinterOffline,
        }.get(code, PrinterError)
        raise error_class(f"printer reports {code}")
