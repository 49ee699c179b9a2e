"""What the kiosk offers, read from the retained ``config/kiosk`` payload (pure code).

The server publishes the office's services (with the office's own lists of documents to
bring, when it wrote some), priority categories and ticket footer as the
contract's :class:`~queue_server.protocol.states.KioskConfig`; :func:`content_from_payload`
turns it into what the screens show and groups the services the way the touch screen
shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from devices.printer.layout import Branding, LocalisedText
from queue_server.protocol.base import Bilingual
from queue_server.protocol.states import KioskConfig, ServiceInfo

#: Stations whose first call is a document check: the SOP gives that number only once the
#: applicant says the documents are ready.
DOCUMENT_CHECK_STATIONS = frozenset({"CS"})
#: Stations of the stay-permit counter flows (intake at the loket, then the cashier).
PERMIT_STATIONS = frozenset({"LOKET", "PAY"})
#: Stations whose SOP asks the applicant's KTP (3.10: passport pickup): the kiosk asks the
#: NIK there, for the applicant's own pickup (a proxy brings a surat kuasa instead).
NIK_STATIONS = frozenset({"PICKUP"})
#: Words in a service's id or name that mark the lost/damaged passport route (SOP 2.5).
_BAP_ROUTE_WORDS = ("hilang", "rusak", "lost", "damaged")


class ServiceGroup(StrEnum):
    """The four buttons of the service screen, in display order."""

    PASSPORT = "passport"
    STAY_PERMIT = "stay_permit"
    PICKUP = "pickup"
    HELP = "help"  # complaints and information


#: English msgid of each group's title.
GROUP_TITLES: dict[ServiceGroup, str] = {
    ServiceGroup.PASSPORT: "Passport",
    ServiceGroup.STAY_PERMIT: "Stay permit",
    ServiceGroup.PICKUP: "Pickup",
    ServiceGroup.HELP: "Complaints and information",
}


@dataclass(frozen=True, slots=True)
class OfficeRequirements:
    """The office's own list of documents to bring (admin console, Content), per language."""

    id: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def in_language(self, language: str) -> tuple[str, ...]:
        """The list in ``language``; the other language's only when this one is empty."""
        first, other = (self.en, self.id) if language == "en" else (self.id, self.en)
        return first or other


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    """One service button."""

    id: str
    name: LocalisedText
    kind: str
    first_station: str
    description: LocalisedText | None = None
    needs_booking: bool = False
    offline_allowed: bool = True
    #: The office's list of documents to bring; None: the kiosk's built-in SOP list.
    requirements: OfficeRequirements | None = None

    @property
    def group(self) -> ServiceGroup:
        if self.kind == "pickup":
            return ServiceGroup.PICKUP
        if self.kind in {"complaint", "information"}:
            return ServiceGroup.HELP
        if self.first_station in PERMIT_STATIONS:
            return ServiceGroup.STAY_PERMIT
        return ServiceGroup.PASSPORT

    @property
    def asks_documents_ready(self) -> bool:
        """Booking check-ins and services that start with a document check ask first."""
        return self.needs_booking or self.first_station in DOCUMENT_CHECK_STATIONS

    @property
    def is_bap_route(self) -> bool:
        """A lost, damaged or changed-data passport (the BAP examination follows CS)."""
        words = f"{self.id} {self.name.id} {self.name.en}".lower()
        return self.first_station in DOCUMENT_CHECK_STATIONS and any(
            word in words for word in _BAP_ROUTE_WORDS
        )

    @property
    def asks_nik(self) -> bool:
        """The applicant's own pickup of a passport: the office asks the KTP (NIK)."""
        return self.kind == "pickup" and self.first_station in NIK_STATIONS

    @property
    def needs_server(self) -> bool:
        """Booking check-ins and services without offline numbers cannot go offline."""
        return self.needs_booking or not self.offline_allowed

    @property
    def asks_priority(self) -> bool:
        """Priority need is asked for queued services, not at a booking check-in (the
        booking already fixes the slot) nor at the complaint or information desk."""
        return not self.needs_booking and self.kind in {"walk_in", "pickup"}


@dataclass(frozen=True, slots=True)
class PriorityChoice:
    code: str
    name: LocalisedText


@dataclass(frozen=True, slots=True)
class KioskContent:
    """Everything the screens show that comes from the office configuration."""

    services: tuple[ServiceChoice, ...] = ()
    priority_categories: tuple[PriorityChoice, ...] = ()
    branding: Branding = field(default_factory=lambda: Branding(office_name="", address=""))
    version: str = ""
    #: Where applicants' phones reach the server; a ticket's QR is this + its status path.
    public_base_url: str | None = None
    #: The office takes registrations ahead: "I registered ahead" is offered.
    registration: bool = False

    def service(self, service_id: str) -> ServiceChoice | None:
        return next((choice for choice in self.services if choice.id == service_id), None)

    def groups(self) -> list[ServiceGroup]:
        """The groups that have at least one service, in display order."""
        present = {choice.group for choice in self.services}
        return [group for group in ServiceGroup if group in present]

    def in_group(self, group: ServiceGroup) -> list[ServiceChoice]:
        return [choice for choice in self.services if choice.group is group]


def content_from_payload(payload: KioskConfig | Mapping[str, Any]) -> KioskContent:
    """Typed content from a ``config/kiosk`` payload (parsed with the contract's model).

    Raises:
        ValueError: a mapping that is not a valid ``config/kiosk`` payload.
    """
    config = payload if isinstance(payload, KioskConfig) else KioskConfig.model_validate(payload)
    office = config.office
    branding = Branding(
        office_name=office.name,
        address=office.address,
        timezone=office.timezone,
        footer=_text(config.ticket_footer),
    )
    return KioskContent(
        services=tuple(_service(item) for item in config.services),
        priority_categories=tuple(
            PriorityChoice(category.code, LocalisedText(id=category.name.id, en=category.name.en))
            for category in config.priority_categories
        ),
        branding=branding,
        version=str(config.content_version),
        public_base_url=_base_url(config.public_base_url),
        registration=config.registration,
    )


def _base_url(value: str | None) -> str | None:
    """An http(s) base URL without its trailing slash, or None for anything else."""
    if value is None or not value.startswith(("http://", "https://")):
        return None
    return value.rstrip("/") or None


def _service(item: ServiceInfo) -> ServiceChoice:
    return ServiceChoice(
        id=item.id,
        name=LocalisedText(id=item.name.id, en=item.name.en),
        kind=item.kind.value,
        first_station=item.first_station,
        description=_either(item.description),
        needs_booking=item.needs_booking,
        offline_allowed=item.offline_allowed,
        requirements=_requirements(item),
    )


def _requirements(item: ServiceInfo) -> OfficeRequirements | None:
    lists = item.requirements
    if lists is None:
        return None
    own = OfficeRequirements(id=_lines(lists.id), en=_lines(lists.en))
    return own if own.id or own.en else None


def _lines(items: list[str]) -> tuple[str, ...]:
    """Non-blank lines, stripped (a blank line would show as an empty bullet)."""
    return tuple(line.strip() for line in items if line.strip())


def _either(value: Bilingual | None) -> LocalisedText | None:
    """A text given in one language only is shown in both (None when neither has one)."""
    if value is None or not (value.id.strip() or value.en.strip()):
        return None
    text_id, text_en = value.id.strip(), value.en.strip()
    return LocalisedText(id=text_id or text_en, en=text_en or text_id)


def _text(value: Bilingual | None) -> LocalisedText | None:
    if value is None or not value.id or not value.en:
        return None
    return LocalisedText(id=value.id, en=value.en)
