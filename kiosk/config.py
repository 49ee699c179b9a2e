"""One kiosk's configuration file (YAML, or TOML when it ends in ``.toml``): its account,
the broker, the office, the status links, the local database, the timeouts, the
maintenance PIN and its devices. ``antre kiosk --config FILE`` reads it before anything
starts; the example with every field is ``provisioning/kiosk.example.yaml``.

A bad file is refused as a whole with one line in Indonesian and English that names the
field (``broker.port``, ``devices.printer.spec`` ...): :class:`KioskConfigError`.

The ``ANTRE_KIOSK_*`` environment variables of the first cut still work, as overrides of
the file (or alone, without a file). A file that holds only ``printer``, ``scanner`` and
``card_reader`` is the old device file: it is read as the ``devices`` section.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator

from devices.config import DeviceConfigError, KioskDeviceConfig, device_config_from_mapping
from devices.config_file import (
    MISSING,
    NO_FILE,
    NOT_A_SIZE,
    NOT_AN_ID,
    ONE_LINE_PASSWORD,
    UNREADABLE,
    BrokerSection,
    ConfigFileError,
    Section,
    first_problem,
    identifier,
    read_mapping,
)
from devices.screen import window_size
from queue_server.protocol.messages import SERVICE_ID

if TYPE_CHECKING:
    from kiosk.link.config import LinkConfig

CONFIG_INVALID = "The kiosk configuration {file} is not valid: {field}: {problem}"
CONFIG_UNREADABLE = "The kiosk configuration {file} cannot be read: {problem}"
DEFAULT_STATUS_URL = "http://antre.local"
DEVICE_SECTIONS = frozenset({"printer", "scanner", "card_reader"})
LANE_VARIABLE = "ANTRE_KIOSK_LANE"
#: The first cut's environment variables (and the lane's): variable -> the field it overrides.
ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "ANTRE_KIOSK_OFFICE": ("office",),
    "ANTRE_KIOSK_DEVICE": ("device", "id"),
    "ANTRE_KIOSK_HOST": ("broker", "host"),
    "ANTRE_KIOSK_PORT": ("broker", "port"),
    "ANTRE_KIOSK_TIMEZONE": ("timezone",),
    "ANTRE_KIOSK_STATUS_URL": ("status_url",),
    "ANTRE_KIOSK_DB": ("database",),
    LANE_VARIABLE: ("lane",),
}
PASSWORD_VARIABLE = "ANTRE_KIOSK_PASSWORD"
PIN_VARIABLE = "ANTRE_KIOSK_PIN"

#: The kiosk's own problems, as catalog msgids (each said in both languages); the ones
#: every configuration file shares are in devices.config_file.
NOT_A_TIME_ZONE = "not a time zone name, e.g. Asia/Jakarta"
NOT_A_WEB_ADDRESS = "not a web address starting with http:// or https://"
NOT_A_PIN = "must hold a PIN of 4 to 12 digits on one line"
BAD_DEVICE = "not a valid device setting: {detail}"


class KioskConfigError(ConfigFileError):
    """The kiosk's configuration is not valid (see :class:`ConfigFileError`); its field
    names the environment variable it came from when one did."""

    INVALID = CONFIG_INVALID
    UNREADABLE = CONFIG_UNREADABLE
    NO_FILE_NAME = "(ANTRE_KIOSK_*)"


class DeviceSection(Section):
    """The kiosk's account: its device id (MQTT user) and a file holding its password."""

    id: str | None = None
    password_file: Path | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else identifier(value, "device")


class ScreenSection(Section):
    """The window: ``size`` ``WIDTHxHEIGHT`` (empty: the screen's own) and full screen."""

    size: str = ""
    fullscreen: bool = True

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        try:
            return window_size(value.strip().lower())
        except argparse.ArgumentTypeError as error:
            raise ValueError(NOT_A_SIZE) from error


class TimeoutSection(Section):
    """``idle_s``: no touch for this long returns to the welcome screen; ``ticket_shown_s``:
    how long the issued ticket stays on screen; ``lane_answer_s``: how long a drive-thru
    lane kiosk shows its answer to a car."""

    idle_s: float = Field(default=60.0, ge=10.0, le=600.0)
    ticket_shown_s: float = Field(default=20.0, ge=5.0, le=300.0)
    lane_answer_s: float = Field(default=8.0, ge=3.0, le=60.0)


