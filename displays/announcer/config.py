"""The announcer's settings for one display (a small typed, immutable config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from displays.announcer.numbers import Language

NumberStyle = Literal["words", "digits"]


@dataclass(frozen=True)
class SpokenName:
    """How a counter is spoken after "loket" / "counter", in each language."""

    id: str
    en: str

    def get(self, language: Language) -> str:
        """The name in ``language``."""
        return self.id if language == "id" else self.en


@dataclass(frozen=True)
class AnnouncerConfig:
    """Settings of one display's announcer.

    Attributes:
        languages: The languages spoken, in order (``("id", "en")``, ``("id",)``, ...).
        voices: The espeak-ng voice of each language.
        speed: Words per minute (espeak-ng ``-s``; its default is 175).
        volume: 0.0 (silent) to 1.0 (loudest): espeak-ng's amplitude ``-a`` is
            ``volume * 200`` and the chime's peak is ``volume`` of full scale.
        numbers: ``"words"`` (``dua puluh tiga``) or ``"digits"`` (``nol dua tiga``).
        chime: Play the chime before each call.
        counter_names: Counter code → its spoken name; overrides the name read from the
            counter's display name.
        max_waiting: Calls that may wait while one plays; when one more arrives, the oldest
            waiting call is dropped (the boards still show it).
    """

    languages: tuple[Language, ...] = ("id", "en")
    voices: Mapping[Language, str] = field(default_factory=lambda: {"id": "id", "en": "en"})
    speed: int = 150
    volume: float = 0.8
    numbers: NumberStyle = "words"
    chime: bool = True
    counter_names: Mapping[str, SpokenName] = field(default_factory=dict)
    max_waiting: int = 20

    def __post_init__(self) -> None:
        if not self.languages or any(lang not in ("id", "en") for lang in self.languages):
            raise ValueError(f"languages must be a non-empty list of id/en: {self.languages}")
        if not 80 <= self.speed <= 450:
            raise ValueError(f"speed must be 80..450 words per minute: {self.speed}")
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"volume must be 0.0..1.0: {self.volume}")
        if self.numbers not in ("words", "digits"):
            raise ValueError(f"numbers must be 'words' or 'digits': {self.numbers}")
        if self.max_waiting < 1:
            raise ValueError(f"max_waiting must be at least 1: {self.max_waiting}")

    def voice(self, language: Language) -> str:
        """The espeak-ng voice for ``language`` (the language code when none is set)."""
        return self.voices.get(language, language)
