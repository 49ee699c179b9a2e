"""Building blocks shared by every payload model of contract v1."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from queue_server.protocol.topics import ID_PATTERN

#: An office, device, service, counter or kind id, as it appears in topics.
Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN.pattern,
        description="An office, device, service, counter or kind id: never a slash, a "
        "wildcard or an upper-case letter.",
    ),
]
#: A station type of the SOP (the room or desk a ticket waits for).
Station = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z_]{1,19}$",
        description="A station type: INFO, CS, BIO, BIO_PRIORITY, BAP, LOKET, PAY, PICKUP, "
        "COMPLAINT.",
        examples=["CS"],
    ),
]
#: The ordering number of a published state or event.
Seq = Annotated[
    int,
    Field(
        ge=1,
        description="Only grows, also across server restarts (microseconds since the epoch, "
        "bumped when two fall in the same microsecond, never below the last one the server "
        "recorded): drop a message whose seq is lower than the last one seen on the topic.",
    ),
]


class TicketStatusWord(StrEnum):
    """A ticket's state, as the queue engine names it."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"


class AtCounterWord(StrEnum):
    """The state of a ticket a counter has: called, or being served."""

    CALLED = "called"
    SERVING = "serving"


class ServiceKindWord(StrEnum):
    """How a service is entered."""

    BOOKING_REQUIRED = "booking_required"
    WALK_IN = "walk_in"
    PICKUP = "pickup"
    COMPLAINT = "complaint"
    INFORMATION = "information"


class Message(BaseModel):
    """A payload of the contract: unknown fields refused, immutable once built."""

    # A field with a default is still always sent: required in the sent payload's schema.
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class Bilingual(Message):
    """The same text in Indonesian and English."""

    id: str = Field(description="Indonesian")
    en: str = Field(description="English")


class Sequenced(Message):
    """A published state or event: ``seq`` orders the messages of one topic."""

    seq: Seq


def dump(message: BaseModel) -> bytes:
    """The compact UTF-8 JSON of ``message``, as it goes on the wire."""
    return message.model_dump_json().encode()


#: How ``dump`` begins a :class:`Sequenced` message whose ``seq`` is 1 (``seq`` comes first).
_SEQ_1 = b'{"seq":1,'


def unsequenced(payload: bytes) -> bytes:
    """The content of a :class:`Sequenced` message dumped with ``seq`` 1: the payload
    without its ``seq`` (what two messages of one topic compare)."""
    if not payload.startswith(_SEQ_1):
        raise ValueError("not a message dumped with seq 1")
    return b"{" + payload[len(_SEQ_1) :]


def sequenced(content: bytes, seq: int) -> bytes:
    """The payload ``dump`` gives for the :class:`Sequenced` message of ``content`` (the
    compact JSON of the same fields without ``seq``, never empty) and ``seq``, without
    building and encoding the message again."""
    return b'{"seq":%d,' % seq + content[1:]
