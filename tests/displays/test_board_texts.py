"""The board's captions: both languages from the catalogs, waits and the office clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from displays.board import texts
from displays.board.model import ServiceWait


def wait(minutes: float | None, open_now: bool = True, waiting: int = 3) -> ServiceWait:
    return ServiceWait("a", "A", "Paspor", "Passport", waiting, minutes, open_now)


def test_captions_show_indonesian_then_english() -> None:
    assert texts.connection_lost() == "Koneksi terputus · Connection lost"
    assert texts.last_calls() == "Panggilan terakhir · Last calls"
    assert texts.waiting(wait(4.0)) == "3 menunggu · 3 waiting"


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (wait(12.4), "Sekitar 12 menit · About 12 min"),
        (wait(0.2), "Tanpa menunggu · No wait"),
        (wait(None), "Belum ada loket buka · No counter open"),
        (wait(30.0, open_now=False), "Tutup · Closed"),
    ],
)
def test_the_estimate_says_what_a_newcomer_can_expect(service: ServiceWait, expected: str) -> None:
    assert texts.estimate(service) == expected


def test_a_service_name_is_shown_once_when_both_languages_agree() -> None:
    assert texts.service_name(wait(1.0)) == "Paspor · Passport"
    same = ServiceWait("b", "B", "Visa", "Visa", 0, None, True)
    assert texts.service_name(same) == "Visa"


def test_the_clock_is_in_the_office_time_zone() -> None:
    now = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)
    assert texts.clock(now, "Asia/Makassar") == "09:30"
    assert texts.clock(now, "Asia/Jayapura") == "10:30"
    assert texts.clock(now, "Not/AZone") == "01:30"


def test_the_board_command_without_an_account_says_so_in_both_languages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from displays.board.__main__ import main

    assert main(["--office", "kanim-x"]) == 2
    assert capsys.readouterr().err.strip() == (
        "--office dan --device wajib diisi (atau --demo) · "
        "--office and --device are needed (or --demo)"
    )
