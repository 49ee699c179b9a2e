"""Recorded clip sets: sentences cut into segments, joined with ``wave``, espeak-ng as the
fallback for a sentence the set cannot make."""

from __future__ import annotations

import logging
import struct
import wave
from pathlib import Path

import pytest

from displays.announcer.clips import PAUSE_S, ClipError, ClipSet, ClipSpeaker, segments
from displays.announcer.config import AnnouncerConfig
from displays.announcer.numbers import Language
from displays.announcer.phrases import phrases
from tests.displays.conftest import MakeCall

RATE = 16000
ID_WORDS = ["nomor_antrean", "panggilan_ulang", "silakan_menuju_loket", *map(str, range(10)),
            "sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus", "seribu", "ribu"]
EN_WORDS = ["number", "repeat_call", "please_go_to_counter", *map(str, range(20)),
            *(str(t * 10) for t in range(2, 10)), "hundred", "and", "thousand"]
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]


def write_segment(path: Path, marker: int, frames: int, rate: int = RATE,
                  channels: int = 1) -> None:
    """A segment whose every sample is ``marker``: the joined file shows which came where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{frames * channels}h", *[marker] * frames * channels))


def make_clip_set(root: Path) -> dict[tuple[str, str], int]:
    """Every documented segment of both languages; returns each one's marker."""
    markers: dict[tuple[str, str], int] = {}
    for language, words in (("id", ID_WORDS), ("en", EN_WORDS)):
        for index, word in enumerate([*words, *LETTERS]):
            marker = 100 + len(markers)
            write_segment(root / language / f"{word}.wav", marker, frames=80 + index)
            markers[(language, word)] = marker
    return markers


def runs(path: Path) -> list[int]:
    """The markers in the joined file, in order (0 for a pause)."""
    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
    values = struct.unpack(f"<{len(data) // 2}h", data)
    found: list[int] = []
    for value in values:
        if not found or found[-1] != value:
            found.append(value)
    return found


def test_sentences_are_cut_into_the_documented_segments(make_call: MakeCall) -> None:
    config = AnnouncerConfig()
    sentences = dict(phrases(make_call(ticket="B-023", counter_name="Loket 11"), config))
    assert segments(sentences["id"], "id") == [
        "nomor_antrean", "B", "2", "puluh", "3", ",", "silakan_menuju_loket", "sebelas"]
    assert segments(sentences["en"], "en") == [
        "number", "B", "20", "3", ",", "please_go_to_counter", "11"]
    recall = dict(phrases(make_call(ticket="BI-115", counter_name="BIO 2", recall=True),
                          config))
    assert segments(recall["id"], "id") == [
        "panggilan_ulang", ",", "nomor_antrean", "B", "I", "seratus", "5", "belas", ",",
        "silakan_menuju_loket", "B", "I", "O", "2"]
    assert segments(recall["en"], "en") == [
        "repeat_call", ",", "number", "B", "I", "1", "hundred", "and", "15", ",",
        "please_go_to_counter", "B", "I", "O", "2"]
    assert segments("Nomor antrean A satu, silakan menuju loket Biometrik 1", "id")[-2:] == [
        "biometrik", "1"]


def test_segments_are_joined_in_order_with_pauses(
    tmp_path: Path, make_call: MakeCall
) -> None:
    markers = make_clip_set(tmp_path / "clips")
    clips = ClipSet(tmp_path / "clips")
    text = dict(phrases(make_call(ticket="B-023", counter_name="CS 3"), AnnouncerConfig()))["id"]
    out = clips.join(text, "id", tmp_path / "out.wav")
    names = segments(text, "id")
    expected = [0 if name == "," else markers[("id", name)] for name in names]
    assert runs(out) == expected
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        frames = wav.getnframes()
    segment_frames = 0
    for name in names:
        if name != ",":
            with wave.open(str(tmp_path / "clips" / "id" / f"{name}.wav"), "rb") as part:
                segment_frames += part.getnframes()
    assert frames == segment_frames + names.count(",") * int(RATE * PAUSE_S)


def test_volume_scales_the_samples(tmp_path: Path) -> None:
    make_clip_set(tmp_path / "clips")
    loud = ClipSet(tmp_path / "clips").join("number 1", "en", tmp_path / "loud.wav")
    quiet = ClipSet(tmp_path / "clips", volume=0.5).join("number 1", "en", tmp_path / "q.wav")
    assert [v // 2 for v in runs(loud)] == runs(quiet)


class FakeEspeak:
    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        self.spoken.append((language, text))
        write_segment(out, 7, 10)
        return out


@pytest.mark.parametrize("damage", ["missing", "other-rate", "stereo", "not-a-wav"])
def test_a_bad_segment_falls_back_to_espeak_for_that_sentence(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_clip_set(tmp_path / "clips")
    broken = tmp_path / "clips" / "id" / "puluh.wav"
    if damage == "missing":
        broken.unlink()
    elif damage == "other-rate":
        write_segment(broken, 5, 50, rate=22050)
    elif damage == "stereo":
        write_segment(broken, 5, 50, channels=2)
    else:
        broken.write_bytes(b"RIFF nonsense")
    espeak = FakeEspeak()
    speaker = ClipSpeaker(ClipSet(tmp_path / "clips"), espeak)
    with caplog.at_level(logging.WARNING):
        speaker.synthesize("Nomor antrean B dua puluh", "id", tmp_path / "a.wav")
        speaker.synthesize("Nomor antrean B dua", "id", tmp_path / "b.wav")
    assert espeak.spoken == [("id", "Nomor antrean B dua puluh")]  # only the bad sentence
    assert runs(tmp_path / "a.wav") == [7]
    assert 7 not in runs(tmp_path / "b.wav")
    assert "puluh.wav" in caplog.text and "espeak-ng" in caplog.text
    without = ClipSpeaker(ClipSet(tmp_path / "clips"), None)
    with pytest.raises(ClipError, match=r"puluh\.wav"):
        without.synthesize("Nomor antrean B dua puluh", "id", tmp_path / "c.wav")


def test_a_clip_set_made_with_espeak_is_complete_and_speaks_a_call(
    espeak: str, tmp_path: Path, make_call: MakeCall
) -> None:
    from displays.announcer.clips import check_clip_set, main, make_clip_set
    from displays.announcer.speaker import EspeakSpeaker

    folder = tmp_path / "clips"
    assert main(["check", str(folder)]) == 1  # nothing there yet
    assert len(make_clip_set(folder, EspeakSpeaker(AnnouncerConfig()))) == 2 * 26 + 21 + 34
    assert check_clip_set(folder) == []
    espeak_fallback = FakeEspeak()
    speaker = ClipSpeaker(ClipSet(folder), espeak_fallback)
    for language, text in phrases(make_call(ticket="B-023", counter_name="Loket 3"),
                                  AnnouncerConfig()):
        out = speaker.synthesize(text, language, tmp_path / f"{language}.wav")
        with wave.open(str(out), "rb") as wav:
            assert wav.getnframes() / wav.getframerate() > 1.5
    assert espeak_fallback.spoken == []  # every segment came from the clip set
    (folder / "en" / "hundred.wav").unlink()
    write_segment(folder / "id" / "puluh.wav", 1, 10, rate=8000)
    problems = check_clip_set(folder)
    assert any("en/hundred.wav" in p for p in problems)
    assert any(p.startswith("id/puluh.wav") for p in problems)
