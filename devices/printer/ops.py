"""The few operations a ticket is made of; renderers turn them into bytes or pixels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Align = Literal["left", "center", "right"]
QrErrorCorrection = Literal["L", "M", "Q", "H"]


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text, already wrapped to the paper width.

    Attributes:
        text: the line, without a newline.
        align: horizontal alignment.
        bold: emphasised.
        scale: character magnification (1 = font A, 12 x 24 dots; up to 8).
        inverted: white on a black band (``GS B``), for what must not be missed.
    """

    text: str
    align: Align = "center"
    bold: bool = False
    scale: int = 1
    inverted: bool = False


#: Error correction of ticket QR codes. Q rebuilds up to 25 % of a damaged symbol, so a
#: ticket folded or creased in a pocket still scans (L, the printers' default, only 7 %).
QR_ERROR_CORRECTION: QrErrorCorrection = "Q"


@dataclass(frozen=True, slots=True)
class Qr:
    """A QR code of ``data``, centred; native or raster depends on the printer profile."""

    data: str
    error_correction: QrErrorCorrection = QR_ERROR_CORRECTION


@dataclass(frozen=True, slots=True)
class Logo:
    """A picture (PNG) printed centred, at most ``max_width_px`` wide."""

    path: Path
    max_width_px: int


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal line across the paper."""


@dataclass(frozen=True, slots=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    """Feed the ticket out and cut it (only feeds on printers without a cutter)."""


PrintOp = Text | Qr | Logo | Rule | Feed | Cut
