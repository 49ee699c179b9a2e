"""Getting one ticket and printing it: runs on a worker thread, touches no screen.

A ticket exists once the server (or the offline lease) issued it; a printer fault never
loses it: the outcome then carries the printer's message and the screen shows the ticket
with its QR code instead (R4).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from devices.printer import (
    Branding,
    LocalisedText,
    PrinterError,
    TicketView,
    layout_ticket,
)
from kiosk.content import ServiceChoice
from kiosk.guide import station_name
from kiosk.link.answer import Answer
from kiosk.link.core import IssuedOffline, IssuedOnline
from kiosk.link.errors import LinkError
from queue_server.i18n import both, translate
from queue_server.protocol.answers import LaneAnswer, PublicTicket

if TYPE_CHECKING:
    from kiosk.flow import Collaborators

log = logging.getLogger(__name__)
UNEXPECTED = "Something went wrong. Please ask at the information desk."


class TicketDesk(Protocol):
    """What the flow needs of :class:`~kiosk.link.core.KioskCore` (fakes in tests)."""

    def issue(
        self,
        service: str | None,
        *,
        language: str = "id",
        priority_category: str | None = None,
        nik: str | None = None,
        passport_no: str | None = None,
        by_proxy: bool = False,
        application_no: str | None = None,
        registration: str | None = None,
    ) -> IssuedOnline | IssuedOffline: ...

    def check_in(
        self, booking_code: str, *, documents_ready: bool, language: str = "id"
    ) -> IssuedOnline: ...

    def lookup(self, code: str) -> PublicTicket: ...

    def rate(self, ticket_token: str, score: int) -> Answer | None: ...

    def drive_thru_arrival(self, lane: str, scan: str) -> LaneAnswer: ...

    def is_online(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """One press of the last button: what to ask the desk for."""

    seq: int
    service: ServiceChoice
    language: str
    booking_code: str | None = None
    priority_category: str | None = None
    #: The office's public base URL from ``config/kiosk`` (None: the kiosk's fallback).
    status_base_url: str | None = None
    #: The typed NIK, only where the office asks for it; sent once, never shown or logged
    #: (the server keeps a keyed hash and the last four digits).
    nik: str | None = field(default=None, repr=False)
    #: Instead of a NIK: the document number read from the passport's chip (same rules).
    passport_no: str | None = field(default=None, repr=False)
    by_proxy: bool = False
    #: The scanned application QR's number (pickup); the server checks the passport is due.
    application_no: str | None = None
    #: A remote registration's QR text (scanned) or short code (typed); the server checks
    #: it in (once).
    registration: str | None = None
    #: For a typed code (``service`` then has no id: the server uses the registration's
    #: own service): the offered services, to name the one the answer gives.
    services: tuple[ServiceChoice, ...] = ()


@dataclass(frozen=True, slots=True)
class ShownTicket:
    """A ticket as the ticket screen shows it.

    Attributes:
        people_ahead, wait_minutes: None when not known (issued offline).
        qr_text: what the on-screen and printed QR code holds.
        printed: the printer took it; else ``print_problem`` says why, bilingually.
    """

    label: str
    service_name: LocalisedText
    people_ahead: int | None
    wait_minutes: int | None
    qr_text: str
    offline: bool
    priority: bool
    printed: bool
    print_problem: dict[str, str] | None = None
    #: Where to go first (a station code such as ``CS``), when known.
    station: str | None = None


@dataclass(frozen=True, slots=True)
class IssueOutcome:
    """A ticket, or the bilingual reason there is none."""

    seq: int
    ticket: ShownTicket | None = None
    problem: dict[str, str] | None = None


def perform_issue(
    request: IssueRequest, collaborators: Collaborators, branding: Branding
) -> IssueOutcome:
    """Ask for the ticket, then print it; never raises."""
    try:
        issued = _ask(request, collaborators.desk)
    except LinkError as err:
        log.info("no ticket for %s: %s", request.service.id, err.code)
        return IssueOutcome(request.seq, problem=_complete(err.messages))
    except Exception:  # the applicant still gets a clear answer; the cause goes to the log
        log.exception("issuing %s failed", request.service.id)
        return IssueOutcome(request.seq, problem=both(UNEXPECTED))
    ticket = _shown(issued, request, request.status_base_url or collaborators.status_base_url)
    problem = _print(ticket, request, collaborators, branding)
    ticket = replace(ticket, printed=problem is None, print_problem=problem)
    return IssueOutcome(request.seq, ticket=ticket)


def _ask(request: IssueRequest, desk: TicketDesk) -> IssuedOnline | IssuedOffline:
    if request.booking_code is not None:
        return desk.check_in(request.booking_code, documents_ready=True, language=request.language)
    return desk.issue(
        request.service.id or None,
        language=request.language,
        priority_category=request.priority_category,
        nik=request.nik,
        passport_no=request.passport_no,
        by_proxy=request.by_proxy,
        application_no=request.application_no,
        registration=request.registration,
    )


def _shown(
    issued: IssuedOnline | IssuedOffline, request: IssueRequest, base_url: str
) -> ShownTicket:
    base = base_url.rstrip("/")
    if isinstance(issued, IssuedOffline):
        return ShownTicket(
            label=issued.label,
            service_name=request.service.name,
            people_ahead=None,
            wait_minutes=None,
            qr_text=f"{base}/",
            offline=True,
            priority=request.priority_category is not None,
            printed=False,
            station=request.service.first_station,
        )
    data = issued.data
    wait = data.estimated_wait_minutes
    named = next((s for s in request.services if s.id == data.service), request.service)
    return ShownTicket(
        label=issued.label,
        service_name=named.name,
        people_ahead=data.people_ahead,
        wait_minutes=None if wait is None else round(wait),
        qr_text=f"{base}{data.status_path}",
        offline=False,
        priority=data.priority or request.priority_category is not None,
        printed=False,
        station=data.station,
    )


def _print(
    ticket: ShownTicket,
    request: IssueRequest,
    collaborators: Collaborators,
    branding: Branding,
) -> dict[str, str] | None:
    view = TicketView(
        label=ticket.label,
        service_name=ticket.service_name,
        issued_at=collaborators.now(),
        people_ahead=ticket.people_ahead,
        estimated_wait_minutes=ticket.wait_minutes,
        status_url=ticket.qr_text,
        station_hint=station_hint(ticket.station),
        priority=ticket.priority,
    )
    try:
        ops = layout_ticket(view, branding, collaborators.profile, request.language)
        collaborators.printer.print_ticket(ops)
    except PrinterError as err:
        log.warning("ticket %s not printed: %s", ticket.label, err.code)
        return err.user_message()
    except Exception:  # e.g. the virtual printer's folder is not writable
        log.exception("ticket %s not printed", ticket.label)
        return PrinterError().user_message()
    return None


def station_hint(station: str | None) -> LocalisedText | None:
    """The printed "Menuju / Go to" line's station, in both languages."""
    msgid = station_name(station)
    if msgid is None:
        return None
    return LocalisedText(id=translate(msgid, "id"), en=translate(msgid, "en"))


def _complete(messages: dict[str, str]) -> dict[str, str]:
    """A refusal's messages in both languages (one missing: the other; none: generic)."""
    if not messages:
        return both(UNEXPECTED)
    fallback = messages.get("id") or messages.get("en") or next(iter(messages.values()))
    return {language: messages.get(language) or fallback for language in ("id", "en")}
