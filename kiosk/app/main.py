"""The kiosk process's composition root: configuration, devices, the link (or the demo
desk), the flow.

The configuration is one file (:mod:`kiosk.config`, ``--config FILE``; the example is
``provisioning/kiosk.example.yaml``), read and checked before anything starts: a bad one is
refused with one bilingual line naming the field and exit code 2. The first cut's
``ANTRE_KIOSK_*`` variables (``OFFICE``, ``DEVICE``, ``PASSWORD``, ``HOST``, ``PORT``,
``TIMEZONE``, ``STATUS_URL``, ``DB``, and ``PIN``) still override it, or replace it when no
file is given; a file with only ``printer``, ``scanner`` and ``card_reader`` is the old
device file. With a PIN (``maintenance.pin_file``, or ``ANTRE_KIOSK_PIN``: 4 to 12
digits) the officer's maintenance screen is on; without one it is off. With a lane
(``lane:`` in the file, ``ANTRE_KIOSK_LANE`` or ``--lane``) it is a drive-thru lane kiosk
(:mod:`kiosk.lane_flow`). Kivy's own argument parsing is switched off.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.config import KioskDevices, open_devices
from devices.screen import lock_window, prepare_window, tell_systemd_alive, window_size
from kiosk.config import DEFAULT_STATUS_URL, LANE_VARIABLE, KioskConfig, KioskConfigError, load
from kiosk.content import KioskContent, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.flow import Collaborators, KioskFlow
from kiosk.issuing import TicketDesk
from kiosk.lane_flow import LANE_ANSWER_S, LaneFlow
from kiosk.link.core import KioskCore
from kiosk.maintenance import KioskMaintenance, PinGate
from kiosk.sessions import OpenSessions, PickupOnlyDay
from queue_server.i18n import both

log = logging.getLogger(__name__)
CONFIG_OK = (
    "The kiosk configuration {file} is valid: office {office}, device {device}, broker {broker}."
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kiosk.app", description=__doc__)
    parser.add_argument("--config", type=Path, help="the kiosk configuration file")
    parser.add_argument("--demo", action="store_true", help="run with a built-in fake server")
    parser.add_argument("--idle-timeout", type=float, metavar="SECONDS")
    parser.add_argument("--ticket-seconds", type=float, metavar="SECONDS")
    parser.add_argument(
        "--lane", metavar="LANE", help="run as the drive-thru lane kiosk of LANE (e.g. lajur-1)"
    )
    parser.add_argument(
        "--size", default="", type=window_size, help="window size, e.g. 1024x600 or 1280x800"
    )
    screen = parser.add_mutually_exclusive_group()
    screen.add_argument("--fullscreen", action="store_true")
    screen.add_argument("--windowed", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Read the configuration and run the kiosk; 2 (nothing started) when it is bad."""
    args = parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    if args.lane:  # the command line names the lane: checked like the file's
        environ[LANE_VARIABLE] = args.lane
    try:
        config = load(args.config, environ, need_link=not args.demo)
    except KioskConfigError as error:
        print(error, file=sys.stderr)
        return 2
    return run(config, _with_arguments(config, args), demo=args.demo)


def check(path: Path, environ: Mapping[str, str] | None = None) -> int:
    """``antre kiosk check``: 0 and a summary when the configuration is valid, else 2."""
    try:
        config = load(path, os.environ if environ is None else environ)
    except KioskConfigError as error:
        print(error, file=sys.stderr)
        return 2
    settings = config.settings
    message = both(
        CONFIG_OK,
        file=path.name,
        office=settings.office,
        device=settings.device.id,
        broker=f"{settings.broker.host}:{settings.broker.port}",
    )
    print(f"{message['id']} / {message['en']}")
    return 0


@dataclass(frozen=True)
class WindowChoice:
    """The window and the timeouts: the file's, unless the command line says otherwise."""

    size: str
    fullscreen: bool
    idle_timeout_s: float
    ticket_shown_s: float
    lane_answer_s: float = 8.0


