from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from devices.printer.errors import PaperOut
from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, TicketView, layout_ticket
from devices.printer.profiles import profile_named
from devices.printer.status import PrinterStatus
from devices.printer.virtual import MemoryPrinter, VirtualPrinter
from tests.devices.printer.conftest import STATUS_URL


def test_virtual_printer_writes_bytes_and_preview(
    tmp_path: Path, ticket: TicketView, branding: Branding
) -> None:
    profile = profile_named("58mm")
    ops = layout_ticket(ticket, branding, profile, "id")
    printer = VirtualPrinter(tmp_path / "jobs", profile)

    printer.print_ticket(ops)
    printer.print_ticket(ops)

    jobs = printer.job_paths()
    assert [path.name for path in jobs] == ["job-000001.bin", "job-000002.bin"]
    assert jobs[0].read_bytes() == ticket_bytes(ops, profile)
    with Image.open(jobs[1].with_suffix(".png")) as preview:
        assert [symbol.data.decode() for symbol in decode(preview)] == [STATUS_URL]
    assert printer.status().health() == ("ok", "ok")


def test_numbering_continues_after_existing_jobs(
    tmp_path: Path, ticket: TicketView, branding: Branding
) -> None:
    (tmp_path / "job-000041.bin").write_bytes(b"")
    (tmp_path / "job-notes.bin").write_bytes(b"")
    profile = profile_named("80mm")
    printer = VirtualPrinter(tmp_path, profile, write_preview=False)

    printer.print_ticket(layout_ticket(ticket, branding, profile, "en"))

    assert (tmp_path / "job-000042.bin").stat().st_size > 0
    assert not (tmp_path / "job-000042.png").exists()


def test_a_faulty_virtual_printer_prints_nothing(
    tmp_path: Path, ticket: TicketView, branding: Branding
) -> None:
    profile = profile_named("80mm")
    printer = VirtualPrinter(tmp_path, profile, printer_status=PrinterStatus(paper_out=True))

    with pytest.raises(PaperOut):
        printer.print_ticket(layout_ticket(ticket, branding, profile, "id"))

    assert printer.job_paths() == []
    assert printer.status().health() == ("error", "paper_out")


def test_memory_printer_keeps_jobs_and_can_fail(ticket: TicketView, branding: Branding) -> None:
    profile = profile_named("80mm")
    ops = layout_ticket(ticket, branding, profile, "id")
    printer = MemoryPrinter(profile)

    printer.print_ticket(ops)
    printer.printer_status = PrinterStatus(paper_out=True)
    with pytest.raises(PaperOut):
        printer.print_ticket(ops)

    assert printer.jobs == [ticket_bytes(ops, profile)]
