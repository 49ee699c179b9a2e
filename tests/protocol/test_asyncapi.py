"""The AsyncAPI document: committed copy current, complete, self-consistent, examples valid."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from queue_server.protocol import asyncapi, asyncapi_examples, topics
from queue_server.protocol.answers import ErrorAnswer, error_answer, ok_answer
from queue_server.protocol.base import dump
from queue_server.protocol.messages import (
    ACTION_DATA,
    DecodedRequest,
    ProtocolError,
    decode_request,
)
from queue_server.protocol.topics import KioskAction
from tests.protocol.schema_check import problems

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "asyncapi.json"
PROTOCOL_DOC = ROOT / "docs" / "protocol.md"
REGENERATE = "python -m queue_server.protocol.asyncapi > docs/asyncapi.json"
#: Functions of topics.py that build no single topic (checks, parsers, filters).
NOT_TOPIC_BUILDERS = {
    "check_id",
    "check_action",
    "check_action_level",
    "is_kiosk_request",
    "prefix",
    "office_filter",
    "parse",
    "sender",
    "everything",
    "kiosk_requests",
    "kiosk_responses",
    "device_read_filters",
    "device_statuses",
    "device_healths",
    "queue_states",
    "counter_states",
    "lane_states",
    "server_subscriptions",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi.build_document()


# ----------------------------------------------------------------- a small resolver


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The value a local JSON pointer (``#/a/b``) points to; KeyError when it points nowhere."""
    if not ref.startswith("#/"):
        raise KeyError(f"not a local reference: {ref!r}")
    node: Any = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(f"{ref!r}: no {part!r}")
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def message_of(document: dict[str, Any], message_id: str) -> dict[str, Any]:
    message: dict[str, Any] = document["components"]["messages"][message_id]
    return message


# ----------------------------------------------------------------- the committed copy


