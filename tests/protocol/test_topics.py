"""Topic builders and the parser agree; anything outside the contract is refused."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.protocol import topics
from queue_server.protocol.topics import KioskAction, TopicError

ids = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(office=ids, device=ids, action=st.sampled_from(list(KioskAction)))
def test_kiosk_topics_round_trip(office: str, device: str, action: KioskAction) -> None:
    parsed = topics.parse(topics.kiosk_request(office, device, action))
    assert (parsed.office, parsed.kind, parsed.subject, parsed.action) == (
        office,
        "kiosk_request",
        device,
        action.value,
    )
    assert topics.parse(topics.kiosk_response(office, device, action)).kind == "kiosk_response"


@given(office=ids, subject=ids)
def test_state_topics_round_trip(office: str, subject: str) -> None:
    assert topics.parse(topics.queue_state(office, subject)).subject == subject
    assert topics.parse(topics.counter_state(office, subject)).kind == "counter_state"
    assert topics.parse(topics.device_status(office, subject)).kind == "device_status"
    assert topics.parse(topics.device_health(office, subject)).kind == "device_health"
    assert topics.parse(topics.board(office)).kind == "board"
    assert topics.parse(topics.event_called(office)).kind == "event_called"
    lane = topics.parse(topics.lane_state(office, subject))
    assert (lane.kind, lane.subject) == ("lane_state", subject)


def test_examples() -> None:
    assert topics.event_called("kanim-bjm") == "antre/v1/kanim-bjm/event/called"
    assert topics.kiosk_request("kanim-bjm", "kiosk-1", KioskAction.ISSUE_TICKET) == (
        "antre/v1/kanim-bjm/kiosk/kiosk-1/request/issue_ticket"
    )


@pytest.mark.parametrize("bad", ["kiosk/1", "Kiosk", "", "a+", "#", "-a", "a" * 65])
def test_bad_ids_are_refused(bad: str) -> None:
    with pytest.raises(TopicError):
        topics.device_status("office", bad)


@pytest.mark.parametrize(
    "topic",
    [
        "antre/v2/o/board",
        "other/v1/o/board",
        "antre/v1/o",
        "antre/v1/o/kiosk/k/request/",
        "antre/v1/o/kiosk/k/request/a/b",
        "antre/v1/o/kiosk/k/request/" + "a" * 201,
        "antre/v1/o/queue/s/state/extra",
        "antre/v1/O/board",
        "antre/v1/o/device/k/reboot",
    ],
)
def test_foreign_topics_are_refused(topic: str) -> None:
    with pytest.raises(TopicError):
        topics.parse(topic)


@pytest.mark.parametrize("level", ["Hack!", "EXPLODE", "a" * 41, "a b", "ü" * 200])
def test_any_level_under_a_kiosk_request_parses_as_an_unknown_action(level: str) -> None:
    parsed = topics.parse(f"antre/v1/o/kiosk/k/request/{level}")
    assert (parsed.kind, parsed.action, parsed.kiosk_action) == ("kiosk_request", level, None)
    assert topics.kiosk_response("o", "k", level) == f"antre/v1/o/kiosk/k/response/{level}"


@given(st.text(max_size=80))
def test_parse_never_crashes(text: str) -> None:
    with contextlib.suppress(TopicError):
        topics.parse(text)


def test_an_unknown_action_parses_so_it_can_be_answered() -> None:
    parsed = topics.parse("antre/v1/o/kiosk/k1/request/explode")
    assert (parsed.kind, parsed.subject, parsed.action) == ("kiosk_request", "k1", "explode")
    assert parsed.kiosk_action is None
    assert topics.kiosk_response("o", "k1", "explode") == "antre/v1/o/kiosk/k1/response/explode"
    known = topics.parse(topics.kiosk_request("o", "k1", KioskAction.RATE))
    assert known.kiosk_action is KioskAction.RATE


def test_filters_and_acl_patterns_come_from_the_builders() -> None:
    assert topics.server_subscriptions("o") == [
        "antre/v1/o/kiosk/+/request/+",
        "antre/v1/o/device/+/status",
        "antre/v1/o/device/+/health",
    ]
    assert topics.kiosk_responses("o", "k1") == "antre/v1/o/kiosk/k1/response/+"
    assert topics.kiosk_requests("o", "k1") == "antre/v1/o/kiosk/k1/request/+"
    assert topics.everything() == "antre/v1/#"
    assert topics.queue_states("o") == "antre/v1/o/queue/+/state"
    assert topics.counter_states("o") == "antre/v1/o/counter/+/state"
    assert topics.lane_states("o") == "antre/v1/o/lane/+/state"
    for kind in ("kiosk", "display", "counter-display"):  # lanes are for officers only
        assert topics.lane_states("o") not in topics.device_read_filters("o", kind)
    with pytest.raises(TopicError):
        topics.kiosk_requests("o", "#")
    assert topics.sender("antre/v1/o/kiosk/k1/request/x") == "k1"
    assert topics.sender("short") == "short"
