"""The AsyncAPI 3.0 document of MQTT contract v1, generated from the protocol code.

``build_document()`` is a pure function. Addresses come from the topic builders in
:mod:`queue_server.protocol.topics` (called with placeholder ids), request payloads from the
pydantic models in :mod:`queue_server.protocol.messages`, and the response and event examples
from ``ok_response``, ``error_response`` and ``called_event``. The retained state payloads
(``board``, ``counter/{counter}/state``, ``queue/{service}/state``) and the answer of every
kiosk action are written out by hand below, because this package may not import the server
code that builds them (``queue_server.services.views``, ``queue_server.mqtt``).

Regenerate the committed copy with::

    python -m queue_server.protocol.asyncapi > docs/asyncapi.json
    python -m queue_server.protocol.asyncapi --check docs/asyncapi.json   # exit 1 if stale
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from pydantic import BaseModel

from queue_server.protocol import topics
from queue_server.protocol.messages import (
    ACTION_DATA,
    MAX_PAYLOAD_BYTES,
    DeviceHealth,
    DeviceStatus,
    ErrorCode,
    Request,
    called_event,
    error_response,
    ok_response,
)
from queue_server.protocol.topics import ID_PATTERN, KioskAction

JsonObject = dict[str, Any]

ASYNCAPI_VERSION: Final = "3.0.0"
MQTT_BINDING_VERSION: Final = "0.2.0"
CONTENT_TYPE: Final = "application/json"
SCHEMAS: Final = "#/components/schemas/"
QOS: Final = 1
EXAMPLE_OFFICE: Final = "kanim-banjarmasin"
EXAMPLE_TRANSACTION: Final = UUID("5b0c2f5e-8a47-4f0e-9d55-1c1f0d2b7a10")
EXAMPLE_TS: Final = "2025-03-03T10:15:00+08:00"
#: The code ``kiosk_requests.py`` answers when an action is not wired on the server.
NOT_AVAILABLE: Final = "not_available"


# ---------------------------------------------------------------------------- topics


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One row of the contract table: a topic builder and how the topic is used."""

    builder: Callable[..., str]
    retained: bool
    direction: str
    readers: str

    @property
    def name(self) -> str:
        return self.builder.__name__


TOPICS: Final[tuple[TopicSpec, ...]] = (
    TopicSpec(
        topics.device_status,
        retained=True,
        direction="device → server; the device sets the same topic as its last will with "
        '`{"state": "offline"}`',
        readers="server",
    ),
    TopicSpec(
        topics.device_health,
        retained=True,
        direction="device → server; the kiosk publishes only changes",
        readers="server",
    ),
    TopicSpec(
        topics.kiosk_request,
        retained=False,
        direction="kiosk → server; the broker's ACL lets a kiosk publish only under its own "
        "id. The payload for each `{action}` is the message whose `name` is that action",
        readers="server",
    ),
    TopicSpec(
        topics.kiosk_response,
        retained=False,
        direction="server → kiosk; exactly one answer per request, also for a malformed one, "
        "on the request's `{action}`: the message whose `name` is that action",
        readers="the kiosk `{device}` only",
    ),
    TopicSpec(
        topics.queue_state,
        retained=True,
        direction="server → kiosks, displays",
        readers="kiosks, displays, counter displays",
    ),
    TopicSpec(
        topics.counter_state,
        retained=True,
        direction="server → displays",
        readers="displays, counter displays",
    ),
    TopicSpec(
        topics.board,
        retained=True,
        direction="server → lobby displays",
        readers="displays, counter displays",
    ),
    TopicSpec(
        topics.event_called,
        retained=False,
        direction="server → displays (one message per call and recall)",
        readers="displays, counter displays",
    ),
    TopicSpec(
        topics.config,
        retained=True,
        direction="server → kiosks, displays (at start, reconnect and office reload)",
        readers="kiosks read `config/kiosk`; displays read `config/{their kind}`",
    ),
)

_PLACEHOLDER: Final = "zz{}zz"


def address_template(builder: Callable[..., str]) -> tuple[str, tuple[str, ...]]:
    """The builder's topic with ``{parameter}`` in place of each argument, and their names.

    The builder is called with placeholder ids (and the first kiosk action), so the address
    is the one the server really uses.
    """
    names = tuple(inspect.signature(builder).parameters)
    values = [
        KioskAction.ISSUE_TICKET if name == "action" else _PLACEHOLDER.format(name)
        for name in names
    ]
    address = builder(*values)
    for name, value in zip(names, values, strict=True):
        text = str(value)
        if address.count(text) != 1:
            raise ValueError(f"{builder.__name__}: cannot place {{{name}}} in {address!r}")
        address = address.replace(text, "{" + name + "}")
    return address, names


