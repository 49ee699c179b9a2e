"""Render print operations as a PNG that looks like the paper ticket."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from devices.errors import require
from devices.printer.ops import Align, Cut, Feed, Logo, PrintOp, Qr, Rule, Text
from devices.printer.profiles import FONT_A_HEIGHT_PX, FONT_A_WIDTH_PX, PrinterProfile

PILLOW_PACKAGE = "pip install pillow (the antre[devices] extra)"
QRCODE_PACKAGE = "pip install qrcode (the antre[devices] extra)"
_NO_ALTERNATIVE = "no preview (printing still works)"
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}
#: DejaVu Sans Mono advances 0.602 em: 20 px type is 12 px wide, like font A.
_FONT_PX_PER_SCALE = 20
_MARGIN_PX = 16
_CUT_FEED_PX = 4 * FONT_A_HEIGHT_PX
log = logging.getLogger(__name__)


def render_preview(ops: Sequence[PrintOp], profile: PrinterProfile) -> Any:
    """The ticket as a Pillow image: white paper, black print, a real QR code."""
    image_module = require("PIL.Image", PILLOW_PACKAGE, _NO_ALTERNATIVE)
    strips = [strip for op in ops for strip in _strips(op, profile)]
    width_px = profile.printable_width_px + 2 * _MARGIN_PX
    height_px = sum(strip.height for strip in strips) + 2 * _MARGIN_PX
    paper = image_module.new("L", (width_px, height_px), 255)
    top_px = _MARGIN_PX
    for strip in strips:
        paper.paste(strip, (_MARGIN_PX, top_px))
        top_px += strip.height
    return paper


def save_preview(ops: Sequence[PrintOp], profile: PrinterProfile, path: Path) -> None:
    """Write the preview of a ticket to ``path`` (PNG)."""
    render_preview(ops, profile).save(path, format="PNG")


def _strips(op: PrintOp, profile: PrinterProfile) -> list[Any]:
    """Full-width greyscale strips, top to bottom, for one operation."""
    match op:
        case Text():
            return [_text_strip(op, profile)]
        case Qr():
            return [_blank(profile, FONT_A_HEIGHT_PX // 2), _qr_strip(op, profile)]
        case Logo():
            return _logo_strips(op, profile)
        case Rule():
            return [_text_strip(Text("-" * profile.columns, align="left"), profile)]
        case Feed():
            return [_blank(profile, op.lines * FONT_A_HEIGHT_PX)]
        case Cut():
            return [_blank(profile, _CUT_FEED_PX)]


def _blank(profile: PrinterProfile, height_px: int) -> Any:
    image_module = require("PIL.Image", PILLOW_PACKAGE, _NO_ALTERNATIVE)
    return image_module.new("L", (profile.printable_width_px, height_px), 255)


def _text_strip(op: Text, profile: PrinterProfile) -> Any:
    draw_module = require("PIL.ImageDraw", PILLOW_PACKAGE, _NO_ALTERNATIVE)
    strip = _blank(profile, FONT_A_HEIGHT_PX * op.scale)
    font = _font(op.bold, op.scale)
    text_width_px = len(op.text) * FONT_A_WIDTH_PX * op.scale
    left_px = _aligned_left(op.align, text_width_px, profile.printable_width_px)
    draw = draw_module.Draw(strip)
    ink = 0
    if op.inverted:  # GS B: the characters' cells are black, the characters white
        draw.rectangle((left_px, 0, left_px + text_width_px - 1, strip.height - 1), fill=0)
        ink = 255
    # Monospaced cells like the printer's: one character every 12 x scale dots.
    for index, character in enumerate(op.text):
        x_px = left_px + index * FONT_A_WIDTH_PX * op.scale
        draw.text((x_px, op.scale * 2), character, font=font, fill=ink)
    return strip


def _aligned_left(align: Align, content_width_px: int, paper_width_px: int) -> int:
    free_px = max(paper_width_px - content_width_px, 0)
    return {"left": 0, "center": free_px // 2, "right": free_px}[align]


@lru_cache(maxsize=32)
def _font(bold: bool, scale: int) -> Any:
    font_module = require("PIL.ImageFont", PILLOW_PACKAGE, _NO_ALTERNATIVE)
    size_px = _FONT_PX_PER_SCALE * scale
    try:
        return font_module.truetype(str(_FONT_DIR / _FONT_FILES[bold]), size_px)
    except OSError:
        log.info("DejaVu Sans Mono not found (Debian: fonts-dejavu-core); using Pillow's font")
        return font_module.load_default(size=size_px)


def _qr_strip(op: Qr, profile: PrinterProfile) -> Any:
    qrcode = require("qrcode", QRCODE_PACKAGE, _NO_ALTERNATIVE)
    code = qrcode.QRCode(
        box_size=profile.qr_module_px,
        border=1,
        error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{op.error_correction}"),
    )
    code.add_data(op.data)
    code.make(fit=True)
    picture = code.make_image().get_image().convert("L")
    return _centred(picture, profile)


def _logo_strips(op: Logo, profile: PrinterProfile) -> list[Any]:
    image_module = require("PIL.Image", PILLOW_PACKAGE, _NO_ALTERNATIVE)
    try:
        with image_module.open(op.path) as source:
            logo = source.convert("RGBA")
    except OSError as err:
        log.warning("ticket logo %s not shown: %s", op.path, err)
        return []
    logo.thumbnail((op.max_width_px, op.max_width_px * 2))
    flat = image_module.new("L", logo.size, 255)
    flat.paste(logo.convert("L"), mask=logo.getchannel("A"))
    return [_centred(flat.point(lambda level: 255 if level >= 128 else 0), profile)]


def _centred(picture: Any, profile: PrinterProfile) -> Any:
    strip = _blank(profile, picture.height)
    strip.paste(picture, ((profile.printable_width_px - picture.width) // 2, 0))
    return strip
