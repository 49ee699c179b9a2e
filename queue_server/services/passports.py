"""Passport-ready records: marked by a list (API, console) or an uploaded CSV; looked up.

Marking is idempotent: an application already marked ready at the office keeps its first
record and is reported as such, so the same list or file twice changes nothing. Each
refused number is reported by its position (or CSV line) with reasons in Indonesian and
English, never echoed back (a mistyped cell may be a NIK). The audit row holds counts only.

A visit carries the application number once it is known (``visits.application_no``, set
by the pickup and biometrics flows); a record links to the latest such visit, and the
"not ready yet" answer counts the expected date from that visit's biometrics step.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import ServiceId
from queue_server.domain.passports import (
    BIOMETRICS_STATIONS,
    ApplicationProblem,
    ReadySource,
    expected_ready_date,
    parse_application,
    ready_working_days,
)
from queue_server.i18n import SUPPORTED, both
from queue_server.notify.messages import InvalidMessage, normalised_phone
from queue_server.persistence.models import PassportReadyRow, TicketRow, VisitRow
from queue_server.services.notifications import passport_ready_message, ready_message_state
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Actor, Unit, UseCases

MAX_LIST = 500
MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 20_000
#: Numbers looked up and inserted per statement (well under SQLite's variable limit).
CHUNK = 500
#: The header names the application column may have (the first one found is used).
CSV_COLUMNS = ("application", "application_no", "nomor_permohonan", "no_permohonan")
#: Optional columns: the applicant's phone (for the "ready" message) and its language.
PHONE_COLUMNS = ("phone", "telepon", "no_hp", "hp")
LANGUAGE_COLUMNS = ("language", "bahasa", "lang")


@dataclass(frozen=True)
class ReadyEntry:
    """One entry of a ready list: the application number's text, and optionally the
    applicant's phone and the message's language (``id`` when not given)."""

    application: str
    phone: str | None = None
    language: str | None = None


#: A checked contact: the phone as ``+62...`` and the language.
Contact = tuple[str, str]


def _contact(entry: ReadyEntry) -> Contact | str | None:
    """The entry's checked contact, None without a phone, or the reason it is refused."""
    language = (entry.language or "").strip().lower() or "id"
    if language not in SUPPORTED:
        return "the language must be id or en"
    if entry.phone is None or not entry.phone.strip():
        return None
    try:
        return normalised_phone(entry.phone), language
    except InvalidMessage:
        return "the phone number is not valid: 8-15 digits, optionally starting with +"


class PassportCsvRefused(DomainError):
    """The file as a whole cannot be read (nothing marked)."""

    code = "passport_csv_invalid"
    template = "The list of ready passports was not imported: {problem}"
    http_status = 422


class ApplicationInvalid(DomainError):
    """A looked-up application number that is not one."""

    code = "application_invalid"
    template = "Not an application number: {problem}"
    http_status = 422


class PassportNotReady(DomainError):
    """A handover of a passport that is not marked ready at the office."""

    code = "passport_not_ready"
    template = (
        "The passport of application {application} is not marked ready; nothing was handed over."
    )
    http_status = 409


class PassportNotDue(DomainError):
    """A pickup ticket for an application whose passport is not ready and not yet due."""

    code = "passport_not_due"
    template = (
        "The passport of this application is not ready yet; it is expected on {day}. "
        "Please come back then."
    )
    http_status = 409


class PassportHandedOver(DomainError):
    """A second handover of one passport."""

    code = "passport_handed_over"
    template = "The passport of application {application} was handed over already, at {at}."
    http_status = 409


def checked_application(text: str) -> str:
    """The application number in ``text``; :class:`ApplicationInvalid` if it is not one."""
    parsed = parse_application(text)
    if isinstance(parsed, ApplicationProblem):
        raise ApplicationInvalid(problem=both(parsed.value))
    return parsed


