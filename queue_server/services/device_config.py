"""What kiosks and displays need to know about their office (retained ``config/{kind}``).

Built from the stored office definition, so a kiosk shows the same services, names and
priority categories as the server enforces; ``content_version`` is the office's
configuration version, so a device redraws only when it changed. The kiosk's services
also carry the office's own lists of documents to bring (the ``content`` section, edited in
the admin console). No personal data.
"""

from __future__ import annotations

from queue_server.domain.ids import ServiceKind
from queue_server.domain.model import Service
from queue_server.i18n import SUPPORTED
from queue_server.office_config.definition import Bilingual as OfficeText
from queue_server.office_config.definition import ServiceContent
from queue_server.protocol.base import Bilingual, ServiceKindWord
from queue_server.protocol.states import (
    BookingWindow,
    CounterInfo,
    DeviceConfig,
    DisplayConfig,
    KioskConfig,
    OfficeInfo,
    PriorityCategory,
    Requirements,
    ServiceInfo,
)
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import UseCases

KINDS = ("kiosk", "display", "counter-display")


class DeviceConfigService(UseCases):
    def config(self, office: str, kind: str) -> KioskConfig | DisplayConfig:
        """The configuration for devices of ``kind`` (kiosk, display, counter-display)."""
        if kind not in KINDS:
            raise ValueError(f"unknown device kind {kind!r}")
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
        common = _common(snapshot, with_requirements=kind == "kiosk")
        if kind == "kiosk":
            return _kiosk(common, snapshot)
        return _display(common, snapshot)


def _common(snapshot: OfficeSnapshot, *, with_requirements: bool) -> DeviceConfig:
    office = snapshot.office
    definition = snapshot.definition
    branding = snapshot.definition.branding
    return DeviceConfig(
        content_version=snapshot.version,
        office=OfficeInfo(
            id=office.id,
            name=snapshot.public_name,
            address=branding.address if branding else "",
            timezone=office.timezone,
        ),
        languages=list(SUPPORTED),
        services=[
            _service(
                service,
                definition.service_descriptions.get(service.id),
                _requirements(definition.service_content.get(service.id))
                if with_requirements
                else None,
            )
            for service in definition.services
            if service.active
        ],
    )


def _requirements(content: ServiceContent | None) -> Requirements | None:
    """The office's own list of documents to bring (None when it wrote none)."""
    if content is None or not (content.requirements_id or content.requirements_en):
        return None
    return Requirements(id=list(content.requirements_id), en=list(content.requirements_en))


def _service(
    service: Service, description: OfficeText | None, requirements: Requirements | None
) -> ServiceInfo:
    return ServiceInfo(
        id=service.id,
        prefix=service.prefix,
        name=Bilingual(id=service.name_id, en=service.name_en),
        description=_bilingual(description),
        kind=ServiceKindWord(service.kind.value),
        first_station=service.journey[0].station.value,
        needs_booking=service.kind is ServiceKind.BOOKING_REQUIRED,
        has_quota=service.daily_quota is not None,
        offline_allowed=service.kind is not ServiceKind.BOOKING_REQUIRED,
        requirements=requirements,
    )


def _kiosk(common: DeviceConfig, snapshot: OfficeSnapshot) -> KioskConfig:
    office = snapshot.office
    branding = snapshot.definition.branding
    return KioskConfig(
        **dict(common),
        priority_categories=[
            PriorityCategory(
                code=category.code, name=Bilingual(id=category.name.id, en=category.name.en)
            )
            for category in snapshot.definition.priority_categories
        ],
        booking_window_minutes=BookingWindow(
            early=office.booking.early_minutes, late=office.booking.late_minutes
        ),
        ticket_footer=_bilingual(branding.footer if branding else None),
        public_base_url=snapshot.definition.public_base_url,
        registration=bool(snapshot.definition.registration_windows),
    )


def _display(common: DeviceConfig, snapshot: OfficeSnapshot) -> DisplayConfig:
    return DisplayConfig(
        **dict(common),
        counters=[
            CounterInfo(
                code=counter.id,
                name=counter.name,
                stations=sorted(station.value for station in counter.stations),
            )
            for counter in snapshot.definition.counters
        ],
    )


def _bilingual(text: OfficeText | None) -> Bilingual | None:
    return None if text is None else Bilingual(id=text.id, en=text.en)
