"""The ticket as print operations: pure code, no I/O."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from devices.printer.ops import Cut, Feed, Logo, PrintOp, Qr, Rule, Text
from devices.printer.profiles import PrinterProfile
from queue_server.i18n import SUPPORTED, translate

_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
_LOGO_WIDTH_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class LocalisedText:
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.id


@dataclass(frozen=True, slots=True)
class TicketView:
    """What a ticket shows about one queue ticket.

    Attributes:
        label: the number called out, e.g. ``A012``.
        service_name: the service in both languages.
        issued_at: when the ticket was taken (timezone-aware).
        people_ahead: tickets waiting before this one; None when not known (a ticket
            issued offline), and then not printed.
        estimated_wait_minutes: the expected wait, when known.
        status_url: the public status page, encoded in the QR code.
        station_hint: where to go first, when useful.
        priority: a priority ticket (disability, elderly, ...).
    """

    label: str
    service_name: LocalisedText
    issued_at: datetime
    people_ahead: int | None
    estimated_wait_minutes: int | None
    status_url: str
    station_hint: LocalisedText | None = None
    priority: bool = False

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Branding:
    """The office's look on tickets."""

    office_name: str
    address: str
    timezone: str = "Asia/Jakarta"
    logo_path: Path | None = None
    footer: LocalisedText | None = None


def layout_ticket(
    ticket: TicketView, branding: Branding, profile: PrinterProfile, language: str
) -> list[PrintOp]:
    """The print operations of one ticket, ``language`` first and the other one second.

    Every ``Text`` operation fits the paper width of ``profile`` at its scale.
    """
    languages = _languages(language)
    writer = _Writer(profile)
    _header(writer, branding)
    _number(writer, ticket, languages)
    writer.line(_issued(ticket.issued_at, branding.timezone))
    writer.ops.append(Rule())
    _waiting(writer, ticket, languages)
    writer.ops.append(Qr(ticket.status_url))
    writer.bilingual("Scan the QR code to follow your turn.", languages)
    writer.ops.append(Rule())
    _instructions(writer, branding, languages)
    writer.ops.append(Cut())
    return writer.ops


def _languages(language: str) -> tuple[str, ...]:
    first = language if language in SUPPORTED else SUPPORTED[0]
    return (first, *(other for other in SUPPORTED if other != first))


class _Writer:
    """Collects operations, wrapping text to the paper."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.ops: list[PrintOp] = []

    def line(self, text: str, *, bold: bool = False, scale: int = 1) -> None:
        for part in _wrap(text, self.profile.columns_at(scale)):
            self.ops.append(Text(part, bold=bold, scale=scale))

    def bilingual(self, msgid: str, languages: tuple[str, ...], **params: object) -> None:
        for index, language in enumerate(languages):
            self.line(translate(msgid, language, **params), bold=index == 0)


def _wrap(text: str, width: int) -> Iterator[str]:
    yield from textwrap.wrap(text, width=max(width, 1)) or [""]


def _header(writer: _Writer, branding: Branding) -> None:
    if branding.logo_path is not None:
        max_width_px = int(writer.profile.printable_width_px * _LOGO_WIDTH_SHARE)
        writer.ops.append(Logo(branding.logo_path, max_width_px))
    writer.line(branding.office_name.upper(), bold=True)
    writer.line(branding.address)
    writer.ops.append(Rule())


def _number(writer: _Writer, ticket: TicketView, languages: tuple[str, ...]) -> None:
    for index, language in enumerate(languages):
        writer.line(ticket.service_name.in_language(language), bold=index == 0)
    writer.ops.append(Feed())
    writer.bilingual("Your queue number", languages)
    profile = writer.profile
    scale = max(1, min(profile.number_scale, profile.columns // max(len(ticket.label), 1)))
    writer.line(ticket.label, bold=True, scale=scale)
    if ticket.priority:
        _priority(writer, languages)
    if ticket.station_hint is not None:
        writer.ops.append(Feed())
        writer.bilingual("Go to: {station}", languages, station=_both(ticket.station_hint))
        writer.ops.append(Feed())


def _priority(writer: _Writer, languages: tuple[str, ...]) -> None:
    """PRIORITAS / PRIORITY, large, white on black: the officer at the door sees it first.

    One line when both languages fit at double size, else one line per language."""
    words = [translate("Priority", language).upper() for language in languages]
    together = " / ".join(words)
    lines = [together] if len(together) <= writer.profile.columns_at(2) else words
    scale = 2 if max(map(len, lines)) <= writer.profile.columns_at(2) else 1
    # One band width for every line, a space either side when the paper has room.
    width = min(max(map(len, lines)) + 2, writer.profile.columns_at(scale))
    for line in lines:
        writer.ops.append(Text(line.center(width), bold=True, scale=scale, inverted=True))


def _both(text: LocalisedText) -> dict[str, str]:
    return {"id": text.id, "en": text.en}


def _issued(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%d-%m-%Y  %H:%M} {_ZONE_NAMES.get(zone_name, '')}".rstrip()


def _waiting(writer: _Writer, ticket: TicketView, languages: tuple[str, ...]) -> None:
    if ticket.people_ahead is not None:
        writer.bilingual("People ahead of you: {count}", languages, count=ticket.people_ahead)
    if ticket.estimated_wait_minutes is not None:
        minutes = ticket.estimated_wait_minutes
        writer.bilingual("Estimated wait: about {minutes} min", languages, minutes=minutes)
    if ticket.people_ahead is not None or ticket.estimated_wait_minutes is not None:
        writer.ops.append(Rule())  # else the rule above the wait is rule enough


def _instructions(writer: _Writer, branding: Branding, languages: tuple[str, ...]) -> None:
    keep_msgid = "Keep this ticket until your service is complete."
    writer.bilingual("Please wait until your number is called.", languages)
    writer.bilingual(keep_msgid, languages)
    footer = branding.footer
    if footer is not None and not _same_text(footer.en, keep_msgid):
        writer.ops.append(Feed())
        for language in languages:
            writer.line(footer.in_language(language))


def _same_text(first: str, second: str) -> bool:
    return first.strip().rstrip(".").casefold() == second.strip().rstrip(".").casefold()
