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
#: What the last level of a kiosk request topic may be: a known action or not (an unknown
#: one is answered ``unknown_action`` on the matching response topic).
ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: The longest last level of a kiosk request topic the server answers. A kiosk may publish
#: on any level under its ``request/`` (the ACL grants ``request/+``), so a level that is
#: no action name (``EXPLODE``, ``a b``) is answered ``unknown_action`` too.
ACTION_LEVEL_MAX = 200
#: MQTT's single-level and multi-level wildcards, used only in filters and ACL patterns.
ANY, REST = "+", "#"


class KioskAction(StrEnum):
    ISSUE_TICKET = "issue_ticket"
    CHECK_IN = "check_in"
    LOOKUP = "lookup"
    LEASE_NUMBERS = "lease_numbers"
    SYNC_TICKETS = "sync_tickets"
    RATE = "rate"
    #: A kiosk in drive-thru lane mode announces a car's application QR (Si Peluru).
    DRIVE_THRU_ARRIVAL = "drive_thru_arrival"


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


def check_action(value: str) -> str:
    if not ACTION_PATTERN.fullmatch(value):
        raise TopicError(f"action {value[:40]!r} must match {ACTION_PATTERN.pattern}")
    return value


def check_action_level(value: str) -> str:
    """The last level of a kiosk request or response topic: any MQTT level of at most
    :data:`ACTION_LEVEL_MAX` characters (a known action name or not)."""
    if not value or len(value) > ACTION_LEVEL_MAX or any(c in value for c in "+#/\x00"):
        raise TopicError(f"action level {value[:40]!r} is empty, too long or has a wildcard")
    return value


def is_kiosk_request(topic: str) -> bool:
    """Whether ``topic`` is under some kiosk's ``request/``, whatever its levels hold."""
    parts = topic.split("/")
    if len(parts) < 7 or parts[:2] != [ROOT, PROTOCOL_VERSION]:
        return False
    return parts[3] == "kiosk" and parts[5] == "request"


def kiosk_request(office: str, device: str, action: KioskAction) -> str:
    return f"{prefix(office)}/kiosk/{check_id(device, 'device')}/request/{action.value}"


def kiosk_response(office: str, device: str, action: KioskAction | str) -> str:
    """The answer topic of ``action``; an unknown action (any level) is answered too."""
    name = check_action_level(str(action))
    return f"{prefix(office)}/kiosk/{check_id(device, 'device')}/response/{name}"


def queue_state(office: str, service: str) -> str:
    return f"{prefix(office)}/queue/{check_id(service, 'service')}/state"


def counter_state(office: str, counter: str) -> str:
    return f"{prefix(office)}/counter/{check_id(counter, 'counter')}/state"


def lane_state(office: str, lane: str) -> str:
    """A drive-thru lane's cars (for the officers' pages; no device reads it)."""
    return f"{prefix(office)}/lane/{check_id(lane, 'lane')}/state"


def board(office: str) -> str:
    return f"{prefix(office)}/board"


def event_called(office: str) -> str:
    return f"{prefix(office)}/event/called"


def config(office: str, kind: str) -> str:
    return f"{prefix(office)}/config/{check_id(kind, 'kind')}"


# ------------------------------------------------------------ filters and ACL patterns


def everything() -> str:
    """Every v1 topic of every office (the server's ACL)."""
    return f"{ROOT}/{PROTOCOL_VERSION}/{REST}"


def kiosk_requests(office: str | None, device: str = ANY) -> str:
    """The requests of one kiosk, or of every kiosk (``device=ANY``), for every action."""
    return f"{office_filter(office)}/kiosk/{_id_or_any(device)}/request/{ANY}"


def kiosk_responses(office: str | None, device: str = ANY) -> str:
    """The answers to one kiosk (or to every kiosk), for every action."""
    return f"{office_filter(office)}/kiosk/{_id_or_any(device)}/response/{ANY}"


def device_statuses(office: str | None) -> str:
    return f"{office_filter(office)}/device/{ANY}/status"


def device_healths(office: str | None) -> str:
    return f"{office_filter(office)}/device/{ANY}/health"


def queue_states(office: str | None) -> str:
    return f"{office_filter(office)}/queue/{ANY}/state"


def counter_states(office: str | None) -> str:
    return f"{office_filter(office)}/counter/{ANY}/state"


def lane_states(office: str | None) -> str:
    return f"{office_filter(office)}/lane/{ANY}/state"


def device_read_filters(office: str, kind: str, device: str = ANY) -> list[str]:
    """What the device ``device`` of ``kind`` may read: its broker ACL, and a paired
    display browser's reach (one source for both)."""
    if kind == "kiosk":
        return [kiosk_responses(office, device), queue_states(office), config(office, kind)]
    return [
        board(office),
        counter_states(office),
        event_called(office),
        queue_states(office),
        config(office, kind),
    ]


def server_subscriptions(office: str | None) -> list[str]:
    """What the server subscribes to: every kiosk request and every device report (of
    ``office``, or of every office when None)."""
    return [kiosk_requests(office), device_statuses(office), device_healths(office)]


def _id_or_any(device: str) -> str:
    return device if device == ANY else check_id(device, "device")


def sender(topic: str) -> str:
    """The device a message came from (the level after the kind), or the topic; never raises.

    Used to keep one device's messages in order without parsing the whole topic.
    """
    parts = topic.split("/", 5)
    return parts[4] if len(parts) > 4 else topic


@dataclass(frozen=True, slots=True)
class ParsedTopic:
    """A contract topic taken apart: ``kind`` names the row of the contract table."""

    office: str
    kind: str
    subject: str | None = None
    action: str | None = None

    @property
    def kiosk_action(self) -> KioskAction | None:
        """The action of a kiosk request or response, None when unknown (or not a kiosk topic)."""
        return KioskAction(self.action) if self.action in ACTIONS else None


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
        case ["kiosk", device, ("request" | "response") as way, action]:
            return f"kiosk_{way}", check_id(device, "device"), check_action_level(action)
        case ["queue", service, "state"]:
            return "queue_state", check_id(service, "service"), None
        case ["counter", counter, "state"]:
            return "counter_state", check_id(counter, "counter"), None
        case ["lane", lane, "state"]:
            return "lane_state", check_id(lane, "lane"), None
        case ["config", kind]:
            return "config", check_id(kind, "kind"), None
    raise TopicError(f"unknown topic: {topic!r}")