# ---------------------------------------------------------------------------- schemas


def _ref(name: str) -> JsonObject:
    return {"$ref": SCHEMAS + name}


def _nullable(schema: JsonObject) -> JsonObject:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(
    properties: JsonObject, *, description: str | None = None, optional: Iterable[str] = ()
) -> JsonObject:
    skipped = set(optional)
    schema: JsonObject = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in skipped],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _text(description: str | None = None, **extra: Any) -> JsonObject:
    schema: JsonObject = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _integer(description: str | None = None, **extra: Any) -> JsonObject:
    schema: JsonObject = {"type": "integer", **extra}
    if description:
        schema["description"] = description
    return schema


def _number(description: str | None = None) -> JsonObject:
    schema: JsonObject = {"type": "number"}
    if description:
        schema["description"] = description
    return schema


def _time(description: str) -> JsonObject:
    return _text(description, format="date-time")


def _camel(action: KioskAction) -> str:
    return "".join(part.title() for part in action.value.split("_"))


class _Schemas:
    """``components.schemas`` being filled; pydantic ``$defs`` are hoisted into it."""

    def __init__(self) -> None:
        self.items: JsonObject = {}

    def add(self, name: str, schema: JsonObject) -> JsonObject:
        if name in self.items and self.items[name] != schema:
            raise ValueError(f"two different schemas are named {name!r}")
        self.items[name] = schema
        return _ref(name)

    def model(self, model: type[BaseModel]) -> JsonObject:
        schema = model.model_json_schema(ref_template=SCHEMAS + "{model}")
        for name, definition in schema.pop("$defs", {}).items():
            self.add(name, definition)
        return self.add(model.__name__, schema)


def _shared_schemas(schemas: _Schemas) -> None:
    request = Request.model_json_schema()
    schemas.add("TransactionId", request["properties"]["transaction"])
    schemas.add(
        "Id",
        _text(
            "An office, device, service, counter or kind id: never a slash, a wildcard or "
            "an upper-case letter.",
            pattern=ID_PATTERN.pattern,
        ),
    )
    schemas.add(
        "Seq",
        _integer(
            "Only grows, also across server restarts (microseconds since the epoch, bumped "
            "when two fall in the same microsecond, never below the last one the server "
            "recorded): drop a message whose seq is lower than the last one seen on the "
            "topic.",
            minimum=1,
        ),
    )
    schemas.add(
        "Bilingual",
        _object(
            {"id": _text("Indonesian"), "en": _text("English")},
            description="The same text in Indonesian and English.",
        ),
    )
    schemas.add(
        "Station",
        _text(
            "A station type: INFO, CS, BIO, BIO_PRIORITY, BAP, LOKET, PAY, PICKUP, COMPLAINT.",
            examples=["CS"],
        ),
    )


