"""Playing WAV files: the :class:`Player` protocol, a command player and a recording one."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from displays.announcer.chime import wav_seconds

#: Seconds a player may run beyond the file's own duration before it is stopped.
PLAY_MARGIN: Final = 5.0
#: Players tried in order: ALSA's aplay, then PulseAudio's paplay.
PLAYER_COMMANDS: Final = (("aplay", "-q"), ("paplay",))


class Player(Protocol):
    """Plays one WAV file and returns when it has finished."""

    def play(self, path: Path) -> None:
        """Play ``path`` to the end (blocking)."""
        ...


class PlaybackError(RuntimeError):
    """A WAV could not be played."""


class PlayerMissingError(PlaybackError):
    """Neither aplay nor paplay is installed on this display."""


class CommandPlayer:
    """Plays through ``aplay`` or ``paplay`` (whichever is installed, in that order)."""

    def __init__(self, command: tuple[str, ...] | None = None) -> None:
        """Find a player command.

        Raises:
            PlayerMissingError: neither aplay (alsa-utils) nor paplay (pulseaudio-utils) is
                installed.
        """
        for candidate in (command,) if command else PLAYER_COMMANDS:
            found = shutil.which(candidate[0])
            if found:
                self._command = [found, *candidate[1:]]
                return
        raise PlayerMissingError(
            "no audio player: install alsa-utils (aplay) or pulseaudio-utils (paplay)"
        )

    @property
    def name(self) -> str:
        """The player's command name (``aplay`` or ``paplay``)."""
        return Path(self._command[0]).name

    def play(self, path: Path) -> None:
        """Play ``path``; stopped after its duration plus :data:`PLAY_MARGIN` seconds."""
        timeout = wav_seconds(path) + PLAY_MARGIN
        try:
            subprocess.run(
                [*self._command, str(path)], check=True, capture_output=True, timeout=timeout
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            raise PlaybackError(f"playing {path.name} failed: {exc}") from exc


@dataclass(frozen=True)
class Played:
    """One recorded playback: the file, its real duration and when it started and ended."""

    path: Path
    seconds: float
    start: float
    end: float


class RecordingPlayer:
    """Records what would be played and waits ``scale`` × each file's real duration.

    For tests and for a display without a sound card: the timeline keeps the real order and
    (scaled) lengths without making a sound.
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.played: list[Played] = []
        self._lock = threading.Lock()
        self._active = 0
        self.max_active = 0

    def play(self, path: Path) -> None:
        """Record ``path`` and wait for its scaled duration."""
        seconds = wav_seconds(path)
        with self._lock:
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        start = time.monotonic()
        time.sleep(seconds * self.scale)
        end = time.monotonic()
        with self._lock:
            self._active -= 1
            self.played.append(Played(path=path, seconds=seconds, start=start, end=end))
