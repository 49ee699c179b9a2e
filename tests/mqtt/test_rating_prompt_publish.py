"""The counter's rating question travels in its retained state, never in the board."""

from __future__ import annotations

import json

from queue_server.domain.ids import TicketSource
from queue_server.mqtt.publisher import StatePublisher
from queue_server.protocol.states import Board, CounterStateMessage
from queue_server.services.issuing import IssueRequest
from queue_server.services.ratings import CounterRating
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
OFFICER = Actor(name="officer")


#: The fields of a counter's state before ``rating`` existed: what older displays accept.
FIELDS_BEFORE_RATING = {
    "code",
    "name",
    "stations",
    "is_open",
    "ticket_label",
    "ticket_status",
    "ticket_id",
    "since",
}


def published(engine: Engine) -> dict[str, bytes]:
    sent: dict[str, bytes] = {}
    publisher = StatePublisher(
        views=engine.views(),
        publish=lambda topic, payload, retain: sent.__setitem__(topic, payload),
        outbox=engine.outbox(),
    )
    publisher.publish_counters(OFFICE)
    return sent


def finish_at_bio(engine: Engine) -> str:
    ticket = engine.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK), actor=OFFICER
    )
    for counter in ("cs-1", "bio-1"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
        engine.officer.call_next(OFFICE, counter, actor=OFFICER)
        engine.officer.finish(OFFICE, counter, actor=OFFICER)
    return str(ticket.label)


def test_the_question_is_in_the_counter_state_only(engine: Engine) -> None:
    label = finish_at_bio(engine)
    sent = published(engine)
    bio = CounterStateMessage.model_validate_json(sent[f"antre/v1/{OFFICE}/counter/bio-1/state"])
    assert bio.rating is not None and bio.rating.ticket_label == label
    cs_payload = json.loads(sent[f"antre/v1/{OFFICE}/counter/cs-1/state"])
    assert "rating" not in cs_payload  # no question: the key is absent, as before
    assert set(cs_payload) == FIELDS_BEFORE_RATING | {"seq"}
    board_payload = json.loads(sent[f"antre/v1/{OFFICE}/board"])
    Board.model_validate(board_payload)
    # A display built before the field existed still reads every counter of the board.
    assert all(set(counter) == FIELDS_BEFORE_RATING for counter in board_payload["counters"])


def test_the_answer_removes_the_question_from_the_next_state(engine: Engine) -> None:
    label = finish_at_bio(engine)
    before = len(engine.published)
    engine.ratings.rate_at_counter(
        CounterRating(office=OFFICE, counter="bio-1", ticket_label=label, score=3), actor=OFFICER
    )
    assert len(engine.published) > before  # an event makes the publisher send the state again
    payload = json.loads(published(engine)[f"antre/v1/{OFFICE}/counter/bio-1/state"])
    assert "rating" not in payload


def test_a_call_republishes_its_counter_and_the_board_not_every_counter(engine: Engine) -> None:
    """Only what changed goes out; a full refresh sends everything again."""
    sent: list[str] = []
    publisher = StatePublisher(
        views=engine.views(),
        publish=lambda topic, payload, retain: sent.append(topic),
        outbox=engine.outbox(),
    )
    publisher.publish_counters(OFFICE)
    publisher.publish_queue(OFFICE, "walkin")
    counters = [topic for topic in sent if "/counter/" in topic]
    assert len(counters) >= 3  # the office's counters, all new to this publisher
    sent.clear()
    publisher.publish_counters(OFFICE)  # nothing changed: nothing sent
    publisher.publish_queue(OFFICE, "walkin")
    assert sent == []
    engine.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK), actor=OFFICER
    )
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    publisher.publish_counters(OFFICE)
    publisher.publish_queue(OFFICE, "walkin")
    assert sorted(sent) == [
        f"antre/v1/{OFFICE}/board",
        f"antre/v1/{OFFICE}/counter/cs-1/state",
        f"antre/v1/{OFFICE}/queue/walkin/state",
    ]
    sent.clear()
    publisher.publish_counters(OFFICE, everything=True)  # a full refresh
    assert sorted(sent) == sorted([*counters, f"antre/v1/{OFFICE}/board"])
