from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.layout import Branding, LocalisedText, TicketView, layout_ticket
from devices.printer.ops import Cut, Logo, PrintOp, Qr, Text
from devices.printer.profiles import PROFILES, PrinterProfile, profile_named
from tests.devices.printer.conftest import STATUS_URL

ALL_PROFILES = sorted(PROFILES.values(), key=lambda profile: profile.name)


def text_of(ops: Sequence[PrintOp]) -> str:
    return " ".join(op.text for op in ops if isinstance(op, Text))


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_line_fits_the_paper(
    ticket: TicketView, branding: Branding, profile: PrinterProfile, language: str
) -> None:
    ops = layout_ticket(ticket, branding, profile, language)
    texts = [op for op in ops if isinstance(op, Text)]

    assert texts
    for op in texts:
        assert len(op.text) * op.scale <= profile.columns, op


def test_columns_follow_the_paper_width() -> None:
    assert profile_named("58mm").columns == 32
    assert profile_named("80mm").columns == 48


def test_both_languages_are_on_the_ticket(ticket: TicketView, branding: Branding) -> None:
    text = text_of(layout_ticket(ticket, branding, profile_named("58mm"), "id"))

    assert "Silakan menunggu hingga nomor Anda dipanggil." in text
    assert "Please wait until your number is called." in text
    assert "Simpan tiket ini sampai layanan selesai." in text
    assert "Keep this ticket until your service is complete." in text
    assert "Pindai kode QR untuk memantau giliran Anda." in text
    assert "Scan the QR code to follow your turn." in text
    assert "Antrean di depan Anda: 5" in text
    assert "People ahead of you: 5" in text
    assert "Estimated wait: about 20 min" in text
    assert "PRIORITAS" in text and "PRIORITY" in text
    assert "Menuju: Customer Service" in text and "Go to: Customer Service" in text
    assert "Paspor baru/penggantian (M-Paspor)" in text
    assert "New or replacement passport (M-Paspor)" in text


def test_the_chosen_language_comes_first(ticket: TicketView, branding: Branding) -> None:
    indonesian_first = text_of(layout_ticket(ticket, branding, profile_named("80mm"), "id"))
    english_first = text_of(layout_ticket(ticket, branding, profile_named("80mm"), "en"))

    called_id, called_en = "Silakan menunggu", "Please wait until"
    assert indonesian_first.index(called_id) < indonesian_first.index(called_en)
    assert english_first.index(called_en) < english_first.index(called_id)


def test_the_number_is_big_and_bold(ticket: TicketView, branding: Branding) -> None:
    ops = layout_ticket(ticket, branding, profile_named("80mm"), "id")

    numbers = [op for op in ops if isinstance(op, Text) and op.text == "A012"]
    assert len(numbers) == 1
    assert numbers[0].bold
    assert numbers[0].scale >= 4


def test_shows_office_local_date_and_time(ticket: TicketView, branding: Branding) -> None:
    text = text_of(layout_ticket(ticket, branding, profile_named("80mm"), "id"))

    # 01:15 UTC is 09:15 in Banjarmasin (WITA, UTC+8).
    assert "02-12-2026  09:15 WITA" in text


def test_qr_carries_the_status_url_and_the_ticket_ends_with_a_cut(
    ticket: TicketView, branding: Branding
) -> None:
    ops = layout_ticket(ticket, branding, profile_named("58mm"), "id")

    assert [op for op in ops if isinstance(op, Qr)] == [Qr(STATUS_URL)]
    assert isinstance(ops[-1], Cut)


def test_footer_is_printed_once(ticket: TicketView, branding: Branding) -> None:
    same_as_instruction = LocalisedText(
        id="Simpan tiket ini sampai layanan selesai.",
        en="Keep this ticket until your service is complete.",
    )
    ops = layout_ticket(
        ticket, replace(branding, footer=same_as_instruction), profile_named("80mm"), "id"
    )
    own_footer = text_of(layout_ticket(ticket, branding, profile_named("80mm"), "id"))

    assert text_of(ops).count("Keep this ticket") == 1
    assert "Bring your original documents." in own_footer


def test_logo_comes_first_and_fits(ticket: TicketView, branding: Branding) -> None:
    profile = profile_named("58mm")
    ops = layout_ticket(ticket, replace(branding, logo_path=Path("logo.png")), profile, "id")

    assert isinstance(ops[0], Logo)
    assert ops[0].max_width_px <= profile.printable_width_px


def test_optional_parts_are_left_out(ticket: TicketView, branding: Branding) -> None:
    plain = replace(ticket, priority=False, station_hint=None, estimated_wait_minutes=None)
    text = text_of(layout_ticket(plain, branding, profile_named("80mm"), "id"))

    assert "PRIORITY" not in text
    assert "Go to" not in text
    assert "Estimated wait" not in text


def test_naive_issue_time_is_refused(ticket: TicketView) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(ticket, issued_at=datetime(2026, 12, 2, 9, 15))


@settings(max_examples=60, deadline=None)
@given(
    label=st.from_regex(r"[A-Z]{1,2}[0-9]{3,4}", fullmatch=True),
    name=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=120),
    people_ahead=st.integers(0, 9999),
    wait_minutes=st.integers(0, 10_000),
    profile=st.sampled_from(ALL_PROFILES),
)
def test_any_ticket_fits(
    label: str, name: str, people_ahead: int, wait_minutes: int, profile: PrinterProfile
) -> None:
    view = TicketView(
        label=label,
        service_name=LocalisedText(id=name, en=name),
        issued_at=datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
        people_ahead=people_ahead,
        estimated_wait_minutes=wait_minutes,
        status_url=STATUS_URL,
        station_hint=LocalisedText(id=name, en=name),
        priority=True,
    )
    branding = Branding(office_name=name, address=name, footer=LocalisedText(id=name, en=name))

    for op in layout_ticket(view, branding, profile, "id"):
        if isinstance(op, Text):
            assert len(op.text) * op.scale <= profile.columns
    english_first = layout_ticket(view, branding, profile, "en")
    assert any(isinstance(op, Text) and op.text == label for op in english_first)