def _answer_schemas(schemas: _Schemas) -> dict[KioskAction, JsonObject]:
    """The ``data`` of an ok answer, per action (what ``kiosk_requests.py`` returns)."""
    ticket = schemas.add(
        "TicketAnswer",
        _object(
            {
                "label": _text("The number on the ticket.", examples=["B-001"]),
                "token": _text("What the ticket's QR carries."),
                "service": _ref("Id"),
                "station": _ref("Station"),
                "issued_at": _time("When the ticket was issued."),
                "people_ahead": _integer(minimum=0),
                "estimated_wait_minutes": _nullable(
                    _number("null while no counter serving the station is open")
                ),
                "priority": {"type": "boolean"},
                "status_path": _text(
                    "The public status page of the ticket: /api/v1/public/tickets/{token}.",
                    pattern="^/api/v1/public/tickets/",
                ),
            },
            description="A ticket given by `issue_ticket` or `check_in`.",
        ),
    )
    lookup = schemas.add(
        "LookupAnswer",
        _object(
            {
                "label": _text(examples=["B-001"]),
                "office": _text("The office's name (not its id)."),
                "service": _ref("Bilingual"),
                "station": _ref("Station"),
                "status": _text(
                    "waiting, called, serving, done, no_show, parked, cancelled or transferred",
                    examples=["waiting"],
                ),
                "issued_at": _time("When the visit began."),
                "people_ahead": _nullable(_integer("set only while waiting", minimum=0)),
                "estimated_wait_minutes": _nullable(_number("set only while waiting")),
                "counter": _nullable(
                    _text("The counter's name, set only while called or serving.")
                ),
            },
            description="A ticket's public status (no personal data), found by the ticket "
            "token or the status URL that ends with it.",
        ),
    )
    lease = schemas.add(
        "LeaseAnswer",
        _object(
            {
                "lease": _text("The lease id, sent back with each offline ticket."),
                "service": _ref("Id"),
                "prefix": _text(examples=["B"]),
                "office_day": _text(format="date"),
                "first_number": _integer(minimum=1),
                "last_number": _integer(minimum=1),
                "first_label": _text(examples=["B-101"]),
                "last_label": _text(examples=["B-150"]),
            },
            description="A block of numbers for this kiosk only, for this office day.",
        ),
    )
    accepted = schemas.add(
        "SyncAccepted",
        _object(
            {
                "lease": _text(),
                "number": _integer(minimum=1),
                "status": {"const": "accepted"},
                "label": _text(),
                "token": _text(),
            },
            description="The ticket is in the queue (the same label and token every time it "
            "is sent again).",
        ),
    )
    refused = schemas.add(
        "SyncRefused",
        _object(
            {
                "lease": _text(),
                "number": _integer(),
                "status": {"const": "refused"},
                "error": _object(
                    {"code": _text(examples=["lease_invalid"]), "messages": _ref("Bilingual")}
                ),
            }
        ),
    )
    sync = schemas.add(
        "SyncAnswer",
        _object(
            {"tickets": {"type": "array", "items": {"oneOf": [accepted, refused]}}},
            description="One outcome per ticket, in the order sent.",
        ),
    )
    rate = schemas.add(
        "RateAnswer",
        _object(
            {
                "label": _text(),
                "station": _ref("Station"),
                "score": _integer(minimum=1, maximum=4),
            },
            description="The rated step: the visit's latest finished step that asks for a rating.",
        ),
    )
    return {
        KioskAction.ISSUE_TICKET: ticket,
        KioskAction.CHECK_IN: ticket,
        KioskAction.LOOKUP: lookup,
        KioskAction.LEASE_NUMBERS: lease,
        KioskAction.SYNC_TICKETS: sync,
        KioskAction.RATE: rate,
    }


def _error_schema(schemas: _Schemas) -> JsonObject:
    codes = ", ".join(f"`{code.value}`" for code in ErrorCode)
    return schemas.add(
        "ErrorResponse",
        _object(
            {
                "transaction": _nullable(_ref("TransactionId")),
                "status": {"const": "error"},
                "error": _object(
                    {
                        "code": _text(
                            f"Refused messages: {codes}. `{NOT_AVAILABLE}`: the action is not "
                            "wired on this server. Otherwise the queue rule that refused "
                            "(e.g. `service_closed`, `quota_full`, `booking_not_found`).",
                            examples=[code.value for code in ErrorCode],
                        ),
                        "message": _text("The Indonesian text (`messages.id`)."),
                        "messages": _ref("Bilingual"),
                    }
                ),
            },
            description="A refusal; it changed nothing. `transaction` is null when the request "
            "could not be read far enough to find it.",
        ),
    )


def _counter_properties() -> JsonObject:
    return {
        "stations": {"type": "array", "items": _ref("Station")},
        "code": _ref("Id"),
        "name": _text(examples=["CS 1"]),
        "is_open": {"type": "boolean"},
        "ticket_label": _nullable(_text("The ticket called or served here.")),
        "ticket_status": {"enum": ["called", "serving", None]},
        "ticket_id": _nullable(_integer()),
        "since": _nullable(
            _text(
                "When the ticket was called, as Python's str() of the UTC time: "
                "`YYYY-MM-DD HH:MM:SS[.ffffff]+00:00` (a space, not `T`).",
                pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$",
            )
        ),
    }


