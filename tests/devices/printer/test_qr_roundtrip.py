"""Print bytes back to pixels, then read the QR code like a phone would."""

from __future__ import annotations

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, TicketView, layout_ticket
from devices.printer.preview import render_preview
from devices.printer.profiles import PROFILES, PrinterProfile
from tests.devices.printer.conftest import STATUS_URL
from tests.devices.printer.escpos_render import decode_escpos

ALL_PROFILES = sorted(PROFILES.values(), key=lambda profile: profile.name)


def qr_texts(picture: Image.Image) -> list[str]:
    return [symbol.data.decode("utf-8") for symbol in decode(picture)]


def test_profiles_cover_native_and_raster_qr_on_both_widths() -> None:
    kinds = {(profile.printable_width_px, profile.native_qr) for profile in ALL_PROFILES}

    assert kinds == {(384, True), (384, False), (576, True), (576, False)}


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_printed_qr_reads_back_as_the_status_url(
    ticket: TicketView, branding: Branding, profile: PrinterProfile
) -> None:
    data = ticket_bytes(layout_ticket(ticket, branding, profile, "id"), profile)

    paper = decode_escpos(data, profile.printable_width_px)

    assert qr_texts(paper.image()) == [STATUS_URL]
    assert "A012" in paper.lines
    assert "Silakan menunggu hingga nomor Anda dipanggil." in " ".join(paper.lines)
    assert paper.cuts == (1 if profile.has_cutter else 0)


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_preview_qr_reads_back_and_matches_the_paper_width(
    ticket: TicketView, branding: Branding, profile: PrinterProfile
) -> None:
    preview = render_preview(layout_ticket(ticket, branding, profile, "en"), profile)

    assert qr_texts(preview) == [STATUS_URL]
    assert preview.width == profile.printable_width_px + 32
