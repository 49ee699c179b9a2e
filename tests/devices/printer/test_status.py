from __future__ import annotations

import pytest

from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
)
from devices.printer.status import PrinterStatus, StatusRequest

OK = 0x12  # the fixed bits of every DLE EOT answer


def test_requests_are_dle_eot_n() -> None:
    assert [request.command for request in StatusRequest] == [
        b"\x10\x04\x01",
        b"\x10\x04\x02",
        b"\x10\x04\x04",
    ]


@pytest.mark.parametrize(
    ("answers", "health"),
    [
        ((OK, OK, OK), ("ok", "ok")),
        ((OK, OK, OK | 0x0C), ("warning", "paper_near_end")),
        ((OK | 0x08, OK | 0x20, OK | 0x6C), ("error", "paper_out")),
        ((OK | 0x08, OK | 0x04, OK), ("error", "cover_open")),
        ((OK | 0x08, OK, OK), ("error", "offline")),
        ((OK | 0x08, OK | 0x40, OK), ("error", "printer_error")),
    ],
)
def test_answers_become_health(answers: tuple[int, int, int], health: tuple[str, str]) -> None:
    status = PrinterStatus.from_answers(*answers)

    assert status.health() == health


def test_unreported_status_is_not_an_error() -> None:
    assert PrinterStatus(reported=False).health() == ("ok", "status_unknown")


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (PrinterStatus(paper_out=True, online=False), PaperOut),
        (PrinterStatus(cover_open=True, online=False), CoverOpen),
        (PrinterStatus(online=False), PrinterOffline),
        (PrinterStatus(error=True), PrinterError),
    ],
)
def test_faults_raise_typed_errors(status: PrinterStatus, error_class: type[Exception]) -> None:
    with pytest.raises(error_class):
        status.raise_for_fault()


def test_near_end_still_prints() -> None:
    PrinterStatus(paper_near_end=True).raise_for_fault()


@pytest.mark.parametrize("error_class", [PaperOut, CoverOpen, PrinterOffline, PrinterTimeout])
def test_errors_tell_the_applicant_in_both_languages(error_class: type[PrinterError]) -> None:
    message = error_class("detail").user_message()

    assert set(message) == {"id", "en"}
    assert message["id"] != message["en"]
    assert "printer" in message["en"]
    assert "petugas" in message["id"]


def test_timeout_is_an_offline_kind_with_its_own_code() -> None:
    assert issubclass(PrinterTimeout, PrinterOffline)
    assert PrinterTimeout.code == "timeout"
    assert PaperOut.code == "paper_out"
    assert CoverOpen.code == "cover_open"