def _state_schemas(schemas: _Schemas) -> dict[str, JsonObject]:
    """Retained states and the call event (what ``publisher.py`` and ``views.py`` emit)."""
    counter = schemas.add(
        "CounterSnapshot",
        _object(_counter_properties(), description="An active counter, as listed on the board."),
    )
    counter_state = schemas.add(
        "CounterState",
        _object(
            {**_counter_properties(), "seq": _ref("Seq")},
            description="One active counter: open or not, the stations it serves, its "
            "current ticket.",
        ),
    )
    board = schemas.add(
        "Board",
        _object(
            {
                "seq": _ref("Seq"),
                "counters": {"type": "array", "items": counter, "description": "By code."},
                "serving": {
                    "type": "array",
                    "items": counter,
                    "description": "The counters with a ticket, in the same order.",
                },
            },
            description="The lobby board: every active counter.",
        ),
    )
    journey_step = _object(
        {
            "station": _ref("Station"),
            "standard_minutes": _number("The SOP's standard duration."),
            "after_working_days": _integer(minimum=0),
        }
    )
    queue_state = schemas.add(
        "QueueState",
        _object(
            {
                "service": _ref("Id"),
                "prefix": _text(examples=["B"]),
                "name": _ref("Bilingual"),
                "kind": _text(
                    "booking_required, walk_in, pickup, complaint or information",
                    examples=["walk_in"],
                ),
                "waiting": _integer(minimum=0),
                "waiting_per_station": {
                    "type": "object",
                    "additionalProperties": _integer(minimum=1),
                    "description": "Waiting tickets by station type (only stations with some).",
                },
                "people_ahead_of_newcomer": _integer(minimum=0),
                "open_counters": _integer(minimum=0),
                "minutes_per_ticket": _number(),
                "estimated_wait_minutes": _nullable(
                    _number("For a newcomer; null while no counter is open.")
                ),
                "open_now": {"type": "boolean"},
                "session": _nullable(_text("The code of the session open now.")),
                "next_opening": _nullable(_time("Set only while closed (within 31 days).")),
                "quota": _object(
                    {
                        "limit": _nullable(_integer(minimum=0)),
                        "used": _integer(minimum=0),
                        "left": _nullable(_integer(minimum=0)),
                    },
                    description="Of today's service quota, or of the special session open now.",
                ),
                "journey": {"type": "array", "items": journey_step},
                "seq": _ref("Seq"),
            },
            description="One active service: waiting, open counters, estimated wait for a "
            "newcomer, quota and opening hours.",
        ),
    )
    called = schemas.add(
        "CalledEvent",
        _object(
            {
                "id": _integer(
                    "Names the call: the same in every copy of it (a call can be delivered "
                    "again after a server restart), another for each call or recall, never "
                    "reused. Announce an id once.",
                    minimum=1,
                ),
                "seq": _ref("Seq"),
                "ticket": _text("The ticket's label.", examples=["B-001"]),
                "counter": _ref("Id"),
                "counter_name": _text(examples=["CS 1"]),
                "service": _ref("Id"),
                "recall": {"type": "boolean"},
                "ts": _time("When the call was made."),
            },
            description="A call or a recall, to announce.",
        ),
    )
    config = schemas.add(
        "Config",
        _object(
            {
                "seq": _ref("Seq"),
                "content_version": _integer("The office configuration's version."),
                "office": _object(
                    {
                        "id": _ref("Id"),
                        "name": _text(),
                        "address": _text(),
                        "timezone": _text(examples=["Asia/Makassar"]),
                    }
                ),
                "languages": {"type": "array", "items": _text(examples=["id"])},
                "services": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _ref("Id"),
                            "prefix": _text(examples=["B"]),
                            "name": _ref("Bilingual"),
                            "description": _nullable(_ref("Bilingual")),
                            "kind": _text(examples=["walk_in"]),
                            "first_station": _text(examples=["CS"]),
                            "needs_booking": {"type": "boolean"},
                            "has_quota": {"type": "boolean"},
                            "offline_allowed": {"type": "boolean"},
                        }
                    ),
                },
                "priority_categories": {
                    "type": "array",
                    "items": _object({"code": _text(), "name": _ref("Bilingual")}),
                },
                "booking_window_minutes": _object(
                    {"early": _integer(), "late": _integer()}
                ),
                "ticket_footer": _nullable(_ref("Bilingual")),
                "counters": {
                    "type": "array",
                    "items": _object(
                        {
                            "code": _ref("Id"),
                            "name": _text(),
                            "stations": {"type": "array", "items": _text()},
                        }
                    ),
                },
            },
            optional=("priority_categories", "booking_window_minutes", "ticket_footer", "counters"),
            description="What a device shows about its office. `config/kiosk` carries "
            "`priority_categories`, `booking_window_minutes` and `ticket_footer`; "
            "`config/display` and `config/counter-display` carry `counters`.",
        ),
    )
    return {
        "counter_state": counter_state,
        "board": board,
        "queue_state": queue_state,
        "event_called": called,
        "config": config,
    }


