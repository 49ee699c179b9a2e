"""Render print operations through python-escpos onto any ``Escpos`` printer object."""

from __future__ import annotations

import copy
import logging
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from devices.errors import require
from devices.printer.ops import Cut, Feed, Logo, PrintOp, Qr, Rule, Text
from devices.printer.profiles import PrinterProfile

ESCPOS_PACKAGE = "pip install python-escpos (the antre[devices] extra)"
VIRTUAL_ALTERNATIVE = "a virtual printer (kind: virtual)"
_BASE_CAPABILITIES = "TM-T20II"
_FEED_LINES_BEFORE_CUT = 4
#: python-escpos' QR_ECLEVEL_L/M/Q/H.
_QR_LEVELS = {"L": 0, "M": 1, "Q": 2, "H": 3}
log = logging.getLogger(__name__)
#: python-escpos reads its printer database (a 96 kB JSON file, through PyYAML) at import
#: and keeps a pickled copy in this folder; without it, a new temporary folder every
#: start, so every start parses it again (0.1 s and 2 MB of heap more) and leaves a folder.
CAPABILITIES_CACHE_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def import_escpos(module: str) -> ModuleType:
    """A python-escpos module (``escpos.printer``...), its printer database cached in the
    user's cache folder (systemd's ``CacheDirectory=``, else ``~/.cache/antre``).

    Raises:
        MissingDependency: python-escpos is not installed.
    """
    if CAPABILITIES_CACHE_VARIABLE not in os.environ:
        folder = _private_cache_folder(os.environ)
        if folder is not None:
            os.environ[CAPABILITIES_CACHE_VARIABLE] = str(folder)
    return require(module, ESCPOS_PACKAGE, VIRTUAL_ALTERNATIVE)


def _private_cache_folder(environ: Mapping[str, str]) -> Path | None:
    """The cache folder, made if missing; None unless it is this user's and only theirs
    (python-escpos loads a pickle from it)."""
    base = environ.get("CACHE_DIRECTORY") or environ.get("XDG_CACHE_HOME")
    folder = Path(base) if base else Path.home() / ".cache"
    folder = folder / "antre" if not environ.get("CACHE_DIRECTORY") else folder
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except (OSError, RuntimeError):  # no home, read-only file system
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


def escpos_capabilities(profile: PrinterProfile) -> Any:
    """A python-escpos capability profile matching ``profile`` (paper width, QR, cutter)."""
    capabilities = import_escpos("escpos.capabilities")
    data = copy.deepcopy(capabilities.get_profile_class(_BASE_CAPABILITIES).profile_data)
    data["name"] = f"Antre {profile.name}"
    data["media"]["width"] = {"mm": profile.paper_width_mm, "pixels": profile.printable_width_px}
    data["fonts"]["0"]["columns"] = profile.columns
    data["features"].update(
        qrCode=profile.native_qr,
        paperFullCut=profile.has_cutter,
        paperPartCut=profile.has_cutter,
    )
    profile_class = type("AntreProfile", (capabilities.BaseProfile,), {"profile_data": data})
    return profile_class()


def new_dummy(profile: PrinterProfile) -> Any:
    """An in-memory python-escpos printer configured for ``profile``."""
    printer_module = import_escpos("escpos.printer")
    printer = printer_module.Dummy()
    printer.profile = escpos_capabilities(profile)
    return printer


def ticket_bytes(ops: Sequence[PrintOp], profile: PrinterProfile) -> bytes:
    """The ESC/POS bytes of a ticket, as the printer would receive them."""
    printer = new_dummy(profile)
    render_escpos(ops, printer, profile)
    output: bytes = printer.output
    return output


def render_escpos(ops: Sequence[PrintOp], printer: Any, profile: PrinterProfile) -> None:
    """Send ``ops`` to a python-escpos printer object (``Dummy``, ``Network``, ``Usb``...)."""
    printer.hw("INIT")
    for op in ops:
        _render_op(op, printer, profile)


def _render_op(op: PrintOp, printer: Any, profile: PrinterProfile) -> None:
    match op:
        case Text():
            _text(op, printer)
        case Qr():
            _qr(op, printer, profile)
        case Logo():
            _logo(op, printer)
        case Rule():
            _style(printer, align="left")
            printer.textln("-" * profile.columns)
        case Feed():
            printer.ln(op.lines)
        case Cut():
            _cut(printer, profile)


def _text(op: Text, printer: Any) -> None:
    _style(printer, align=op.align, bold=op.bold, scale=op.scale)
    if op.inverted:
        printer.set(invert=True)
        printer.textln(op.text)
        printer.set(invert=False)  # set() leaves what it is not given as it was
        return
    printer.textln(op.text)


def _style(printer: Any, *, align: str, bold: bool = False, scale: int = 1) -> None:
    # GS ! sets the size every time: some clones do not reset it on ESC ! 0.
    printer.set(align=align, bold=bold, custom_size=True, width=scale, height=scale)


def _qr(op: Qr, printer: Any, profile: PrinterProfile) -> None:
    _style(printer, align="center")
    level = _QR_LEVELS[op.error_correction]
    if profile.native_qr:
        printer.qr(op.data, ec=level, size=profile.qr_module_px, native=True)
        printer.ln()
    else:
        printer.qr(op.data, ec=level, size=profile.qr_module_px, native=False, center=True)


def _logo(op: Logo, printer: Any) -> None:
    image_module = require("PIL.Image", "pip install pillow", VIRTUAL_ALTERNATIVE)
    try:
        with image_module.open(op.path) as source:
            logo = source.convert("RGBA")
    except OSError as err:
        log.warning("ticket logo %s not printed: %s", op.path, err)
        return
    logo.thumbnail((op.max_width_px, op.max_width_px * 2))
    paper = image_module.new("RGB", logo.size, "white")
    paper.paste(logo, mask=logo.getchannel("A"))
    printer.image(paper, center=True)


def _cut(printer: Any, profile: PrinterProfile) -> None:
    _style(printer, align="left")
    if profile.has_cutter:
        printer.cut()
    else:
        printer.ln(_FEED_LINES_BEFORE_CUT)
