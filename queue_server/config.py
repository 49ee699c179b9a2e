"""Typed server configuration: loaded once, validated at start-up, env overrides.

Environment variables ``ANTRE_<FIELD>`` override the defaults (e.g.
``ANTRE_DATABASE_URL``). Defaults are safe: bind to 127.0.0.1, SQLite under ``var/``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_PREFIX = "ANTRE_"


class ServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field(default="sqlite:///var/antre.db", description="SQLAlchemy URL")
    host: str = Field(default="127.0.0.1", description="address the HTTP server binds")
    port: int = Field(default=8080, ge=1, le=65535)
    secret_key: str = Field(
        default="",
        description="signs browser sessions; when empty a key file next to the database is used",
    )
    nik_key: str = Field(
        default="",
        description="key for the NIK hash; when empty a key file next to the database is used",
    )
    secure_cookies: bool = Field(default=False, description="mark session cookies Secure (TLS)")
    login_attempts_per_minute: int = Field(default=10, ge=1)
    login_attempts_per_address_per_minute: int = Field(
        default=30, ge=1, description="failed sign-ins per address across all user names"
    )
    registrations_per_address_per_hour: int = Field(
        default=10,
        ge=1,
        description="remote registrations one client address may make on the public page "
        "per hour (a script cannot take a day's quota)",
    )
    login_lockout_failures: int = Field(
        default=10,
        ge=1,
        description="failed sign-ins on one user name, from any address, that lock it",
    )
    login_lockout_minutes: int = Field(
        default=15,
        ge=1,
        le=1440,
        description="how long a locked user name stays locked (the count's window too)",
    )
    session_idle_minutes: int = Field(
        default=60,
        ge=5,
        le=720,
        description="a browser session unused this long ends (at most 12 hours in all)",
    )
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="reverse proxies in front that set X-Forwarded-For (limits key on the "
        "client's address, not the proxy's)",
    )
    #: 48: every officer's request in a large office (40 counters) finds a thread, so a
    #: group commit takes them together; with 16, 50 officers' requests queued in
    #: waitress outside the groups and got 20-30% fewer calls a second (docs/benchmarks.md).
    threads: int = Field(default=48, ge=1, le=256, description="HTTP worker threads")
    mqtt_enabled: bool = Field(default=True, description="run the MQTT side (broker and adapter)")
    mqtt_port: int = Field(default=1883, ge=1, le=65535, description="port of the managed broker")
    mqtt_host: str = Field(default="127.0.0.1", description="address the managed broker binds")
    mqtt_url: str = Field(
        default="",
        description="external broker (mqtt://user:pass@host:port or mqtts://...) instead of "
        "the managed one; set it with ANTRE_MQTT_URL so the password is not in `ps`",
    )
    mqtt_ca: str = Field(default="", description="CA file for an mqtts:// broker (default: system)")
    mqtt_tls: bool = Field(
        default=False, description="add a TLS listener (a self-signed certificate if none given)"
    )
    mqtt_tls_cert: str = Field(default="", description="certificate of the TLS listener (PEM)")
    mqtt_tls_key: str = Field(default="", description="private key of the TLS listener (PEM)")
    mqtt_tls_port: int = Field(default=8883, ge=1, le=65535, description="port of the TLS listener")
    mqtt_tls_host: str = Field(default="0.0.0.0", description="address the TLS listener binds")
    mqtt_workers: int = Field(
        default=0,
        ge=0,
        le=32,
        description="threads handling device messages (0: as many as the HTTP threads, at most 32)",
    )
    mqtt_rate_per_s: float = Field(
        default=10.0, gt=0, le=10_000, description="kiosk requests a second per device, on average"
    )
    mqtt_rate_burst: int = Field(
        default=30, ge=1, le=100_000, description="kiosk requests a device may send at once"
    )
    mqtt_backlog_per_device: int = Field(
        default=100, ge=1, le=100_000, description="messages of one device waiting on the server"
    )
    lease_max_per_kiosk: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="numbers one kiosk may hold leased and unused per service and office day",
    )
    retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="days the personal data of a visit is kept; `antre serve` clears older "
        "data daily (`antre purge`)",
    )
    mqtt_account_check_s: float = Field(
        default=5.0, gt=0, le=3600, description="how often new devices are given to the broker"
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("database_url must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _mqtt_scheme(cls, value: str) -> str:
        if value and not value.startswith(("mqtt://", "mqtts://")):
            raise ValueError("mqtt_url must be an mqtt:// or mqtts:// URL")
        return value

    @model_validator(mode="after")
    def _tls_files_in_pairs(self) -> ServerConfig:
        if bool(self.mqtt_tls_cert) != bool(self.mqtt_tls_key):
            raise ValueError("mqtt_tls_cert and mqtt_tls_key go together")
        return self

    @property
    def mqtt_tls_enabled(self) -> bool:
        """Whether the managed broker gets a TLS listener."""
        return self.mqtt_tls or bool(self.mqtt_tls_cert)


def load_config(**overrides: Any) -> ServerConfig:
    """Defaults, then ``ANTRE_*`` environment variables, then explicit ``overrides``."""
    values: dict[str, Any] = {}
    for name in ServerConfig.model_fields:
        env_value = os.environ.get(ENV_PREFIX + name.upper())
        if env_value is not None:
            values[name] = env_value
    values.update({key: value for key, value in overrides.items() if value is not None})
    return ServerConfig(**values)


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other databases / memory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        return None
    return Path(url[len(prefix) :])


def _stored_key(config: ServerConfig, filename: str) -> bytes:
    """A random key kept in ``filename`` beside a SQLite database (or in ``var/``), mode 600.

    Every process of one server then shares it, and it survives restarts.
    """
    path = sqlite_path(config.database_url)
    key_file = (path.parent if path else Path("var")) / filename
    if not key_file.exists():
        key_file.parent.mkdir(mode=0o711, parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip().encode()


def nik_key_bytes(config: ServerConfig) -> bytes:
    """The NIK hashing key: configured, or kept in ``nik.key`` beside a SQLite database."""
    return config.nik_key.encode() if config.nik_key else _stored_key(config, "nik.key")


def session_key(config: ServerConfig) -> str:
    """The session signing key: configured, or kept in ``session.key``."""
    if config.secret_key:
        return config.secret_key
    return _stored_key(config, "session.key").decode()
