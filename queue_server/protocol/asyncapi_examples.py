"""The examples of the AsyncAPI document, built with the contract's own models.

Building them as models proves every example valid; the document dumps them as JSON.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final
from uuid import UUID

from pydantic import BaseModel

from queue_server.protocol.answers import (
    ACTION_ANSWERS,
    AnswerData,
    ErrorAnswer,
    LaneAnswer,
    LeaseAnswer,
    OkAnswer,
    PublicTicket,
    RateAnswer,
    Refusal,
    SyncAccepted,
    SyncAnswer,
    SyncRefused,
    TicketAnswer,
    error_answer,
)
from queue_server.protocol.base import (
    AtCounterWord,
    Bilingual,
    Message,
    ServiceKindWord,
    TicketStatusWord,
)
from queue_server.protocol.messages import (
    ACTION_REQUESTS,
    DeviceHealth,
    DeviceStatus,
    OutboxHealth,
)
from queue_server.protocol.states import (
    Board,
    BookingWindow,
    CalledEvent,
    CounterInfo,
    CounterState,
    CounterStateMessage,
    DisplayConfigMessage,
    JourneyStep,
    KioskConfigMessage,
    LaneStateMessage,
    OfficeInfo,
    PriorityCategory,
    QueueStateMessage,
    Quota,
    Requirements,
    ServiceInfo,
)
from queue_server.protocol.topics import KioskAction

TRANSACTION: Final = UUID("5b0c2f5e-8a47-4f0e-9d55-1c1f0d2b7a10")
TS: Final = datetime.fromisoformat("2025-03-03T10:15:00+08:00")
CALLED_AT: Final = datetime.fromisoformat("2025-03-03T02:15:00+00:00")
TOKEN: Final = "3N_10c50Orx-UgeiOQPu-R5R"
WALK_IN: Final = Bilingual(id="Paspor tanpa janji", en="Passport walk-in")

_REQUEST_DATA: Final[dict[KioskAction, dict[str, object]]] = {
    KioskAction.ISSUE_TICKET: {
        "service": "paspor-walkin",
        "language": "id",
        "priority_category": "elderly",
    },
    KioskAction.CHECK_IN: {
        "booking_code": "MP-2503-000123",
        "documents_ready": True,
        "language": "en",
    },
    KioskAction.LOOKUP: {"code": f"https://antre.example/t/{TOKEN}"},
    KioskAction.LEASE_NUMBERS: {"service": "paspor-walkin", "count": 50},
    KioskAction.SYNC_TICKETS: {
        "tickets": [
            {
                "service": "paspor-walkin",
                "number": 101,
                "issued_at": TS.isoformat(),
                "language": "id",
                "lease": "121bdb96edc9092a",
            }
        ]
    },
    KioskAction.RATE: {"ticket_token": TOKEN, "score": 4},
    KioskAction.DRIVE_THRU_ARRIVAL: {"lane": "lajur-1", "scan": "PERMOHONAN:2026120400001"},
}

REQUEST_EXAMPLES: Final[dict[KioskAction, Message]] = {
    action: ACTION_REQUESTS[action].model_validate({"transaction": TRANSACTION, "data": data})
    for action, data in _REQUEST_DATA.items()
}

_TICKET: Final = TicketAnswer(
    label="B-001",
    token=TOKEN,
    service="paspor-walkin",
    station="CS",
    issued_at=TS,
    people_ahead=3,
    estimated_wait_minutes=12.0,
    priority=False,
    status_path=f"/t/{TOKEN}",
)

_ANSWER_DATA: Final[dict[KioskAction, AnswerData]] = {
    KioskAction.ISSUE_TICKET: _TICKET,
    KioskAction.CHECK_IN: _TICKET.model_copy(
        update={"label": "A-014", "service": "paspor-mpaspor"}
    ),
    KioskAction.LOOKUP: PublicTicket(
        label="B-001",
        office="Kantor Imigrasi Banjarmasin",
        service=WALK_IN,
        station="CS",
        status=TicketStatusWord.WAITING,
        issued_at=TS,
        people_ahead=3,
        estimated_wait_minutes=12.0,
        counter=None,
    ),
    KioskAction.LEASE_NUMBERS: LeaseAnswer(
        lease="121bdb96edc9092a",
        service="paspor-walkin",
        prefix="B",
        office_day=date(2025, 3, 3),
        first_number=101,
        last_number=150,
        first_label="B-101",
        last_label="B-150",
    ),
    KioskAction.SYNC_TICKETS: SyncAnswer(
        tickets=[
            SyncAccepted(
                lease="121bdb96edc9092a",
                number=101,
                status="accepted",
                label="B-101",
                token="qS7XWtGze3jsf_Dbc1ANieAz",
            ),
            SyncRefused(
                lease="121bdb96edc9092a",
                number=999,
                status="refused",
                error=Refusal(
                    code="lease_invalid",
                    messages=Bilingual(
                        id="Blok nomor 121bdb96edc9092a bukan milik kios ini atau sudah "
                        "kedaluwarsa.",
                        en="Number block 121bdb96edc9092a does not belong to this kiosk or "
                        "has expired.",
                    ),
                ),
            ),
        ]
    ),
    KioskAction.RATE: RateAnswer(label="B-001", station="BIO", score=4),
    KioskAction.DRIVE_THRU_ARRIVAL: LaneAnswer(
        result="waiting",
        arrival_id=17,
        application_no="2026120400001",
        lane="lajur-1",
        position=2,
        arrived_at=TS,
        message=Bilingual(
            id="Silakan menunggu di jalur Drive-thru 1: Anda urutan ke-2.",
            en="Please wait in the lane Drive-thru 1: you are number 2.",
        ),
    ),
}

ANSWER_EXAMPLES: Final[dict[KioskAction, OkAnswer]] = {
    action: ACTION_ANSWERS[action].model_validate(
        {"transaction": TRANSACTION, "status": "ok", "data": data}
    )
    for action, data in _ANSWER_DATA.items()
}

ERROR_EXAMPLE: Final[ErrorAnswer] = error_answer(
    TRANSACTION,
    "service_closed",
    {
        "id": "Layanan Paspor tanpa janji sedang tidak buka.",
        "en": "Passport walk-in is not open now.",
    },
)

_COUNTER: Final = CounterState(
    code="cs-1",
    name="CS 1",
    stations=["CS"],
    is_open=True,
    ticket_label="B-001",
    ticket_status=AtCounterWord.CALLED,
    ticket_id=1,
    since=CALLED_AT,
)
_IDLE_COUNTER: Final = CounterState(
    code="bio-1",
    name="Booth 1",
    stations=["BIO"],
    is_open=False,
    ticket_label=None,
    ticket_status=None,
    ticket_id=None,
    since=None,
)
_SERVICE: Final = ServiceInfo(
    id="paspor-walkin",
    prefix="B",
    name=WALK_IN,
    description=Bilingual(
        id="KTP, kartu keluarga dan paspor lama.", en="KTP, family card and old passport."
    ),
    kind=ServiceKindWord.WALK_IN,
    first_station="CS",
    needs_booking=False,
    has_quota=True,
    offline_allowed=True,
)
_OFFICE: Final = OfficeInfo(
    id="kanim-banjarmasin",
    name="Kantor Imigrasi Kelas I TPI Banjarmasin",
    address="Jl. A. Yani Km. 2,5, Banjarmasin",
    timezone="Asia/Makassar",
)

STATE_EXAMPLES: Final[dict[str, BaseModel]] = {
    "device_status": DeviceStatus(state="online", kind="kiosk", version="1.0.0", ts=TS),
    "device_health": DeviceHealth(
        components={"printer": "paper_near_end", "scanner": "ok", "card_reader": "ok"},
        outbox=OutboxHealth(waiting=3, oldest_at=TS - timedelta(minutes=12)),
        ts=TS,
    ),
    "counter_state": CounterStateMessage(**dict(_COUNTER), seq=1741000500000000),
    "lane_state": LaneStateMessage(lane="lajur-1", arrivals=[41, 43], seq=1741000500000002),
    "board": Board(seq=1741000500000001, counters=[_IDLE_COUNTER, _COUNTER], serving=[_COUNTER]),
    "queue_state": QueueStateMessage(
        service="paspor-walkin",
        prefix="B",
        name=WALK_IN,
        kind=ServiceKindWord.WALK_IN,
        waiting=2,
        waiting_per_station={"CS": 2},
        people_ahead_of_newcomer=2,
        open_counters=1,
        minutes_per_ticket=4.0,
        estimated_wait_minutes=8.0,
        open_now=True,
        session="regular",
        next_opening=None,
        quota=Quota(limit=120, used=40, left=80),
        journey=[
            JourneyStep(station="CS", standard_minutes=4.0, after_working_days=0),
            JourneyStep(station="BIO", standard_minutes=10.0, after_working_days=0),
            JourneyStep(station="PICKUP", standard_minutes=2.0, after_working_days=4),
        ],
        seq=1741000500000002,
    ),
    "config_kiosk": KioskConfigMessage(
        seq=1741000500000004,
        content_version=3,
        office=_OFFICE,
        languages=["id", "en"],
        services=[
            _SERVICE.model_copy(
                update={
                    "requirements": Requirements(
                        id=["KTP asli", "Kartu keluarga asli", "Paspor lama"],
                        en=["Original KTP", "Original family card", "Old passport"],
                    )
                }
            )
        ],
        priority_categories=[
            PriorityCategory(code="elderly", name=Bilingual(id="Lanjut usia", en="Elderly"))
        ],
        booking_window_minutes=BookingWindow(early=60, late=30),
        ticket_footer=Bilingual(id="Terima kasih.", en="Thank you."),
        public_base_url="https://antre.kanim-banjarmasin.example",
    ),
    "config_display": DisplayConfigMessage(
        seq=1741000500000005,
        content_version=3,
        office=_OFFICE,
        languages=["id", "en"],
        services=[_SERVICE],
        counters=[CounterInfo(code="cs-1", name="CS 1", stations=["CS"])],
    ),
}

CALLED_EXAMPLE: Final = CalledEvent(
    id=1741000500000003,
    seq=1741000500000003,
    ticket="B-001",
    station="CS",
    counter="cs-1",
    counter_name="CS 1",
    service="paspor-walkin",
    recall=False,
    ts=TS,
)
