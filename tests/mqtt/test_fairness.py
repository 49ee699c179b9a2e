"""Fair service of device messages, the per-device rate limit and early answers (no broker).

Ordering only: nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import json
import uuid

import paho.mqtt.client as mqtt

from queue_server.mqtt.admission import request_route, transaction_of
from queue_server.mqtt.broker import free_port
from queue_server.mqtt.client import BrokerAddress, DeviceLimits, ServerMqtt
from queue_server.mqtt.fairness import FairQueue, RateLimit, RateLimiter
from queue_server.mqtt.kiosk_requests import Outgoing

PREFIX = "antre/v1/kanim-test"


def drain(fair: FairQueue[str]) -> list[str]:
    """Everything queued, in the order one worker is handed it."""
    fair.close()
    order = []
    while (taken := fair.take()) is not None:
        device, item = taken
        order.append(item)
        fair.done(device)
    return order


def test_a_new_device_waits_for_one_message_of_each_busy_device_not_their_backlog() -> None:
    fair: FairQueue[str] = FairQueue(backlog=1000)
    for number in range(50):
        assert fair.put("kiosk-a", f"a{number}")
    assert fair.put("kiosk-b", "b0")
    assert fair.put("kiosk-c", "c0")
    order = drain(fair)
    assert order[:4] == ["a0", "b0", "c0", "a1"]
    assert order[4:] == [f"a{number}" for number in range(2, 50)]


def test_devices_take_turns_and_each_keeps_its_order() -> None:
    fair: FairQueue[str] = FairQueue(backlog=1000)
    for number in range(3):
        fair.put("kiosk-a", f"a{number}")
        fair.put("kiosk-b", f"b{number}")
    assert drain(fair) == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_a_device_in_hand_is_not_given_to_a_second_worker() -> None:
    fair: FairQueue[str] = FairQueue(backlog=10)
    fair.put("kiosk-a", "a0")
    fair.put("kiosk-a", "a1")
    fair.put("kiosk-b", "b0")
    assert fair.take() == ("kiosk-a", "a0")
    assert fair.take() == ("kiosk-b", "b0")  # not a1: a0 is still being handled
    fair.done("kiosk-b")
    assert fair.waiting("kiosk-a") == 1
    fair.done("kiosk-a")
    assert fair.take() == ("kiosk-a", "a1")
    fair.done("kiosk-a")
    fair.close()
    assert fair.take() is None


def test_the_backlog_is_bounded_per_device() -> None:
    fair: FairQueue[str] = FairQueue(backlog=3)
    assert all(fair.put("kiosk-a", f"a{number}") for number in range(3))
    assert not fair.put("kiosk-a", "a3")
    assert fair.put("kiosk-b", "b0")
    assert drain(fair) == ["a0", "b0", "a1", "a2"]


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_per_device() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(RateLimit(per_s=4, burst=3), clock=clock)
    assert [limiter.allow("kiosk-a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("kiosk-b")
    clock.now += 0.25  # one token back at 4/s
    assert [limiter.allow("kiosk-a") for _ in range(2)] == [True, False]
    clock.now += 60  # never more than the burst
    assert [limiter.allow("kiosk-a") for _ in range(4)] == [True, True, True, False]


def test_routes_and_transactions_are_read_without_raising() -> None:
    topic = f"{PREFIX}/kiosk/kiosk-1/request/issue_ticket"
    assert request_route(topic) == ("kiosk-1", f"{PREFIX}/kiosk/kiosk-1/response/issue_ticket")
    assert request_route(f"{PREFIX}/device/kiosk-1/status") is None
    transaction = uuid.uuid4()
    assert transaction_of(json.dumps({"transaction": str(transaction)}).encode()) == transaction
    for bad in [b"[" * 64_000, b"1" * 5000, b"\xff", b"{}", b'{"transaction": 5}', b"[1]"]:
        assert transaction_of(bad) is None


class Recorder:
    def __init__(self) -> None:
        self.handled: list[bytes] = []

    def subscriptions(self, office: str) -> list[str]:
        return []

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        self.handled.append(payload)
        return None


class Sent:
    """Stands in for the client's ``_send``: what the server would publish."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.qos: list[int] = []

    def __call__(self, topic: str, payload: bytes, *, qos: int, retain: bool) -> None:
        self.messages.append((topic, payload, retain))
        self.qos.append(qos)

    def answers(self) -> list[tuple[str | None, str]]:
        return [
            (answer["transaction"], answer["error"]["code"])
            for answer in (json.loads(payload) for _, payload, _ in self.messages if payload)
        ]


