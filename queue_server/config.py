"""Typed server configuration: loaded once, validated at start-up, env overrides.

Environment variables ``ANTRE_<FIELD>`` override the defaults (e.g.
``ANTRE_DATABASE_URL``). Defaults are safe: bind to 127.0.0.1, SQLite under ``var/``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    default_office: str | None = Field(default=None, description="office used by short URLs")
    threads: int = Field(default=16, ge=1, le=256, description="HTTP worker threads")
    mqtt_enabled: bool = Field(default=True, description="run the MQTT side (broker and adapter)")
    mqtt_port: int = Field(default=1883, ge=1, le=65535, description="port of the managed broker")
    mqtt_host: str = Field(default="127.0.0.1", description="address the managed broker binds")

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("database_url must be a sqlite:/// or postgresql+psycopg:// URL")
        return value


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
        key_file.parent.mkdir(parents=True, exist_ok=True)
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
