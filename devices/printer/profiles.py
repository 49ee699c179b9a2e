"""Paper and capability profiles of the ticket printers we support."""

from __future__ import annotations

from dataclasses import dataclass

#: Font A of ESC/POS printers is 12 x 24 dots at 203 dpi.
FONT_A_WIDTH_PX = 12
FONT_A_HEIGHT_PX = 24


class UnknownProfile(ValueError):
    """No printer profile has the requested name."""


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """What a printer model can do, independent of how it is connected.

    Attributes:
        name: the name used in config (``58mm``, ``80mm``...).
        paper_width_mm: the paper roll width.
        printable_width_px: dots per line at 203 dpi (384 on 58 mm, 576 on 80 mm).
        native_qr: the printer draws QR codes itself (``GS ( k``); otherwise they are
            sent as a raster image (``GS v 0``).
        has_cutter: the printer cuts the paper (``GS V``).
        qr_module_px: dots per QR module.
        number_scale: character magnification of the big ticket number (1-8).
    """

    name: str
    paper_width_mm: int
    printable_width_px: int
    native_qr: bool
    has_cutter: bool
    qr_module_px: int = 6
    number_scale: int = 6

    @property
    def columns(self) -> int:
        """Characters per line in font A at normal size (32 on 58 mm, 48 on 80 mm)."""
        return self.printable_width_px // FONT_A_WIDTH_PX

    def columns_at(self, scale: int) -> int:
        """Characters per line when text is magnified ``scale`` times."""
        return self.columns // scale


PROFILES: dict[str, PrinterProfile] = {
    profile.name: profile
    for profile in (
        PrinterProfile("58mm", 58, 384, native_qr=False, has_cutter=False, number_scale=5),
        PrinterProfile("58mm-cutter", 58, 384, native_qr=True, has_cutter=True, number_scale=5),
        PrinterProfile("80mm", 80, 576, native_qr=True, has_cutter=True),
        PrinterProfile("80mm-raster-qr", 80, 576, native_qr=False, has_cutter=True),
    )
}
DEFAULT_PROFILE = "80mm"


def profile_named(name: str) -> PrinterProfile:
    """The profile called ``name``.

    Raises:
        UnknownProfile: there is no such profile.
    """
    try:
        return PROFILES[name]
    except KeyError as err:
        known = ", ".join(sorted(PROFILES))
        raise UnknownProfile(f"unknown printer profile {name!r} (known: {known})") from err
