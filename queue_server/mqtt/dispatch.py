"""Route every message the server receives to the handler for its topic."""

from __future__ import annotations

import logging

from queue_server.mqtt.kiosk_requests import KioskRequests, Outgoing
from queue_server.mqtt.log_throttle import ThrottledWarnings
from queue_server.protocol import topics
from queue_server.protocol.messages import DeviceHealth, DeviceStatus, ProtocolError, decode_device
from queue_server.protocol.topics import TopicError
from queue_server.services.devices import DevicePresence

log = logging.getLogger(__name__)


class ServerMessages:
    """Kiosk requests get a reply; device status and health are stored (no reply)."""

    def __init__(self, *, kiosk: KioskRequests, presence: DevicePresence) -> None:
        self._kiosk, self._presence = kiosk, presence
        self._warnings = ThrottledWarnings(log)

    @staticmethod
    def subscriptions(office: str | None) -> list[str]:
        """The topic filters of ``office``'s devices, or of every office's when None."""
        return topics.server_subscriptions(office)

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        """Parse ``topic`` once and hand the parsed topic to its handler."""
        try:
            parsed = topics.parse(topic)
        except TopicError:
            sender = topics.sender(topic)[:64]
            self._warnings.warn(
                (sender, "topic"),
                "ignored a message on a topic outside the contract from %s",
                sender,
            )
            return None
        if parsed.kind == "kiosk_request":
            return self._kiosk.answer(parsed, payload)
        if parsed.kind in {"device_status", "device_health"} and parsed.subject is not None:
            self._device(parsed.office, parsed.subject, parsed.kind, payload)
        return None

    def _device(self, office: str, device: str, kind: str, payload: bytes) -> None:
        report = decode_device(kind, payload)
        if isinstance(report, ProtocolError):
            self._warnings.warn(
                (device, kind), "device %s sent an invalid %s: %s", device, kind, report.code.value
            )
        elif isinstance(report, DeviceStatus):
            change = self._presence.record_status(office, device, report.state)
            if change is not None and change.was != change.now:
                log.info("device %s is %s", device, change.now)  # once per change, not per report
        elif isinstance(report, DeviceHealth):
            outbox = report.outbox
            self._presence.record_health(
                office,
                device,
                report.components,
                None if outbox is None else (outbox.waiting, outbox.oldest_at),
            )
