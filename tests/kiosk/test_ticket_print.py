"""The paper the kiosk prints: the number, PRIORITAS / PRIORITY on a priority ticket, and
"Menuju / Go to" the station where the ticket waits (as the print preview shows it)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from devices.printer import MemoryPrinter, profile_named
from kiosk.content import content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.flow import Collaborators
from kiosk.issuing import IssueRequest, perform_issue
from kiosk.stations import STATION_MSGIDS, station_text
from tests.devices.printer.escpos_render import Paper, decode_escpos

PROFILE = profile_named("80mm")


def print_one(
    desk: DemoDesk, service_id: str, *, language: str = "id", priority: str | None = None
) -> tuple[Paper, bool]:
    content = content_from_payload(DEMO_PAYLOAD)
    service = next(item for item in content.services if item.id == service_id)
    printer = MemoryPrinter(PROFILE)
    collaborators = Collaborators(
        desk=desk,
        printer=printer,
        profile=PROFILE,
        monotonic=time.monotonic,
        now=lambda: datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
    )
    request = IssueRequest(seq=1, service=service, language=language, priority_category=priority)
    outcome = perform_issue(request, collaborators, content.branding)
    assert outcome.ticket is not None and outcome.ticket.printed, outcome
    return decode_escpos(printer.jobs[0], PROFILE.printable_width_px), outcome.ticket.priority


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