# ---------------------------------------------------------------------------- examples

REQUEST_EXAMPLES: Final[dict[KioskAction, JsonObject]] = {
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
    KioskAction.LOOKUP: {"code": "https://antre.example/t/3N_10c50Orx-UgeiOQPu-R5R"},
    KioskAction.LEASE_NUMBERS: {"service": "paspor-walkin", "count": 50},
    KioskAction.SYNC_TICKETS: {
        "tickets": [
            {
                "service": "paspor-walkin",
                "number": 101,
                "issued_at": EXAMPLE_TS,
                "language": "id",
                "lease": "121bdb96edc9092a",
            }
        ]
    },
    KioskAction.RATE: {"ticket_token": "3N_10c50Orx-UgeiOQPu-R5R", "score": 4},
}

_TICKET: Final[JsonObject] = {
    "label": "B-001",
    "token": "3N_10c50Orx-UgeiOQPu-R5R",
    "service": "paspor-walkin",
    "station": "CS",
    "issued_at": EXAMPLE_TS,
    "people_ahead": 3,
    "estimated_wait_minutes": 12.0,
    "priority": False,
    "status_path": "/api/v1/public/tickets/3N_10c50Orx-UgeiOQPu-R5R",
}

ANSWER_EXAMPLES: Final[dict[KioskAction, JsonObject]] = {
    KioskAction.ISSUE_TICKET: _TICKET,
    KioskAction.CHECK_IN: {**_TICKET, "label": "A-014", "service": "paspor-mpaspor"},
    KioskAction.LOOKUP: {
        "label": "B-001",
        "office": "Kantor Imigrasi Banjarmasin",
        "service": {"id": "Paspor tanpa janji", "en": "Passport walk-in"},
        "station": "CS",
        "status": "waiting",
        "issued_at": EXAMPLE_TS,
        "people_ahead": 3,
        "estimated_wait_minutes": 12.0,
        "counter": None,
    },
    KioskAction.LEASE_NUMBERS: {
        "lease": "121bdb96edc9092a",
        "service": "paspor-walkin",
        "prefix": "B",
        "office_day": "2025-03-03",
        "first_number": 101,
        "last_number": 150,
        "first_label": "B-101",
        "last_label": "B-150",
    },
    KioskAction.SYNC_TICKETS: {
        "tickets": [
            {
                "lease": "121bdb96edc9092a",
                "number": 101,
                "status": "accepted",
                "label": "B-101",
                "token": "qS7XWtGze3jsf_Dbc1ANieAz",
            },
            {
                "lease": "121bdb96edc9092a",
                "number": 999,
                "status": "refused",
                "error": {
                    "code": "lease_invalid",
                    "messages": {
                        "id": "Blok nomor 121bdb96edc9092a bukan milik kios ini atau sudah "
                        "kedaluwarsa.",
                        "en": "Number block 121bdb96edc9092a does not belong to this kiosk or "
                        "has expired.",
                    },
                },
            },
        ]
    },
    KioskAction.RATE: {"label": "B-001", "station": "BIO", "score": 4},
}

_ERROR_CODE: Final = "service_closed"
_ERROR_MESSAGES: Final[dict[str, str]] = {
    "id": "Layanan Paspor tanpa janji sedang tidak buka.",
    "en": "Passport walk-in is not open now.",
}

_COUNTER_EXAMPLE: Final[JsonObject] = {
    "stations": ["CS"],
    "code": "cs-1",
    "name": "CS 1",
    "is_open": True,
    "ticket_label": "B-001",
    "ticket_status": "called",
    "ticket_id": 1,
    "since": "2025-03-03 02:15:00+00:00",
}
_IDLE_COUNTER_EXAMPLE: Final[JsonObject] = {
    "stations": ["BIO"],
    "code": "bio-1",
    "name": "Booth 1",
    "is_open": False,
    "ticket_label": None,
    "ticket_status": None,
    "ticket_id": None,
    "since": None,
}

