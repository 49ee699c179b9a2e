"""The chime before each call: two soft tones written as a WAV with the standard library."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import Final

SAMPLE_RATE: Final = 22050
#: (frequency in Hz, seconds): a falling "ding-dong" (E5 then C5).
TONES: Final = ((659.25, 0.35), (523.25, 0.55))
_FADE_IN: Final = 0.01


def _tone(frequency: float, seconds: float, peak: float) -> list[int]:
    count = int(SAMPLE_RATE * seconds)
    samples = []
    for i in range(count):
        t = i / SAMPLE_RATE
        envelope = min(1.0, t / _FADE_IN) * math.exp(-4.0 * t / seconds)
        value = peak * envelope * math.sin(2 * math.pi * frequency * t)
        samples.append(round(value * 32767))
    return samples


def write_chime(path: Path, volume: float = 0.8) -> Path:
    """Write the two-tone chime (22 050 Hz, mono, 16-bit) to ``path`` and return it.

    Args:
        path: The WAV file to write.
        volume: Peak level, 0.0 to 1.0 of full scale.
    """
    if not 0.0 <= volume <= 1.0:
        raise ValueError(f"volume must be 0.0..1.0: {volume}")
    samples: list[int] = []
    for frequency, seconds in TONES:
        samples += _tone(frequency, seconds, volume)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def wav_seconds(path: Path) -> float:
    """The duration of the WAV file at ``path``, in seconds (read from its header)."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
