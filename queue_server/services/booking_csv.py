"""An M-Paspor booking list uploaded as CSV, checked row by row.

Good rows are imported (:meth:`BookingService.import_bookings`: a code already imported
with the same service and slot is left as it is, so the same file twice adds nothing);
each refused row is reported with its line number and reasons in Indonesian and English.
The report never repeats a cell that failed its check (a cell may hold a spreadsheet
formula or personal data), and nothing stored can start a formula: codes are
``[A-Z0-9/_-]`` and may not start with ``-``, services are known ids.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import ServiceId, ServiceKind
from queue_server.i18n import both
from queue_server.services.booking_checks import CODE_PATTERN, normalise_code
from queue_server.services.bookings import BookingEntry, BookingService
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.unit import Actor

MAX_CSV_BYTES = 2_000_000
MAX_ROWS = 20_000
COLUMNS = ("code", "service", "date", "slot")
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_HHMM = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


class BookingCsvRefused(DomainError):
    """The file as a whole cannot be read (nothing imported)."""

    code = "booking_csv_invalid"
    template = "The booking list was not imported: {problem}"
    http_status = 422


@dataclass
class RowProblem:
    line: int
    reasons_id: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)

    def add(self, msgid: str, **params: object) -> None:
        """A reason, given as its English msgid (translated by the catalogs)."""
        texts = both(msgid, **params)
        self.reasons_id.append(texts["id"])
        self.reasons_en.append(texts["en"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reasons": {"id": "; ".join(self.reasons_id), "en": "; ".join(self.reasons_en)},
        }


@dataclass(frozen=True)
class CheckedRows:
    entries: list[tuple[int, BookingEntry]]
    rejected: list[RowProblem]
    rows: int


def decode(raw: bytes) -> str:
    if len(raw) > MAX_CSV_BYTES:
        raise BookingCsvRefused(
            problem=both("the file is larger than {size} bytes", size=MAX_CSV_BYTES)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BookingCsvRefused(problem=both("the file is not UTF-8 text")) from error


def check_rows(text: str, snapshot: OfficeSnapshot, today: date) -> CheckedRows:
    """Every data row checked against the office; the good entries with their line."""
    try:
        return _check_rows(text, snapshot, today)
    except csv.Error as error:  # a NUL byte, an endless quoted field
        raise BookingCsvRefused(problem=both("the file is not a CSV table")) from error


def _check_rows(text: str, snapshot: OfficeSnapshot, today: date) -> CheckedRows:
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader, [])]
    if not set(COLUMNS) <= set(names):
        columns = ", ".join(COLUMNS)
        raise BookingCsvRefused(
            problem=both("the header line must name the columns {columns}", columns=columns)
        )
    where = {column: names.index(column) for column in COLUMNS}
    entries: list[tuple[int, BookingEntry]] = []
    rejected: list[RowProblem] = []
    seen: dict[str, int] = {}
    rows = 0
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise BookingCsvRefused(
                problem=both("more than {rows} rows; split the file", rows=MAX_ROWS)
            )
        row = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in where.items()
        }
        problem = RowProblem(line)
        entry = _check_row(row, snapshot, today, problem)
        if entry is not None:
            first = seen.get(entry.code)
            if first is not None:
                problem.add("the booking code is the same as on line {line}", line=first)
            else:
                seen[entry.code] = line
        if problem.reasons_en:
            rejected.append(problem)
        elif entry is not None:
            entries.append((line, entry))
    return CheckedRows(entries, rejected, rows)


def _check_row(
    row: dict[str, str], snapshot: OfficeSnapshot, today: date, problem: RowProblem
) -> BookingEntry | None:
    code = normalise_code(row["code"])
    if not code:
        problem.add("the booking code is empty")
    elif code.startswith("-") or not CODE_PATTERN.match(code):
        problem.add("the booking code is malformed (4-64 of A-Z, digits, /, _ or -)")
    service = snapshot.services.get(ServiceId(row["service"]))
    if service is None:
        problem.add("unknown service at this office")
    elif not service.active:
        problem.add("the service is not active")
    elif service.kind is not ServiceKind.BOOKING_REQUIRED:
        problem.add("this service takes no bookings")
    day = _date(row["date"])
    slot = _slot(row["slot"])
    if day is None:
        problem.add("invalid date (YYYY-MM-DD)")
    elif day < today:
        problem.add("the date is in the past")
    if slot is None:
        problem.add("invalid time (HH:MM)")
    if problem.reasons_en or service is None or day is None or slot is None:
        return None
    moment = datetime.combine(day, slot, snapshot.office.zone)
    if not snapshot.calendar.sessions_on(day, service.id):
        holiday = snapshot.calendar.holiday_name(day)
        if holiday is None:
            problem.add("the office is closed on that date")
        else:
            problem.add("the office is closed on that date ({holiday})", holiday=holiday)
    elif snapshot.calendar.session_at(moment, service.id) is None:
        problem.add("the time is outside the service hours")
    if problem.reasons_en:
        return None
    return BookingEntry(code, service.id, day, slot)


def _date(text: str) -> date | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        match = _DMY.fullmatch(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return None


def _slot(text: str) -> time | None:
    match = _HHMM.fullmatch(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def import_csv(
    bookings: BookingService, office: str, raw: bytes, *, actor: Actor
) -> dict[str, Any]:
    """Check ``raw`` row by row, import the good rows; the report."""
    text = decode(raw)
    with bookings.read() as session:
        snapshot = bookings.catalog.get(session, office)
    today = bookings.clock().astimezone(snapshot.office.zone).date()
    checked = check_rows(text, snapshot, today)
    result = bookings.import_bookings(
        office,
        [entry for _line, entry in checked.entries],
        actor=actor,
        rejected=len(checked.rejected),
    )
    return {
        "rows": checked.rows,
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": [problem.as_dict() for problem in checked.rejected],
    }
