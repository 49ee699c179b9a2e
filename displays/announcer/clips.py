"""An office's recorded voice: a folder of short WAV segments joined into one WAV per sentence.

The sentence the announcer would give espeak-ng ("Nomor antrean B dua puluh tiga, silakan
menuju loket tiga") is cut into segments, each a file in the language's folder::

    CLIPS/id/nomor_antrean.wav  panggilan_ulang.wav  silakan_menuju_loket.wav
    CLIPS/id/0.wav .. 9.wav     (nol .. sembilan)
    CLIPS/id/sepuluh.wav sebelas.wav belas.wav puluh.wav seratus.wav ratus.wav
             seribu.wav ribu.wav
    CLIPS/id/A.wav .. Z.wav     (letters, spelled)
    CLIPS/en/number.wav repeat_call.wav please_go_to_counter.wav
    CLIPS/en/0.wav .. 19.wav 20.wav 30.wav .. 90.wav hundred.wav and.wav thousand.wav
    CLIPS/en/A.wav .. Z.wav
    any other word of a counter's name, lower case: CLIPS/id/biometrik.wav

A comma is a short silence. Every segment of a sentence must have the same sample format
(channels, sample width, rate); the joined WAV has it too. When a segment is missing or its
format differs, that sentence is spoken by espeak-ng instead, with a warning naming the file.
"""

from __future__ import annotations

import logging
import re
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from displays.announcer.numbers import EN_TENS, EN_UNITS, ID_UNITS, Language
from displays.announcer.speaker import Speaker

log = logging.getLogger(__name__)
PAUSE_S: Final = 0.25
#: Word groups recorded as one segment (matched case-insensitively, longest first).
PHRASES: Final[dict[Language, tuple[tuple[str, str], ...]]] = {
    "id": (
        ("silakan menuju loket", "silakan_menuju_loket"),
        ("panggilan ulang", "panggilan_ulang"),
        ("nomor antrean", "nomor_antrean"),
    ),
    "en": (
        ("please go to counter", "please_go_to_counter"),
        ("repeat call", "repeat_call"),
        ("number", "number"),
    ),
}
_DIGIT_FILES: Final[dict[Language, dict[str, str]]] = {
    "id": {word: str(value) for value, word in enumerate(ID_UNITS)},
    "en": {
        **{word: str(value) for value, word in enumerate(EN_UNITS)},
        **{word: str(value * 10) for value, word in enumerate(EN_TENS) if word},
    },
}
_TOKEN: Final = re.compile(r",|[^\s,\-]+")
PAUSE: Final = ","


class ClipError(RuntimeError):
    """A sentence cannot be made from the clip set."""


def segments(text: str, language: Language) -> list[str]:
    """The segment names of ``text``; ``","`` stands for a pause.

    >>> segments("Nomor antrean B dua puluh tiga, silakan menuju loket 3", "id")
    ['nomor_antrean', 'B', '2', 'puluh', '3', ',', 'silakan_menuju_loket', '3']
    """
    rest = " ".join(text.split())
    names: list[str] = []
    while rest:
        lowered = rest.lower()
        for phrase, name in PHRASES[language]:
            if lowered.startswith(phrase) and (
                len(rest) == len(phrase) or not rest[len(phrase)].isalnum()
            ):
                names.append(name)
                rest = rest[len(phrase) :].lstrip(" -")
                break
        else:
            match = _TOKEN.match(rest)
            if match is None:
                rest = rest[1:].lstrip(" -")
                continue
            names.append(_name(match.group(0), language))
            rest = rest[match.end() :].lstrip(" -")
    return names


def _name(token: str, language: Language) -> str:
    if token == PAUSE:
        return PAUSE
    if token.isdigit():
        return token
    if len(token) == 1 and token.isalpha() and token.isupper():
        return token
    word = token.lower()
    return _DIGIT_FILES[language].get(word, word)


@dataclass(frozen=True)
class _Format:
    channels: int
    width: int
    rate: int


