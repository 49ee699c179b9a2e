"""The exact bytes a ticket becomes (python-escpos ``Dummy``), kept as snapshots.

Regenerate after an intended change with ``ANTRE_UPDATE_SNAPSHOTS=1 pytest
tests/devices/printer/test_escpos_output.py`` and review the diff of the .hex files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, TicketView, layout_ticket
from devices.printer.ops import Logo, Text
from devices.printer.profiles import profile_named
from tests.devices.printer.escpos_render import decode_escpos

SNAPSHOTS = Path(__file__).with_name("snapshots")
_HEX_BYTES_PER_LINE = 32


def to_hex(data: bytes) -> str:
    rows = (data[at : at + _HEX_BYTES_PER_LINE] for at in range(0, len(data), _HEX_BYTES_PER_LINE))
    return "".join(f"{row.hex(' ')}\n" for row in rows)


def assert_matches_snapshot(data: bytes, name: str) -> None:
    path = SNAPSHOTS / f"{name}.hex"
    if os.environ.get("ANTRE_UPDATE_SNAPSHOTS") == "1":
        path.write_text(to_hex(data), encoding="ascii")
    assert path.exists(), f"no snapshot {path.name}: run with ANTRE_UPDATE_SNAPSHOTS=1"
    expected = bytes.fromhex(path.read_text(encoding="ascii"))
    assert data == expected


@pytest.mark.parametrize("profile_name", ["80mm", "58mm"])
def test_ticket_bytes_match_the_snapshot(
    ticket: TicketView, branding: Branding, profile_name: str
) -> None:
    profile = profile_named(profile_name)
    data = ticket_bytes(layout_ticket(ticket, branding, profile, "id"), profile)

    assert_matches_snapshot(data, f"ticket_{profile_name}")


def test_native_qr_and_cutter_on_80mm(ticket: TicketView, branding: Branding) -> None:
    profile = profile_named("80mm")
    data = ticket_bytes(layout_ticket(ticket, branding, profile, "id"), profile)

    assert data.startswith(b"\x1b@")
    assert b"\x1d(k" in data
    assert b"\x1dv0" not in data
    assert data.endswith(b"\x1dV\x00")


def test_raster_qr_and_no_cut_on_plain_58mm(ticket: TicketView, branding: Branding) -> None:
    profile = profile_named("58mm")
    data = ticket_bytes(layout_ticket(ticket, branding, profile, "id"), profile)

    assert b"\x1dv0" in data
    assert b"\x1d(k" not in data
    assert b"\x1dV" not in data


def test_logo_is_printed_as_a_centred_raster(tmp_path: Path) -> None:
    logo_path = tmp_path / "logo.png"
    Image.new("RGBA", (400, 100), (0, 0, 0, 255)).save(logo_path)
    profile = profile_named("58mm")

    paper = decode_escpos(ticket_bytes([Logo(logo_path, 192), Text("X")], profile), 384)

    ink = Image.eval(paper.image(), lambda level: 255 - level)
    # 400 x 100 shrunk to 192 x 48, centred on 384 dots; then the text line.
    assert ink.crop((0, 0, 384, 48)).getbbox() == (96, 0, 288, 48)
    assert paper.lines[-1] == "X"


def test_missing_logo_is_skipped(tmp_path: Path) -> None:
    data = ticket_bytes([Logo(tmp_path / "absent.png", 100), Text("X")], profile_named("80mm"))

    assert b"\x1dv0" not in data
    assert b"X\n" in data
