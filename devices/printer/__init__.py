"""The ticket printer: layout, ESC/POS and PNG rendering, transports and status.

``layout_ticket`` turns a ``TicketView`` into ``PrintOp``s (pure code); ``open_printer``
returns a ``TicketPrinter`` for a ``PrinterConfig`` (network, USB, serial, CUPS, or the
virtual printer that writes jobs to a folder). python-escpos, Pillow and qrcode are
imported only when a ticket is rendered.
"""

from devices.printer.config import PrinterConfig, open_printer, parse_printer_spec
from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterConfigError,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
)
from devices.printer.layout import Branding, LocalisedText, TicketView, layout_ticket
from devices.printer.ops import PrintOp
from devices.printer.profiles import PROFILES, PrinterProfile, profile_named
from devices.printer.status import PrinterStatus
from devices.printer.transports import TicketPrinter
from devices.printer.virtual import MemoryPrinter, VirtualPrinter

__all__ = [
    "PROFILES",
    "Branding",
    "CoverOpen",
    "LocalisedText",
    "MemoryPrinter",
    "PaperOut",
    "PrintOp",
    "PrinterConfig",
    "PrinterConfigError",
    "PrinterError",
    "PrinterOffline",
    "PrinterProfile",
    "PrinterStatus",
    "PrinterTimeout",
    "TicketPrinter",
    "TicketView",
    "VirtualPrinter",
    "layout_ticket",
    "open_printer",
    "parse_printer_spec",
    "profile_named",
]
