"""Sample tickets for every service of an office file (previews and test prints)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from devices.printer.layout import Branding, LocalisedText, TicketView
from queue_server.domain.numbering import format_number

if TYPE_CHECKING:
    from queue_server.domain.model import Service
    from queue_server.office_config.definition import OfficeDefinition

STATUS_URL_BASE = "http://antre.local/t/"
_SAMPLE_NUMBER = 12
_TRAILING_NUMBER = re.compile(r"\s*\d+$")


def office_branding(definition: OfficeDefinition) -> Branding:
    """The ticket branding an office file defines (its name when it has no branding)."""
    zone = definition.office.timezone
    branding = definition.branding
    if branding is None:
        return Branding(office_name=definition.office.name, address="", timezone=zone)
    footer = LocalisedText(id=branding.footer.id, en=branding.footer.en)
    return Branding(branding.display_name, branding.address, timezone=zone, footer=footer)


def sample_tickets(
    definition: OfficeDefinition, issued_at: datetime | None = None
) -> dict[str, TicketView]:
    """One plausible ticket per service, keyed by service id."""
    moment = issued_at or datetime.now(UTC)
    return {
        str(service.id): _sample_ticket(definition, service, index, moment)
        for index, service in enumerate(definition.services)
    }


def _sample_ticket(
    definition: OfficeDefinition, service: Service, index: int, issued_at: datetime
) -> TicketView:
    people_ahead = 2 + index % 7
    first_step = service.journey[0]
    token = hashlib.sha256(f"{service.id}-{_SAMPLE_NUMBER}".encode()).hexdigest()[:16]
    return TicketView(
        label=format_number(service.prefix, _SAMPLE_NUMBER),
        service_name=LocalisedText(id=service.name_id, en=service.name_en),
        issued_at=issued_at,
        people_ahead=people_ahead,
        estimated_wait_minutes=round(people_ahead * first_step.standard_minutes),
        status_url=f"{STATUS_URL_BASE}{token}",
        station_hint=_station_hint(definition, service),
        priority="prioritas" in str(service.id),
    )


def _station_hint(definition: OfficeDefinition, service: Service) -> LocalisedText | None:
    station = service.station_for(0, priority=False)
    for counter in definition.counters:
        if station in counter.stations:
            name = _TRAILING_NUMBER.sub("", counter.name)
            return LocalisedText(id=name, en=name)
    return None
