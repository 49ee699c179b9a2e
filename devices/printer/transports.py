"""Printers reached through python-escpos: network, USB, serial and CUPS."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from devices.printer.errors import PrinterError, PrinterOffline, PrinterTimeout
from devices.printer.escpos_output import (
    escpos_capabilities,
    import_escpos,
    render_escpos,
)
from devices.printer.ops import PrintOp
from devices.printer.profiles import PrinterProfile
from devices.printer.status import PrinterStatus, StatusRequest

log = logging.getLogger(__name__)

#: Connects and returns an opened python-escpos printer object.
EscposFactory = Callable[[], Any]


class TicketPrinter(Protocol):
    """Anything that prints tickets."""

    def print_ticket(self, ops: Sequence[PrintOp]) -> None:
        """Print one ticket.

        Raises:
            PrinterError: the ticket was not printed (a subclass says why).
        """

    def status(self) -> PrinterStatus:
        """Ask the printer how it is.

        Raises:
            PrinterOffline: the printer cannot be reached (``PrinterTimeout``: no answer).
        """


class EscposTicketPrinter:
    """A ticket printer behind any python-escpos transport.

    Each ticket opens a fresh connection, so a printer that was switched off and on
    again works without restarting the kiosk.

    Args:
        connect: connects and returns an opened python-escpos printer object.
        profile: the printer model.
        answers_status: the transport can read ``DLE EOT`` answers; the status is then
            checked before every ticket.
        name: how to name the printer in logs.
    """

    def __init__(
        self, connect: EscposFactory, profile: PrinterProfile, *, answers_status: bool, name: str
    ) -> None:
        self._connect = connect
        self.profile = profile
        self.answers_status = answers_status
        self.name = name

    def print_ticket(self, ops: Sequence[PrintOp]) -> None:
        with self._session() as printer:
            if self.answers_status:
                read_status(printer).raise_for_fault()
            render_escpos(ops, printer, self.profile)

    def warm_up(self) -> None:
        """Import python-escpos now rather than at the first ticket (about 0.25 s here);
        the kiosk does it on a background thread once its window is up."""
        import_escpos("escpos.printer")
        escpos_capabilities(self.profile)

    def status(self) -> PrinterStatus:
        if not self.answers_status:
            return PrinterStatus(reported=False)
        with self._session() as printer:
            return read_status(printer)

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """An opened printer object; transport errors become ``PrinterError``s."""
        printer = None
        try:
            printer = self._connect()
            printer.profile = escpos_capabilities(self.profile)
            yield printer
        except PrinterError:
            raise
        except TimeoutError as err:
            raise PrinterTimeout(f"{self.name} did not answer in time") from err
        except (OSError, _device_not_found()) as err:
            raise PrinterOffline(f"{self.name} cannot be reached: {err}") from err
        finally:
            if printer is not None:
                _close_quietly(printer, self.name)


def read_status(printer: Any) -> PrinterStatus:
    """Ask an opened python-escpos printer for its real-time status (``DLE EOT`` 1, 2, 4).

    Raises:
        PrinterTimeout: a request got no answer (the transport's timeout applies).
    """
    answers = {request: _ask(printer, request) for request in StatusRequest}
    return PrinterStatus.from_answers(
        printer=answers[StatusRequest.PRINTER],
        offline_cause=answers[StatusRequest.OFFLINE_CAUSE],
        paper_sensor=answers[StatusRequest.PAPER_SENSOR],
    )


def _ask(printer: Any, request: StatusRequest) -> int:
    printer._raw(request.command)
    answer: bytes = printer._read()
    if not answer:
        raise PrinterTimeout(f"no answer to DLE EOT {request.value}")
    # Each request gets one byte; a later byte wins if earlier ones were left unread.
    return answer[-1]


def _device_not_found() -> type[Exception]:
    from escpos.exceptions import DeviceNotFoundError

    error_class: type[Exception] = DeviceNotFoundError
    return error_class


def _close_quietly(printer: Any, name: str) -> None:
    try:
        printer.close()
    except OSError as err:
        log.info("closing %s failed: %s", name, err)
