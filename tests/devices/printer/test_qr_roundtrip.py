"""Print bytes back to pixels, then read the QR code like a phone would."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image, ImageDraw
from pyzbar.pyzbar import decode

from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, TicketView, layout_ticket
from devices.printer.ops import QR_ERROR_CORRECTION, Qr
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


#: A QR link as an office would print it: its public base URL and a ticket token.
OFFICE_URL = "https://antrian.kanim-banjarmasin.example/t/3N_10c50Orx-UgeiOQPu-R5R"
#: A fold rubbed white across the middle of the code, as a fraction of its height.
CREASE = 0.10


def creased(picture: Image.Image) -> Image.Image:
    """``picture`` with a white band across the middle of its QR code."""
    (symbol,) = decode(picture)
    box = symbol.rect
    band_px = int(box.height * CREASE)
    top_px = box.top + (box.height - band_px) // 2
    damaged = picture.copy()
    ImageDraw.Draw(damaged).rectangle(
        (box.left, top_px, box.left + box.width, top_px + band_px), fill="white"
    )
    return damaged


@pytest.mark.parametrize("url", [STATUS_URL, OFFICE_URL])
@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_a_creased_ticket_still_scans_from_the_preview(
    ticket: TicketView, branding: Branding, profile: PrinterProfile, url: str
) -> None:
    view = replace(ticket, status_url=url)
    preview = render_preview(layout_ticket(view, branding, profile, "id"), profile)
    assert qr_texts(creased(preview)) == [url]


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_the_same_crease_breaks_a_low_correction_code(profile: PrinterProfile) -> None:
    """The crease is a real test: at level L (7 %) the code no longer reads."""
    preview = render_preview([Qr(OFFICE_URL, error_correction="L")], profile)
    assert qr_texts(preview) == [OFFICE_URL]
    assert qr_texts(creased(preview)) == []


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_printed_qr_uses_quartile_error_correction(
    ticket: TicketView, branding: Branding, profile: PrinterProfile
) -> None:
    assert QR_ERROR_CORRECTION in ("M", "Q", "H")
    data = ticket_bytes(layout_ticket(ticket, branding, profile, "en"), profile)
    paper = decode_escpos(data, profile.printable_width_px)
    if profile.native_qr:
        assert paper.qr_levels == [QR_ERROR_CORRECTION]
    assert qr_texts(creased(paper.image())) == [STATUS_URL]