def check_pickup_due(session: Session, snapshot: OfficeSnapshot, number: str, today: date) -> None:
    """Refuse a pickup ticket when the passport is not marked ready and its expected day
    (counted from the application's biometrics at this office) is still to come.

    The SOP's pickup comes after "Apakah Paspor telah selesai/ dapat diambil?" (2.7 step 7;
    2.9: the pickup follows the "ready" message), so a passport known not to be due is
    refused with its date. When the office cannot tell (no biometrics recorded here, or
    the day has come but nobody marked it yet), the ticket is issued and the pickup
    officer checks at the counter: a missing record must not turn an applicant away.
    """
    ready = session.scalar(
        select(PassportReadyRow.id).where(
            PassportReadyRow.office_id == snapshot.office.id,
            PassportReadyRow.application_no == number,
        )
    )
    if ready is not None:
        return
    expected = _expected(session, snapshot, number)
    if expected is not None and expected > today:
        raise PassportNotDue(day=expected.isoformat())


@dataclass
class Refusal:
    """One refused entry: its position (list index from 0, or CSV line) and reasons."""

    where: int
    reasons: list[str] = field(default_factory=list)

    def texts(self) -> dict[str, str]:
        found = [both(reason) for reason in self.reasons]
        return {
            "id": "; ".join(item["id"] for item in found),
            "en": "; ".join(item["en"] for item in found),
        }


@dataclass(frozen=True)
class MarkResult:
    """What marking a list did: numbers newly marked, already marked (with when), refused."""

    marked: list[str]
    already: dict[str, datetime]
    refused: list[Refusal]


def check_numbers(
    texts: Sequence[str], *, first: int = 0
) -> tuple[list[tuple[int, str]], list[Refusal]]:
    """The good numbers with their position, and the refusals (a repeat is refused)."""
    good, refused, _contacts = check_entries([ReadyEntry(text) for text in texts], first=first)
    return good, refused


def check_entries(
    entries: Sequence[ReadyEntry], *, first: int = 0
) -> tuple[list[tuple[int, str]], list[Refusal], dict[str, Contact]]:
    """The good numbers with their position, the refusals (a repeat, a bad phone or
    language is refused: the whole entry) and the checked contacts by number."""
    good: list[tuple[int, str]] = []
    refused: list[Refusal] = []
    contacts: dict[str, Contact] = {}
    seen: set[str] = set()
    for offset, entry in enumerate(entries):
        where = first + offset
        parsed = parse_application(entry.application)
        contact = _contact(entry)
        reasons: list[str] = []
        if isinstance(parsed, ApplicationProblem):
            reasons.append(parsed.value)
        elif parsed in seen:
            reasons.append("the application number is given twice")
        if isinstance(contact, str):
            reasons.append(contact)
        if reasons or isinstance(parsed, ApplicationProblem):
            refused.append(Refusal(where, reasons))
            continue
        seen.add(parsed)
        good.append((where, parsed))
        if isinstance(contact, tuple):
            contacts[parsed] = contact
    return good, refused, contacts


