"""The kiosk process's composition root: devices, the link (or the demo desk), the flow.

Environment for the MQTT link: ``ANTRE_KIOSK_OFFICE``, ``ANTRE_KIOSK_DEVICE``,
``ANTRE_KIOSK_PASSWORD``, ``ANTRE_KIOSK_HOST`` (127.0.0.1), ``ANTRE_KIOSK_PORT`` (1883),
``ANTRE_KIOSK_TIMEZONE``, ``ANTRE_KIOSK_STATUS_URL`` (the QR links' base while the office
sends no ``public_base_url`` in ``config/kiosk``) and
``ANTRE_KIOSK_DB`` (var/kiosk.db). ``ANTRE_KIOSK_PIN`` (4 to 12 digits) opens the officer's
maintenance screen; without it that screen is off. Kivy's own argument parsing is switched off.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.config import KioskDevices, load_device_config, open_devices
from devices.screen import prepare_window, window_size
from kiosk.content import KioskContent, content_from_payload
from kiosk.demo import DEMO_PAYLOAD, DemoDesk
from kiosk.flow import Collaborators, KioskFlow
from kiosk.issuing import TicketDesk
from kiosk.link.core import KioskCore
from kiosk.maintenance import KioskMaintenance, pin_gate_from_environ

log = logging.getLogger(__name__)
DEFAULT_STATUS_URL = "http://antre.local"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kiosk.app", description=__doc__)
    parser.add_argument("--config", type=Path, help="the kiosk device configuration file")
    parser.add_argument("--demo", action="store_true", help="run with a built-in fake server")
    parser.add_argument("--idle-timeout", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--ticket-seconds", type=float, default=20.0, metavar="SECONDS")
    parser.add_argument(
        "--size", default="", type=window_size, help="window size, e.g. 1024x600 or 1280x800"
    )
    parser.add_argument("--fullscreen", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_window(args.size, fullscreen=args.fullscreen, touch=True)
    from kiosk.app.app import KioskApp  # imports Kivy: after the window settings

    with ExitStack() as stack:
        app_holder: list[Any] = []
        devices = open_devices(
            load_device_config(args.config),
            on_code=lambda code: app_holder[0].code_scanned(code.text) if app_holder else None,
        )
        stack.callback(devices.close)
        desk, content = _desk_and_content(args.demo, stack, app_holder)
        flow = build_flow(
            desk,
            devices,
            content,
            status_base_url=_status_url(os.environ),
            idle_timeout_s=args.idle_timeout,
            ticket_shown_s=args.ticket_seconds,
        )
        app = KioskApp(flow, maintenance=build_maintenance(os.environ, devices, desk))
        app_holder.append(app)
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
) -> KioskFlow:
    collaborators = Collaborators(
        desk=desk,
        printer=devices.printer,
        profile=devices.printer_profile,
        monotonic=time.monotonic,
        now=now,
        status_base_url=status_base_url,
    )
    return KioskFlow(
        content=content,
        collaborators=collaborators,
        idle_timeout_s=idle_timeout_s,
        ticket_shown_s=ticket_shown_s,
    )


def build_maintenance(
    environ: Mapping[str, str], devices: KioskDevices, desk: TicketDesk
) -> KioskMaintenance:
    """The officer's maintenance screen (off without ``ANTRE_KIOSK_PIN``)."""
    link_report = desk.link_report if isinstance(desk, KioskCore) else None
    return KioskMaintenance(
        gate=pin_gate_from_environ(environ),
        device_id=environ.get("ANTRE_KIOSK_DEVICE", "") or "demo",
        printer=devices.printer,
        profile=devices.printer_profile,
        printer_name=devices.config.printer.spec,
        card_reader=devices.card_reader,
        link_report=link_report,
    )


def _desk_and_content(
    demo: bool, stack: ExitStack, app_holder: list[Any]
) -> tuple[TicketDesk, KioskContent]:
    if demo:
        return DemoDesk(), content_from_payload(DEMO_PAYLOAD)
    from kiosk.app.live import open_live_desk

    return open_live_desk(os.environ, stack, app_holder)


def _status_url(environ: Mapping[str, str]) -> str:
    return environ.get("ANTRE_KIOSK_STATUS_URL", "").strip() or DEFAULT_STATUS_URL