def test_the_committed_document_is_current(document: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == document, f"docs/asyncapi.json is stale: run `{REGENERATE}`"
    assert COMMITTED.read_text(encoding="utf-8") == asyncapi.render(document), (
        f"docs/asyncapi.json is not in the generated layout: run `{REGENERATE}`"
    )


def test_the_document_is_plain_json(document: dict[str, Any]) -> None:
    assert json.loads(json.dumps(document)) == document
    assert asyncapi.build_document() == document


def test_check_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = tmp_path / "asyncapi.json"
    current.write_text(asyncapi.render(asyncapi.build_document()), encoding="utf-8")
    assert asyncapi.main(["--check", str(current)]) == 0
    current.write_text("{}\n", encoding="utf-8")
    assert asyncapi.main(["--check", str(current)]) == 1
    assert asyncapi.main(["--check", str(tmp_path / "missing.json")]) == 1
    assert "stale" in capsys.readouterr().err
    assert asyncapi.main([]) == 0
    assert json.loads(capsys.readouterr().out)["asyncapi"] == "3.0.0"


# ----------------------------------------------------------------- AsyncAPI shape


def test_basic_asyncapi_3_shape(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] == "Antre MQTT contract"
    assert document["info"]["version"] == "1"
    assert "SERVER" in document["info"]["description"]
    (server,) = document["servers"].values()
    assert (server["host"], server["protocol"], server["protocolVersion"]) == (
        "127.0.0.1:1883",
        "mqtt",
        "5",
    )
    assert set(document) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    found = list(refs(document))
    assert len(found) > 50
    for ref in found:
        resolve(document, ref)


def test_operations_point_into_their_channels(document: dict[str, Any]) -> None:
    for name, operation in document["operations"].items():
        assert operation["action"] in {"send", "receive"}, name
        channel_ref = operation["channel"]["$ref"]
        assert re.fullmatch(r"#/channels/\w+", channel_ref), name
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/"), name
        if "reply" in operation:
            reply_ref = operation["reply"]["channel"]["$ref"]
            for message in operation["reply"]["messages"]:
                assert message["$ref"].startswith(reply_ref + "/messages/"), name
        mqtt = operation["bindings"]["mqtt"]
        assert mqtt["qos"] == 1 and isinstance(mqtt["retain"], bool), name


def test_channel_parameters_match_their_addresses(document: dict[str, Any]) -> None:
    for name, channel in document["channels"].items():
        placeholders = re.findall(r"\{(\w+)\}", channel["address"])
        assert sorted(placeholders) == sorted(channel.get("parameters", {})), name
        assert channel["address"].startswith("antre/v1/{office}/"), name
        for message in channel["messages"].values():
            assert message["$ref"].startswith("#/components/messages/"), name


def test_id_parameters_carry_the_id_pattern(document: dict[str, Any]) -> None:
    parameters = document["components"]["parameters"]
    for name in ("office", "device", "service", "counter", "kind"):
        assert parameters[name]["x-pattern"] == topics.ID_PATTERN.pattern
        assert topics.ID_PATTERN.pattern in parameters[name]["description"]
        assert all(topics.ID_PATTERN.fullmatch(value) for value in parameters[name]["examples"])
    assert parameters["action"]["enum"] == [action.value for action in KioskAction]


# ----------------------------------------------------------------- topics


def topic_builders() -> list[str]:
    return sorted(
        name
        for name, function in inspect.getmembers(topics, inspect.isfunction)
        if function.__module__ == topics.__name__
        and not name.startswith("_")
        and name not in NOT_TOPIC_BUILDERS
    )


def test_topic_builders_are_found() -> None:
    assert {"board", "device_status", "kiosk_request", "config"} <= set(topic_builders())


@pytest.mark.parametrize("builder_name", topic_builders())
def test_every_topic_builder_has_a_channel_that_parses_back(
    document: dict[str, Any], builder_name: str
) -> None:
    channel = document["channels"].get(builder_name)
    assert channel is not None, f"topics.{builder_name} has no channel: add it to asyncapi.TOPICS"
    builder = getattr(topics, builder_name)
    names = list(inspect.signature(builder).parameters)
    parameters = document["components"]["parameters"]
    cases: list[dict[str, str]] = [{}]
    for name in names:
        values = parameters[name].get("enum") or parameters[name]["examples"]
        cases = [{**case, name: value} for case in cases for value in values]
    for case in cases:
        address = channel["address"]
        for name, value in case.items():
            address = address.replace("{" + name + "}", value)
        arguments = [KioskAction(case[n]) if n == "action" else case[n] for n in names]
        assert address == builder(*arguments)
        parsed = topics.parse(address)
        assert parsed.kind == builder_name
        assert parsed.office == case["office"]
        assert parsed.action == case.get("action")


def test_channels_agree_with_the_table_in_protocol_md(document: dict[str, Any]) -> None:
    row = re.compile(r"^\| `([^`]+)` \| `(\w+)` \| (yes|no) \| (\d) \|", re.MULTILINE)
    table = row.findall(PROTOCOL_DOC.read_text(encoding="utf-8"))
    assert len(table) == len(document["channels"])
    retain = {
        operation["channel"]["$ref"].rsplit("/", 1)[-1]: operation["bindings"]["mqtt"]["retain"]
        for operation in document["operations"].values()
    }
    for topic, builder, retained, qos in table:
        channel = document["channels"][builder]
        assert channel["address"] == "antre/v1/{office}/" + topic, builder
        assert ("Retained" if retained == "yes" else "Not retained") in channel["description"]
        assert retain.get(builder, retained == "yes") == (retained == "yes"), builder
        assert int(qos) == asyncapi.QOS


# ----------------------------------------------------------------- messages


@pytest.mark.parametrize("action", list(KioskAction))
def test_every_action_has_a_request_and_a_response(
    document: dict[str, Any], action: KioskAction
) -> None:
    request = message_of(document, f"{action.value}_request")
    response = message_of(document, f"{action.value}_response")
    assert request["name"] == response["name"] == action.value
    requests = document["channels"]["kiosk_request"]["messages"]
    responses = document["channels"]["kiosk_response"]["messages"]
    assert f"{action.value}_request" in requests and f"{action.value}_response" in responses
    envelope = resolve(document, request["payload"]["$ref"])
    data_ref = envelope["properties"]["data"]["$ref"]
    assert data_ref == f"#/components/schemas/{ACTION_DATA[action].__name__}"
    operation = document["operations"][f"receive_{action.value}"]
    assert operation["reply"]["messages"] == [
        {"$ref": f"#/channels/kiosk_response/messages/{action.value}_response"}
    ]
    assert f"send_{action.value}_response" in document["operations"]


@pytest.mark.parametrize("action", list(KioskAction))
def test_request_examples_decode(document: dict[str, Any], action: KioskAction) -> None:
    request = message_of(document, f"{action.value}_request")
    assert request["examples"]
    for example in request["examples"]:
        decoded = decode_request(action.value, json.dumps(example["payload"]).encode())
        assert isinstance(decoded, DecodedRequest), decoded
        assert problems(document, request["payload"], example["payload"]) == []


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (KioskAction.ISSUE_TICKET, {}),
        (KioskAction.ISSUE_TICKET, {"service": "paspor-walkin", "extra": 1}),
        (KioskAction.ISSUE_TICKET, {"service": "Paspor"}),
        (KioskAction.LEASE_NUMBERS, {"service": "paspor-walkin", "count": 501}),
        (KioskAction.RATE, {"ticket_token": "3N_10c50Orx", "score": 5}),
        (KioskAction.SYNC_TICKETS, {"tickets": []}),
        (KioskAction.CHECK_IN, {"booking_code": "X"}),
    ],
)
def test_request_schemas_refuse_what_decode_request_refuses(
    document: dict[str, Any], action: KioskAction, data: dict[str, Any]
) -> None:
    payload = {"transaction": str(uuid4()), "data": data}
    assert isinstance(decode_request(action.value, json.dumps(payload).encode()), ProtocolError)
    assert problems(document, message_of(document, f"{action.value}_request")["payload"], payload)