STATE_EXAMPLES: Final[dict[str, JsonObject]] = {
    "device_status": {"state": "online", "kind": "kiosk", "version": "1.0.0", "ts": EXAMPLE_TS},
    "device_health": {
        "components": {"printer": "paper_near_end", "scanner": "ok", "card_reader": "ok"},
        "ts": EXAMPLE_TS,
    },
    "counter_state": {**_COUNTER_EXAMPLE, "seq": 1741000500000000},
    "board": {
        "seq": 1741000500000001,
        "counters": [_IDLE_COUNTER_EXAMPLE, _COUNTER_EXAMPLE],
        "serving": [_COUNTER_EXAMPLE],
    },
    "queue_state": {
        "service": "paspor-walkin",
        "prefix": "B",
        "name": {"id": "Paspor tanpa janji", "en": "Passport walk-in"},
        "kind": "walk_in",
        "waiting": 2,
        "waiting_per_station": {"CS": 2},
        "people_ahead_of_newcomer": 2,
        "open_counters": 1,
        "minutes_per_ticket": 4.0,
        "estimated_wait_minutes": 8.0,
        "open_now": True,
        "session": "regular",
        "next_opening": None,
        "quota": {"limit": 120, "used": 40, "left": 80},
        "journey": [
            {"station": "CS", "standard_minutes": 4.0, "after_working_days": 0},
            {"station": "BIO", "standard_minutes": 10.0, "after_working_days": 0},
            {"station": "PICKUP", "standard_minutes": 2.0, "after_working_days": 4},
        ],
        "seq": 1741000500000002,
    },
}


def _called_example() -> JsonObject:
    payload: JsonObject = json.loads(
        called_event(
            id=1207,
            seq=1741000500000003,
            ticket="B-001",
            counter="cs-1",
            counter_name="CS 1",
            service="paspor-walkin",
            recall=False,
            at=datetime.fromisoformat(EXAMPLE_TS),
        )
    )
    return payload


def _example(name: str, payload: JsonObject, summary: str | None = None) -> JsonObject:
    example: JsonObject = {"name": name, "payload": payload}
    if summary:
        example["summary"] = summary
    return example


# ---------------------------------------------------------------------------- document


def _message(
    name: str,
    title: str,
    payload: JsonObject,
    examples: list[JsonObject],
    *,
    summary: str | None = None,
    correlated: bool = False,
) -> JsonObject:
    message: JsonObject = {
        "name": name,
        "title": title,
        "contentType": CONTENT_TYPE,
        "payload": payload,
        "examples": examples,
    }
    if summary:
        message["summary"] = summary
    if correlated:
        message["correlationId"] = {"$ref": "#/components/correlationIds/transaction"}
    return message


