"""The announcer fed from the display's link: each call once, a recall again, stale calls
not spoken, and real espeak-ng WAVs played back to back (real durations, never overlapping)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from displays.announcer.config import AnnouncerConfig
from displays.announcer.numbers import Language
from displays.announcer.player import RecordingPlayer
from displays.announcer.queue import Announcer
from displays.announcer.speaker import EspeakSpeaker
from displays.counter.model import CounterModel
from displays.feed import CallFeed
from queue_server.protocol import topics
from queue_server.protocol.base import dump
from queue_server.protocol.states import CalledEvent, CounterStateMessage
from tests.displays.conftest import MakeCall
from tests.displays.test_queue import SilentSpeaker, wait_for

NOW = datetime(2026, 3, 3, 9, 0, 30, tzinfo=UTC)


def payload(call: CalledEvent) -> bytes:
    return dump(call)


def test_fresh_calls_pass_once_stale_and_foreign_ones_do_not(make_call: MakeCall) -> None:
    player = RecordingPlayer(scale=0.0)
    announcer = Announcer(AnnouncerConfig(chime=False), SilentSpeaker(), player)
    feed = CallFeed(announcer, max_age_s=120, now=lambda: NOW)
    fresh = make_call(id=1, ts=NOW - timedelta(seconds=5))
    assert feed(payload(fresh)) is True
    assert feed(payload(fresh)) is False  # a redelivery
    assert feed(payload(make_call(id=2, ts=NOW - timedelta(minutes=10)))) is False
    assert feed(b'{"id": "nonsense"}') is False
    assert feed(payload(make_call(id=3, recall=True, ts=NOW))) is True  # a recall: new id
    wait_for(lambda: len(announcer.announced) == 2)
    assert announcer.stop(5)
    assert announcer.announced == [1, 3] and feed.too_old == [2]
    only_cs2 = CallFeed(Announcer(AnnouncerConfig(chime=False), SilentSpeaker(), player),
                        counter="cs-2", now=lambda: NOW)
    assert only_cs2(payload(make_call(id=4, counter="cs-3", ts=NOW))) is False
    assert only_cs2(payload(make_call(id=5, counter="cs-2", ts=NOW))) is True
    assert only_cs2.announcer.stop(5)


class TimedSpeaker:
    """Real espeak-ng, remembering the text of each file."""

    def __init__(self, inner: EspeakSpeaker) -> None:
        self.inner = inner
        self.texts: dict[str, str] = {}

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        self.texts[out.name] = text
        return self.inner.synthesize(text, language, out)


@pytest.mark.slow
def test_real_espeak_calls_at_real_length_never_overlap(espeak: str, make_call: MakeCall) -> None:
    """Three calls arrive within 50 ms; the player takes each WAV's real duration."""
    config = AnnouncerConfig()
    speaker = TimedSpeaker(EspeakSpeaker(config))
    player = RecordingPlayer(scale=1.0)
    announcer = Announcer(config, speaker, player)
    now = datetime.now(UTC)
    feed = CallFeed(announcer, now=lambda: now)
    calls = [make_call(id=21, ticket="A-012", counter_name="Loket 1", ts=now),
             make_call(id=22, ticket="B-007", counter_name="Loket 2", ts=now),
             make_call(id=21, ticket="A-012", counter_name="Loket 1", ts=now),
             make_call(id=23, ticket="A-012", counter_name="Loket 1", recall=True, ts=now)]
    accepted = [feed(payload(call)) for call in calls]
    assert accepted == [True, True, False, True]
    wait_for(lambda: len(announcer.announced) == 3, seconds=90)
    assert announcer.stop(10)
    played = player.played
    assert player.max_active == 1
    assert len(played) == 9  # chime, id, en for each of the three calls
    for before, after in itertools.pairwise(played):
        assert after.start >= before.end - 1e-6  # each starts after the previous ended
        assert after.start - before.end < 1.0  # and the queue does not idle between them
    for item in played:
        assert item.end - item.start >= item.seconds * 0.95  # played for its real length
    names = [item.path.name for item in played]
    assert names == [n for i in (21, 22, 23) for n in ("chime.wav", f"{i}-0-id.wav",
                                                         f"{i}-1-en.wav")]
    assert speaker.texts["23-0-id.wav"].startswith("Panggilan ulang, nomor antrean A")
    assert sum(item.seconds for item in played if item.path.name != "chime.wav") > 6.0


def test_a_counter_display_keeps_its_own_counter_only() -> None:
    from displays.board.sample import OFFICE, counter

    model = CounterModel("cs-2")
    topic = topics.counter_state(OFFICE, "cs-2")
    first = CounterStateMessage.model_validate({"seq": 5, **counter("cs-2", "Loket 2", "B-007")})
    assert model.accept(topic, first)
    assert not model.accept(topic, first)  # not newer
    other = CounterStateMessage.model_validate({"seq": 9, **counter("cs-1", "Loket 1", "A-1")})
    assert not model.accept(topics.counter_state(OFFICE, "cs-1"), other)
    view = model.view()
    assert (view.ticket, view.status, view.counter_name, view.known) == (
        "B-007", "called", "Loket 2", True)
    idle = CounterStateMessage.model_validate({"seq": 6, **counter("cs-2", "Loket 2")})
    assert model.accept(topic, idle) and model.view().ticket == ""
