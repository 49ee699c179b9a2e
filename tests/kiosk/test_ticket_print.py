"""The paper the kiosk prints: the number, PRIORITAS / PRIORITY on a priority ticket, and
"Menuju / Go to" the station where the ticket waits (as the print preview shows it)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from devices.printer import MemoryPrinter, PrinterProfile, PrinterStatus, profile_named
from devices.printer.ops import PrintOp
from devices.printer.preview import save_preview
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.flow import Collaborators
from kiosk.issuing import IssueRequest, perform_issue
from kiosk.issuing import station_hint as station_text
from queue_server.i18n.stations import STATION_NAMES as STATION_MSGIDS
from tests.devices.printer.escpos_render import Paper, decode_escpos

PROFILE = profile_named("80mm")


class RecordingPrinter(MemoryPrinter):
    """Keeps the print operations too, for the PNG preview."""

    def __init__(self, profile: PrinterProfile) -> None:
        super().__init__(profile)
        self.ops: list[Sequence[PrintOp]] = []

    def print_ticket(self, ops: Sequence[PrintOp]) -> None:
        super().print_ticket(ops)
        self.ops.append(ops)

    def status(self) -> PrinterStatus:
        return self.printer_status


def issue_and_print(
    desk: DemoDesk,
    service_id: str,
    *,
    language: str = "id",
    priority: str | None = None,
    profile: PrinterProfile = PROFILE,
) -> tuple[RecordingPrinter, bool]:
    content = content_from_payload(DEMO_PAYLOAD)
    service = next(item for item in content.services if item.id == service_id)
    printer = RecordingPrinter(profile)
    collaborators = Collaborators(
        desk=desk,
        printer=printer,
        profile=profile,
        monotonic=time.monotonic,
        now=lambda: datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
    )
    request = IssueRequest(seq=1, service=service, language=language, priority_category=priority)
    outcome = perform_issue(request, collaborators, content.branding)
    assert outcome.ticket is not None and outcome.ticket.printed, outcome
    return printer, outcome.ticket.priority


def print_one(
    desk: DemoDesk, service_id: str, *, language: str = "id", priority: str | None = None
) -> tuple[Paper, bool]:
    printer, priority_ticket = issue_and_print(
        desk, service_id, language=language, priority=priority
    )
    return decode_escpos(printer.jobs[0], PROFILE.printable_width_px), priority_ticket


def write_ticket_pictures(folder: Path) -> list[Path]:
    """PNG previews of tickets as the kiosk prints them (the demo office)."""
    offline_desk = DemoDesk(first_number=31)
    offline_desk.offline = True
    cases = [
        ("ticket-80mm-id.png", DemoDesk(first_number=12), "paspor-walkin", "id", None, "80mm"),
        ("ticket-80mm-priority-en.png", DemoDesk(first_number=4), "paspor-walkin", "en",
         "elderly", "80mm"),
        ("ticket-58mm-priority-id.png", DemoDesk(first_number=5), "pengambilan-paspor", "id",
         "disabled", "58mm"),
        ("ticket-80mm-offline-id.png", offline_desk, "paspor-walkin", "id", None, "80mm"),
    ]  # fmt: skip
    written = []
    for name, desk, service, language, priority, profile_name in cases:
        profile = profile_named(profile_name)
        printer, _ = issue_and_print(
            desk, service, language=language, priority=priority, profile=profile
        )
        save_preview(printer.ops[0], profile, folder / name)
        written.append(folder / name)
    return written


def test_the_printed_tickets_render_as_pictures(tmp_path: Path) -> None:
    """The pictures in docs/screenshots/kiosk/ come from this (see the end of this file)."""
    for path in write_ticket_pictures(tmp_path):
        with Image.open(path) as picture:
            assert picture.width == 576 + 32 or picture.width == 384 + 32
            assert picture.height > picture.width


def test_an_online_ticket_says_where_to_go_in_both_languages() -> None:
    paper, priority = print_one(DemoDesk(), "paspor-walkin", language="en")

    assert not priority and paper.inverted_lines == []
    assert "Go to: Customer service (document check)" in paper.lines
    assert "Menuju: Customer service (pemeriksaan berkas)" in paper.lines
    english = paper.lines.index("Go to: Customer service (document check)")
    assert paper.lines[english + 1].startswith("Menuju: ")  # the chosen language first


def test_a_priority_ticket_says_priority_white_on_black() -> None:
    paper, priority = print_one(DemoDesk(), "paspor-walkin", priority="elderly")

    assert priority
    assert paper.inverted_lines == [" PRIORITAS / PRIORITY "]


def test_an_offline_ticket_goes_to_the_service_s_first_station() -> None:
    desk = DemoDesk()
    desk.offline = True
    paper, _ = print_one(desk, "pengambilan-paspor")

    assert "Menuju: Loket pengambilan" in paper.lines
    assert "Go to: Pickup counter" in paper.lines


@pytest.mark.parametrize("station", sorted(STATION_MSGIDS))
def test_every_station_has_its_name_in_both_languages(station: str) -> None:
    text = station_text(station)

    assert text is not None and text.id and text.en
    assert text.id != text.en  # the Indonesian comes from the catalog, not the msgid


def test_an_unknown_station_prints_no_line() -> None:
    assert station_text("ROOF") is None


if __name__ == "__main__":  # python -m tests.kiosk.test_ticket_print docs/screenshots/kiosk
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for written in write_ticket_pictures(target):
        print(written)
