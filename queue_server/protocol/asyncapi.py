"""The AsyncAPI 3.0 document of MQTT contract v1, derived from the protocol's models.

``build_document()`` is a pure function. Addresses come from the topic builders in
:mod:`queue_server.protocol.topics` (called with placeholder ids); every payload schema is
the JSON Schema of the pydantic model the server builds and the devices parse
(:mod:`~queue_server.protocol.messages`, :mod:`~queue_server.protocol.answers`,
:mod:`~queue_server.protocol.states`); every example is one of those models, dumped.

Regenerate the committed copy with::

    python -m queue_server.protocol.asyncapi > docs/asyncapi.json
    python -m queue_server.protocol.asyncapi --check docs/asyncapi.json   # exit 1 if stale
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from queue_server.protocol import topics
from queue_server.protocol.answers import ACTION_ANSWERS, ErrorAnswer
from queue_server.protocol.asyncapi_examples import (
    ANSWER_EXAMPLES,
    CALLED_EXAMPLE,
    ERROR_EXAMPLE,
    REQUEST_EXAMPLES,
    STATE_EXAMPLES,
)
from queue_server.protocol.base import dump
from queue_server.protocol.messages import (
    ACTION_REQUESTS,
    MAX_PAYLOAD_BYTES,
    DeviceHealth,
    DeviceStatus,
    ErrorCode,
)
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    CounterStateMessage,
    DisplayConfigMessage,
    KioskConfigMessage,
    LaneStateMessage,
    QueueStateMessage,
)
from queue_server.protocol.topics import ID_PATTERN, KioskAction

JsonObject = dict[str, Any]

ASYNCAPI_VERSION: Final = "3.0.0"
MQTT_BINDING_VERSION: Final = "0.2.0"
CONTENT_TYPE: Final = "application/json"
SCHEMAS: Final = "#/components/schemas/"
QOS: Final = 1
EXAMPLE_OFFICE: Final = "kanim-banjarmasin"


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
        "on the request's `{action}`: the message whose `name` is that action. A request on "
        "an action the contract does not know is answered `unknown_action` on the response "
        "topic of that action",
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
    TopicSpec(
        topics.lane_state,
        retained=True,
        direction="server → server processes (the officers' drive-thru pages, through "
        "the browser push)",
        readers="the server only (no device's ACL grants it)",
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


class _Schemas:
    """``components.schemas`` being filled; pydantic ``$defs`` are hoisted into it."""

    def __init__(self) -> None:
        self.items: JsonObject = {}

    def add(self, name: str, schema: JsonObject) -> JsonObject:
        if name in self.items and self.items[name] != schema:
            raise ValueError(f"two different schemas are named {name!r}")
        self.items[name] = schema
        return _ref(name)

    def model(self, model: type[BaseModel], *, sent_by_devices: bool = False) -> JsonObject:
        """The schema of ``model`` as the server sends it (or as it accepts it from devices)."""
        mode: Final = "validation" if sent_by_devices else "serialization"
        schema = model.model_json_schema(ref_template=SCHEMAS + "{model}", mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            self.add(name, definition)
        return self.add(model.__name__, schema)

    def one_of(self, *models: type[BaseModel]) -> JsonObject:
        return {"oneOf": [self.model(model) for model in models]}


def _example(name: str, payload: BaseModel, summary: str | None = None) -> JsonObject:
    example: JsonObject = {"name": name, "payload": json.loads(dump(payload))}
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


ERROR_SUMMARY: Final = (
    "A refusal changes nothing. Protocol codes: "
    + ", ".join(f"`{code.value}`" for code in ErrorCode)
    + "; otherwise the queue rule that refused (e.g. `service_closed`, `quota_full`)."
)


def _action_messages(schemas: _Schemas, action: KioskAction) -> JsonObject:
    request = ACTION_REQUESTS[action]
    answer = ACTION_ANSWERS[action]
    return {
        f"{action.value}_request": _message(
            action.value,
            f"{action.value} request",
            schemas.model(request, sent_by_devices=True),
            [_example(action.value, REQUEST_EXAMPLES[action])],
            summary="Idempotent by `transaction`: a retry with the same data gets the first "
            "answer again; other data under a used transaction is refused "
            f"(`{ErrorCode.TRANSACTION_REUSED.value}`).",
            correlated=True,
        ),
        f"{action.value}_response": _message(
            action.value,
            f"{action.value} response",
            schemas.one_of(answer, ErrorAnswer),
            [_example("ok", ANSWER_EXAMPLES[action]), _example("error", ERROR_EXAMPLE)],
            summary=ERROR_SUMMARY,
            correlated=True,
        ),
    }


def _messages(schemas: _Schemas) -> JsonObject:
    messages: JsonObject = {
        "device_status": _message(
            "device_status",
            "Device status",
            schemas.model(DeviceStatus, sent_by_devices=True),
            [
                _example("online", STATE_EXAMPLES["device_status"]),
                _example("last_will", DeviceStatus(state="offline"), "The last will."),
            ],
        ),
        "device_health": _message(
            "device_health",
            "Device health",
            schemas.model(DeviceHealth, sent_by_devices=True),
            [_example("kiosk", STATE_EXAMPLES["device_health"])],
            summary="One short state word per component (at most 32). Kiosks report printer "
            "(ok, paper_near_end, paper_out, cover_open, offline, timeout, printer_error, "
            "status_unknown), scanner (ok, stopped, failed) and card_reader (ok, absent, error).",
        ),
    }
    for action in KioskAction:
        messages.update(_action_messages(schemas, action))
    states: list[tuple[str, str, type[BaseModel], str]] = [
        ("queue_state", "Queue state", QueueStateMessage, "walk_in"),
        ("counter_state", "Counter state", CounterStateMessage, "calling"),
        ("board", "Lobby board", Board, "one_call"),
        ("lane_state", "Drive-thru lane state", LaneStateMessage, "two_cars"),
    ]
    for name, title, model, example in states:
        messages[name] = _message(
            name, title, schemas.model(model), [_example(example, STATE_EXAMPLES[name])]
        )
    messages["event_called"] = _message(
        "event_called",
        "Ticket called",
        schemas.model(CalledEvent),
        [_example("call", CALLED_EXAMPLE)],
        summary="Delivered at least once: a display drops a second message with the same `id`.",
    )
    messages["config_kiosk"] = _message(
        "config_kiosk",
        "Kiosk configuration (config/kiosk)",
        schemas.model(KioskConfigMessage),
        [_example("kiosk", STATE_EXAMPLES["config_kiosk"])],
    )
    messages["config_display"] = _message(
        "config_display",
        "Display configuration (config/display, config/counter-display)",
        schemas.model(DisplayConfigMessage),
        [_example("display", STATE_EXAMPLES["config_display"])],
    )
    return messages


_CHANNEL_MESSAGES: Final[dict[str, tuple[str, ...]]] = {
    "kiosk_request": tuple(f"{action.value}_request" for action in KioskAction),
    "kiosk_response": tuple(f"{action.value}_response" for action in KioskAction),
    "config": ("config_kiosk", "config_display"),
}


def _parameters() -> JsonObject:
    described = {
        "office": "The office id.",
        "device": "The device's id, which is also its MQTT account name.",
        "service": "A service code of the office.",
        "counter": "A counter code of the office.",
        "kind": "A device kind: kiosk, display or counter-display.",
        "lane": "A drive-thru lane id of the office (its `drive_thru` section).",
    }
    examples = {
        "office": EXAMPLE_OFFICE,
        "device": "kiosk-1",
        "service": "paspor-walkin",
        "counter": "cs-1",
        "kind": "kiosk",
        "lane": "lajur-1",
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
        "lane_state": "When a car joins or leaves the drive-thru lane, and at every reconnect.",
    }
    for channel, when in published.items():
        operations[f"send_{channel}"] = _operation(
            "send", channel, _CHANNEL_MESSAGES.get(channel, (channel,)), when, retained[channel]
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
`seq` that only grows, so a client drops a stale snapshot; `event/called` carries a unique \
`id`, so a display announces a call delivered twice only once. Kiosk requests are \
idempotent by `transaction`: a retry with the same data gets the first answer again. All \
messages use QoS {QOS}. Every schema is generated from the pydantic models in \
queue_server/protocol, which the server builds its payloads with and devices parse them with.

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
