"""The officer's maintenance screen without Kivy: the PIN gate and what the screen shows.

Nothing here shows personal data: the scanner test keeps the *kind* of the last code, never
its text, and the card reader test says whether a card is there, never what is on it.
The PIN comes from ``ANTRE_KIOSK_PIN`` (4 to 12 digits); without one the screen is off.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devices.codes import CodeKind, classify
from devices.printer import Branding, LocalisedText, PrinterError, TicketView, layout_ticket
from devices.smartcard.errors import CardTimeout
from queue_server.i18n import both, translate

if TYPE_CHECKING:
    from devices.printer import PrinterProfile, TicketPrinter
    from devices.smartcard.reader import CardReader
    from kiosk.link.core import LinkReport

log = logging.getLogger(__name__)
PIN_ENV = "ANTRE_KIOSK_PIN"
MAX_TRIES = 3
LOCK_S = 60.0
CARD_LOOK_S = 0.05
PIN_INVALID = "ANTRE_KIOSK_PIN must be 4 to 12 digits."
TEST_PRINTED = "The test ticket was printed."
TEST_LABEL = "TEST"
_PIN = re.compile(r"[0-9]{4,12}")


class PinCheck(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    LOCKED = "locked"


class PinGate:
    """Compares PIN attempts; ``max_tries`` wrong ones in a row lock it for ``lock_s``."""

    def __init__(
        self,
        pin: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_tries: int = MAX_TRIES,
        lock_s: float = LOCK_S,
    ) -> None:
        if not _PIN.fullmatch(pin):
            raise ValueError(PIN_INVALID)
        self._pin = pin.encode()
        self._monotonic, self._max_tries, self._lock_s = monotonic, max_tries, lock_s
        self._wrong = 0
        self._locked_until = 0.0

    def locked_for_s(self) -> float:
        """Seconds until attempts are taken again (0 when open)."""
        return max(0.0, self._locked_until - self._monotonic())

    def check(self, attempt: str) -> PinCheck:
        if self.locked_for_s() > 0:
            return PinCheck.LOCKED
        if hmac.compare_digest(attempt.encode(), self._pin):
            self._wrong = 0
            return PinCheck.ACCEPTED
        self._wrong += 1
        log.warning("maintenance: wrong PIN (%d of %d)", self._wrong, self._max_tries)
        if self._wrong >= self._max_tries:
            self._wrong = 0
            self._locked_until = self._monotonic() + self._lock_s
            return PinCheck.LOCKED
        return PinCheck.REFUSED


def pin_gate_from_environ(environ: Mapping[str, str]) -> PinGate | None:
    """The gate for ``ANTRE_KIOSK_PIN``; None (maintenance off) when it is not set.

    Raises:
        SystemExit: the PIN is set but is not 4 to 12 digits (said in both languages).
    """
    value = environ.get(PIN_ENV, "").strip()
    if not value:
        return None
    if not _PIN.fullmatch(value):
        message = both(PIN_INVALID)
        raise SystemExit(f"{message['id']}\n{message['en']}")
    return PinGate(value)


@dataclass(frozen=True, slots=True)
class ScanSeen:
    """The last scanned code: its kind only, and when (monotonic seconds)."""

    kind: CodeKind
    at_s: float


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    """One look at the kiosk for the maintenance screen (no personal data).

    Attributes:
        link: the server link, or None when the kiosk runs without one (``--demo``).
        printer_health: ``(level, code)`` as in device health; code ``offline`` or
            ``timeout`` when the printer did not answer.
        reader_present, card_present: None when the kiosk has no card reader.
        last_scan: the kind of the last code scanned while the screen was open.
    """

    device_id: str
    link: LinkReport | None
    printer_name: str
    printer_health: tuple[str, str]
    reader_present: bool | None
    card_present: bool | None
    last_scan: ScanSeen | None


class KioskMaintenance:
    """What the maintenance screen reads and does; its methods may block (worker thread)."""

    def __init__(
        self,
        *,
        gate: PinGate | None,
        device_id: str,
        printer: TicketPrinter,
        profile: PrinterProfile,
        printer_name: str = "",
        card_reader: CardReader | None = None,
        link_report: Callable[[], LinkReport] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gate = gate
        self.device_id = device_id
        self._printer, self._profile, self._printer_name = printer, profile, printer_name
        self._card_reader, self._link_report = card_reader, link_report
        self._monotonic = monotonic
        self._last_scan: ScanSeen | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.gate is not None

    def record_scan(self, text: str) -> None:
        """Keep the kind of a code scanned during the scanner test (never its text)."""
        seen = ScanSeen(classify(text).kind, self._monotonic())
        with self._lock:
            self._last_scan = seen

    def forget_scan(self) -> None:
        with self._lock:
            self._last_scan = None

    def report(self) -> MaintenanceReport:
        """Ask every device how it is (may take a printer timeout: not on the UI thread)."""
        with self._lock:
            last_scan = self._last_scan
        reader_present, card_present = self._card_state()
        return MaintenanceReport(
            device_id=self.device_id,
            link=self._link_report() if self._link_report is not None else None,
            printer_name=self._printer_name,
            printer_health=self._printer_health(),
            reader_present=reader_present,
            card_present=card_present,
            last_scan=last_scan,
        )

    def test_print(self, branding: Branding, language: str) -> dict[str, str]:
        """Print a test ticket; the outcome as a bilingual message (never raises)."""
        ticket = TicketView(
            label=TEST_LABEL,
            service_name=LocalisedText(id="Tes printer", en="Printer test"),
            issued_at=datetime.now(UTC),
            people_ahead=None,
            estimated_wait_minutes=None,
            status_url="http://antre.local/test",
        )
        try:
            self._printer.print_ticket(layout_ticket(ticket, branding, self._profile, language))
        except PrinterError as err:
            log.warning("maintenance: test print failed (%s)", err.code)
            return err.user_message()
        except Exception:  # a driver bug must not close the screen; the log has the cause
            log.exception("maintenance: test print failed")
            return PrinterError().user_message()
        log.info("maintenance: test ticket printed")
        return both(TEST_PRINTED)

    def _printer_health(self) -> tuple[str, str]:
        try:
            return self._printer.status().health()
        except PrinterError as err:
            return "error", err.code
        except Exception:
            log.exception("maintenance: printer status failed")
            return "error", "printer_error"

    def _card_state(self) -> tuple[bool | None, bool | None]:
        reader = self._card_reader
        if reader is None:
            return None, None
        try:
            if not reader.is_available():
                return False, False
            reader.wait_for_card(timeout_s=CARD_LOOK_S)
        except CardTimeout:
            return True, False
        except Exception as err:  # NoReader, pcscd gone...: the reader is not usable
            log.info("maintenance: card reader check failed (%s)", type(err).__name__)
            return False, False
        return True, True


#: Printer health codes as the officer reads them.
PRINTER_STATES: dict[str, str] = {
    "ok": "Ready",
    "status_unknown": "Ready (the printer does not report its status)",
    "paper_near_end": "Paper running low",
    "paper_out": "Out of paper",
    "cover_open": "Cover open",
    "printer_error": "Printer fault",
    "offline": "Offline or not reachable",
    "timeout": "Not answering",
}
#: Scanned code kinds (never the code itself).
SCAN_KINDS: dict[CodeKind, str] = {
    CodeKind.BOOKING_CODE: "M-Paspor booking code",
    CodeKind.SIGNED_TOKEN: "Antre signed code",
    CodeKind.TICKET_LINK: "Antre ticket link",
    CodeKind.NIK: "NIK (not shown)",
    CodeKind.UNKNOWN: "Unknown code",
}
#: One row of the screen: label, value, and ``ok``, ``warning`` or ``error``.
ReportRow = tuple[str, str, str]


def report_rows(
    report: MaintenanceReport, language: str, *, now_s: float, timezone: str
) -> list[ReportRow]:
    """The maintenance screen's rows, in ``language`` (times in the office's zone)."""

    def tr(msgid: str, **params: object) -> str:
        return translate(msgid, language, **params)

    def clock(moment: datetime | None) -> str:
        return tr("never") if moment is None else _local_time(moment, timezone)

    rows: list[ReportRow] = [(tr("Device"), report.device_id or "-", "ok")]
    link = report.link
    if link is None:
        rows.append((tr("Server"), tr("None: demo mode"), "warning"))
    else:
        rows += _link_rows(link, tr, clock)
    level, code = report.printer_health
    printer = tr(PRINTER_STATES.get(code, "Printer fault"))
    rows.append((tr("Printer"), f"{printer} ({report.printer_name})".strip(), level))
    rows.append(_reader_row(report, tr))
    if report.last_scan is None:
        rows.append((tr("Scanner"), tr("Scan any code to test the scanner."), "warning"))
    else:
        ago = max(0, round(now_s - report.last_scan.at_s))
        kind = tr(SCAN_KINDS[report.last_scan.kind])
        read = tr("Read: {kind}, {seconds} s ago", kind=kind, seconds=ago)
        rows.append((tr("Scanner"), read, "ok"))
    return rows


def _link_rows(
    link: LinkReport, tr: Callable[..., str], clock: Callable[[datetime | None], str]
) -> list[ReportRow]:
    broker = tr("Connected") if link.broker_connected else tr("Not connected")
    answering = link.server_answering
    if answering is None:
        server = (tr("No request sent yet"), "warning")
    elif answering:
        server = (tr("Answering (last answer {time})", time=clock(link.last_answer_at)), "ok")
    else:
        server = (tr("Not answering since {time}", time=clock(link.last_unanswered_at)), "error")
    waiting = tr(
        "Waiting: {count}; offline tickets not synced: {tickets}",
        count=link.outbox_size,
        tickets=link.unsynced_tickets,
    )
    return [
        (tr("Broker"), f"{broker} ({link.broker})", "ok" if link.broker_connected else "error"),
        (tr("Server"), *server),
        (tr("Outbox"), waiting, "ok" if link.unsynced_tickets == 0 else "warning"),
        (tr("Last sync"), clock(link.last_sync_at), "ok" if link.last_sync_at else "warning"),
    ]


def _reader_row(report: MaintenanceReport, tr: Callable[..., str]) -> ReportRow:
    if report.reader_present is None:
        return tr("Card reader"), tr("None configured"), "ok"
    if not report.reader_present:
        return tr("Card reader"), tr("Not found"), "error"
    card = tr("card present") if report.card_present else tr("no card")
    return tr("Card reader"), tr("Present, {card}", card=card), "ok"


def _local_time(moment: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%d-%m %H:%M:%S")
