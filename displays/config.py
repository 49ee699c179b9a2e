"""One display's configuration file (YAML or TOML): broker, account, mode, screen, ticker and
announcer. ``antre display --config FILE`` reads it before anything starts.

A bad file is refused as a whole with one line in Indonesian and English that names the
field (``announcer.volume``, ``device.password_file`` ...): :class:`DisplayConfigError`.
The example with every field is ``provisioning/display.example.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from devices.config_file import (
    NO_FILE,
    NOT_A_SIZE,
    ONE_LINE_PASSWORD,
    UNREADABLE,
    BrokerSection,
    ConfigFileError,
    Section,
    first_problem,
    identifier,
    read_mapping,
)
from displays.announcer.config import AnnouncerConfig, SpokenName
from displays.announcer.numbers import Language

CONFIG_INVALID = "The display configuration {file} is not valid: {field}: {problem}"
CONFIG_UNREADABLE = "The display configuration {file} cannot be read: {problem}"
MAX_TICKER_LINES = 20
#: A ticker line is drawn as one texture: this keeps it under a Pi's 4096-pixel limit.
MAX_TICKER_CHARS = 160
Orientation = Literal["landscape", "portrait", "portrait-flipped", "landscape-flipped"]
#: How far the picture is turned (degrees, counter-clockwise) for each way the TV is mounted.
ROTATION: dict[str, int] = {
    "landscape": 0,
    "portrait": 90,
    "landscape-flipped": 180,
    "portrait-flipped": 270,
}


def _both_languages() -> list[Language]:
    return ["id", "en"]


#: The problems a field can have, as catalog msgids (each said in both languages); the
#: ones every configuration file shares are in devices.config_file.
LINE_LENGTH = "each line must have 1 to 160 characters"
LANGUAGE_TWICE = "a language is listed twice"
NEEDS_COUNTER = "the counter mode needs a counter code, e.g. cs-1"
NOT_A_VOICE = "not an espeak-ng voice name"
NO_FOLDER = "no such folder"


class DisplayConfigError(ConfigFileError):
    """The display's configuration file is not valid (see :class:`ConfigFileError`)."""

    INVALID = CONFIG_INVALID
    UNREADABLE = CONFIG_UNREADABLE


class DeviceSection(Section):
    """The display's account: its device id (MQTT user) and a file holding its password."""

    id: str
    password_file: Path

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return identifier(value, "device")


class ScreenSection(Section):
    """The window: ``size`` ``WIDTHxHEIGHT`` (empty: the screen's own), orientation of the TV."""

    size: str = ""
    orientation: Orientation = "landscape"
    fullscreen: bool = True

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        parts = value.strip().lower().split("x")
        if value and not (
            len(parts) == 2 and all(p.isdigit() and 100 <= int(p) <= 99999 for p in parts)
        ):
            raise ValueError(NOT_A_SIZE)
        return value.strip().lower()

    @property
    def rotation(self) -> int:
        return ROTATION[self.orientation]


class TickerSection(Section):
    """The information ticker: its lines and speed (screen heights per minute)."""

    lines: list[str] = Field(default_factory=list, max_length=MAX_TICKER_LINES)
    speed: float = Field(default=8.0, ge=1.0, le=60.0)

    @field_validator("lines")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        lines = [" ".join(line.split()) for line in value]
        if any(not line or len(line) > MAX_TICKER_CHARS for line in lines):
            raise ValueError(LINE_LENGTH)
        return lines


class SpokenNameSection(Section):
    id: str = Field(min_length=1, max_length=60)
    en: str = Field(min_length=1, max_length=60)


class AnnouncerSection(Section):
    """The spoken calls (see :class:`~displays.announcer.config.AnnouncerConfig`)."""

    enabled: bool | None = None
    languages: list[Language] = Field(default_factory=_both_languages, min_length=1, max_length=2)
    voices: dict[Language, str] = Field(default_factory=dict)
    speed: int = Field(default=150, ge=80, le=450)
    volume: float = Field(default=0.8, ge=0.0, le=1.0)
    numbers: Literal["words", "digits"] = "words"
    chime: bool = True
    counter_names: dict[str, SpokenNameSection] = Field(default_factory=dict)
    clips: Path | None = None
    max_age_s: float = Field(default=120.0, ge=5.0, le=3600.0)

    @field_validator("languages")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(LANGUAGE_TWICE)
        return value

    @field_validator("voices")
    @classmethod
    def _voices(cls, value: dict[str, str]) -> dict[str, str]:
        for voice in value.values():
            if not voice or len(voice) > 40 or not all(c.isalnum() or c in "-_+" for c in voice):
                raise ValueError(NOT_A_VOICE)
        return value

    @field_validator("counter_names")
    @classmethod
    def _counters(cls, value: dict[str, Any]) -> dict[str, Any]:
        for code in value:
            identifier(code, "counter")
        return value

    def announcer_config(self) -> AnnouncerConfig:
        """The announcer's own settings."""
        return AnnouncerConfig(
            languages=tuple(self.languages),
            voices={"id": "id", "en": "en", **self.voices},
            speed=self.speed,
            volume=self.volume,
            numbers=self.numbers,
            chime=self.chime,
            counter_names={
                code: SpokenName(id=name.id, en=name.en)
                for code, name in self.counter_names.items()
            },
        )


