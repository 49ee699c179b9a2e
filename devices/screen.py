"""The Kivy window of a kiosk or a display: the settings Kivy reads when it is first imported.

Call :func:`prepare_window` before anything imports Kivy. It also stops Kivy from reading
the program's own command line (``KIVY_NO_ARGS``), which it would otherwise refuse, and,
when the program has its own logging set up, from printing every log line a second time.
(Kivy's text fields look for the ``xclip`` or ``xsel`` program on Linux and log a traceback
for each one missing: the Makefile installs ``xclip``.)
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
from collections.abc import Mapping
from typing import Any

from devices.systemd import Heartbeat
from queue_server.i18n import both

log = logging.getLogger(__name__)
#: Kivy's providers, chosen before Kivy is imported (the environment can still override
#: them). Kivy otherwise imports every image loader it finds, Pillow among them (20 ms and
#: 2 MB at start); SDL2, which draws the window anyway, loads PNG and JPEG from files and
#: from memory. Text is SDL2's already. Video, audio, camera and spelling providers are
#: imported only when first used, and the clipboard is chosen among the programs installed
#: (the cut buffer needs ``xclip``), so those settings are left as they are.
KIVY_PROVIDERS = {"KIVY_IMAGE": "tex,dds,sdl2", "KIVY_TEXT": "sdl2"}
SIZE_INVALID = "{value} is not a window size: give WIDTHxHEIGHT, e.g. 1920x1080."
_SIZE = re.compile(r"^([1-9][0-9]{2,4})x([1-9][0-9]{2,4})$")


def window_size(value: str) -> str:
    """``--size`` as ``argparse`` checks it: ``WIDTHxHEIGHT`` (100..99999 each) or empty.

    Raises:
        argparse.ArgumentTypeError: with the reason in Indonesian and English.
    """
    if value and _SIZE.match(value.strip()) is None:
        message = both(SIZE_INVALID, value=value[:40])
        raise argparse.ArgumentTypeError(f"{message['id']} / {message['en']}")
    return value.strip()


def prepare_window(size: str, *, fullscreen: bool, touch: bool = False) -> None:
    """Set the window's size (``WIDTHxHEIGHT``, empty: Kivy's default) and full screen;
    ``touch``: a touch screen, so no red dots for the mouse's right button."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    for variable, providers in KIVY_PROVIDERS.items():
        os.environ.setdefault(variable, providers)
    if logging.getLogger().handlers:
        # The program logs already (antre display): Kivy's own console log would print
        # every line twice.
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kivy.config import Config

    match = _SIZE.match(window_size(size)) if size else None
    if match is not None:
        Config.set("graphics", "width", match.group(1))
        Config.set("graphics", "height", match.group(2))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    # Kivy's default of 2 antialiasing samples per pixel doubles the frame buffer: 20 MB
    # resident with Mesa's software renderer, and every frame drawn twice over. Flat
    # buttons and large text do not need it; ANTRE_MULTISAMPLES=2 brings it back.
    Config.set("graphics", "multisamples", _multisamples(os.environ))
    Config.set("kivy", "exit_on_escape", "0")
    if touch:
        Config.set("input", "mouse", "mouse,multitouch_on_demand")


def lock_window(app: Any) -> None:
    """No way out of ``app`` for the public: Escape already does nothing
    (:func:`prepare_window`); a request to close the window (Alt+F4, the window manager)
    is refused, F1 opens no settings panel. systemd's stop (SIGTERM) still ends it cleanly.
    Call after Kivy's window exists (after importing the app) and before ``app.run()``."""
    from kivy.core.window import Window

    app.use_kivy_settings = False
    app.open_settings = _no_settings
    Window.bind(on_request_close=_refuse_close)
    # SDL turns SIGTERM into a close request, which is now refused: stop the app instead.
    signal.signal(signal.SIGTERM, lambda _number, _frame: app.stop())


def _no_settings(*_args: Any) -> bool:
    return False


def _refuse_close(*_args: Any, **kwargs: Any) -> bool:
    log.info(
        "window close request refused (kiosk lock-down; source %s)", kwargs.get("source", "window")
    )
    return True


def tell_systemd_alive(interval_s: float = 1.0) -> Heartbeat:
    """Beat systemd's watchdog from the window's clock (``READY=1`` at the first beat):
    a frozen window stops the beats and systemd restarts the app. A no-op outside a
    ``Type=notify`` unit."""
    heartbeat = Heartbeat()
    if heartbeat.active:
        from kivy.clock import Clock

        # A function, not the bound method: Kivy's clock holds bound methods weakly.
        Clock.schedule_interval(lambda elapsed_s: heartbeat.beat(elapsed_s), interval_s)
    return heartbeat


def _multisamples(environ: Mapping[str, str]) -> str:
    value = environ.get("ANTRE_MULTISAMPLES", "").strip()
    return value if value in {"0", "2", "4", "8"} else "0"