def test_every_message_example_matches_its_payload(document: dict[str, Any]) -> None:
    for message_id, message in document["components"]["messages"].items():
        for example in message["examples"]:
            found = problems(document, message["payload"], example["payload"])
            assert found == [], f"{message_id} example {example['name']}: {found}"


def test_answers_built_by_the_protocol_functions_match(document: dict[str, Any]) -> None:
    schema = message_of(document, "lookup_response")["payload"]
    data = asyncapi_examples.ANSWER_EXAMPLES[KioskAction.LOOKUP].data
    built = ok_answer(KioskAction.LOOKUP, uuid4(), data)
    assert problems(document, schema, json.loads(dump(built))) == []
    refused = error_answer(None, "malformed_json", {"id": "Pesan tidak valid", "en": "Invalid"})
    assert problems(document, schema, json.loads(dump(refused))) == []
    event = message_of(document, "event_called")["payload"]
    called = asyncapi_examples.CALLED_EXAMPLE.model_copy(update={"recall": True})
    assert problems(document, event, json.loads(dump(called))) == []


def test_an_answer_with_the_wrong_data_is_refused(document: dict[str, Any]) -> None:
    schema = message_of(document, "lookup_response")["payload"]
    ticket = asyncapi_examples.ANSWER_EXAMPLES[KioskAction.ISSUE_TICKET]
    assert problems(document, schema, json.loads(dump(ticket)))
    assert isinstance(
        ErrorAnswer.model_validate_json(dump(asyncapi_examples.ERROR_EXAMPLE)), ErrorAnswer
    )


def test_the_checker_sees_extra_and_missing_fields(document: dict[str, Any]) -> None:
    state = message_of(document, "queue_state")
    example = dict(state["examples"][0]["payload"])
    assert problems(document, state["payload"], {**example, "surprise": 1})
    del example["seq"]
    assert problems(document, state["payload"], example)
    counter = message_of(document, "counter_state")
    wrong = {**counter["examples"][0]["payload"], "ticket_status": "waiting"}
    assert problems(document, counter["payload"], wrong)
