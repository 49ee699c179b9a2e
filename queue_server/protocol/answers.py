"""The server's answers to kiosk requests (``kiosk/{device}/response/{action}``).

Every request gets exactly one answer: ``{"transaction", "status": "ok", "data"}`` with the
action's answer model, or an :class:`ErrorAnswer`. The server builds these models and the
kiosk parses the same ones with :func:`parse_answer`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field
from pydantic_core import from_json

from queue_server.protocol.base import Bilingual, Id, Message, Station, TicketStatusWord
from queue_server.protocol.topics import KioskAction


class TicketAnswer(Message):
    """A ticket given by ``issue_ticket`` or ``check_in``."""

    label: str = Field(description="The number on the ticket.", examples=["B-001"])
    token: str = Field(description="What the ticket's QR carries.")
    service: Id
    station: Station
    issued_at: AwareDatetime = Field(description="When the ticket was issued.")
    people_ahead: int = Field(ge=0)
    estimated_wait_minutes: float | None = Field(
        description="null while no counter serving the station is open"
    )
    priority: bool
    status_path: str = Field(
        pattern=r"^/t/",
        description="The path of the ticket's page for the applicant's phone, ``/t/{token}``; "
        "the kiosk prints it after the office's ``public_base_url``.",
        examples=["/t/3N_10c50Orx-UgeiOQPu-R5R"],
    )


class PublicTicket(Message):
    """A ticket's public status (no personal data): the ``lookup`` answer, and what
    ``GET /api/v1/public/tickets/{token}`` returns."""

    label: str = Field(examples=["B-001"])
    office: str = Field(description="The office's name (not its id).")
    service: Bilingual
    station: Station
    status: TicketStatusWord
    issued_at: AwareDatetime = Field(description="When the visit began.")
    people_ahead: int | None = Field(ge=0, description="Set only while waiting.")
    estimated_wait_minutes: float | None = Field(description="Set only while waiting.")
    counter: str | None = Field(description="The counter's name, set only while called or serving.")
    demo: bool = Field(default=False, description="The office is a demo office.")


class LeaseAnswer(Message):
    """A block of numbers for this kiosk only, for this office day."""

    lease: str = Field(description="The lease id, sent back with each offline ticket.")
    service: Id
    prefix: str = Field(examples=["B"])
    office_day: date
    first_number: int = Field(ge=1)
    last_number: int = Field(ge=1)
    first_label: str = Field(examples=["B-101"])
    last_label: str = Field(examples=["B-150"])


class SyncAccepted(Message):
    """The ticket is in the queue (the same label and token every time it is sent again)."""

    lease: str
    number: int = Field(ge=1)
    status: Literal["accepted"]
    label: str
    token: str


class Refusal(Message):
    """Why one offline ticket was refused."""

    code: str = Field(examples=["lease_invalid"])
    messages: Bilingual


class SyncRefused(Message):
    """The ticket was refused; it is not in the queue."""

    lease: str
    number: int
    status: Literal["refused"]
    error: Refusal


SyncOutcome = Annotated[SyncAccepted | SyncRefused, Field(discriminator="status")]


class SyncAnswer(Message):
    """One outcome per ticket, in the order sent."""

    tickets: list[SyncOutcome]


class RateAnswer(Message):
    """The rated step: the visit's latest finished step that asks for a rating."""

    label: str
    station: Station
    score: int = Field(ge=1, le=4)


class LaneAnswer(Message):
    """A car scanned at a drive-thru lane: its place there (added now, or already waiting)."""

    result: Literal["waiting", "already_waiting"] = Field(
        description="waiting: added now; already_waiting: the car was in a lane already, "
        "nothing added"
    )
    arrival_id: int = Field(ge=1)
    application_no: str = Field(examples=["2026120400001"])
    lane: Id = Field(description="The lane the car waits in (a repeat scan: its first lane).")
    position: int = Field(ge=1, description="The car's place in the lane, 1 = next.")
    arrived_at: AwareDatetime
    message: Bilingual = Field(description="What the lane's screen tells the driver.")


AnswerData = TicketAnswer | PublicTicket | LeaseAnswer | SyncAnswer | RateAnswer | LaneAnswer


class _Ok(Message):
    transaction: UUID
    status: Literal["ok"]


class TicketOk(_Ok):
    """The answer to ``issue_ticket`` and ``check_in``."""

    data: TicketAnswer


class LookupOk(_Ok):
    """The answer to ``lookup``."""

    data: PublicTicket


class LeaseOk(_Ok):
    """The answer to ``lease_numbers``."""

    data: LeaseAnswer


class SyncOk(_Ok):
    """The answer to ``sync_tickets``."""

    data: SyncAnswer


class RateOk(_Ok):
    """The answer to ``rate``."""

    data: RateAnswer


class LaneOk(_Ok):
    """The answer to ``drive_thru_arrival``."""

    data: LaneAnswer


OkAnswer = TicketOk | LookupOk | LeaseOk | SyncOk | RateOk | LaneOk

#: The ok answer of each action.
ACTION_ANSWERS: dict[KioskAction, type[OkAnswer]] = {
    KioskAction.ISSUE_TICKET: TicketOk,
    KioskAction.CHECK_IN: TicketOk,
    KioskAction.LOOKUP: LookupOk,
    KioskAction.LEASE_NUMBERS: LeaseOk,
    KioskAction.SYNC_TICKETS: SyncOk,
    KioskAction.RATE: RateOk,
    KioskAction.DRIVE_THRU_ARRIVAL: LaneOk,
}


class ErrorDetail(Message):
    """A refusal's stable code and its text in both languages."""

    code: str = Field(
        description="A protocol code (see ErrorCode) or the queue rule that refused "
        "(e.g. `service_closed`, `quota_full`, `booking_not_found`).",
        examples=["service_closed"],
    )
    message: str = Field(description="The Indonesian text (`messages.id`).")
    messages: Bilingual


class ErrorAnswer(Message):
    """A refusal; it changed nothing. ``transaction`` is null when the request could not be
    read far enough to find it."""

    transaction: UUID | None
    status: Literal["error"]
    error: ErrorDetail


def ok_answer(action: KioskAction, transaction: UUID, data: AnswerData) -> OkAnswer:
    """The ok answer to ``action`` carrying ``data`` (validated against the action's model)."""
    envelope = ACTION_ANSWERS[action]
    return envelope.model_validate({"transaction": transaction, "status": "ok", "data": data})


def error_answer(transaction: UUID | None, code: str, messages: dict[str, str]) -> ErrorAnswer:
    """An error answer; ``messages`` holds the text in Indonesian (``id``) and English."""
    texts = Bilingual(id=messages["id"], en=messages["en"])
    return ErrorAnswer(
        transaction=transaction,
        status="error",
        error=ErrorDetail(code=code, message=texts.id, messages=texts),
    )


def parse_answer(action: KioskAction, payload: bytes) -> OkAnswer | ErrorAnswer | None:
    """The answer to ``action`` in ``payload``, or None when it is not one; never raises."""
    try:
        raw = from_json(payload, allow_inf_nan=False)
        if isinstance(raw, dict) and raw.get("status") == "error":
            return ErrorAnswer.model_validate(raw)
        return ACTION_ANSWERS[action].model_validate(raw)
    except ValueError:  # not JSON, or not the answer (pydantic's ValidationError too)
        return None
