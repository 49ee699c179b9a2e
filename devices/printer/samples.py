"""Sample tickets for every service of an office file (previews and test prints)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from devices.printer.layout import Branding, LocalisedText, TicketView
from devices.printer.sample_office import SampleOffice, SampleService
from queue_server.protocol.labels import format_number

STATUS_URL_BASE = "http://antre.local/t/"
_SAMPLE_NUMBER = 12
_TRAILING_NUMBER = re.compile(r"\s*\d+$")


def office_branding(office: SampleOffice) -> Branding:
    """The ticket branding an office file defines (its name when it has no branding)."""
    zone = office.timezone
    if not office.has_branding:
        return Branding(office_name=office.name, address="", timezone=zone)
    footer = LocalisedText(id=office.footer_id, en=office.footer_en)
    return Branding(office.display_name, office.address, timezone=zone, footer=footer)


def sample_tickets(
    office: SampleOffice, issued_at: datetime | None = None
) -> dict[str, TicketView]:
    """One plausible ticket per service, keyed by service id."""
    moment = issued_at or datetime.now(UTC)
    return {
        service.id: _sample_ticket(office, service, index, moment)
        for index, service in enumerate(office.services)
    }


def _sample_ticket(
    office: SampleOffice, service: SampleService, index: int, issued_at: datetime
) -> TicketView:
    people_ahead = 2 + index % 7
    token = hashlib.sha256(f"{service.id}-{_SAMPLE_NUMBER}".encode()).hexdigest()[:16]
    return TicketView(
        label=format_number(service.prefix, _SAMPLE_NUMBER),
        service_name=LocalisedText(id=service.name_id, en=service.name_en),
        issued_at=issued_at,
        people_ahead=people_ahead,
        estimated_wait_minutes=round(people_ahead * service.first_minutes),
        status_url=f"{STATUS_URL_BASE}{token}",
        station_hint=_station_hint(office, service),
        priority="prioritas" in service.id,
    )


def _station_hint(office: SampleOffice, service: SampleService) -> LocalisedText | None:
    for counter in office.counters:
        if service.first_station in counter.stations:
            name = _TRAILING_NUMBER.sub("", counter.name)
            return LocalisedText(id=name, en=name)
    return None
