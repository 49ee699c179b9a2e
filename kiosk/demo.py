"""A built-in office and ticket desk, so the kiosk screens run with no server (``--demo``).

The desk answers like the server does: numbers per service prefix, people ahead, a wait
estimate, refusals with bilingual messages. Booking codes starting with ``USED`` are
refused as already checked in; ``offline = True`` makes it issue from a pretend lease.
At a drive-thru lane (``--lane``) every application is ready but those ending in 9 (sent
to the counter inside), and a car scanned again is already waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kiosk.link.answer import Answer
from kiosk.link.core import IssuedOffline, IssuedOnline
from kiosk.link.errors import NotAvailableOffline, Refused
from kiosk.link.offline import LocalTicket
from queue_server.i18n import both
from queue_server.protocol.answers import LaneAnswer, PublicTicket, RateAnswer, TicketAnswer
from queue_server.protocol.base import Bilingual, TicketStatusWord
from queue_server.protocol.labels import format_number

BOOKING_USED = "This booking has already been checked in."
TICKET_UNKNOWN = "This ticket is not known."
#: The server's answer to an unknown registration code (its msgid); the demo says it for
#: :data:`DEMO_UNKNOWN_REGISTRATION`.
REGISTRATION_UNKNOWN = (
    "This registration code is not valid. Check the code or ask at the information desk."
)
DEMO_UNKNOWN_REGISTRATION = "XXXXXX"
#: The server's refusal of an application without a ready passport (its msgid).
GO_TO_COUNTER = (
    "No ready passport is known for application {application}. Please park and go to "
    "the pickup counter inside the office."
)


def _service(
    service_id: str, prefix: str, name: tuple[str, str], kind: str, station: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": service_id,
        "prefix": prefix,
        "name": {"id": name[0], "en": name[1]},
        "kind": kind,
        "first_station": station,
        "description": None,
        "needs_booking": kind == "booking_required",
        "has_quota": kind != "information",
        "offline_allowed": kind != "booking_required",
        **extra,
    }


DEMO_PAYLOAD: dict[str, Any] = {
    "content_version": 1,
    "registration": True,
    "office": {
        "id": "kanim-demo",
        "name": "Kantor Imigrasi Kelas I TPI Banjarmasin",
        "address": "Jl. A. Yani Km. 2,5, Banjarmasin",
        "timezone": "Asia/Makassar",
    },
    "languages": ["id", "en"],
    "services": [
        _service(
            "paspor-mpaspor",
            "A",
            ("Paspor (M-Paspor)", "Passport (M-Paspor)"),
            "booking_required",
            "CS",
            description={
                "id": "Bawa surat pengantar M-Paspor, bukti bayar dan dokumen asli.",
                "en": "Bring the M-Paspor cover letter, payment proof and original documents.",
            },
        ),
        _service(
            "paspor-walkin",
            "B",
            ("Paspor tanpa janji", "Passport walk-in"),
            "walk_in",
            "CS",
            description={
                "id": "KTP, kartu keluarga, akta lahir atau ijazah, dan paspor lama (asli).",
                "en": "KTP, family card, birth or school certificate and old passport (originals).",
            },
        ),
        _service(
            "paspor-hilang-rusak",
            "C",
            ("Paspor hilang/rusak", "Lost or damaged passport"),
            "walk_in",
            "CS",
            description={
                "id": "Bawa surat kehilangan dari kepolisian atau paspor yang rusak.",
                "en": "Bring the police loss report or the damaged passport.",
            },
        ),
        _service(
            "itk-penerbitan",
            "E",
            ("Izin tinggal kunjungan", "Visit stay permit"),
            "walk_in",
            "LOKET",
        ),
        _service(
            "itap-perpanjangan", "H", ("Perpanjangan ITAP", "ITAP extension"), "walk_in", "LOKET"
        ),
        _service(
            "pengambilan-paspor", "D", ("Pengambilan paspor", "Passport pickup"), "pickup", "PICKUP"
        ),
        _service("pengaduan", "P", ("Pengaduan", "Complaints"), "complaint", "COMPLAINT"),
        _service("informasi", "I", ("Informasi", "Information"), "information", "INFO"),
    ],
    "priority_categories": [
        {
            "code": "disabled",
            "name": {"id": "Penyandang disabilitas", "en": "Person with a disability"},
        },
        {"code": "elderly", "name": {"id": "Lanjut usia", "en": "Elderly"}},
        {
            "code": "child_under_five",
            "name": {"id": "Membawa balita", "en": "With a child under five"},
        },
        {"code": "pregnant", "name": {"id": "Ibu hamil", "en": "Pregnant"}},
    ],
    "booking_window_minutes": {"early": 60, "late": 30},
    "ticket_footer": {"id": "Terima kasih.", "en": "Thank you."},
}


class DemoDesk:
    """A stand-in for :class:`~kiosk.link.core.KioskCore`; thread-safe."""

    def __init__(self, clock: Callable[[], datetime] | None = None, first_number: int = 1) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._prefixes = {item["id"]: item["prefix"] for item in DEMO_PAYLOAD["services"]}
        self._stations = {item["id"]: item["first_station"] for item in DEMO_PAYLOAD["services"]}
        self._next: dict[str, int] = {}
        self._first = first_number
        self._lock = threading.Lock()
        self.offline = False
        self.ratings: list[tuple[str, int]] = []
        #: The cars waiting at the demo lane, in arrival order (application numbers).
        self.lane_cars: list[str] = []

    def is_online(self) -> bool:
        return not self.offline

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
    ) -> IssuedOnline | IssuedOffline:
        if registration is not None:  # a typed code names no service: the demo's walk-in
            if registration == DEMO_UNKNOWN_REGISTRATION:
                raise Refused(both(REGISTRATION_UNKNOWN), code="registration_invalid")
            service = service or "paspor-walkin"
        assert service is not None
        number = self._take(service)
        label = format_number(self._prefixes.get(service, "X"), number)
        if self.offline:
            ticket = LocalTicket(
                label, service, self._clock(), "demo-lease", number, language, priority_category
            )
            return IssuedOffline(ticket)
        return IssuedOnline(self._answer(label, service, number, priority_category is not None))

    def check_in(
        self, booking_code: str, *, documents_ready: bool, language: str = "id"
    ) -> IssuedOnline:
        if booking_code.upper().startswith("USED"):
            raise Refused(both(BOOKING_USED), code="booking_used")
        number = self._take("paspor-mpaspor")
        label = format_number(self._prefixes["paspor-mpaspor"], number)
        return IssuedOnline(self._answer(label, "paspor-mpaspor", number, False))

    def lookup(self, code: str) -> PublicTicket:
        """A ticket ``demo0001``..; ``demo9999`` is unknown; odd numbers are finished."""
        if self.offline:
            raise NotAvailableOffline()
        number = int(code[-4:]) if code[-4:].isdigit() else 9999
        if number == 9999:
            raise Refused(both(TICKET_UNKNOWN), code="not_found")
        done = number % 2 == 1
        return PublicTicket(
            label=format_number("B", number),
            office=str(DEMO_PAYLOAD["office"]["name"]),
            service=Bilingual(id="Paspor tanpa janji", en="Passport walk-in"),
            station="PICKUP" if done else "CS",
            status=TicketStatusWord.DONE if done else TicketStatusWord.WAITING,
            issued_at=self._clock(),
            people_ahead=None if done else 3,
            estimated_wait_minutes=None if done else 12.0,
            counter=None,
        )

    def rate(self, ticket_token: str, score: int) -> Answer | None:
        with self._lock:
            self.ratings.append((ticket_token, score))
        data = RateAnswer(label="B-001", station="PICKUP", score=score)
        return None if self.offline else Answer(transaction="demo", ok=True, data=data)

    def drive_thru_arrival(self, lane: str, scan: str) -> LaneAnswer:
        """The demo lane: ready unless the number ends in 9; a second scan adds nothing."""
        if self.offline:
            raise NotAvailableOffline()
        if scan.endswith("9"):
            message = both(GO_TO_COUNTER, application=scan)
            raise Refused(message, code="drive_thru_go_to_counter")
        with self._lock:
            again = scan in self.lane_cars
            if not again:
                self.lane_cars.append(scan)
            position = self.lane_cars.index(scan) + 1
        return LaneAnswer(
            result="already_waiting" if again else "waiting",
            arrival_id=position,
            application_no=scan,
            lane=lane,
            position=position,
            arrived_at=self._clock(),
            message=Bilingual(id="", en=""),
        )

    def _take(self, service: str) -> int:
        with self._lock:
            number = self._next.get(service, self._first)
            self._next[service] = number + 1
            return number

    def _answer(self, label: str, service: str, number: int, priority: bool) -> TicketAnswer:
        ahead = 2 + (number * 3) % 7
        return TicketAnswer(
            label=label,
            token=f"demo{number:04d}",
            service=service,
            station=self._stations.get(service, "CS"),
            issued_at=self._clock(),
            people_ahead=ahead,
            estimated_wait_minutes=ahead * 4,
            priority=priority,
            status_path=f"/t/demo{number:04d}",
        )
