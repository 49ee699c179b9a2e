"""Message models of contract v1, validated at the boundary.

Every payload is a JSON object. Requests carry a ``transaction`` id (a UUID chosen by the
kiosk) that makes them idempotent; responses echo it with ``status`` ``ok`` or ``error``.
``decode_request`` never raises on bad input: it returns a :class:`ProtocolError` with a
stable code, which the server answers with an error response and no state change.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from queue_server.protocol.topics import KioskAction

MAX_PAYLOAD_BYTES = 64 * 1024


class ErrorCode(StrEnum):
    """Protocol-level error codes; queue-rule errors reuse the domain's codes."""

    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    TOO_LARGE = "payload_too_large"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_ACTION = "unknown_action"


#: A service id as it appears in topics (no leading or trailing dash), at most 40 long.
SERVICE_ID = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
#: A component's state word in a health report.
StateWord = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssueTicketData(_Message):
    service: str = Field(pattern=SERVICE_ID)
    priority_category: str | None = Field(default=None, max_length=40)
    language: Literal["id", "en"] = "id"
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")
    phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    by_proxy: bool = False


class CheckInData(_Message):
    booking_code: str = Field(min_length=1, max_length=512)
    documents_ready: bool
    language: Literal["id", "en"] = "id"
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")


class LookupData(_Message):
    code: str = Field(min_length=1, max_length=512)


class LeaseNumbersData(_Message):
    service: str = Field(pattern=SERVICE_ID)
    count: int = Field(ge=1, le=500)


class OfflineTicket(_Message):
    service: str = Field(pattern=SERVICE_ID)
    number: int = Field(ge=1)
    issued_at: AwareDatetime
    priority_category: str | None = Field(default=None, max_length=40)
    language: Literal["id", "en"] = "id"
    lease: str = Field(min_length=1, max_length=64)
    #: The ``issue_ticket`` transaction this ticket stands in for: the kiosk gave up
    #: waiting for its answer and printed from its lease instead.
    replaces: UUID | None = None


class SyncTicketsData(_Message):
    tickets: list[OfflineTicket] = Field(min_length=1, max_length=500)


class RateData(_Message):
    ticket_token: str = Field(min_length=8, max_length=64)
    score: int = Field(ge=1, le=4)


ACTION_DATA: dict[KioskAction, type[_Message]] = {
    KioskAction.ISSUE_TICKET: IssueTicketData,
    KioskAction.CHECK_IN: CheckInData,
    KioskAction.LOOKUP: LookupData,
    KioskAction.LEASE_NUMBERS: LeaseNumbersData,
    KioskAction.SYNC_TICKETS: SyncTicketsData,
    KioskAction.RATE: RateData,
}


class Request(_Message):
    transaction: UUID
    data: dict[str, Any] = Field(default_factory=dict)


class DecodedRequest(BaseModel):
    """A valid request: its transaction id and its typed data."""

    model_config = ConfigDict(frozen=True)

    action: KioskAction
    transaction: UUID
    data: _Message


class ProtocolError(BaseModel):
    """Why a payload was refused; ``transaction`` is kept when it could be read."""

    model_config = ConfigDict(frozen=True)

    code: ErrorCode
    detail: str
    transaction: UUID | None = None


def decode_request(action: str, payload: bytes) -> DecodedRequest | ProtocolError:
    """Validate a kiosk request payload for ``action``; never raises on bad input."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return ProtocolError(
            code=ErrorCode.TOO_LARGE, detail=f"more than {MAX_PAYLOAD_BYTES} bytes"
        )
    if action not in ACTION_DATA:
        return ProtocolError(code=ErrorCode.UNKNOWN_ACTION, detail=f"unknown action {action!r}")
    try:
        raw = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return ProtocolError(code=ErrorCode.MALFORMED_JSON, detail=str(error)[:200])
    if not isinstance(raw, dict):
        return ProtocolError(code=ErrorCode.NOT_AN_OBJECT, detail="the payload must be an object")
    transaction = _transaction_of(raw)
    try:
        envelope = Request.model_validate(raw)
        data = ACTION_DATA[KioskAction(action)].model_validate(envelope.data)
    except ValidationError as error:
        return ProtocolError(
            code=ErrorCode.INVALID_FIELD, detail=_first_problem(error), transaction=transaction
        )
    return DecodedRequest(action=KioskAction(action), transaction=envelope.transaction, data=data)


def _transaction_of(raw: dict[str, Any]) -> UUID | None:
    try:
        return UUID(str(raw.get("transaction")))
    except ValueError:
        return None


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"[:200]


def ok_response(transaction: UUID, data: dict[str, Any]) -> bytes:
    return _dump({"transaction": str(transaction), "status": "ok", "data": data})


def error_response(transaction: UUID | None, code: str, messages: dict[str, str]) -> bytes:
    """An error answer; ``messages`` holds the text in Indonesian and English."""
    return _dump(
        {
            "transaction": None if transaction is None else str(transaction),
            "status": "error",
            "error": {"code": code, "message": messages.get("id", ""), "messages": messages},
        }
    )


def called_event(
    *,
    id: int,
    seq: int,
    ticket: str,
    counter: str,
    counter_name: str,
    service: str,
    recall: bool,
    at: datetime,
) -> bytes:
    """The ``event/called`` payload displays announce.

    ``id`` names the call: the same in every copy of it (a redelivery), another for each
    call or recall, never reused.
    """
    return _dump(
        {
            "id": id,
            "seq": seq,
            "ticket": ticket,
            "counter": counter,
            "counter_name": counter_name,
            "service": service,
            "recall": recall,
            "ts": at.isoformat(),
        }
    )


def _dump(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class DeviceStatus(_Message):
    """``device/{id}/status`` (retained; the last will says offline)."""

    state: Literal["online", "offline"]
    kind: str | None = Field(default=None, max_length=20)
    version: str | None = Field(default=None, max_length=40)
    ts: AwareDatetime | None = None


class DeviceHealth(_Message):
    """``device/{id}/health`` (retained): one state per component.

    Kiosks report ``printer``, ``scanner`` and ``card_reader``.
    """

    components: dict[StateWord, StateWord] = Field(max_length=32)
    ts: AwareDatetime | None = None


def decode_device(kind: str, payload: bytes) -> DeviceStatus | DeviceHealth | ProtocolError:
    """Validate a device status or health payload; never raises on bad input."""
    model: type[DeviceStatus] | type[DeviceHealth] = (
        DeviceStatus if kind == "device_status" else DeviceHealth
    )
    if len(payload) > MAX_PAYLOAD_BYTES:
        return ProtocolError(
            code=ErrorCode.TOO_LARGE, detail=f"more than {MAX_PAYLOAD_BYTES} bytes"
        )
    try:
        return model.model_validate_json(payload)
    except ValidationError as error:
        return ProtocolError(code=ErrorCode.INVALID_FIELD, detail=_first_problem(error))
