"""The announcement queue: one call at a time, in order, each id once, recalls again."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

from displays.announcer.chime import write_chime
from displays.announcer.config import AnnouncerConfig
from displays.announcer.numbers import Language
from displays.announcer.player import RecordingPlayer
from displays.announcer.queue import Announcer
from displays.announcer.speaker import EspeakSpeaker, SpeechError
from queue_server.protocol.base import dump
from tests.displays.conftest import MakeCall


class LoggingSpeaker:
    """Wraps a speaker and remembers which text went into which file."""

    def __init__(self, inner: EspeakSpeaker) -> None:
        self.inner = inner
        self.texts: dict[str, str] = {}

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        self.texts[out.name] = text
        return self.inner.synthesize(text, language, out)


class SilentSpeaker:
    """Writes a chime instead of speech (for queue tests that need no espeak-ng)."""

    def __init__(self, fail_on: str = "") -> None:
        self.fail_on = fail_on

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        if self.fail_on and self.fail_on in text:
            raise SpeechError("boom")
        return write_chime(out, volume=0.1)


class GatedPlayer(RecordingPlayer):
    """A recording player that holds every file until the test opens the gate."""

    def __init__(self, scale: float = 0.0) -> None:
        super().__init__(scale=scale)
        self.gate = threading.Event()

    def play(self, path: Path) -> None:
        self.gate.wait(10)
        super().play(path)


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition(), "condition not reached"


def test_timeline_with_real_espeak_never_overlaps(espeak: str, make_call: MakeCall) -> None:
    config = AnnouncerConfig()
    speaker = LoggingSpeaker(EspeakSpeaker(config))
    player = GatedPlayer(scale=0.05)  # plays each file for 1/20 of its real duration
    announcer = Announcer(config, speaker, player)
    calls = [
        make_call(id=11, ticket="B-001", counter_name="CS 1"),
        make_call(id=12, ticket="B-002", counter_name="CS 2"),
        make_call(id=12, ticket="B-002", counter_name="CS 2"),  # redelivered: same id
        make_call(id=13, ticket="BI-001", counter_name="BIO 1"),
        make_call(id=14, ticket="B-001", counter_name="CS 1", recall=True),
    ]
    accepted = []
    for call in calls:  # five calls within 100 ms
        accepted.append(announcer.submit(call))
        time.sleep(0.02)
    assert accepted == [True, True, False, True, True]
    wait_for(lambda: announcer.waiting() == 3)  # the first call is at the player
    player.gate.set()
    wait_for(lambda: len(announcer.announced) == 4)
    assert announcer.stop(timeout=10)

    assert announcer.announced == [11, 12, 13, 14]
    played = player.played
    assert player.max_active == 1
    for before, after in itertools.pairwise(played):
        assert after.start >= before.end  # never overlaps, never cuts
    names = [p.path.name for p in played]
    assert names == [
        name
        for call_id in (11, 12, 13, 14)
        for name in ("chime.wav", f"{call_id}-0-id.wav", f"{call_id}-1-en.wav")
    ]
    spoken = [speaker.texts[name] for name in names if name != "chime.wav"]
    assert spoken[0] == "Nomor antrean B satu, silakan menuju loket C S satu"
    assert sum("B-002" in t or "B dua," in t for t in spoken) == 1  # the duplicate once
    assert [t for t in spoken if "B satu," in t] == [  # the recall again, said as a recall
        "Nomor antrean B satu, silakan menuju loket C S satu",
        "Panggilan ulang, nomor antrean B satu, silakan menuju loket C S satu",
    ]
    for item in played:
        if item.path.name != "chime.wav":
            assert 1.0 <= item.seconds <= 10.0, item.path.name


def test_a_full_queue_drops_the_oldest_waiting_call(make_call: MakeCall) -> None:
    player = GatedPlayer()
    announcer = Announcer(AnnouncerConfig(max_waiting=2, chime=False), SilentSpeaker(), player)
    announcer.submit(make_call(id=1))
    wait_for(lambda: announcer.waiting() == 0)  # call 1 is playing (held at the gate)
    for call_id in (2, 3, 4):
        assert announcer.submit(make_call(id=call_id))
    assert announcer.waiting() == 2
    assert announcer.dropped == [2]
    player.gate.set()
    wait_for(lambda: len(announcer.announced) == 3)
    assert announcer.announced == [1, 3, 4]
    assert announcer.stop(timeout=5)


def test_a_failed_call_does_not_stop_the_next(make_call: MakeCall) -> None:
    player = RecordingPlayer(scale=0.0)
    announcer = Announcer(AnnouncerConfig(), SilentSpeaker(fail_on="dua puluh"), player)
    announcer.submit(make_call(id=1, ticket="B-020"))
    announcer.submit(make_call(id=2, ticket="B-003"))
    wait_for(lambda: len(announcer.announced) == 1)
    assert announcer.announced == [2]
    assert announcer.stop(timeout=5)
    assert [p.path.name for p in player.played] == ["chime.wav", "2-0-id.wav", "2-1-en.wav"]


def test_stop_is_bounded_and_refuses_new_calls(make_call: MakeCall) -> None:
    player = GatedPlayer()
    announcer = Announcer(AnnouncerConfig(), SilentSpeaker(), player)
    announcer.submit(make_call(id=1))
    announcer.submit(make_call(id=2))
    wait_for(lambda: announcer.waiting() == 1)
    started = time.monotonic()
    assert not announcer.stop(timeout=0.2)  # call 1 still held: stop gives up in time
    assert time.monotonic() - started < 5
    assert announcer.dropped == [2]
    assert not announcer.submit(make_call(id=3))
    player.gate.set()
    assert announcer.stop(timeout=5)
    assert announcer.announced == [1]


def test_mqtt_payloads_are_parsed_with_the_contract(make_call: MakeCall) -> None:
    player = RecordingPlayer(scale=0.0)
    announcer = Announcer(AnnouncerConfig(chime=False), SilentSpeaker(), player)
    call = make_call(id=7)
    assert not announcer.submit_payload(b"not json")
    assert not announcer.submit_payload(b'{"id": 8, "ticket": "B-001"}')
    assert announcer.submit_payload(dump(call))
    assert not announcer.submit_payload(dump(call))  # redelivered
    wait_for(lambda: len(announcer.announced) == 1)
    assert announcer.stop(timeout=5)
    assert announcer.announced == [7]
