"""How a kiosk reaches its office's broker: one typed, frozen value built at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from devices.session import SessionSettings
from queue_server.protocol.topics import check_id


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """The kiosk's MQTT account and broker address.

    Args:
        office: the office id (topic prefix ``antre/v1/{office}``).
        device: the kiosk's device id; also its MQTT client id and, by default, its user name.
        password: the MQTT password printed by ``antre device add``.
        host, port: the broker; ``tls`` with ``ca_file`` (None: the system CAs).
        timezone: the office's IANA time zone, which decides the office day of a lease.
        resend_s: how long a request waits for its answer before it is sent again.
    """

    office: str
    device: str
    password: str
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    tls: bool = False
    ca_file: str | None = None
    timezone: str = "Asia/Jakarta"
    kind: str = "kiosk"
    version: str = "0.1.0"
    keepalive_s: int = 15
    session_expiry_s: int = 24 * 3600
    reconnect_min_s: int = 1
    reconnect_max_s: int = 30
    resend_s: float = 1.0

    def __post_init__(self) -> None:
        check_id(self.office, "office")
        check_id(self.device, "device")
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is out of range")
        if self.resend_s <= 0 or self.reconnect_min_s < 1:
            raise ValueError("resend_s and reconnect_min_s must be positive")

    @property
    def user(self) -> str:
        return self.username or self.device

    @property
    def session(self) -> SessionSettings:
        """The MQTT session this kiosk keeps with its broker."""
        return SessionSettings(
            office=self.office,
            device=self.device,
            user=self.user,
            password=self.password,
            kind=self.kind,
            host=self.host,
            port=self.port,
            version=self.version,
            tls=self.tls,
            ca_file=self.ca_file,
            keepalive_s=self.keepalive_s,
            session_expiry_s=self.session_expiry_s,
            reconnect_min_s=self.reconnect_min_s,
            reconnect_max_s=self.reconnect_max_s,
        )
