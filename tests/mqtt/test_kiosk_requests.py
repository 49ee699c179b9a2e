"""Kiosk requests injected straight into the handler (no broker), on both databases."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.persistence.models import KioskRequestRow, VisitRow
from tests.services.conftest import Engine

REQUEST = "antre/v1/kanim-test/kiosk/kiosk-1/request/issue_ticket"
RESPONSE = "antre/v1/kanim-test/kiosk/kiosk-1/response/issue_ticket"


def send(handler: KioskRequests, data: dict[str, object], transaction: str) -> dict[str, object]:
    payload = json.dumps({"transaction": transaction, "data": data}).encode()
    reply = handler.handle(REQUEST, payload)
    assert reply is not None and reply.topic == RESPONSE and reply.qos == 1
    answer: dict[str, object] = json.loads(reply.payload)
    return answer


def visits(engine: Engine) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(VisitRow)) or 0)


def test_issue_round_trip_and_retry_returns_the_first_answer(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    transaction = str(uuid.uuid4())
    first = send(handler, {"service": "walkin", "language": "en"}, transaction)
    assert first["status"] == "ok" and first["transaction"] == transaction
    assert first["data"]["label"] == "B-001"  # type: ignore[index]
    engine.clock.advance(minutes=1)
    again = send(handler, {"service": "walkin", "language": "en"}, transaction)
    assert again == first
    assert visits(engine) == 1
    other = send(handler, {"service": "walkin"}, str(uuid.uuid4()))
    assert other["data"]["label"] == "B-002"  # type: ignore[index]


def test_concurrent_copies_of_one_request_issue_once(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    transaction = str(uuid.uuid4())
    answers: list[dict[str, object]] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(send(handler, {"service": "walkin"}, transaction))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4 and all(answer == answers[0] for answer in answers)
    assert visits(engine) == 1


def test_refusals_are_bilingual_and_change_nothing(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    refused = send(handler, {"service": "mpaspor"}, str(uuid.uuid4()))
    assert refused["status"] == "error"
    error = refused["error"]
    assert error["code"] == "booking_required"  # type: ignore[index]
    assert set(error["messages"]) == {"id", "en"}  # type: ignore[index]
    malformed = handler.handle(REQUEST, b"{oops")
    assert malformed is not None
    answer = json.loads(malformed.payload)
    assert (answer["status"], answer["error"]["code"], answer["transaction"]) == (
        "error",
        "malformed_json",
        None,
    )
    assert answer["error"]["messages"]["id"].startswith("Pesan tidak valid")
    later = handler.handle(
        REQUEST.replace("issue_ticket", "lease_numbers"),
        json.dumps(
            {"transaction": str(uuid.uuid4()), "data": {"service": "walkin", "count": 5}}
        ).encode(),
    )
    assert later is not None and json.loads(later.payload)["error"]["code"] == "not_available"
    assert visits(engine) == 0
    with engine.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(KioskRequestRow)) == 0


def test_foreign_topics_get_no_reply(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    assert handler.handle("antre/v1/kanim-test/board", b"{}") is None
    assert handler.handle("somewhere/else", b"{}") is None


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=200)
    | st.dictionaries(
        st.sampled_from(["transaction", "data", "x"]),
        st.none()
        | st.text(max_size=10)
        | st.integers()
        | st.dictionaries(
            st.sampled_from(["service", "nik", "language", "x"]), st.text(max_size=20), max_size=3
        ),
        max_size=3,
    ).map(lambda value: json.dumps(value).encode())
)
def test_fuzzed_payloads_always_get_an_error_reply_and_change_nothing(
    engine: Engine, raw: bytes
) -> None:
    before = visits(engine)
    reply = KioskRequests(issuing=engine.issuing).handle(REQUEST, raw)
    assert reply is not None
    answer = json.loads(reply.payload)
    assert answer["status"] in {"ok", "error"}
    if answer["status"] == "error":
        assert visits(engine) == before


def test_lookup_by_the_ticket_qr(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing, views=engine.views())
    issued = send(handler, {"service": "walkin"}, str(uuid.uuid4()))
    status_path = issued["data"]["status_path"]  # type: ignore[index]
    reply = handler.handle(
        REQUEST.replace("issue_ticket", "lookup"),
        json.dumps(
            {"transaction": str(uuid.uuid4()), "data": {"code": f"http://kiosk{status_path}"}}
        ).encode(),
    )
    assert reply is not None
    answer = json.loads(reply.payload)
    assert answer["status"] == "ok"
    assert (answer["data"]["label"], answer["data"]["status"]) == ("B-001", "waiting")
    missing = handler.handle(
        REQUEST.replace("issue_ticket", "lookup"),
        json.dumps({"transaction": str(uuid.uuid4()), "data": {"code": "no-such-token"}}).encode(),
    )
    assert missing is not None and json.loads(missing.payload)["error"]["code"] == "not_found"


def full_handler(engine: Engine) -> KioskRequests:
    return KioskRequests(
        issuing=engine.issuing,
        bookings=engine.bookings,
        offline=engine.offline,
        ratings=engine.ratings,
    )


def ask(
    handler: KioskRequests, action: str, data: dict[str, object], transaction: str
) -> dict[str, Any]:
    reply = handler.handle(
        REQUEST.replace("issue_ticket", action),
        json.dumps({"transaction": transaction, "data": data}).encode(),
    )
    assert reply is not None and reply.topic == RESPONSE.replace("issue_ticket", action)
    answer: dict[str, Any] = json.loads(reply.payload)
    assert answer["transaction"] == transaction
    return answer


def test_check_in_over_the_contract(engine: Engine) -> None:
    from datetime import date, time

    from queue_server.services.bookings import BookingEntry
    from queue_server.services.unit import Actor

    entry = BookingEntry("MP-777", "mpaspor", date(2026, 11, 23), time(10, 0))
    engine.bookings.import_bookings("kanim-test", [entry], actor=Actor(name="admin"))
    handler = full_handler(engine)
    data = {"booking_code": "mp-777", "documents_ready": True}
    refused = ask(handler, "check_in", {**data, "documents_ready": False}, str(uuid.uuid4()))
    assert refused["error"]["code"] == "documents_not_ready"
    assert refused["error"]["messages"]["id"].startswith("Nomor antrean customer service")
    transaction = str(uuid.uuid4())
    first = ask(handler, "check_in", data, transaction)
    assert first["status"] == "ok" and first["data"]["label"] == "A-001"
    assert ask(handler, "check_in", data, transaction) == first
    used = ask(handler, "check_in", data, str(uuid.uuid4()))
    assert used["error"]["code"] == "booking_used"
    assert visits(engine) == 1


def test_lease_then_sync_over_the_contract(engine: Engine) -> None:
    handler = full_handler(engine)
    transaction = str(uuid.uuid4())
    block = ask(handler, "lease_numbers", {"service": "walkin", "count": 3}, transaction)
    assert block["status"] == "ok"
    lease = block["data"]
    assert (lease["first_label"], lease["last_label"]) == ("B-001", "B-003")
    assert ask(handler, "lease_numbers", {"service": "walkin", "count": 3}, transaction) == block
    issued_at = "2026-11-23T02:01:00+00:00"
    tickets = [
        {"lease": lease["lease"], "service": "walkin", "number": 1, "issued_at": issued_at},
        {"lease": lease["lease"], "service": "walkin", "number": 9, "issued_at": issued_at},
    ]
    synced = ask(handler, "sync_tickets", {"tickets": tickets}, str(uuid.uuid4()))
    accepted, refused = synced["data"]["tickets"]
    assert (accepted["status"], accepted["label"]) == ("accepted", "B-001")
    assert refused["status"] == "refused" and refused["error"]["code"] == "lease_invalid"
    assert set(refused["error"]["messages"]) == {"id", "en"}
    again = ask(handler, "sync_tickets", {"tickets": tickets[:1]}, str(uuid.uuid4()))
    assert again["data"]["tickets"][0]["token"] == accepted["token"]
    assert visits(engine) == 1


def test_rate_over_the_contract(engine: Engine) -> None:
    handler = full_handler(engine)
    issued = send(handler, {"service": "pickup"}, str(uuid.uuid4()))
    token = issued["data"]["token"]  # type: ignore[index]
    early = ask(handler, "rate", {"ticket_token": token, "score": 3}, str(uuid.uuid4()))
    assert early["error"]["code"] == "nothing_to_rate"
    from queue_server.services.unit import Actor

    officer = Actor(name="officer")
    engine.officer.open_counter("kanim-test", "pickup-1", actor=officer)
    engine.officer.call_next("kanim-test", "pickup-1", actor=officer)
    engine.officer.finish("kanim-test", "pickup-1", actor=officer)
    rated = ask(handler, "rate", {"ticket_token": token, "score": 3}, str(uuid.uuid4()))
    assert rated["data"] == {"label": "D-001", "station": "PICKUP", "score": 3}
    bad = ask(handler, "rate", {"ticket_token": token, "score": 7}, str(uuid.uuid4()))
    assert bad["error"]["code"] == "invalid_field"


def test_an_unknown_action_is_answered_on_its_response_topic(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    transaction = str(uuid.uuid4())
    reply = handler.handle(
        REQUEST.replace("issue_ticket", "explode"),
        json.dumps({"transaction": transaction, "data": {}}).encode(),
    )
    assert reply is not None and reply.topic == RESPONSE.replace("issue_ticket", "explode")
    answer = json.loads(reply.payload)
    assert (answer["status"], answer["error"]["code"]) == ("error", "unknown_action")
    assert answer["transaction"] == transaction
    assert set(answer["error"]["messages"]) == {"id", "en"}
    # Not an action name at all: a kiosk may publish any level under request/, so it is
    # answered the same way on the matching response level.
    odd = handler.handle(REQUEST.replace("issue_ticket", "Explode!"), b"{}")
    assert odd is not None and odd.topic == RESPONSE.replace("issue_ticket", "Explode!")
    assert json.loads(odd.payload)["error"]["code"] == "unknown_action"


DEEP_LIST = b"[" * 32_000 + b"]" * 32_000
DEEP_OBJECT = b'{"a":' * 6_000 + b"1" + b"}" * 6_000


def test_hostile_payloads_are_answered_and_change_nothing(engine: Engine) -> None:
    handler = KioskRequests(issuing=engine.issuing)
    transaction = str(uuid.uuid4())
    huge = f'{{"transaction": "{transaction}", "data": {{"service": "walkin", "by_proxy": '
    hostile = [DEEP_LIST, DEEP_OBJECT, huge.encode() + b"9" * 5_000 + b"}}", b"\xff" * 10]
    for raw in hostile:
        reply = handler.handle(REQUEST, raw)
        assert reply is not None and reply.topic == RESPONSE
        answer = json.loads(reply.payload)
        assert (answer["status"], answer["error"]["code"]) == ("error", "malformed_json")
        assert set(answer["error"]["messages"]) == {"id", "en"}
    assert visits(engine) == 0


def test_a_transaction_of_another_kiosk_is_refused_and_changes_nothing(engine: Engine) -> None:
    handler = full_handler(engine)
    transaction = str(uuid.uuid4())
    first = send(handler, {"service": "walkin"}, transaction)
    assert first["status"] == "ok"
    for action, data in [
        ("issue_ticket", {"service": "walkin"}),
        ("lease_numbers", {"service": "walkin", "count": 2}),
        ("rate", {"ticket_token": first["data"]["token"], "score": 4}),  # type: ignore[index]
    ]:
        reply = handler.handle(
            REQUEST.replace("kiosk-1", "kiosk-2").replace("issue_ticket", action),
            json.dumps({"transaction": transaction, "data": data}).encode(),
        )
        assert reply is not None
        assert reply.topic == RESPONSE.replace("kiosk-1", "kiosk-2").replace("issue_ticket", action)
        answer = json.loads(reply.payload)
        assert answer["status"] == "error", action
        assert answer["error"]["code"] == "transaction_taken", action
        assert answer["error"]["messages"]["id"] != answer["error"]["messages"]["en"]
    assert visits(engine) == 1
    assert send(handler, {"service": "walkin"}, transaction) == first  # the owner still can


def test_a_transaction_sent_again_with_other_data_is_refused(engine: Engine) -> None:
    handler = full_handler(engine)
    transaction = str(uuid.uuid4())
    first = send(handler, {"service": "walkin", "language": "id"}, transaction)
    assert send(handler, {"service": "walkin"}, transaction) == first  # same data (defaults)
    other = send(handler, {"service": "walkin", "language": "en"}, transaction)
    assert other["status"] == "error" and other["transaction"] == transaction
    assert other["error"]["code"] == "transaction_reused"  # type: ignore[index]
    assert set(other["error"]["messages"]) == {"id", "en"}  # type: ignore[call-overload]
    assert send(handler, {"service": "pickup"}, transaction)["status"] == "error"
    assert visits(engine) == 1
    lease = str(uuid.uuid4())
    block = ask(handler, "lease_numbers", {"service": "walkin", "count": 2}, lease)
    bigger = ask(handler, "lease_numbers", {"service": "walkin", "count": 3}, lease)
    assert bigger["error"]["code"] == "transaction_reused"
    assert ask(handler, "lease_numbers", {"service": "walkin", "count": 2}, lease) == block
    # The same transaction id on another action is another request too.
    assert (
        ask(handler, "lease_numbers", {"service": "walkin", "count": 2}, transaction)["error"][
            "code"
        ]
        == "transaction_reused"
    )
