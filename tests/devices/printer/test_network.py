"""Printing over TCP to a fake printer on 127.0.0.1 that answers DLE EOT."""

from __future__ import annotations

import pytest
from pyzbar.pyzbar import decode

from devices.printer.config import PrinterConfig, open_printer
from devices.printer.errors import CoverOpen, PaperOut, PrinterOffline, PrinterTimeout
from devices.printer.escpos_output import ticket_bytes
from devices.printer.layout import Branding, TicketView, layout_ticket
from devices.printer.ops import PrintOp
from devices.printer.profiles import profile_named
from devices.printer.transports import TicketPrinter
from tests.devices.printer.conftest import STATUS_URL
from tests.devices.printer.escpos_render import decode_escpos
from tests.devices.printer.fake_printer import FakePrinterState, RunningFakePrinter, closed_port

STATUS_REQUESTS = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
TIMEOUT_S = 0.5


def network_printer(port: int, profile: str = "80mm") -> TicketPrinter:
    config = PrinterConfig("network", profile, host="127.0.0.1", port=port, timeout_s=TIMEOUT_S)
    return open_printer(config)


@pytest.fixture
def ops(ticket: TicketView, branding: Branding) -> list[PrintOp]:
    return layout_ticket(ticket, branding, profile_named("80mm"), "id")


@pytest.mark.parametrize("paper", ["ok", "near_end"])
def test_prints_the_ticket_after_checking_status(ops: list[PrintOp], paper: str) -> None:
    with RunningFakePrinter(FakePrinterState(paper=paper)) as fake:  # type: ignore[arg-type]
        network_printer(fake.port).print_ticket(ops)
        jobs = fake.printer.wait_for_jobs(1)

    assert jobs == [STATUS_REQUESTS + ticket_bytes(ops, profile_named("80mm"))]
    paper_image = decode_escpos(jobs[0], 576).image()
    assert [symbol.data.decode() for symbol in decode(paper_image)] == [STATUS_URL]


@pytest.mark.parametrize(
    ("state", "error_class"),
    [
        (FakePrinterState(paper="out"), PaperOut),
        (FakePrinterState(cover_open=True), CoverOpen),
        (FakePrinterState(reports_offline=True), PrinterOffline),
    ],
)
def test_a_faulty_printer_raises_and_gets_no_ticket(
    ops: list[PrintOp], state: FakePrinterState, error_class: type[Exception]
) -> None:
    with RunningFakePrinter(state) as fake:
        with pytest.raises(error_class):
            network_printer(fake.port).print_ticket(ops)
        jobs = fake.printer.wait_for_jobs(1)

    assert jobs == [STATUS_REQUESTS]


def test_a_silent_printer_times_out(ops: list[PrintOp]) -> None:
    with RunningFakePrinter(FakePrinterState(silent=True)) as fake:
        printer = network_printer(fake.port)
        with pytest.raises(PrinterTimeout):
            printer.print_ticket(ops)
        with pytest.raises(PrinterTimeout):
            printer.status()


def test_a_closed_port_is_offline(ops: list[PrintOp]) -> None:
    printer = network_printer(closed_port())

    with pytest.raises(PrinterOffline) as raised:
        printer.print_ticket(ops)

    assert not isinstance(raised.value, PrinterTimeout)
    assert raised.value.__cause__ is not None


@pytest.mark.parametrize(
    ("state", "health"),
    [
        (FakePrinterState(), ("ok", "ok")),
        (FakePrinterState(paper="near_end"), ("warning", "paper_near_end")),
        (FakePrinterState(paper="out"), ("error", "paper_out")),
        (FakePrinterState(cover_open=True), ("error", "cover_open")),
        (FakePrinterState(reports_offline=True), ("error", "offline")),
    ],
)
def test_status_reports_health(state: FakePrinterState, health: tuple[str, str]) -> None:
    with RunningFakePrinter(state) as fake:
        status = network_printer(fake.port).status()

    assert status.health() == health


def test_reconnects_for_every_ticket(ops: list[PrintOp]) -> None:
    with RunningFakePrinter() as fake:
        printer = network_printer(fake.port)
        printer.print_ticket(ops)
        printer.print_ticket(ops)
        jobs = fake.printer.wait_for_jobs(2)

    assert len(jobs) == 2
    assert jobs[0] == jobs[1]
