"""Kiosk request payloads: valid ones decode to typed data; anything else is refused."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.protocol.messages import (
    MAX_PAYLOAD_BYTES,
    DecodedRequest,
    ErrorCode,
    IssueTicketData,
    ProtocolError,
    called_event,
    decode_request,
    error_response,
    ok_response,
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
    answer = json.loads(error_response(decoded.transaction, decoded.code, {"id": "a", "en": "b"}))
    assert answer == {
        "transaction": str(TRANSACTION),
        "status": "error",
        "error": {"code": "invalid_field", "message": "a", "messages": {"id": "a", "en": "b"}},
    }


def test_ok_and_called_payloads() -> None:
    assert json.loads(ok_response(TRANSACTION, {"label": "A-001"})) == {
        "transaction": str(TRANSACTION),
        "status": "ok",
        "data": {"label": "A-001"},
    }
    from datetime import UTC, datetime

    event = json.loads(
        called_event(
            id=41,
            seq=7,
            ticket="A-001",
            counter="cs-1",
            counter_name="CS 1",
            service="paspor",
            recall=False,
            at=datetime(2026, 11, 23, 2, tzinfo=UTC),
        )
    )
    assert event["seq"] == 7 and event["recall"] is False and event["ts"].endswith("+00:00")
    assert event["id"] == 41


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
    from queue_server.protocol.messages import decode_device

    assert isinstance(decode_device(kind, raw), ProtocolError) is not valid


@pytest.mark.parametrize("service", ["-walkin", "walkin-", "Walkin", "a" * 41, ""])
def test_service_ids_must_be_usable_in_topics(service: str) -> None:
    refused = decode_request("issue_ticket", payload({"service": service}))
    assert isinstance(refused, ProtocolError) and refused.code == ErrorCode.INVALID_FIELD
