"""Text to a WAV file: the :class:`Speaker` protocol and its espeak-ng implementation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Final, Protocol

from displays.announcer.config import AnnouncerConfig
from displays.announcer.numbers import Language

#: espeak-ng writes a call's WAV in a few hundredths of a second; this bounds a hang.
SYNTH_TIMEOUT: Final = 15.0


class SpeechError(RuntimeError):
    """The text could not be turned into speech."""


class EspeakMissingError(SpeechError):
    """espeak-ng is not installed on this display."""

    def __init__(self) -> None:
        super().__init__(
            "espeak-ng not found: install the Debian package espeak-ng "
            "(apt-get install espeak-ng) / espeak-ng tidak ditemukan: pasang paket "
            "Debian espeak-ng"
        )


class Speaker(Protocol):
    """Turns a sentence into a WAV file."""

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        """Write ``text`` spoken in ``language`` to ``out`` and return ``out``."""
        ...


class EspeakSpeaker:
    """Speech with the espeak-ng command (offline; voices ``id`` and ``en``)."""

    def __init__(self, config: AnnouncerConfig, executable: str = "espeak-ng") -> None:
        """Find espeak-ng.

        Raises:
            EspeakMissingError: ``executable`` is not on the PATH.
        """
        found = shutil.which(executable)
        if found is None:
            raise EspeakMissingError()
        self._executable = found
        self._config = config

    def command(self, text: str, language: Language, out: Path) -> list[str]:
        """The argument list run for ``text`` (no shell; ``--`` ends the options)."""
        config = self._config
        return [
            self._executable,
            "-v",
            config.voice(language),
            "-s",
            str(config.speed),
            "-a",
            str(round(config.volume * 200)),
            "-w",
            str(out),
            "--",
            text,
        ]

    def synthesize(self, text: str, language: Language, out: Path) -> Path:
        """Run espeak-ng and return ``out``.

        Raises:
            SpeechError: espeak-ng failed, hung, or wrote no audio.
        """
        try:
            subprocess.run(
                self.command(text, language, out),
                check=True,
                capture_output=True,
                timeout=SYNTH_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            raise SpeechError(f"espeak-ng took more than {SYNTH_TIMEOUT} s") from exc
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode(errors="replace").strip()[:200]
            raise SpeechError(f"espeak-ng failed ({exc.returncode}): {detail}") from exc
        if not out.is_file() or out.stat().st_size <= 44:
            raise SpeechError(f"espeak-ng wrote no audio to {out}")
        return out