def _with_arguments(config: KioskConfig, args: argparse.Namespace) -> WindowChoice:
    settings = config.settings
    fullscreen = settings.screen.fullscreen
    if args.fullscreen or args.windowed:
        fullscreen = bool(args.fullscreen)
    return WindowChoice(
        size=args.size or settings.screen.size,
        fullscreen=fullscreen,
        idle_timeout_s=args.idle_timeout or settings.timeouts.idle_s,
        ticket_shown_s=args.ticket_seconds or settings.timeouts.ticket_shown_s,
        lane_answer_s=settings.timeouts.lane_answer_s,
    )


def run(config: KioskConfig, window: WindowChoice, *, demo: bool = False) -> int:
    """Open the devices, the desk and the window; return when the window closes."""
    prepare_window(window.size, fullscreen=window.fullscreen, touch=True)
    from kiosk.app.app import KioskApp  # imports Kivy: after the window settings

    with ExitStack() as stack:
        app_holder: list[Any] = []
        devices = open_devices(
            config.devices,
            on_code=lambda code: app_holder[0].code_scanned(code.text) if app_holder else None,
        )
        stack.callback(devices.close)
        sessions = OpenSessions()
        desk, content = _desk_and_content(config, demo, stack, app_holder, sessions)
        if isinstance(desk, KioskCore):  # the demo desk has no server to tell
            from kiosk.app.live import start_health

            start_health(desk, devices, stack)
        flow = build_flow(
            desk,
            devices,
            content,
            status_base_url=config.status_url,
            idle_timeout_s=window.idle_timeout_s,
            ticket_shown_s=window.ticket_shown_s,
            pickup_only=sessions.pickup_only,
            lane=config.settings.lane,
            lane_answer_s=window.lane_answer_s,
        )
        app = KioskApp(flow, maintenance=build_maintenance(config, devices, desk))
        app_holder.append(app)
        lock_window(app)
        tell_systemd_alive()
        app.run()
    return 0


def build_flow(
    desk: TicketDesk,
    devices: KioskDevices,
    content: KioskContent,
    *,
    status_base_url: str = DEFAULT_STATUS_URL,
    idle_timeout_s: float = 60.0,
    ticket_shown_s: float = 20.0,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    pickup_only: Callable[[datetime], PickupOnlyDay | None] | None = None,
    lane: str | None = None,
    lane_answer_s: float = LANE_ANSWER_S,
) -> KioskFlow:
    """The applicant's flow; with ``lane``, the drive-thru lane kiosk's (no tickets, so
    nothing is printed and no pickup-only day applies)."""
    collaborators = Collaborators(
        desk=desk,
        printer=devices.printer,
        profile=devices.printer_profile,
        monotonic=time.monotonic,
        now=now,
        status_base_url=status_base_url,
        card_reader=devices.card_reader,
        pickup_only=None if lane else pickup_only,
    )
    if lane:
        return LaneFlow(
            lane=lane,
            answer_shown_s=lane_answer_s,
            content=content,
            collaborators=collaborators,
            idle_timeout_s=idle_timeout_s,
        )
    return KioskFlow(
        content=content,
        collaborators=collaborators,
        idle_timeout_s=idle_timeout_s,
        ticket_shown_s=ticket_shown_s,
    )


def build_maintenance(
    config: KioskConfig, devices: KioskDevices, desk: TicketDesk
) -> KioskMaintenance:
    """The officer's maintenance screen: its PIN is the configuration's (the file's
    ``maintenance.pin_file``, ``ANTRE_KIOSK_PIN`` overriding it); no PIN, no screen."""
    link_report = desk.link_report if isinstance(desk, KioskCore) else None
    pin = config.maintenance_pin
    return KioskMaintenance(
        gate=PinGate(pin) if pin else None,
        device_id=config.settings.device.id or "demo",
        printer=devices.printer,
        profile=devices.printer_profile,
        printer_name=devices.config.printer.spec,
        card_reader=devices.card_reader,
        link_report=link_report,
    )


def _desk_and_content(
    config: KioskConfig,
    demo: bool,
    stack: ExitStack,
    app_holder: list[Any],
    sessions: OpenSessions | None = None,
) -> tuple[TicketDesk, KioskContent]:
    if demo:
        return DemoDesk(), content_from_payload(DEMO_PAYLOAD)
    from kiosk.app.live import open_live_desk

    lane = config.settings.lane is not None  # no tickets: no offline numbers to lease
    return open_live_desk(
        config.link_config(), config.settings.database, stack, app_holder, sessions, lane=lane
    )
