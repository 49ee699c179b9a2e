"""MQTT topic builders and parsers for contract v1 (``antre/v1/{office}/...``).

Pure functions: no broker needed to test them. IDs match ``[a-z0-9-]+`` and never
contain a slash or an MQTT wildcard, so a topic always parses back unambiguously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PROTOCOL_VERSION = "v1"
ROOT = "antre"
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class KioskAction(StrEnum):
    ISSUE_TICKET = "issue_ticket"
    CHECK_IN = "check_in"
    LOOKUP = "lookup"
    LEASE_NUMBERS = "lease_numbers"
    SYNC_TICKETS = "sync_tickets"
    RATE = "rate"


ACTIONS = frozenset(action.value for action in KioskAction)


class TopicError(ValueError):
    """A topic or id that does not follow the contract."""


def check_id(value: str, what: str = "id") -> str:
    if not ID_PATTERN.fullmatch(value):
        raise TopicError(f"{what} {value!r} must match [a-z0-9-]+ (1-64 characters)")
    return value


def prefix(office: str) -> str:
    return f"{ROOT}/{PROTOCOL_VERSION}/{check_id(office, 'office')}"


def office_filter(office: str | None) -> str:
    """The topic prefix of ``office``, or a filter matching every office when None."""
    return f"{ROOT}/{PROTOCOL_VERSION}/+" if office is None else prefix(office)


def device_status(office: str, device: str) -> str:
    return f"{prefix(office)}/device/{check_id(device, 'device')}/status"


def device_health(office: str, device: str) -> str:
    return f"{prefix(office)}/device/{check_id(device, 'device')}/health"


def kiosk_request(office: str, device: str, action: KioskAction) -> str:
    return f"{prefix(office)}/kiosk/{check_id(device, 'device')}/request/{action.value}"


def kiosk_response(office: str, device: str, action: KioskAction) -> str:
    return f"{prefix(office)}/kiosk/{check_id(device, 'device')}/response/{action.value}"


def queue_state(office: str, service: str) -> str:
    return f"{prefix(office)}/queue/{check_id(service, 'service')}/state"


def counter_state(office: str, counter: str) -> str:
    return f"{prefix(office)}/counter/{check_id(counter, 'counter')}/state"


def board(office: str) -> str:
    return f"{prefix(office)}/board"


def event_called(office: str) -> str:
    return f"{prefix(office)}/event/called"


def config(office: str, kind: str) -> str:
    return f"{prefix(office)}/config/{check_id(kind, 'kind')}"


@dataclass(frozen=True, slots=True)
class ParsedTopic:
    """A contract topic taken apart: ``kind`` names the row of the contract table."""

    office: str
    kind: str
    subject: str | None = None
    action: str | None = None


def parse(topic: str) -> ParsedTopic:
    """Parse any v1 topic; raises :class:`TopicError` for anything outside the contract."""
    parts = topic.split("/")
    if len(parts) < 4 or parts[0] != ROOT or parts[1] != PROTOCOL_VERSION:
        raise TopicError(f"not an {ROOT}/{PROTOCOL_VERSION} topic: {topic!r}")
    office = check_id(parts[2], "office")
    rest = parts[3:]
    return ParsedTopic(office, *_parse_rest(rest, topic))


def _parse_rest(rest: list[str], topic: str) -> tuple[str, str | None, str | None]:
    match rest:
        case ["board"]:
            return "board", None, None
        case ["event", "called"]:
            return "event_called", None, None
        case ["device", device, ("status" | "health") as what]:
            return f"device_{what}", check_id(device, "device"), None
        case ["kiosk", device, ("request" | "response") as way, action] if action in ACTIONS:
            return f"kiosk_{way}", check_id(device, "device"), action
        case ["queue", service, "state"]:
            return "queue_state", check_id(service, "service"), None
        case ["counter", counter, "state"]:
            return "counter_state", check_id(counter, "counter"), None
        case ["config", kind]:
            return "config", check_id(kind, "kind"), None
    raise TopicError(f"unknown topic: {topic!r}")