class PassportService(UseCases):
    """Marks passports ready and answers whether an application's passport is ready.

    An entry with the applicant's phone also queues the "passport ready" message, once per
    office and application number (its idempotency key), however often it is marked.
    """

    def __init__(self, *, hash_key: bytes | None = None, **common: Any) -> None:
        super().__init__(**common)
        self.hash_key = hash_key

    def mark_ready(
        self,
        office: str,
        numbers: Iterable[str],
        *,
        source: ReadySource,
        actor: Actor,
        refused: int = 0,
    ) -> tuple[list[str], dict[str, datetime]]:
        """Record the (already checked) numbers as ready now; the new ones and the earlier
        ones with their first ready time. ``refused``: entries refused before (audited)."""
        marked, already, _queued = self._mark(
            office, numbers, source=source, actor=actor, refused=refused, contacts={}
        )
        return marked, already

    def _mark(
        self,
        office: str,
        numbers: Iterable[str],
        *,
        source: ReadySource,
        actor: Actor,
        refused: int,
        contacts: dict[str, Contact],
    ) -> tuple[list[str], dict[str, datetime], int]:
        """As :meth:`mark_ready`, also queueing the "ready" message of each number in
        ``contacts`` (phone, language); the third value: how many messages were new."""
        marked: list[str] = []
        already: dict[str, datetime] = {}
        wanted = list(dict.fromkeys(numbers))
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)  # an unknown office: 404
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                earlier = _ready_rows(work.session, office, chunk)
                already.update(earlier)
                fresh = [number for number in chunk if number not in earlier]
                if not fresh:
                    continue
                visits = _latest_visits(work.session, office, fresh)
                work.session.execute(
                    insert(PassportReadyRow),
                    [
                        {
                            "office_id": office,
                            "application_no": number,
                            "ready_at": work.now,
                            "source": source.value,
                            "visit_id": visits.get(number),
                            "user_id": actor.user_id,
                        }
                        for number in fresh
                    ],
                )
                marked.extend(fresh)
            queued = self._queue_messages(work.session, snapshot, contacts, now=work.now)
            work.audit(
                actor,
                "mark_passports_ready",
                office_id=office,
                target=None,
                source=source.value,
                marked=len(marked),
                already=len(already),
                refused=refused,
                **({"messages": queued} if contacts else {}),
            )
        return marked, already, queued

    def _queue_messages(
        self,
        session: Session,
        snapshot: OfficeSnapshot,
        contacts: dict[str, Contact],
        *,
        now: datetime,
    ) -> int:
        """Queue the "ready" message of each number with a phone, not yet handed over."""
        if not contacts:
            return 0
        if self.hash_key is None:
            raise RuntimeError("PassportService needs hash_key to queue messages")
        handed = set(
            session.scalars(
                select(PassportReadyRow.application_no).where(
                    PassportReadyRow.office_id == snapshot.office.id,
                    PassportReadyRow.application_no.in_(list(contacts)),
                    PassportReadyRow.handed_over_at.is_not(None),
                )
            )
        )
        queued = 0
        for number, (phone, language) in contacts.items():
            if number in handed:
                continue
            done = passport_ready_message(
                session, snapshot, number, phone, language, hash_key=self.hash_key, now=now
            )
            queued += int(done.created)
        return queued

    def mark_list(
        self,
        office: str,
        texts: Sequence[str | ReadyEntry],
        *,
        source: ReadySource,
        actor: Actor,
    ) -> dict[str, Any]:
        """Check each entry, mark the good ones; the per-entry report (by list index)."""
        entries = [ReadyEntry(item) if isinstance(item, str) else item for item in texts]
        good, refused, contacts = check_entries(entries)
        marked, already, queued = self._mark(
            office,
            [number for _where, number in good],
            source=source,
            actor=actor,
            refused=len(refused),
            contacts=contacts,
        )
        items: list[dict[str, Any]] = []
        for where, number in good:
            if number in already:
                items.append(_already_item(where, number, already[number]))
            else:
                items.append({"index": where, "application_no": number, "result": "marked"})
        items.extend(
            {"index": item.where, "result": "refused", "reasons": item.texts()} for item in refused
        )
        items.sort(key=lambda item: int(item["index"]))
        return {
            "marked": len(marked),
            "already_ready": len(already),
            "refused": len(refused),
            "messages_queued": queued,
            "items": items,
        }

    def import_csv(self, office: str, raw: bytes, *, actor: Actor) -> dict[str, Any]:
        """Mark the good rows of an uploaded CSV; refused rows reported by line."""
        rows = _csv_rows(_decode(raw))
        good, refused, contacts = check_entries([entry for _line, entry in rows])
        lines = [line for line, _entry in rows]
        marked, already, queued = self._mark(
            office,
            [number for _where, number in good],
            source=ReadySource.CSV,
            actor=actor,
            refused=len(refused),
            contacts=contacts,
        )
        return {
            "rows": len(rows),
            "marked": len(marked),
            "already_ready": len(already),
            "messages_queued": queued,
            "rejected": [{"line": lines[item.where], "reasons": item.texts()} for item in refused],
        }

    def hand_over(self, office: str, text: str, *, proxy: bool, actor: Actor) -> dict[str, Any]:
        """Record that the ready passport was handed over now (to a proxy or not); audited.
        Not ready: :class:`PassportNotReady`; a second time: :class:`PassportHandedOver`."""
        parsed = parse_application(text)
        if isinstance(parsed, ApplicationProblem):
            raise ApplicationInvalid(problem=both(parsed.value))
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            return record_handover(work, snapshot, parsed, proxy=proxy, actor=actor)

    def status(self, office: str, text: str) -> dict[str, Any]:
        """Whether the application's passport is ready; if not, when it is expected."""
        parsed = parse_application(text)
        if isinstance(parsed, ApplicationProblem):
            raise ApplicationInvalid(problem=both(parsed.value))
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            row = session.scalar(
                select(PassportReadyRow).where(
                    PassportReadyRow.office_id == office,
                    PassportReadyRow.application_no == parsed,
                )
            )
            if row is not None:
                return {
                    "application_no": parsed,
                    "ready": True,
                    "ready_at": row.ready_at,
                    "source": row.source,
                    "expected_on": None,
                    "handed_over_at": row.handed_over_at,
                    "ready_message": ready_message_state(session, office, parsed),
                    "message": both(
                        "The passport is ready since {day}.",
                        day=snapshot.office.office_day(row.ready_at).isoformat(),
                    ),
                }
            expected = _expected(session, snapshot, parsed)
        if expected is None:
            message = both(
                "The passport is not ready yet. No biometrics of this application is "
                "recorded at this office, so no date can be given."
            )
        else:
            message = both(
                "The passport is not ready yet; it is expected on {day}.", day=expected.isoformat()
            )
        return {
            "application_no": parsed,
            "ready": False,
            "ready_at": None,
            "source": None,
            "expected_on": expected,
            "handed_over_at": None,
            "message": message,
        }

    def waiting(self, office: str, *, limit: int, offset: int) -> dict[str, Any]:
        """Ready passports not collected yet, the longest waiting first, with counts."""
        waiting = (
            PassportReadyRow.office_id == office,
            PassportReadyRow.handed_over_at.is_(None),
        )
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            today = snapshot.office.office_day(self.clock())
            total = session.scalar(
                select(func.count()).select_from(PassportReadyRow).where(*waiting)
            )
            rows = session.execute(
                select(PassportReadyRow.application_no, PassportReadyRow.ready_at)
                .where(*waiting)
                .order_by(PassportReadyRow.ready_at, PassportReadyRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            handed_today = session.scalar(
                select(func.count())
                .select_from(PassportReadyRow)
                .where(
                    PassportReadyRow.office_id == office,
                    PassportReadyRow.handed_over_at
                    >= datetime.combine(today, time(0), tzinfo=snapshot.office.zone),
                )
            )
        return {
            "total": int(total or 0),
            "handed_over_today": int(handed_today or 0),
            "items": [
                {
                    "application_no": number,
                    "ready_at": ready_at,
                    "days_waiting": (today - snapshot.office.office_day(ready_at)).days,
                }
                for number, ready_at in rows
            ],
        }


def record_handover(
    work: Unit, snapshot: OfficeSnapshot, number: str, *, proxy: bool, actor: Actor
) -> dict[str, Any]:
    """Within ``work``: the ready passport of ``number`` (checked) is handed over now; audited.
    Not ready: :class:`PassportNotReady`; a second time: :class:`PassportHandedOver`."""
    office = snapshot.office.id
    row = work.session.scalar(
        select(PassportReadyRow).where(
            PassportReadyRow.office_id == office, PassportReadyRow.application_no == number
        )
    )
    if row is None:
        raise PassportNotReady(application=number)
    if row.handed_over_at is not None:
        local = snapshot.office.local(row.handed_over_at)
        raise PassportHandedOver(application=number, at=local.strftime("%d-%m-%Y %H:%M"))
    row.handed_over_at = work.now
    row.handed_over_by = actor.user_id
    row.handed_to_proxy = proxy
    work.audit(
        actor,
        "passport_handed_over",
        office_id=office,
        target=f"passport_ready:{row.id}",  # the record, not the number
        proxy=proxy,
    )
    return {"application_no": number, "handed_over_at": work.now, "proxy": proxy}


def _already_item(where: int, number: str, ready_at: datetime) -> dict[str, Any]:
    return {
        "index": where,
        "application_no": number,
        "result": "already_ready",
        "ready_at": ready_at,
        "reasons": both("already marked ready; nothing changed"),
    }


def _ready_rows(session: Session, office: str, numbers: list[str]) -> dict[str, datetime]:
    found = session.execute(
        select(PassportReadyRow.application_no, PassportReadyRow.ready_at).where(
            PassportReadyRow.office_id == office, PassportReadyRow.application_no.in_(numbers)
        )
    )
    return {number: ready_at for number, ready_at in found}


def _latest_visits(session: Session, office: str, numbers: list[str]) -> dict[str, int]:
    """The latest visit of each number that has one."""
    found = session.execute(
        select(VisitRow.application_no, VisitRow.id)
        .where(VisitRow.office_id == office, VisitRow.application_no.in_(numbers))
        .order_by(VisitRow.created_at, VisitRow.id)
    )
    return {str(number): visit for number, visit in found}  # the later ones win


def _expected(session: Session, snapshot: OfficeSnapshot, number: str) -> date | None:
    """The expected ready day from the latest biometrics of the application's visits."""
    found = session.execute(
        select(TicketRow.finished_at, VisitRow.service_code)
        .join(VisitRow, VisitRow.id == TicketRow.visit_id)
        .where(
            VisitRow.office_id == snapshot.office.id,
            VisitRow.application_no == number,
            TicketRow.station.in_([station.value for station in BIOMETRICS_STATIONS]),
            TicketRow.status == "done",
            TicketRow.finished_at.is_not(None),
        )
        .order_by(TicketRow.finished_at.desc())
        .limit(1)
    ).first()
    if found is None or found.finished_at is None:
        return None
    service = snapshot.services.get(ServiceId(found.service_code))
    day = snapshot.office.office_day(found.finished_at)
    return expected_ready_date(snapshot.calendar, day, ready_working_days(service))


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_CSV_BYTES:
        raise PassportCsvRefused(
            problem=both("the file is larger than {size} bytes", size=MAX_CSV_BYTES)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PassportCsvRefused(problem=both("the file is not UTF-8 text")) from error


def _csv_rows(text: str) -> list[tuple[int, ReadyEntry]]:
    """Every non-empty data row's line and entry (application, optional phone, language)."""
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        names = [name.strip().lower() for name in next(reader, [])]
        column = next((names.index(name) for name in CSV_COLUMNS if name in names), None)
        if column is None:
            raise PassportCsvRefused(
                problem=both("the header line must name the column {column}", column="application")
            )
        phone = next((names.index(name) for name in PHONE_COLUMNS if name in names), None)
        language = next((names.index(name) for name in LANGUAGE_COLUMNS if name in names), None)

        def cell(cells: list[str], index: int | None) -> str | None:
            return cells[index] if index is not None and index < len(cells) else None

        rows: list[tuple[int, ReadyEntry]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                raise PassportCsvRefused(
                    problem=both("more than {rows} rows; split the file", rows=MAX_CSV_ROWS)
                )
            entry = ReadyEntry(cell(cells, column) or "", cell(cells, phone), cell(cells, language))
            rows.append((reader.line_num, entry))
        return rows
    except csv.Error as error:  # a NUL byte, an endless quoted field
        raise PassportCsvRefused(problem=both("the file is not a CSV table")) from error
