"""Requests answered before they reach a worker: retained, over the rate, or over the backlog.

These answers touch no database and store nothing, so the kiosk may send the same
transaction again later and then gets the real (stored) answer. "Not now" answers
(``rate_limited``, ``busy``) go out with QoS 0: a flood of them never queues ahead of
other kiosks' answers in the server's window of unacknowledged messages, and one lost
costs nothing (the kiosk sends its request again).
"""

from __future__ import annotations

from uuid import UUID

from pydantic_core import from_json

from queue_server.i18n import both
from queue_server.mqtt.kiosk_requests import Outgoing
from queue_server.protocol import topics
from queue_server.protocol.answers import error_answer
from queue_server.protocol.base import dump
from queue_server.protocol.messages import MAX_PAYLOAD_BYTES, ErrorCode

RATE_LIMITED = "This kiosk sent too many requests; try again in a moment."
BUSY = "The server is still handling this kiosk's earlier requests; try again in a moment."
RETAINED = "A request must not be sent as a retained message; it was not carried out."
TEMPLATES = {
    ErrorCode.RATE_LIMITED: RATE_LIMITED,
    ErrorCode.BUSY: BUSY,
    ErrorCode.RETAINED_NOT_ALLOWED: RETAINED,
}


def request_route(topic: str) -> tuple[str, str] | None:
    """``(device, response topic)`` of a kiosk request topic, None for any other topic.

    The server subscribes to ``antre/v1/{office}/kiosk/+/request/+``, and the broker's ACL
    lets a kiosk publish only under its own id.
    """
    try:
        parsed = topics.parse(topic)
    except topics.TopicError:
        return None
    if parsed.kind != "kiosk_request" or parsed.subject is None or parsed.action is None:
        return None
    return parsed.subject, topics.kiosk_response(parsed.office, parsed.subject, parsed.action)


def refusal(response_topic: str, payload: bytes, code: ErrorCode) -> Outgoing:
    """The error answer to a request refused with ``code``, echoing its transaction."""
    messages = both(TEMPLATES[code])
    qos = 1 if code is ErrorCode.RETAINED_NOT_ALLOWED else 0
    answer = error_answer(transaction_of(payload), code, messages)
    return Outgoing(response_topic, dump(answer), qos=qos)


def transaction_of(payload: bytes) -> UUID | None:
    """The request's transaction id when it can be read; never raises."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return None
    try:
        raw = from_json(payload, allow_inf_nan=False)
        return UUID(str(raw["transaction"])) if isinstance(raw, dict) else None
    except (ValueError, KeyError):  # pydantic-core's parse errors are ValueErrors
        return None
