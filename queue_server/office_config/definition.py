"""What an office file produces: domain objects plus labels and branding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from queue_server.domain.calendar import (
    CalendarConfig,
)
from queue_server.domain.ids import (
    ServiceId,
)
from queue_server.domain.model import (
    CounterProfile,
    Office,
    Service,
)
from queue_server.domain.registration import RegistrationWindow

# --- what the file produces --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


@dataclass(frozen=True, slots=True)
class PriorityCategory:
    code: str
    name: Bilingual


@dataclass(frozen=True, slots=True)
class Branding:
    display_name: str
    address: str
    footer: Bilingual
    #: The lobby board's information ticker; empty: a built-in welcome line.
    ticker: Bilingual = Bilingual("", "")


@dataclass(frozen=True, slots=True)
class ServiceContent:
    """What the kiosk tells about a service: the documents to bring and an information page."""

    requirements_id: tuple[str, ...] = ()
    requirements_en: tuple[str, ...] = ()
    info: Bilingual = Bilingual("", "")


@dataclass(frozen=True, slots=True)
class DriveThruLane:
    """A drive-thru pickup lane (Si Peluru): its id and the name its console page shows."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class OfficeDefinition:
    """Everything one office file defines, as domain objects.

    ``warnings`` lists things that are allowed but probably unintended (``path: message``).
    """

    office: Office
    services: tuple[Service, ...]
    counters: tuple[CounterProfile, ...]
    calendar: CalendarConfig
    priority_categories: tuple[PriorityCategory, ...]
    branding: Branding | None = None
    service_descriptions: Mapping[ServiceId, Bilingual] = field(default_factory=dict)
    #: Where applicants' phones reach the server (``None``: not configured).
    public_base_url: str | None = None
    #: A demo office (``antre serve --demo``), marked as such wherever applicants look.
    demo: bool = False
    warnings: tuple[str, ...] = ()
    #: The ``content`` section: per service, requirements and information (versioned).
    service_content: Mapping[ServiceId, ServiceContent] = field(default_factory=dict)
    content_version: int = 0
    #: The ``drive_thru`` section's lanes (none: the office has no drive-thru).
    drive_thru_lanes: tuple[DriveThruLane, ...] = ()
    #: The ``registration`` section: windows for registering ahead (WhatsApp, web).
    registration_windows: tuple[RegistrationWindow, ...] = ()