def _messages(schemas: _Schemas) -> JsonObject:
    _shared_schemas(schemas)
    answers = _answer_schemas(schemas)
    error = _error_schema(schemas)
    states = _state_schemas(schemas)
    request_schema = Request.model_json_schema()
    messages: JsonObject = {
        "device_status": _message(
            "device_status",
            "Device status",
            schemas.model(DeviceStatus),
            [
                _example("online", STATE_EXAMPLES["device_status"]),
                _example("last_will", {"state": "offline"}, "The last will."),
            ],
        ),
        "device_health": _message(
            "device_health",
            "Device health",
            schemas.model(DeviceHealth),
            [_example("kiosk", STATE_EXAMPLES["device_health"])],
            summary="One short state word per component (at most 32). Kiosks report printer "
            "(ok, paper_near_end, paper_out, cover_open, offline, timeout, printer_error, "
            "status_unknown), scanner (ok, stopped, failed) and card_reader (ok, absent, error).",
        ),
    }
    for action in KioskAction:
        camel = _camel(action)
        data = schemas.model(ACTION_DATA[action])
        data_required = bool(schemas.items[ACTION_DATA[action].__name__].get("required"))
        envelope = schemas.add(
            f"{camel}Request",
            {
                "type": "object",
                "properties": {"transaction": _ref("TransactionId"), "data": data},
                "required": [
                    *request_schema.get("required", []),
                    *(["data"] if data_required else []),
                ],
                "additionalProperties": request_schema.get("additionalProperties", True),
            },
        )
        messages[f"{action.value}_request"] = _message(
            action.value,
            f"{action.value} request",
            envelope,
            [
                _example(
                    action.value,
                    {"transaction": str(EXAMPLE_TRANSACTION), "data": REQUEST_EXAMPLES[action]},
                )
            ],
            summary="Idempotent by `transaction`: a retry gets the first answer again.",
            correlated=True,
        )
        ok = schemas.add(
            f"{camel}Ok",
            _object(
                {
                    "transaction": _ref("TransactionId"),
                    "status": {"const": "ok"},
                    "data": answers[action],
                }
            ),
        )
        ok_payload = json.loads(ok_response(EXAMPLE_TRANSACTION, ANSWER_EXAMPLES[action]))
        error_payload = json.loads(
            error_response(EXAMPLE_TRANSACTION, _ERROR_CODE, _ERROR_MESSAGES)
        )
        messages[f"{action.value}_response"] = _message(
            action.value,
            f"{action.value} response",
            {"oneOf": [ok, error]},
            [_example("ok", ok_payload), _example("error", error_payload)],
            correlated=True,
        )
    messages["queue_state"] = _message(
        "queue_state",
        "Queue state",
        states["queue_state"],
        [_example("walk_in", STATE_EXAMPLES["queue_state"])],
    )
    messages["counter_state"] = _message(
        "counter_state",
        "Counter state",
        states["counter_state"],
        [_example("calling", STATE_EXAMPLES["counter_state"])],
    )
    messages["board"] = _message(
        "board", "Lobby board", states["board"], [_example("one_call", STATE_EXAMPLES["board"])]
    )
    messages["event_called"] = _message(
        "event_called",
        "Ticket called",
        states["event_called"],
        [_example("call", _called_example())],
    )
    messages["config"] = _message("config", "Device configuration", states["config"], [])
    return messages


_CHANNEL_MESSAGES: Final[dict[str, tuple[str, ...]]] = {
    "kiosk_request": tuple(f"{action.value}_request" for action in KioskAction),
    "kiosk_response": tuple(f"{action.value}_response" for action in KioskAction),
}


def _parameters() -> JsonObject:
    described = {
        "office": "The office id.",
        "device": "The device's id, which is also its MQTT account name.",
        "service": "A service code of the office.",
        "counter": "A counter code of the office.",
        "kind": "A device kind: kiosk, display or counter-display.",
    }
    examples = {
        "office": EXAMPLE_OFFICE,
        "device": "kiosk-1",
        "service": "paspor-walkin",
        "counter": "cs-1",
        "kind": "kiosk",
    }
    parameters: JsonObject = {
        name: {
            "description": f"{text} Matches `{ID_PATTERN.pattern}`.",
            "examples": [examples[name]],
            "x-pattern": ID_PATTERN.pattern,
        }
        for name, text in described.items()
    }
    parameters["action"] = {
        "description": "The kiosk action.",
        "enum": [action.value for action in KioskAction],
    }
    return parameters


def _channels() -> JsonObject:
    channels: JsonObject = {}
    for spec in TOPICS:
        address, names = address_template(spec.builder)
        message_ids = _CHANNEL_MESSAGES.get(spec.name, (spec.name,))
        channel: JsonObject = {
            "address": address,
            "title": spec.name,
            "description": (
                f"Built by `topics.{spec.name}`. {'Retained' if spec.retained else 'Not retained'}"
                f", QoS {QOS}. Direction: {spec.direction}. Readers (ACL): {spec.readers}."
            ),
            "messages": {
                message_id: {"$ref": f"#/components/messages/{message_id}"}
                for message_id in message_ids
            },
        }
        if names:
            channel["parameters"] = {
                name: {"$ref": f"#/components/parameters/{name}"} for name in names
            }
        channels[spec.name] = channel
    return channels


def _bindings(retain: bool) -> JsonObject:
    return {"mqtt": {"qos": QOS, "retain": retain, "bindingVersion": MQTT_BINDING_VERSION}}


def _operation(
    action: str, channel: str, message_ids: Sequence[str], description: str, retain: bool
) -> JsonObject:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{mid}"} for mid in message_ids],
        "description": description,
        "bindings": _bindings(retain),
    }


