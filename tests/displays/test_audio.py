"""The chime, the espeak-ng speaker and the players."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import pytest

from displays.announcer.chime import SAMPLE_RATE, wav_seconds, write_chime
from displays.announcer.config import AnnouncerConfig
from displays.announcer.phrases import phrases
from displays.announcer.player import CommandPlayer, PlaybackError, RecordingPlayer
from displays.announcer.speaker import EspeakMissingError, EspeakSpeaker
from tests.displays.conftest import MakeCall


def peak(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
    values: tuple[int, ...] = struct.unpack(f"<{len(frames) // 2}h", frames)
    return max(abs(v) for v in values)


def test_chime_is_a_short_valid_wav(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
    assert 0.5 <= wav_seconds(path) <= 1.5
    assert 0.7 * 32767 <= peak(path) <= 0.8 * 32767 + 1
    assert peak(write_chime(tmp_path / "quiet.wav", volume=0.2)) <= 0.2 * 32767 + 1
    with pytest.raises(ValueError, match="volume"):
        write_chime(tmp_path / "loud.wav", volume=2.0)


def test_missing_espeak_names_the_package() -> None:
    with pytest.raises(EspeakMissingError, match="install the Debian package espeak-ng"):
        EspeakSpeaker(AnnouncerConfig(), executable="espeak-ng-not-installed")


def test_espeak_command_is_an_argument_list(espeak: str) -> None:
    config = AnnouncerConfig(voices={"id": "id", "en": "en-gb"}, speed=140, volume=0.5)
    command = EspeakSpeaker(config).command("-x; rm -rf /", "en", Path("/tmp/o.wav"))
    assert command == [
        espeak,
        "-v",
        "en-gb",
        "-s",
        "140",
        "-a",
        "100",
        "-w",
        "/tmp/o.wav",
        "--",
        "-x; rm -rf /",
    ]


def test_espeak_wavs_are_valid_and_of_plausible_length(
    espeak: str, make_call: MakeCall, tmp_path: Path
) -> None:
    config = AnnouncerConfig()
    speaker = EspeakSpeaker(config)
    for recall in (False, True):
        for language, text in phrases(make_call(recall=recall), config):
            out = speaker.synthesize(text, language, tmp_path / f"{language}-{recall}.wav")
            with wave.open(str(out), "rb") as wav:
                assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
                assert wav.getframerate() == 22050
            assert 1.0 <= wav_seconds(out) <= 10.0, text
            assert peak(out) > 1000


def test_a_text_that_looks_like_an_option_is_spoken(espeak: str, tmp_path: Path) -> None:
    out = EspeakSpeaker(AnnouncerConfig()).synthesize("--help", "en", tmp_path / "h.wav")
    assert wav_seconds(out) > 0.2


def test_the_recording_player_keeps_the_real_durations(tmp_path: Path) -> None:
    player = RecordingPlayer(scale=0.01)
    player.play(write_chime(tmp_path / "c.wav"))
    [played] = player.played
    assert played.seconds == pytest.approx(wav_seconds(tmp_path / "c.wav"))
    assert played.end >= played.start


def test_a_command_player_needs_a_player_program(tmp_path: Path) -> None:
    with pytest.raises(PlaybackError, match="alsa-utils"):
        CommandPlayer(command=("no-such-player-program",))
    CommandPlayer(command=("true",)).play(write_chime(tmp_path / "c.wav"))
    with pytest.raises(PlaybackError, match="failed"):
        CommandPlayer(command=("false",)).play(write_chime(tmp_path / "c.wav"))


def test_the_sample_command_writes_one_wav_per_language(
    espeak: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from displays.announcer.__main__ import main

    files = main(["--ticket", "BI-101", "--counter", "Loket 4", "--recall", "--out", str(tmp_path)])
    assert [f.name for f in files] == ["chime.wav", "announcement-id.wav", "announcement-en.wav"]
    assert all(1.0 <= wav_seconds(f) <= 10.0 for f in files[1:])
    out = capsys.readouterr().out
    assert "id: Panggilan ulang, nomor antrean B I seratus satu, silakan menuju loket empat" in out
    assert "en: Repeat call, number B I one hundred and one, please go to counter four" in out


def test_the_sample_command_refuses_bad_input_in_one_bilingual_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from displays.announcer.__main__ import cli

    with pytest.raises(SystemExit) as refused:  # argparse: a ticket that is not a label
        cli(["--ticket", "B;rm", "--out", str(tmp_path)])
    assert refused.value.code == 2
    assert "bukan nomor antrean" in capsys.readouterr().err
    assert cli(["--speed", "5", "--out", str(tmp_path)]) == 2  # a setting out of range
    err = capsys.readouterr().err
    assert "Pengumuman tidak dapat dibuat" in err and "could not be made" in err
    assert "Traceback" not in err and not list(tmp_path.iterdir())
