"""Kiosk request payloads: valid ones decode to typed data; anything else is refused."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from queue_server.protocol.answers import (
    ErrorAnswer,
    LookupOk,
    TicketOk,
    error_answer,
    ok_answer,
    parse_answer,
)
from queue_server.protocol.asyncapi_examples import ANSWER_EXAMPLES, CALLED_EXAMPLE
from queue_server.protocol.base import dump
from queue_server.protocol.messages import (
    MAX_PAYLOAD_BYTES,
    DecodedRequest,
    ErrorCode,
    IssueTicketData,
    ProtocolError,
    decode_device,
    decode_request,
    request_data,
)
from queue_server.protocol.topics import KioskAction

TRANSACTION = uuid.UUID("12345678-1234-5678-1234-567812345678")


def payload(data: dict[str, object], transaction: object = str(TRANSACTION)) -> bytes:
    return json.dumps({"transaction": transaction, "data": data}).encode()


def test_issue_ticket_decodes() -> None:
    decoded = decode_request(
        "issue_ticket", payload({"service": "paspor-walkin", "language": "en"})
    )
    assert isinstance(decoded, DecodedRequest)
    assert decoded.action is KioskAction.ISSUE_TICKET
    assert decoded.transaction == TRANSACTION
    assert decoded.data == IssueTicketData(service="paspor-walkin", language="en")


@pytest.mark.parametrize(
    ("action", "raw", "code"),
    [
        ("issue_ticket", b"{not json", ErrorCode.MALFORMED_JSON),
        ("issue_ticket", b"\xff\xfe", ErrorCode.MALFORMED_JSON),
        ("issue_ticket", b"[1, 2]", ErrorCode.NOT_AN_OBJECT),
        ("issue_ticket", payload({"service": "x"}, transaction="nope"), ErrorCode.INVALID_FIELD),
        ("issue_ticket", payload({"service": "Bad Service"}), ErrorCode.INVALID_FIELD),
        ("issue_ticket", payload({"service": "x", "nik": "123"}), ErrorCode.INVALID_FIELD),
        ("issue_ticket", payload({"service": "x", "extra": 1}), ErrorCode.INVALID_FIELD),
        (
            "issue_ticket",
            payload({"service": "x", "passport_no": "C12<4567"}),
            ErrorCode.INVALID_FIELD,
        ),
        (
            "issue_ticket",
            payload({"service": "x", "nik": "6371015001900001", "passport_no": "C1234567"}),
            ErrorCode.INVALID_FIELD,
        ),
        ("rate", payload({"ticket_token": "abcdefghij", "score": 5}), ErrorCode.INVALID_FIELD),
        ("reboot", payload({}), ErrorCode.UNKNOWN_ACTION),
        ("issue_ticket", b" " * (MAX_PAYLOAD_BYTES + 1), ErrorCode.TOO_LARGE),
    ],
)
def test_bad_payloads_are_refused_with_a_code(action: str, raw: bytes, code: ErrorCode) -> None:
    decoded = decode_request(action, raw)
    assert isinstance(decoded, ProtocolError)
    assert decoded.code is code


def test_the_transaction_is_kept_for_the_error_answer() -> None:
    decoded = decode_request("issue_ticket", payload({"service": "Bad"}))
    assert isinstance(decoded, ProtocolError) and decoded.transaction == TRANSACTION
    answer = json.loads(
        dump(error_answer(decoded.transaction, decoded.code, {"id": "a", "en": "b"}))
    )
    assert answer == {
        "transaction": str(TRANSACTION),
        "status": "error",
        "error": {"code": "invalid_field", "message": "a", "messages": {"id": "a", "en": "b"}},
    }


def test_an_unknown_action_keeps_the_transaction() -> None:
    decoded = decode_request("explode", payload({}))
    assert isinstance(decoded, ProtocolError)
    assert (decoded.code, decoded.transaction) == (ErrorCode.UNKNOWN_ACTION, TRANSACTION)


DEEP_LIST = b"[" * 32_000 + b"]" * 32_000  # 64,000 bytes
DEEP_OBJECT = b'{"a":' * 6_000 + b"1" + b"}" * 6_000
HUGE_NUMBER = (
    b'{"transaction": "12345678-1234-5678-1234-567812345678", "data": {"count": '
    + (b"9" * 5_000)
    + b"}}"
)


@pytest.mark.parametrize("raw", [DEEP_LIST, DEEP_OBJECT, HUGE_NUMBER, b'{"a": NaN}'])
@pytest.mark.parametrize("action", ["issue_ticket", "lease_numbers", "explode"])
def test_hostile_json_is_refused_without_raising(raw: bytes, action: str) -> None:
    decoded = decode_request(action, raw)
    assert isinstance(decoded, ProtocolError)
    assert decoded.code in {ErrorCode.MALFORMED_JSON, ErrorCode.INVALID_FIELD}


@pytest.mark.parametrize("raw", [DEEP_LIST, DEEP_OBJECT, HUGE_NUMBER])
@pytest.mark.parametrize("kind", ["device_status", "device_health"])
def test_hostile_device_reports_are_refused_without_raising(raw: bytes, kind: str) -> None:
    assert isinstance(decode_device(kind, raw), ProtocolError)


def test_ok_and_called_payloads() -> None:
    data = ANSWER_EXAMPLES[KioskAction.ISSUE_TICKET].data
    answer = ok_answer(KioskAction.ISSUE_TICKET, TRANSACTION, data)
    assert isinstance(answer, TicketOk)
    wire = json.loads(dump(answer))
    assert (wire["transaction"], wire["status"]) == (str(TRANSACTION), "ok")
    assert wire["data"]["label"] == data.label
    with pytest.raises(ValueError):  # a ticket is not a lookup answer
        ok_answer(KioskAction.LOOKUP, TRANSACTION, data)
    event = json.loads(dump(CALLED_EXAMPLE))
    assert event["seq"] == event["id"] and event["station"] == "CS"
    assert event["recall"] is False and event["ts"].endswith("+08:00")


def test_the_kiosk_parses_what_the_server_builds() -> None:
    lookup = ANSWER_EXAMPLES[KioskAction.LOOKUP]
    assert parse_answer(KioskAction.LOOKUP, dump(lookup)) == lookup
    assert isinstance(parse_answer(KioskAction.RATE, dump(lookup)), type(None))
    refused = error_answer(None, "x", {"id": "a", "en": "b"})
    assert isinstance(parse_answer(KioskAction.RATE, dump(refused)), ErrorAnswer)
    for raw in (b"", b"[]", DEEP_LIST, HUGE_NUMBER, b'{"status": "ok"}'):
        assert parse_answer(KioskAction.LOOKUP, raw) is None
    assert LookupOk.model_validate_json(dump(lookup)) == lookup


@settings(max_examples=300)
@given(
    action=st.sampled_from([a.value for a in KioskAction] + ["x"]),
    raw=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=10), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_decoding_never_raises(action: str, raw: bytes) -> None:
    assert isinstance(decode_request(action, raw), DecodedRequest | ProtocolError)


@pytest.mark.parametrize(
    ("kind", "raw", "valid"),
    [
        ("device_status", b'{"state": "online", "kind": "kiosk"}', True),
        ("device_status", b'{"state": "asleep"}', False),
        ("device_status", b"not json", False),
        ("device_health", b'{"components": {"printer": "paper_out"}}', True),
        ("device_health", b'{"components": {"printer": 3}}', False),
        ("device_health", b'{"components": {}, "extra": 1}', False),
        ("device_health", b'{"components": {"printer": "' + b"x" * 33 + b'"}}', False),
        ("device_health", b'{"components": {"": "ok"}}', False),
    ],
)
def test_device_reports(kind: str, raw: bytes, valid: bool) -> None:
    assert isinstance(decode_device(kind, raw), ProtocolError) is not valid


@pytest.mark.parametrize("service", ["-walkin", "walkin-", "Walkin", "a" * 41, ""])
def test_service_ids_must_be_usable_in_topics(service: str) -> None:
    refused = decode_request("issue_ticket", payload({"service": service}))
    assert isinstance(refused, ProtocolError) and refused.code == ErrorCode.INVALID_FIELD


def test_the_contract_words_are_the_queue_engines() -> None:
    from queue_server.domain.ids import (
        AT_COUNTER_STATUSES,
        ServiceKind,
        StationType,
        TicketStatus,
    )
    from queue_server.protocol.base import AtCounterWord, ServiceKindWord, TicketStatusWord
    from queue_server.protocol.states import JourneyStep

    assert {word.value for word in TicketStatusWord} == {status.value for status in TicketStatus}
    assert {word.value for word in ServiceKindWord} == {kind.value for kind in ServiceKind}
    assert {word.value for word in AtCounterWord} == {s.value for s in AT_COUNTER_STATUSES}
    for station in StationType:
        JourneyStep(station=station.value, standard_minutes=1.0, after_working_days=0)


def test_devices_build_request_data_with_the_contracts_models() -> None:
    data = request_data(KioskAction.ISSUE_TICKET, {"service": "walkin", "nik": None})
    assert data == {"service": "walkin", "language": "id", "by_proxy": False}
    wire = json.dumps({"transaction": str(TRANSACTION), "data": data}).encode()
    assert isinstance(decode_request("issue_ticket", wire), DecodedRequest)
    with pytest.raises(ValidationError):  # refused on the kiosk, before anything is sent
        request_data(KioskAction.ISSUE_TICKET, {"service": "walkin", "nik": "123"})
    with pytest.raises(ValidationError):
        request_data(KioskAction.LEASE_NUMBERS, {"service": "walkin", "count": 501})
