"""Turn ESC/POS bytes back into a picture of the paper (the subset python-escpos emits).

Handles ``ESC @ ! E a d t M``, ``GS !``, ``GS B`` (white on black), ``GS ( k`` (QR store
and print), ``GS v 0`` (raster), ``GS V`` (cut) and ignores ``DLE EOT``; any other command
fails loudly, so a change in what we send is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw, ImageFont

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
CHAR_WIDTH_PX, CHAR_HEIGHT_PX = 12, 24
_FONT_PATHS = {
    False: "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    True: "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
}


class UnknownCommand(ValueError):
    """The bytes contain a command this decoder does not know."""


@dataclass
class Paper:
    """What was printed: full-width strips top to bottom, the text lines, and cuts."""

    width_px: int
    strips: list[Image.Image] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    cuts: int = 0
    #: The error correction level of each native QR code (``GS ( k`` function 69).
    qr_levels: list[str] = field(default_factory=list)
    #: The lines printed white on black (``GS B 1``).
    inverted_lines: list[str] = field(default_factory=list)

    def image(self) -> Image.Image:
        height_px = sum(strip.height for strip in self.strips) or 1
        paper = Image.new("L", (self.width_px, height_px), 255)
        top_px = 0
        for strip in self.strips:
            paper.paste(strip, (0, top_px))
            top_px += strip.height
        return paper


@dataclass
class _Style:
    align: int = 0
    bold: bool = False
    width_scale: int = 1
    height_scale: int = 1
    inverted: bool = False


class _Decoder:
    def __init__(self, data: bytes, width_px: int) -> None:
        self.data = data
        self.position = 0
        self.paper = Paper(width_px)
        self.style = _Style()
        self.line = bytearray()
        self.qr_data = b""
        self.qr_module_px = 3
        self.qr_error_correction = "L"  # the printers' default

    def run(self) -> Paper:
        while self.position < len(self.data):
            byte = self.take(1)[0]
            if byte == ESC:
                self.escape()
            elif byte == GS:
                self.group()
            elif byte == DLE:
                self.take(2)  # DLE EOT n: a status request, nothing printed
            elif byte == LF:
                self.print_line()
            else:
                self.line.append(byte)
        return self.paper

    def take(self, count: int) -> bytes:
        chunk = self.data[self.position : self.position + count]
        if len(chunk) != count:
            raise UnknownCommand(f"truncated command at byte {self.position}")
        self.position += count
        return chunk

    def escape(self) -> None:
        command = self.take(1)
        if command == b"@":
            self.style = _Style()
        elif command == b"!":
            mode = self.take(1)[0]
            self.style.bold = bool(mode & 0x08)
            self.style.height_scale = 2 if mode & 0x10 else 1
            self.style.width_scale = 2 if mode & 0x20 else 1
        elif command == b"E":
            self.style.bold = bool(self.take(1)[0] & 1)
        elif command == b"a":
            self.style.align = self.take(1)[0] % 48
        elif command == b"d":
            self.feed(self.take(1)[0])
        elif command in (b"t", b"M"):
            self.take(1)  # code page, font: the picture uses one font
        else:
            raise UnknownCommand(f"ESC {command!r} at byte {self.position}")

    def group(self) -> None:
        command = self.take(1)
        if command == b"!":
            size = self.take(1)[0]
            self.style.width_scale = (size >> 4) + 1
            self.style.height_scale = (size & 0x0F) + 1
        elif command == b"B":
            self.style.inverted = bool(self.take(1)[0] & 1)
        elif command == b"(":
            self.two_dimensional_code()
        elif command == b"v":
            self.raster_image()
        elif command == b"V":
            mode = self.take(1)[0]
            if mode in (65, 66):
                self.feed(self.take(1)[0])
            self.paper.cuts += 1
        else:
            raise UnknownCommand(f"GS {command!r} at byte {self.position}")

    def two_dimensional_code(self) -> None:
        if self.take(1) != b"k":
            raise UnknownCommand(f"GS ( other than k at byte {self.position}")
        length = int.from_bytes(self.take(2), "little")
        body = self.take(length)
        code_type, function = body[0], body[1]
        if code_type != ord("1"):
            raise UnknownCommand("2D code other than QR")
        if function == 67:
            self.qr_module_px = body[2]
        elif function == 69:
            self.qr_error_correction = "LMQH"[body[2] - 48]
        elif function == 80:
            self.qr_data = body[3:]
        elif function == 81:
            self.paper.qr_levels.append(self.qr_error_correction)
            self.place(
                _qr_image(self.qr_data.decode("utf-8"), self.qr_module_px, self.qr_error_correction)
            )

    def raster_image(self) -> None:
        if self.take(2) != b"0\x00":
            raise UnknownCommand("GS v other than 0 (normal density)")
        width_bytes = int.from_bytes(self.take(2), "little")
        height_px = int.from_bytes(self.take(2), "little")
        bits = self.take(width_bytes * height_px)
        picture = Image.frombytes("1", (width_bytes * 8, height_px), bits)
        self.place(Image.eval(picture.convert("L"), lambda level: 255 - level))

    def print_line(self) -> None:
        text = self.line.decode("cp437")
        self.line.clear()
        self.paper.lines.append(text)
        if self.style.inverted:
            self.paper.inverted_lines.append(text)
        strip = Image.new("L", (self.paper.width_px, CHAR_HEIGHT_PX * self.style.height_scale), 255)
        if text:
            self.draw_text(strip, text)
        self.paper.strips.append(strip)

    def draw_text(self, strip: Image.Image, text: str) -> None:
        cell_px = CHAR_WIDTH_PX * self.style.width_scale
        font = _font(self.style.bold, 20 * self.style.height_scale)
        left_px = self.left_px(cell_px * len(text))
        draw = ImageDraw.Draw(strip)
        ink = 0
        if self.style.inverted:
            draw.rectangle(
                (left_px, 0, left_px + cell_px * len(text) - 1, strip.height - 1), fill=0
            )
            ink = 255
        for index, character in enumerate(text):
            draw.text((left_px + index * cell_px, 0), character, font=font, fill=ink)

    def place(self, picture: Image.Image) -> None:
        strip = Image.new("L", (self.paper.width_px, picture.height), 255)
        strip.paste(picture, (self.left_px(picture.width), 0))
        self.paper.strips.append(strip)

    def left_px(self, content_width_px: int) -> int:
        free_px = max(self.paper.width_px - content_width_px, 0)
        return (0, free_px // 2, free_px)[min(self.style.align, 2)]

    def feed(self, lines: int) -> None:
        if lines:
            self.paper.strips.append(Image.new("L", (self.paper.width_px, lines * 24), 255))


def _font(bold: bool, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_FONT_PATHS[bold], size_px)
    except OSError:  # no fonts-dejavu-core: the QR and layout checks do not need glyphs
        return ImageFont.load_default(size=size_px)


def _qr_image(data: str, module_px: int, level: str) -> Image.Image:
    correction = getattr(qrcode.constants, f"ERROR_CORRECT_{level}")
    code = qrcode.QRCode(box_size=module_px, border=1, error_correction=correction)
    code.add_data(data)
    code.make(fit=True)
    picture: Image.Image = code.make_image().get_image().convert("L")
    return picture


def decode_escpos(data: bytes, width_px: int) -> Paper:
    """The paper a printer ``width_px`` dots wide would print from ``data``.

    Raises:
        UnknownCommand: ``data`` uses a command outside the supported subset.
    """
    return _Decoder(data, width_px).run()
