"""Sample contract messages of one office: the board's demo mode and its tests use them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from queue_server.protocol import topics
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    DisplayConfigMessage,
    QueueStateMessage,
)

OFFICE = "kanim-demo"
_TS = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def counter(code: str, name: str, ticket: str | None = None, **extra: Any) -> dict[str, Any]:
    """A ``CounterState`` payload; ``ticket`` set means it has a called ticket."""
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "stations": ["CS"],
        "is_open": True,
        "ticket_label": ticket,
        "ticket_status": "called" if ticket else None,
        "ticket_id": 1 if ticket else None,
        "since": _TS if ticket else None,
    }
    values.update(extra)
    return values


def board(seq: int, counters: list[dict[str, Any]]) -> Board:
    """A ``board`` message with these counters (those with a ticket are serving)."""
    serving = [c for c in counters if c["ticket_label"]]
    return Board.model_validate({"seq": seq, "counters": counters, "serving": serving})


def queue(seq: int, service: str, prefix: str, waiting: int = 0, **extra: Any) -> QueueStateMessage:
    """A ``queue/{service}/state`` message."""
    values: dict[str, Any] = {
        "seq": seq,
        "service": service,
        "prefix": prefix,
        "name": {"id": f"Layanan {prefix}", "en": f"Service {prefix}"},
        "kind": "walk_in",
        "waiting": waiting,
        "waiting_per_station": {},
        "people_ahead_of_newcomer": waiting,
        "open_counters": 1,
        "minutes_per_ticket": 6.0,
        "estimated_wait_minutes": 6.0 * waiting,
        "open_now": True,
        "session": None,
        "next_opening": None,
        "quota": {"limit": None, "used": 0, "left": None},
        "journey": [],
    }
    values.update(extra)
    return QueueStateMessage.model_validate(values)


def config(
    seq: int, office_name: str = "Kantor Imigrasi Demo", services: tuple[str, ...] = ()
) -> DisplayConfigMessage:
    """A ``config/display`` message naming the office and listing ``services`` in order."""
    return DisplayConfigMessage.model_validate(
        {
            "seq": seq,
            "content_version": 1,
            "office": {
                "id": OFFICE,
                "name": office_name,
                "address": "Jl. Contoh 1",
                "timezone": "Asia/Makassar",
            },
            "languages": ["id", "en"],
            "services": [_service_info(service) for service in services],
            "counters": [],
        }
    )


def _service_info(service: str) -> dict[str, Any]:
    return {
        "id": service,
        "prefix": service[:1].upper(),
        "name": {"id": service, "en": service},
        "description": None,
        "kind": "walk_in",
        "first_station": "CS",
        "needs_booking": False,
        "has_quota": False,
        "offline_allowed": True,
    }


def call(
    seq: int, ticket: str, counter_code: str = "cs-1", counter_name: str = "CS 1", **extra: Any
) -> CalledEvent:
    """An ``event/called`` message; its ``id`` is ``seq`` unless given."""
    values: dict[str, Any] = {
        "id": seq,
        "seq": seq,
        "ticket": ticket,
        "station": "CS",
        "counter": counter_code,
        "counter_name": counter_name,
        "service": "paspor-walkin",
        "recall": False,
        "ts": _TS,
    }
    values.update(extra)
    return CalledEvent.model_validate(values)


def demo_messages() -> list[
    tuple[str, Board | QueueStateMessage | DisplayConfigMessage | CalledEvent]
]:
    """A busy morning: the messages, with their topics, the demo board shows."""
    services = ("paspor-baru", "paspor-ganti", "pengaduan")
    names = {
        "paspor-baru": ("Paspor Baru", "New Passport"),
        "paspor-ganti": (
            "Penggantian Paspor Hilang atau Rusak",
            "Replacement of a Lost or Damaged Passport",
        ),
        "pengaduan": ("Pengaduan", "Complaints"),
    }
    counters = [
        counter("cs-1", "Loket 1", "A-012"),
        counter("cs-2", "Loket 2", "B-007"),
        counter("bio-1", "Biometrik 1", "A-009"),
        counter("cs-3", "Loket 3"),
    ]
    messages: list[tuple[str, Board | QueueStateMessage | DisplayConfigMessage | CalledEvent]] = [
        (
            topics.config(OFFICE, "display"),
            config(1, "Kantor Imigrasi Kelas I TPI Denpasar", services),
        ),
        (topics.board(OFFICE), board(1, counters)),
    ]
    for index, (service, waiting) in enumerate(zip(services, (14, 5, 0), strict=True)):
        name_id, name_en = names[service]
        messages.append(
            (
                topics.queue_state(OFFICE, service),
                queue(
                    1,
                    service,
                    "ABC"[index],
                    waiting,
                    name={"id": name_id, "en": name_en},
                    estimated_wait_minutes=None if waiting == 0 else 4.5 * waiting,
                ),
            )
        )
    for seq, (ticket, code, name) in enumerate(
        [
            ("A-008", "cs-1", "Loket 1"),
            ("B-006", "cs-2", "Loket 2"),
            ("A-009", "bio-1", "Biometrik 1"),
            ("A-010", "cs-1", "Loket 1"),
            ("A-011", "cs-1", "Loket 1"),
            ("B-007", "cs-2", "Loket 2"),
            ("A-012", "cs-1", "Loket 1"),
        ],
        start=1,
    ):
        messages.append((topics.event_called(OFFICE), call(seq, ticket, code, name)))
    return messages


#: The demo board's information ticker.
DEMO_TICKER = (
    "Selamat datang di Kantor Imigrasi Denpasar · Welcome to the Denpasar Immigration Office",
    "Siapkan KTP dan Kartu Keluarga asli · Have your original ID card and family card ready",
    "Layanan gratis, tanpa calo · All services are free of charge, no brokers",
)
