"""Printers without hardware: a folder of jobs (ships in the product) and one in memory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from devices.printer.escpos_output import ticket_bytes
from devices.printer.ops import PrintOp
from devices.printer.profiles import PrinterProfile
from devices.printer.status import PrinterStatus

log = logging.getLogger(__name__)


class VirtualPrinter:
    """Writes each ticket's ESC/POS bytes and PNG preview into a folder.

    Used on development machines, in CI and at a kiosk whose printer is not installed
    yet. Files are ``job-000001.bin`` and ``job-000001.png``; numbering continues after
    the highest job already in the folder.

    Args:
        folder: where jobs are written (created when missing).
        profile: the printer model to imitate.
        printer_status: what ``status()`` reports; a fault makes printing fail, as on paper.
        write_preview: also write the PNG (needs Pillow and qrcode).
    """

    def __init__(
        self,
        folder: Path,
        profile: PrinterProfile,
        *,
        printer_status: PrinterStatus | None = None,
        write_preview: bool = True,
    ) -> None:
        self.folder = folder
        self.profile = profile
        self.printer_status = printer_status or PrinterStatus()
        self.write_preview = write_preview

    def print_ticket(self, ops: Sequence[PrintOp]) -> None:
        self.printer_status.raise_for_fault()
        self.folder.mkdir(parents=True, exist_ok=True)
        job_path = self._next_job_path()
        job_path.write_bytes(ticket_bytes(ops, self.profile))
        if self.write_preview:
            from devices.printer.preview import save_preview

            save_preview(ops, self.profile, job_path.with_suffix(".png"))
        log.info("virtual printer wrote %s", job_path.name)

    def status(self) -> PrinterStatus:
        return self.printer_status

    def job_paths(self) -> list[Path]:
        """The ESC/POS files written so far, oldest first."""
        return sorted(self.folder.glob("job-*.bin"))

    def _next_job_path(self) -> Path:
        numbers = [path.stem.removeprefix("job-") for path in self.job_paths()]
        last = max((int(number) for number in numbers if number.isdigit()), default=0)
        return self.folder / f"job-{last + 1:06d}.bin"


class MemoryPrinter:
    """Keeps each ticket's ESC/POS bytes (from python-escpos ``Dummy``) in ``jobs``.

    A test double: set ``printer_status`` to simulate a fault.
    """

    def __init__(self, profile: PrinterProfile, printer_status: PrinterStatus | None = None):
        self.profile = profile
        self.printer_status = printer_status or PrinterStatus()
        self.jobs: list[bytes] = []

    def print_ticket(self, ops: Sequence[PrintOp]) -> None:
        self.printer_status.raise_for_fault()
        self.jobs.append(ticket_bytes(ops, self.profile))

    def status(self) -> PrinterStatus:
        return self.printer_status
