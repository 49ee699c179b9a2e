"""Device health: each component's state as a short word, for ``device/{id}/health``.

The payload is ``{"components": {"printer": "paper_out", "scanner": "ok",
"card_reader": "ok"}, "outbox": {"waiting": 3, "oldest_at": "..."}, "ts": "..."}`` (the
server's ``DeviceHealth`` model; ``outbox`` only from a kiosk that has one). A kiosk polls
:class:`HealthReporter` from a background thread (a network printer's status may take up
to its timeout, see ``kiosk.link.health``) and publishes, retained, the payloads it
returns: one per change, and one now and then to say it is still there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class OutboxCount:
    """What a kiosk has not delivered yet: how many items, and when the oldest was made."""

    waiting: int
    oldest_at: datetime | None = None


def health_payload(
    components: Mapping[str, str], at: datetime, outbox: OutboxCount | None = None
) -> bytes:
    """The JSON payload of ``device/{id}/health`` (with ``outbox`` when given)."""
    document: dict[str, object] = {"components": dict(components)}
    if outbox is not None:
        oldest = outbox.oldest_at.isoformat() if outbox.oldest_at is not None else None
        document["outbox"] = {"waiting": outbox.waiting, "oldest_at": oldest}
    document["ts"] = at.isoformat()
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
    """Polls a kiosk's devices (and its outbox) and returns a payload when something changed.

    Args:
        devices: the kiosk's opened devices.
        clock: the current time (aware); tests pass a fixed one.
        outbox: what the kiosk has not delivered yet (None: no outbox in the report).
    """

    def __init__(
        self,
        devices: KioskDevices,
        *,
        clock: Callable[[], datetime] | None = None,
        outbox: Callable[[], OutboxCount] | None = None,
    ) -> None:
        self._devices = devices
        self._clock = clock or (lambda: datetime.now(UTC))
        self._outbox = outbox
        self._last_outbox: OutboxCount | None = None
        self.detector = HealthChangeDetector()

    def poll(self, *, force: bool = False) -> bytes | None:
        """The payload to publish, or None when nothing changed since the last one (and
        ``force`` is not set: a heartbeat, or the link just came back)."""
        components = component_health(self._devices)
        outbox = self._outbox() if self._outbox is not None else None
        components_changed = self.detector.changed(components)
        outbox_changed = outbox != self._last_outbox
        self._last_outbox = outbox
        if not (components_changed or outbox_changed or force):
            return None
        return health_payload(components, self._clock(), outbox)