def _operations() -> JsonObject:
    retained = {spec.name: spec.retained for spec in TOPICS}
    operations: JsonObject = {
        "receive_device_status": _operation(
            "receive",
            "device_status",
            ["device_status"],
            "The server subscribes to `device/+/status` and stores status and last seen.",
            retained["device_status"],
        ),
        "receive_device_health": _operation(
            "receive",
            "device_health",
            ["device_health"],
            "The server subscribes to `device/+/health` and stores component health; invalid "
            "reports are logged and ignored.",
            retained["device_health"],
        ),
    }
    for action in KioskAction:
        request, response = f"{action.value}_request", f"{action.value}_response"
        receive = _operation(
            "receive",
            "kiosk_request",
            [request],
            f"The server answers `{action.value}` on `kiosk/{{device}}/response/{action.value}`.",
            retained["kiosk_request"],
        )
        receive["reply"] = {
            "channel": {"$ref": "#/channels/kiosk_response"},
            "messages": [{"$ref": f"#/channels/kiosk_response/messages/{response}"}],
        }
        operations[f"receive_{action.value}"] = receive
        operations[f"send_{action.value}_response"] = _operation(
            "send",
            "kiosk_response",
            [response],
            f"The answer to a `{action.value}` request (same `transaction`).",
            retained["kiosk_response"],
        )
    published = {
        "queue_state": "After every change of the service's queue and at every reconnect.",
        "counter_state": "Every active counter after every call, counter change and reconnect.",
        "board": "With the counter states.",
        "event_called": "For every call and recall, after its transaction commits.",
        "config": "At start, at every reconnect and when the office is reloaded.",
    }
    for channel, when in published.items():
        operations[f"send_{channel}"] = _operation(
            "send", channel, [channel], when, retained[channel]
        )
    return operations


DESCRIPTION: Final = f"""\
The MQTT contract between the Antre queue server of one immigration office and its kiosks \
and displays (contract v1, see docs/protocol.md).

Operations are written from the point of view of the SERVER: `receive` is what the server \
subscribes to (device reports, kiosk requests), `send` what it publishes (answers, states, \
calls). Devices do the opposite.

Every topic starts with `antre/v1/{{office}}/`; every id matches `{ID_PATTERN.pattern}`. \
Payloads are JSON objects of at most {MAX_PAYLOAD_BYTES} bytes. Retained states carry a \
`seq` that only grows, so a client drops a stale snapshot. Kiosk requests are idempotent by \
`transaction`: a retry gets the first answer again. All messages use QoS {QOS}.

Generated by `python -m queue_server.protocol.asyncapi` from queue_server/protocol; do not \
edit docs/asyncapi.json by hand."""


def build_document() -> JsonObject:
    """The AsyncAPI 3.0.0 document of contract v1 (pure: no I/O)."""
    schemas = _Schemas()
    messages = _messages(schemas)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Antre MQTT contract",
            "version": "1",
            "description": DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "office": {
                "host": "127.0.0.1:1883",
                "protocol": "mqtt",
                "protocolVersion": "5",
                "description": "The office's Mosquitto as `antre serve` runs it "
                "(mqtt://127.0.0.1:1883; an optional TLS listener serves the LAN on 8883).",
                "security": [{"$ref": "#/components/securitySchemes/account"}],
            }
        },
        "channels": _channels(),
        "operations": _operations(),
        "components": {
            "schemas": schemas.items,
            "messages": messages,
            "parameters": _parameters(),
            "correlationIds": {
                "transaction": {
                    "description": "The kiosk's request id, echoed in the answer.",
                    "location": "$message.payload#/transaction",
                }
            },
            "securitySchemes": {
                "account": {
                    "type": "userPassword",
                    "description": "One account per device (`antre device add`); the broker's "
                    "ACL lets a device publish only its own reports and requests.",
                }
            },
        },
    }


def render(document: JsonObject) -> str:
    """The committed text: JSON, indent 2, sorted keys, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m queue_server.protocol.asyncapi",
        description="Print the AsyncAPI 3.0 document of the MQTT contract v1.",
    )
    parser.add_argument(
        "--check", metavar="FILE", type=Path, help="exit 1 when FILE differs from the output"
    )
    args = parser.parse_args(argv)
    text = render(build_document())
    if args.check is None:
        sys.stdout.write(text)
        return 0
    try:
        current = args.check.read_text(encoding="utf-8")
    except OSError as error:
        print(f"{args.check}: {error}", file=sys.stderr)
        return 1
    if current != text:
        print(
            f"{args.check} is stale: run `python -m queue_server.protocol.asyncapi > {args.check}`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