def unstarted_server(limits: DeviceLimits, clock: FakeMonotonic) -> tuple[ServerMqtt, Sent]:
    """A client that is never started: messages wait in its queue, nothing is handled."""
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", free_port(), "", ""),
        office="kanim-test",
        handler=Recorder(),
        limits=limits,
        limiter=RateLimiter(limits.rate, clock=clock),
    )
    sent = Sent()
    server._send = sent  # type: ignore[method-assign]
    return server, sent


def deliver(server: ServerMqtt, topic: str, payload: bytes, *, retain: bool = False) -> None:
    message = mqtt.MQTTMessage(topic=topic.encode())
    message.payload = payload
    message.retain = retain
    server._on_message(mqtt.Client(mqtt.CallbackAPIVersion.VERSION2), None, message)


def request(transaction: str) -> bytes:
    return json.dumps({"transaction": transaction, "data": {"service": "walkin"}}).encode()


def test_requests_over_the_rate_or_the_backlog_are_answered_at_once() -> None:
    clock = FakeMonotonic()
    server, sent = unstarted_server(DeviceLimits(RateLimit(per_s=1, burst=3), backlog=2), clock)
    topic = f"{PREFIX}/kiosk/kiosk-1/request/issue_ticket"
    transactions = [str(uuid.uuid4()) for _ in range(4)]
    for transaction in transactions:
        deliver(server, topic, request(transaction))
    # Two wait for a worker; the third is over the backlog, the fourth over the rate.
    assert sent.answers() == [(transactions[2], "busy"), (transactions[3], "rate_limited")]
    assert {topic for topic, _, _ in sent.messages} == {topic.replace("request", "response")}
    assert sent.qos == [0, 0]  # "not now" answers never queue ahead of real ones
    error = json.loads(sent.messages[0][1])["error"]
    assert set(error["messages"]) == {"id", "en"} and error["message"] == error["messages"]["id"]
    clock.now += 1.0
    deliver(server, f"{PREFIX}/kiosk/kiosk-2/request/lookup", request(transactions[3]))
    assert len(sent.messages) == 2  # another kiosk is not limited by kiosk-1
    assert server._queue.waiting("kiosk-1") == 2 and server._queue.waiting("kiosk-2") == 1


def test_a_retained_request_is_refused_and_cleared_never_queued() -> None:
    server, sent = unstarted_server(DeviceLimits(), FakeMonotonic())
    topic = f"{PREFIX}/kiosk/kiosk-1/request/issue_ticket"
    transaction = str(uuid.uuid4())
    deliver(server, topic, request(transaction), retain=True)
    deliver(server, topic, b"", retain=True)  # a clear of the retained request: nothing to do
    clear, answer = sent.messages
    assert clear == (topic, b"", True)
    assert json.loads(answer[1])["error"]["code"] == "retained_not_allowed"
    assert sent.answers() == [(transaction, "retained_not_allowed")]
    assert sent.qos == [1, 1]
    assert server._queue.waiting("kiosk-1") == 0
    deliver(server, f"{PREFIX}/device/kiosk-1/status", b'{"state":"online"}', retain=True)
    assert server._queue.waiting("kiosk-1") == 1  # retained device reports are normal


def test_a_request_on_any_action_level_is_rate_limited_and_a_retained_one_cleared() -> None:
    server, sent = unstarted_server(DeviceLimits(rate=RateLimit(per_s=1, burst=1)), FakeMonotonic())
    odd = f"{PREFIX}/kiosk/kiosk-1/request/EXPLODE"
    assert request_route(odd) == ("kiosk-1", f"{PREFIX}/kiosk/kiosk-1/response/EXPLODE")
    deliver(server, odd, request(str(uuid.uuid4())))
    deliver(server, odd, request(str(uuid.uuid4())))  # over the rate: answered at once
    assert [code for _transaction, code in sent.answers()] == ["rate_limited"]
    # A level too long to answer on is still never kept retained by the broker.
    endless = f"{PREFIX}/kiosk/kiosk-1/request/" + "x" * 201
    assert request_route(endless) is None
    deliver(server, endless, b"x" * 60_000, retain=True)
    assert sent.messages[-1] == (endless, b"", True)