class ClipSet:
    """One office's recorded segments (``folder/id/*.wav``, ``folder/en/*.wav``)."""

    def __init__(self, folder: Path, volume: float = 1.0) -> None:
        self.folder = folder
        self.volume = volume

    def path(self, language: Language, name: str) -> Path:
        return self.folder / language / f"{name}.wav"

    def join(self, text: str, language: Language, out: Path) -> Path:
        """Write ``text`` as the joined segments to ``out``.

        Raises:
            ClipError: a segment is missing, unreadable or of another sample format.
        """
        names = segments(text, language)
        if not names:
            raise ClipError("nothing to say")
        parts: list[bytes] = []
        fmt: _Format | None = None
        for name in names:
            if name == PAUSE:
                parts.append(b"")  # filled once the format is known
                continue
            frames, found = self._read(self.path(language, name))
            if fmt is not None and found != fmt:
                raise ClipError(f"{language}/{name}.wav has another sample format: {found}")
            fmt = found
            parts.append(frames)
        if fmt is None:
            raise ClipError("no recorded segment")
        silence = b"\0" * (int(fmt.rate * PAUSE_S) * fmt.channels * fmt.width)
        audio = b"".join(part or silence for part in parts)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(fmt.channels)
            wav.setsampwidth(fmt.width)
            wav.setframerate(fmt.rate)
            wav.writeframes(self._scaled(audio, fmt))
        return out

    def _read(self, path: Path) -> tuple[bytes, _Format]:
        try:
            with wave.open(str(path), "rb") as wav:
                found = _Format(wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                return wav.readframes(wav.getnframes()), found
        except FileNotFoundError:
            raise ClipError(f"missing segment {path.parent.name}/{path.name}") from None
        except (OSError, wave.Error, EOFError) as error:
            raise ClipError(f"unreadable segment {path.parent.name}/{path.name}: {error}") from None

    def _scaled(self, audio: bytes, fmt: _Format) -> bytes:
        if self.volume >= 1.0 or fmt.width != 2:
            return audio
        samples = array("h", audio)
        for index, value in enumerate(samples):
            samples[index] = int(value * self.volume)
        return samples.tobytes()


class ClipSpeaker:
    """A :class:`~displays.announcer.speaker.Speaker` from a clip set, with a fallback.

    Args:
        clips: The office's recorded segments.
        fallback: The speaker used for a sentence the clip set cannot make (espeak-ng), or
            None to fail that sentence.
    """

    def __init__(self, clips: ClipSet, fallback: Speaker | None) -> None:
        self.clips = clips
        self.fallback = fallback
        self.fell_back: list[str] = []

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        try:
            return self.clips.join(text, language, out)
        except ClipError as error:
            if self.fallback is None:
                raise
            log.warning("clip set: %s; this sentence is spoken by espeak-ng", error)
            self.fell_back.append(str(error))
            return self.fallback.synthesize(text, language, out)


def documented_segments(language: Language) -> list[str]:
    """Every segment a clip set needs in ``language`` (counter-name words aside)."""
    phrases_ = [name for _phrase, name in PHRASES[language]]
    if language == "id":
        numbers = [
            *map(str, range(10)),
            "sepuluh",
            "sebelas",
            "belas",
            "puluh",
            "seratus",
            "ratus",
            "seribu",
            "ribu",
        ]
    else:
        numbers = [
            *map(str, range(20)),
            *(str(t * 10) for t in range(2, 10)),
            "hundred",
            "and",
            "thousand",
        ]
    return [*phrases_, *numbers, *(chr(c) for c in range(ord("A"), ord("Z") + 1))]


def check_clip_set(folder: Path, languages: tuple[Language, ...] = ("id", "en")) -> list[str]:
    """What is wrong with the clip set in ``folder``: missing or unreadable segments and
    segments whose sample format differs from the first one's. Empty: complete."""
    problems: list[str] = []
    clips = ClipSet(folder)
    first: tuple[str, _Format] | None = None
    for language in languages:
        for name in documented_segments(language):
            try:
                _frames, fmt = clips._read(clips.path(language, name))
            except ClipError as error:
                problems.append(str(error))
                continue
            if first is None:
                first = (f"{language}/{name}.wav", fmt)
            elif fmt != first[1]:
                problems.append(f"{language}/{name}.wav: {fmt} differs from {first[0]}")
    return problems


def make_clip_set(
    folder: Path, speaker: Speaker, languages: tuple[Language, ...] = ("id", "en")
) -> list[Path]:
    """Write every documented segment with ``speaker`` (espeak-ng): a complete clip set to
    try the layout with, or to replace segment by segment with recordings."""
    spoken_phrases = {name: phrase for language in languages for phrase, name in PHRASES[language]}
    words = {
        language: {file: word for word, file in _DIGIT_FILES[language].items()}
        for language in languages
    }
    written = []
    for language in languages:
        (folder / language).mkdir(parents=True, exist_ok=True)
        for name in documented_segments(language):
            text = spoken_phrases.get(name) or words[language].get(name) or name
            written.append(speaker.synthesize(text, language, folder / language / f"{name}.wav"))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m displays.announcer.clips check|make FOLDER``."""
    import argparse

    from displays.announcer.config import AnnouncerConfig
    from displays.announcer.speaker import EspeakSpeaker

    parser = argparse.ArgumentParser(prog="python -m displays.announcer.clips")
    parser.add_argument("action", choices=["check", "make"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.action == "make":
        files = make_clip_set(args.folder, EspeakSpeaker(AnnouncerConfig()))
        print(f"{len(files)} segments written to {args.folder}")
        return 0
    problems = check_clip_set(args.folder)
    for problem in problems:
        print(problem)
    print("complete" if not problems else f"{len(problems)} problems")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
