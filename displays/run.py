"""Run one display from its configuration file: the lobby board or a counter display, and
the announcer, over one MQTT link (``antre display --config FILE``).

The file is read and checked first; a bad one is refused with one bilingual line naming the
field and exit code 2, before Kivy, the link or the announcer start.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from displays.config import DisplayConfigError, DisplaySettings, load
from queue_server.i18n import both

if TYPE_CHECKING:
    from displays.announcer.player import Player
    from displays.announcer.queue import Announcer

log = logging.getLogger(__name__)
NO_ANNOUNCER = "The calls are not spoken on this display: {reason}"
NO_PLAYER = "no audio player; install alsa-utils (aplay) or pulseaudio-utils (paplay)"
NO_ESPEAK = "espeak-ng is not installed; install the Debian package espeak-ng"
SOUND_OK = "Sound: calls are spoken with {voice} and played with {player}."
SOUND_OFF = "Sound: this display does not speak the calls (announcer.enabled is off)."
CLIPS_INCOMPLETE = "The clip set {folder} is incomplete ({count} problems); {missing}"
CONFIG_OK = "The display configuration {file} is valid: {mode}, office {office}, device {device}."


def _line(msgid: str, **params: object) -> str:
    message = both(msgid, **params)
    return f"{message['id']} / {message['en']}"


def check(path: Path) -> int:
    """``antre display check``: 0 and a summary when the file is valid, else 2."""
    try:
        settings, _password = load(path)
    except DisplayConfigError as error:
        print(error, file=sys.stderr)
        return 2
    print(
        _line(
            CONFIG_OK,
            file=path.name,
            mode=settings.mode,
            office=settings.office,
            device=settings.device.id,
        )
    )
    return 0 if _check_sound(settings) else 1


def _check_sound(settings: DisplaySettings) -> bool:
    """Print whether the display can speak its calls here; False when it should but cannot."""
    from displays.announcer.clips import check_clip_set
    from displays.announcer.player import CommandPlayer, PlaybackError
    from displays.announcer.speaker import EspeakSpeaker, SpeechError

    if not settings.announces:
        print(_line(SOUND_OFF))
        return True
    config = settings.announcer.announcer_config()
    try:
        player = CommandPlayer().name
        EspeakSpeaker(config)
    except (PlaybackError, SpeechError) as error:
        print(_line(NO_ANNOUNCER, reason=_reason(error)), file=sys.stderr)
        return False
    voice = "espeak-ng"
    clips = settings.announcer.clips
    if clips is not None:
        problems = check_clip_set(clips, config.languages)
        if problems:
            print(
                _line(
                    CLIPS_INCOMPLETE, folder=str(clips), count=len(problems), missing=problems[0]
                ),
                file=sys.stderr,
            )
            return False
        voice = f"{clips} (espeak-ng)"
    print(_line(SOUND_OK, voice=voice, player=player))
    return True


def _reason(error: Exception) -> dict[str, str] | str:
    """Why the announcer cannot run, in both languages where the cause is known."""
    from displays.announcer.player import PlayerMissingError
    from displays.announcer.speaker import EspeakMissingError

    if isinstance(error, PlayerMissingError):
        return both(NO_PLAYER)
    if isinstance(error, EspeakMissingError):
        return both(NO_ESPEAK)
    return str(error)


def build_announcer(settings: DisplaySettings, player: Player | None = None) -> Announcer | None:
    """The display's announcer (espeak-ng, or its clip set with espeak-ng as the fallback),
    or None with a warning when it cannot speak here (no espeak-ng, no audio player).

    Args:
        player: Plays the WAVs (default: aplay or paplay).
    """
    from displays.announcer.clips import ClipSet, ClipSpeaker
    from displays.announcer.player import CommandPlayer, PlaybackError
    from displays.announcer.queue import Announcer
    from displays.announcer.speaker import EspeakSpeaker, Speaker, SpeechError

    config = settings.announcer.announcer_config()
    try:
        player = player or CommandPlayer()
    except PlaybackError as error:
        print(_line(NO_ANNOUNCER, reason=_reason(error)), file=sys.stderr)
        return None
    espeak: Speaker | None = None
    try:
        espeak = EspeakSpeaker(config)
    except SpeechError as error:
        if settings.announcer.clips is None:
            print(_line(NO_ANNOUNCER, reason=_reason(error)), file=sys.stderr)
            return None
    if settings.announcer.clips is not None:
        return Announcer(
            config, ClipSpeaker(ClipSet(settings.announcer.clips, config.volume), espeak), player
        )
    assert espeak is not None
    return Announcer(config, espeak, player)


@dataclass
class Display:
    """One display put together: its window, model, link and (maybe) announcer."""

    app: Any
    model: Any
    link: Any
    announcer: Announcer | None
    feed: Any

    def close(self) -> None:
        """Close the link (``offline``), then let the call playing finish."""
        self.link.close()
        if self.announcer is not None:
            self.announcer.stop(timeout=10)


def assemble(
    settings: DisplaySettings,
    password: str,
    *,
    player: Player | None = None,
    now: Callable[[], datetime] | None = None,
) -> Display:
    """Prepare the window and build the display's parts, nothing started yet (the link
    starts with ``display.link.start()``, the window with ``display.app.run()``).

    Args:
        player: Plays the announcements (default: aplay or paplay).
        now: The clock of the board and of the announcer's freshness check.
    """
    from devices.screen import prepare_window

    prepare_window(settings.screen.size, fullscreen=settings.screen.fullscreen)
    from displays.board import texts
    from displays.board.app import BoardApp, post
    from displays.board.link import BoardLink, BoardLinkConfig
    from displays.board.model import BoardModel
    from displays.counter.app import CounterApp
    from displays.counter.model import CounterModel
    from displays.feed import CallFeed

    texts.set_languages(settings.languages)
    announcer = build_announcer(settings, player) if settings.announces else None
    feed = None
    if announcer is not None:
        feed = CallFeed(
            announcer,
            max_age_s=settings.announcer.max_age_s,
            counter=settings.counter if settings.mode == "counter" else None,
            **({"now": now} if now is not None else {}),
        )
    ca_file = settings.broker.ca_file
    link_config = BoardLinkConfig(
        office=settings.office,
        device=settings.device.id,
        password=password,
        host=settings.broker.host,
        port=settings.broker.port,
        kind=settings.kind,
        counter=settings.counter,
        tls=settings.broker.tls,
        ca_file=None if ca_file is None else str(ca_file),
    )
    app: BoardApp | CounterApp
    model: BoardModel | CounterModel
    if settings.mode == "board":
        model = BoardModel()
        app = BoardApp(
            model,
            now,
            ticker=tuple(settings.ticker.lines),
            ticker_speed=settings.ticker.speed,
            rotation=settings.screen.rotation,
        )
    else:
        model = CounterModel(settings.counter or "")
        app = CounterApp(model, rotation=settings.screen.rotation)
    link = BoardLink(link_config, model, post=post, changed=app.request_redraw, on_call=feed)
    return Display(app=app, model=model, link=link, announcer=announcer, feed=feed)


def run(settings: DisplaySettings, password: str) -> int:
    """Open the window and the link; return when the window closes."""
    display = assemble(settings, password)
    display.link.start()
    from devices.screen import tell_systemd_alive

    tell_systemd_alive()  # READY=1, then the watchdog's beat from the window's clock
    try:
        display.app.run()
    except KeyboardInterrupt:  # Ctrl+C on a technician's terminal: a clean stop
        pass
    finally:
        display.close()
    return 0


def main(path: Path) -> int:
    """Read ``path`` and run the display; 2 (nothing started) when the file is bad."""
    try:
        settings, password = load(path)
    except DisplayConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return run(settings, password)