class MaintenanceSection(Section):
    """``pin_file``: a file holding the officers' maintenance PIN (none: no maintenance
    screen unless ``ANTRE_KIOSK_PIN`` is set)."""

    pin_file: Path | None = None


class KioskSettings(Section):
    """A whole kiosk configuration file; ``office`` and ``device.id`` are checked as
    needed only when the kiosk links to a server (not with ``--demo``). ``lane`` (a lane
    id of the office file's ``drive_thru`` section) makes it a drive-thru lane kiosk: one
    scan screen for drivers, no tickets."""

    office: str | None = None
    lane: str | None = None
    timezone: str = "Asia/Jakarta"
    device: DeviceSection = Field(default_factory=DeviceSection)
    broker: BrokerSection = Field(default_factory=BrokerSection)
    status_url: str = ""
    database: Path = Path("var/kiosk.db")
    screen: ScreenSection = Field(default_factory=ScreenSection)
    timeouts: TimeoutSection = Field(default_factory=TimeoutSection)
    maintenance: MaintenanceSection = Field(default_factory=MaintenanceSection)
    devices: dict[str, Any] | Path | None = None

    @field_validator("office")
    @classmethod
    def _office(cls, value: str | None) -> str | None:
        return None if value is None else identifier(value, "office")

    @field_validator("lane")
    @classmethod
    def _lane(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(SERVICE_ID, value):
            raise ValueError(NOT_AN_ID)  # (the office file's lane ids: 1-40, no edge dash)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(NOT_A_TIME_ZONE) from error
        return value

    @field_validator("status_url")
    @classmethod
    def _status_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and (
            not value.startswith(("http://", "https://"))
            or len(value) > 200
            or any(character.isspace() for character in value)
        ):
            raise ValueError(NOT_A_WEB_ADDRESS)
        return value


@dataclass(frozen=True)
class KioskConfig:
    """The checked configuration: the settings (paths absolute), the secrets and devices.

    Attributes:
        settings: the file's fields, with the environment's overrides.
        password: the MQTT password (None with ``--demo`` and no account).
        devices: the printer, scanner and card reader to open.
        maintenance_pin: the officers' PIN for the maintenance screen (None: none set).
        file: where it was read from (None: the environment alone).
    """

    settings: KioskSettings
    password: str | None = field(repr=False)
    devices: KioskDeviceConfig
    maintenance_pin: str | None = field(default=None, repr=False)
    file: Path | None = None

    @property
    def status_url(self) -> str:
        """The base of the tickets' QR links until the office sends its own."""
        return self.settings.status_url or DEFAULT_STATUS_URL

    def link_config(self) -> LinkConfig:
        """The MQTT link's settings (call only after :func:`load` with ``need_link``)."""
        from kiosk.link.config import LinkConfig

        settings = self.settings
        assert settings.office and settings.device.id and self.password
        ca_file = settings.broker.ca_file
        return LinkConfig(
            office=settings.office,
            device=settings.device.id,
            password=self.password,
            host=settings.broker.host,
            port=settings.broker.port,
            tls=settings.broker.tls,
            ca_file=None if ca_file is None else str(ca_file),
            timezone=settings.timezone,
        )


def load(path: Path | None, environ: Mapping[str, str], *, need_link: bool = True) -> KioskConfig:
    """Read and check ``path`` (None: the environment alone) with the environment's
    overrides; relative paths are made absolute against the file's folder.

    Args:
        need_link: the kiosk links to a server, so office, device id and password are
            required (False for ``--demo``).

    Raises:
        KioskConfigError: the file, a field, a variable or a referenced file is bad.
    """
    data = {} if path is None else _read_mapping(path)
    if set(data) and set(data) <= DEVICE_SECTIONS:  # the first cut's device file
        data = {"devices": data}
    data, from_env = _with_overrides(data, environ)
    try:
        settings = KioskSettings.model_validate(data)
    except ValidationError as error:
        raise _field_error(error, path, from_env) from None
    settings = _absolute(settings, Path.cwd() if path is None else path.resolve().parent)
    password = environ.get(PASSWORD_VARIABLE, "").strip() or None
    if need_link:
        _require_account(settings, password, path, from_env)
    if password is None and settings.device.password_file is not None:
        password = _secret(settings.device.password_file, "device.password_file", path)
    ca_file = settings.broker.ca_file
    if ca_file is not None and not ca_file.is_file():
        raise KioskConfigError("broker.ca_file", NO_FILE, path)
    return KioskConfig(
        settings=settings,
        password=password,
        devices=_devices(settings.devices, environ, path),
        maintenance_pin=_pin(settings, environ, path),
        file=path,
    )


def _read_mapping(path: Path) -> dict[str, Any]:
    # an empty device file of the first cut: all defaults
    return read_mapping(path, KioskConfigError, empty_is_nothing=True)


def _with_overrides(
    data: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` with each set ``ANTRE_KIOSK_*`` variable in its field; and which field
    came from which variable (for the error message)."""
    merged = dict(data)
    from_env: dict[str, str] = {}
    for variable, location in ENV_OVERRIDES.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if len(location) == 1:
            merged[location[0]] = value
        else:
            section = merged.get(location[0])
            merged[location[0]] = {
                **(section if isinstance(section, dict) else {}),
                location[1]: value,
            }
        from_env[".".join(location)] = variable
    return merged, from_env


def _absolute(settings: KioskSettings, base: Path) -> KioskSettings:
    def resolve(path: Path | None) -> Path | None:
        return None if path is None else (path if path.is_absolute() else base / path)

    devices = settings.devices
    return settings.model_copy(
        update={
            "device": settings.device.model_copy(
                update={"password_file": resolve(settings.device.password_file)}
            ),
            "broker": settings.broker.model_copy(
                update={"ca_file": resolve(settings.broker.ca_file)}
            ),
            "maintenance": settings.maintenance.model_copy(
                update={"pin_file": resolve(settings.maintenance.pin_file)}
            ),
            "database": resolve(settings.database),
            "devices": resolve(devices) if isinstance(devices, Path) else devices,
        }
    )


def _require_account(
    settings: KioskSettings, password: str | None, path: Path | None, from_env: dict[str, str]
) -> None:
    if settings.office is None:
        raise KioskConfigError("office", MISSING, path)
    if settings.device.id is None:
        raise KioskConfigError("device.id", MISSING, path)
    if password is None and settings.device.password_file is None:
        raise KioskConfigError(f"device.password_file ({PASSWORD_VARIABLE})", MISSING, path)


def _secret(file: Path, name: str, config: Path | None) -> str:
    try:
        secret = file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise KioskConfigError(name, NO_FILE, config) from None
    except (OSError, UnicodeDecodeError):
        raise KioskConfigError(name, UNREADABLE, config) from None
    if not secret or "\n" in secret:
        raise KioskConfigError(name, ONE_LINE_PASSWORD, config)
    return secret


def _pin(settings: KioskSettings, environ: Mapping[str, str], path: Path | None) -> str | None:
    pin = environ.get(PIN_VARIABLE, "").strip()
    name = f"maintenance.pin ({PIN_VARIABLE})"
    if not pin and settings.maintenance.pin_file is not None:
        name = "maintenance.pin_file"
        try:
            pin = _secret(settings.maintenance.pin_file, name, path)
        except KioskConfigError as error:
            if error.problem != ONE_LINE_PASSWORD:
                raise
            raise KioskConfigError(name, NOT_A_PIN, path) from None
    if not pin:
        return None
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise KioskConfigError(name, NOT_A_PIN, path)
    return pin


def _devices(
    devices: dict[str, Any] | Path | None, environ: Mapping[str, str], path: Path | None
) -> KioskDeviceConfig:
    """The ``devices`` section, or the device file it names (the first cut's format), with
    ``ANTRE_PRINTER`` and its siblings applied."""
    from devices.config import load_device_config

    try:
        if isinstance(devices, Path):
            if not devices.is_file():
                raise KioskConfigError("devices", NO_FILE, path)
            return load_device_config(devices, environ)
        return device_config_from_mapping(devices, environ)
    except DeviceConfigError as error:
        where, _, detail = error.problems[0].partition(": ")
        field_name = "devices" if where == "(file)" else f"devices.{where}"
        raise KioskConfigError(field_name, BAD_DEVICE, path, detail=detail[:200]) from None


def _field_error(
    error: ValidationError, path: Path | None, from_env: dict[str, str]
) -> KioskConfigError:
    """The first problem pydantic found, in both languages, naming its variable if any."""
    location, problem, params = first_problem(error)
    if location[:1] == ["devices"]:
        location = ["devices"]  # a mapping or a path: the union's branches are noise
    name = ".".join(location) or "-"
    if name in from_env:
        name = f"{name} ({from_env[name]})"
    return KioskConfigError(name, problem, path, **params)
