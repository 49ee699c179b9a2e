"""Tell systemd that a kiosk or display is up and still drawing (``sd_notify``), with a
plain datagram socket: no dependency, and nothing happens outside systemd.

A unit with ``Type=notify`` and ``WatchdogSec=`` sets ``$NOTIFY_SOCKET``; the first
:meth:`Heartbeat.beat` says ``READY=1``, every later one ``WATCHDOG=1``. Beating from the
window's own clock (``devices.screen.tell_systemd_alive``) means a frozen window stops the
beats, and systemd restarts the app.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. ``READY=1``) to systemd's notify socket.

    Returns:
        True when it was sent; False when there is no socket (not run by systemd) or it
        cannot be reached (a kiosk keeps running either way).
    """
    address = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not address or address[0] not in "/@":
        return False
    target = "\0" + address[1:] if address[0] == "@" else address  # '@': abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(target)
            sock.sendall(state.encode("utf-8"))
    except OSError as error:
        log.debug("systemd notify socket not reachable: %s", error)
        return False
    return True


class Heartbeat:
    """``READY=1`` on the first beat, ``WATCHDOG=1`` after; a no-op outside systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self.ready = False

    @property
    def active(self) -> bool:
        """Whether systemd listens (a notify socket is set)."""
        return bool(self._environ.get("NOTIFY_SOCKET"))

    def beat(self, _elapsed_s: float = 0.0) -> None:
        """One beat (Kivy's ``Clock.schedule_interval`` passes the elapsed seconds)."""
        if not self.ready:
            self.ready = notify("READY=1", self._environ)
        else:
            notify("WATCHDOG=1", self._environ)
