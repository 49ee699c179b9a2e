"""Device health: each component's state as a short word, for ``device/{id}/health``.

The payload is ``{"components": {"printer": "paper_out", "scanner": "ok",
"card_reader": "ok"}, "ts": "..."}`` (the server's ``DeviceHealth`` model). A kiosk polls
:class:`HealthReporter` from a background thread (a network printer's status may take up
to its timeout) and publishes, retained, only the payloads it returns: one per change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from devices.errors import DeviceError
from devices.printer.errors import PrinterError

if TYPE_CHECKING:
    from devices.config import KioskDevices
    from devices.printer.transports import TicketPrinter
    from devices.scanner.base import CodeScanner
    from devices.smartcard.reader import CardReader

log = logging.getLogger(__name__)
OK = "ok"
#: A state word per component, e.g. ``{"printer": "paper_near_end"}``.
Components = dict[str, str]


def printer_health(printer: TicketPrinter) -> str:
    """``ok``, a status code (``paper_out``, ``cover_open``...), or ``offline``/``timeout``."""
    try:
        _, code = printer.status().health()
    except PrinterError as err:
        return err.code
    return code


def scanner_health(scanner: CodeScanner) -> str:
    """``ok`` while reading; ``failed`` when its thread ended on an error, else ``stopped``."""
    if scanner.is_running():
        return OK
    return "failed" if getattr(scanner, "failure", None) is not None else "stopped"


def card_reader_health(reader: CardReader) -> str:
    """``ok`` when the reader is there, ``absent`` when not, ``error`` when asking failed."""
    try:
        return OK if reader.is_available() else "absent"
    except DeviceError:
        return "error"


def component_health(devices: KioskDevices) -> Components:
    """Every component's state (no ``card_reader`` entry on a kiosk without one)."""
    components = {
        "printer": printer_health(devices.printer),
        "scanner": scanner_health(devices.scanner),
    }
    if devices.card_reader is not None:
        components["card_reader"] = card_reader_health(devices.card_reader)
    return components


def health_payload(components: Mapping[str, str], at: datetime) -> bytes:
    """The JSON payload of ``device/{id}/health``."""
    document = {"components": dict(components), "ts": at.isoformat()}
    return json.dumps(document, separators=(",", ":")).encode()


class HealthChangeDetector:
    """Says whether a set of component states differs from the last one seen.

    Each component that changes is logged once (``printer: ok -> paper_out``).
    """

    def __init__(self) -> None:
        self._last: Components | None = None

    def changed(self, components: Mapping[str, str]) -> bool:
        """True the first time and whenever a state differs from the previous call."""
        current = dict(components)
        if current == self._last:
            return False
        if self._last is not None:
            _log_changes(self._last, current)
        self._last = current
        return True

    def forget(self) -> None:
        """Make the next call report a change (e.g. after reconnecting to the broker)."""
        self._last = None


def _log_changes(previous: Mapping[str, str], current: Mapping[str, str]) -> None:
    for name in sorted(set(previous) | set(current)):
        if previous.get(name) != current.get(name):
            log.info("%s: %s -> %s", name, previous.get(name), current.get(name))


class HealthReporter:
    """Polls a kiosk's devices and returns a payload only when their health changed.

    Args:
        devices: the kiosk's opened devices.
        clock: the current time (aware); tests pass a fixed one.
    """

    def __init__(
        self, devices: KioskDevices, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._devices = devices
        self._clock = clock or (lambda: datetime.now(UTC))
        self.detector = HealthChangeDetector()

    def poll(self) -> bytes | None:
        """The payload to publish, or None when nothing changed since the last one."""
        components = component_health(self._devices)
        if not self.detector.changed(components):
            return None
        return health_payload(components, self._clock())