class DisplaySettings(Section):
    """A whole display configuration file."""

    office: str
    mode: Literal["board", "counter"] = "board"
    counter: str | None = None
    broker: BrokerSection = Field(default_factory=BrokerSection)
    device: DeviceSection
    screen: ScreenSection = Field(default_factory=ScreenSection)
    languages: list[Language] = Field(default_factory=_both_languages, min_length=1, max_length=2)
    ticker: TickerSection = Field(default_factory=TickerSection)
    announcer: AnnouncerSection = Field(default_factory=AnnouncerSection)

    @field_validator("office")
    @classmethod
    def _office(cls, value: str) -> str:
        return identifier(value, "office")

    @field_validator("counter")
    @classmethod
    def _counter(cls, value: str | None) -> str | None:
        return None if value is None else identifier(value, "counter")

    @field_validator("languages")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(LANGUAGE_TWICE)
        return value

    @model_validator(mode="after")
    def _counter_mode(self) -> DisplaySettings:
        if self.mode == "counter" and self.counter is None:
            raise ValueError(NEEDS_COUNTER)
        return self

    @property
    def kind(self) -> str:
        """The device kind of its account: ``display`` or ``counter-display``."""
        return "display" if self.mode == "board" else "counter-display"

    @property
    def announces(self) -> bool:
        """Whether it speaks the calls (default: a lobby board does, a counter display not)."""
        enabled = self.announcer.enabled
        return self.mode == "board" if enabled is None else enabled


def _read_mapping(path: Path) -> dict[str, Any]:
    return read_mapping(path, DisplayConfigError)


def _resolve(base: Path, path: Path | None) -> Path | None:
    return None if path is None else (path if path.is_absolute() else base / path)


def load(path: Path) -> tuple[DisplaySettings, str]:
    """Read and check ``path``; return the settings (relative paths made absolute against
    the file's folder) and the display's password.

    Raises:
        DisplayConfigError: the file, a field, the password file or the clip folder is bad.
    """
    data = _read_mapping(path)
    try:
        settings = DisplaySettings.model_validate(data)
    except ValidationError as error:
        raise _field_error(error, path) from None
    base = path.resolve().parent
    settings = settings.model_copy(
        update={
            "device": settings.device.model_copy(
                update={"password_file": _resolve(base, settings.device.password_file)}
            ),
            "broker": settings.broker.model_copy(
                update={"ca_file": _resolve(base, settings.broker.ca_file)}
            ),
            "announcer": settings.announcer.model_copy(
                update={"clips": _resolve(base, settings.announcer.clips)}
            ),
        }
    )
    password = _password(settings.device.password_file, path)
    if settings.broker.ca_file is not None and not settings.broker.ca_file.is_file():
        raise DisplayConfigError("broker.ca_file", NO_FILE, path)
    clips = settings.announcer.clips
    if clips is not None and not clips.is_dir():
        raise DisplayConfigError("announcer.clips", NO_FOLDER, path)
    return settings, password


def _password(file: Path, config: Path) -> str:
    try:
        password = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise DisplayConfigError("device.password_file", UNREADABLE, config) from None
    if not password or "\n" in password:
        raise DisplayConfigError("device.password_file", ONE_LINE_PASSWORD, config)
    return password


def _field_error(error: ValidationError, path: Path) -> DisplayConfigError:
    """The first problem pydantic found, as a :class:`DisplayConfigError` in both languages."""
    location, problem, params = first_problem(error)
    field = ".".join(location) or "-"
    if problem == NEEDS_COUNTER:
        field = "counter"
    return DisplayConfigError(field, problem, path, **params)
