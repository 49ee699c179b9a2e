"""The lines an applicant and the officer at the door must not miss: PRIORITAS / PRIORITY,
white on black and large, and "Menuju / Go to" the first station."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, LocalisedText, TicketView, layout_ticket
from devices.printer.ops import Feed, Text
from devices.printer.preview import render_preview
from devices.printer.profiles import profile_named

INVERT_ON, INVERT_OFF = b"\x1dB\x01", b"\x1dB\x00"


def inverted(ops: list[object]) -> list[Text]:
    return [op for op in ops if isinstance(op, Text) and op.inverted]


def test_80mm_prints_both_words_on_one_large_inverted_line(
    ticket: TicketView, branding: Branding
) -> None:
    ops = layout_ticket(ticket, branding, profile_named("80mm"), "id")

    assert inverted(ops) == [Text(" PRIORITAS / PRIORITY ", bold=True, scale=2, inverted=True)]


def test_58mm_prints_one_large_inverted_line_per_language(
    ticket: TicketView, branding: Branding
) -> None:
    english_first = layout_ticket(ticket, branding, profile_named("58mm"), "en")

    lines = inverted(english_first)
    assert [op.text.strip() for op in lines] == ["PRIORITY", "PRIORITAS"]
    assert {op.scale for op in lines} == {2}
    assert {len(op.text) for op in lines} == {len(" PRIORITAS ")}  # one band width


def test_the_priority_line_comes_right_after_the_number(
    ticket: TicketView, branding: Branding
) -> None:
    ops = layout_ticket(ticket, branding, profile_named("80mm"), "id")
    number = next(i for i, op in enumerate(ops) if isinstance(op, Text) and op.text == "A012")

    assert ops[number + 1] == inverted(ops)[0]


def test_a_regular_ticket_has_nothing_inverted(ticket: TicketView, branding: Branding) -> None:
    ops = layout_ticket(replace(ticket, priority=False), branding, profile_named("80mm"), "id")

    assert inverted(ops) == []
    assert INVERT_ON not in ticket_bytes(ops, profile_named("80mm"))


def test_the_printer_inverts_only_the_priority_line(ticket: TicketView, branding: Branding) -> None:
    data = ticket_bytes(
        layout_ticket(ticket, branding, profile_named("80mm"), "id"), profile_named("80mm")
    )

    assert data.count(INVERT_ON) == 1 and data.count(INVERT_OFF) == 1
    start = data.index(INVERT_ON) + len(INVERT_ON)
    assert data[start : data.index(INVERT_OFF)].strip() == b"PRIORITAS / PRIORITY"


def test_the_station_line_stands_apart_in_both_languages(
    ticket: TicketView, branding: Branding
) -> None:
    hint = LocalisedText(
        id="Customer service (pemeriksaan berkas)", en="Customer service (document check)"
    )
    ops = layout_ticket(replace(ticket, station_hint=hint), branding, profile_named("80mm"), "id")
    lines = [op for op in ops if isinstance(op, Text)]
    first = next(
        i for i, op in enumerate(ops) if isinstance(op, Text) and op.text.startswith("Menuju")
    )

    assert ops[first] == Text("Menuju: Customer service (pemeriksaan berkas)", bold=True)
    assert ops[first + 1] == Text("Go to: Customer service (document check)")
    assert isinstance(ops[first - 1], Feed) and isinstance(ops[first + 2], Feed)
    assert sum(op.text.startswith(("Menuju", "Go to")) for op in lines) == 2


def test_the_preview_draws_the_band_black_and_the_letters_white(
    ticket: TicketView, branding: Branding
) -> None:
    profile = profile_named("80mm")
    with_band = render_preview(layout_ticket(ticket, branding, profile, "id"), profile)
    without = render_preview(
        layout_ticket(replace(ticket, priority=False), branding, profile, "id"), profile
    )

    def dark_rows(image: object) -> int:
        pixels = image.convert("L")  # type: ignore[attr-defined]
        width, height = pixels.size
        return sum(
            1
            for y in range(height)
            if sum(pixels.getpixel((x, y)) < 128 for x in range(0, width, 4)) > width // 8
        )

    # Two text rows at double size are 48 dots high, and mostly black across the band.
    assert dark_rows(with_band) - dark_rows(without) >= 40


def test_the_paper_from_the_bytes_shows_priority_inverted_and_the_station(
    ticket: TicketView, branding: Branding
) -> None:
    from tests.devices.printer.escpos_render import decode_escpos

    profile = profile_named("58mm")
    paper = decode_escpos(
        ticket_bytes(layout_ticket(ticket, branding, profile, "id"), profile),
        profile.printable_width_px,
    )

    assert [line.strip() for line in paper.inverted_lines] == ["PRIORITAS", "PRIORITY"]
    assert "Menuju: Customer Service" in paper.lines
    assert "Go to: Customer Service" in paper.lines


def test_an_offline_ticket_has_no_empty_section_between_two_rules(
    ticket: TicketView, branding: Branding
) -> None:
    from devices.printer.ops import Rule

    offline = replace(ticket, people_ahead=None, estimated_wait_minutes=None)
    ops = layout_ticket(offline, branding, profile_named("80mm"), "id")

    assert not any(
        isinstance(first, Rule) and isinstance(second, Rule) for first, second in pairwise(ops)
    )
