"""One kiosk's hardware: which printer, scanner and card reader it opens.

Loaded once at start-up from a YAML, TOML or JSON file (or a mapping), then overridden by
``ANTRE_PRINTER``, ``ANTRE_PRINTER_PROFILE``, ``ANTRE_SCANNER`` and ``ANTRE_CARD_READER``.
The defaults are all virtual, so a laptop or a demo runs with no hardware::

    printer: {spec: "network:10.0.0.5:9100", profile: 80mm}   # or just the spec string
    scanner: "serial:/dev/ttyACM0@9600"
    card_reader: "pcsc:ACS"            # or virtual[:cards.json], or none

:func:`open_devices` opens what the configuration describes, as :class:`KioskDevices`;
hardware libraries are imported only then.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from devices.errors import DeviceError, MissingDependency
from devices.printer.config import PrinterConfig, parse_printer_spec
from devices.printer.errors import PrinterConfigError
from devices.printer.profiles import DEFAULT_PROFILE, UnknownProfile, profile_named
from queue_server.i18n import both

if TYPE_CHECKING:
    from devices.printer.profiles import PrinterProfile
    from devices.printer.transports import TicketPrinter
    from devices.scanner.base import CodeScanner, CodeSink
    from devices.smartcard.monitor import CardEvent
    from devices.smartcard.reader import CardReader

log = logging.getLogger(__name__)
CONFIG_ERROR_MSGID = "The kiosk device configuration is not valid:"
DEFAULT_PRINTER_SPEC = "virtual:var/printer"
#: Seconds after the devices are opened when the printer's library is loaded in advance.
PRINTER_WARM_UP_S = 3.0
MAX_FILE_BYTES = 64 * 1024
#: Environment variable -> (section, field) it overrides.
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "ANTRE_PRINTER": ("printer", "spec"),
    "ANTRE_PRINTER_PROFILE": ("printer", "profile"),
    "ANTRE_SCANNER": ("scanner", "spec"),
    "ANTRE_CARD_READER": ("card_reader", "spec"),
}
_SCANNER_KINDS_WITH_TARGET = {"serial", "hid", "camera"}
CardReaderKind = Literal["pcsc", "virtual", "none"]


class DeviceConfigError(DeviceError, ValueError):
    """The device configuration is not valid; ``problems`` lists each one as ``path: message``.

    ``str()`` starts with a header in Indonesian, then English, then one problem a line.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        messages = both(CONFIG_ERROR_MSGID)
        lines = [messages["id"], messages["en"], *(f"  - {item}" for item in problems)]
        super().__init__("\n".join(lines))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _spec_alone(cls, data: Any) -> Any:
        return {"spec": data} if isinstance(data, str) else data


class PrinterSection(_Section):
    """``spec``: ``network:HOST[:PORT]``, ``usb:VID:PID``, ``serial:PATH[:BAUD]``,
    ``cups:[QUEUE]`` or ``virtual:FOLDER``; ``profile``: a printer profile name."""

    spec: str = DEFAULT_PRINTER_SPEC
    profile: str = DEFAULT_PROFILE

    @field_validator("spec")
    @classmethod
    def _readable_spec(cls, value: str) -> str:
        try:
            parse_printer_spec(value)
        except PrinterConfigError as err:
            raise ValueError(str(err)) from err
        return value

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        try:
            profile_named(value)
        except UnknownProfile as err:
            raise ValueError(str(err)) from err
        return value

    def printer_config(self) -> PrinterConfig:
        """The printer package's own configuration for this section."""
        return parse_printer_spec(self.spec, self.profile)


class ScannerSection(_Section):
    """``spec``: ``virtual[:FEED]``, ``stdin``, ``serial:PORT[@BAUD]``, ``hid:DEVICE``,
    ``camera:INDEX`` or ``camera:URL`` (see :func:`devices.scanner.open_scanner`)."""

    spec: str = "virtual"

    @field_validator("spec")
    @classmethod
    def _readable_spec(cls, value: str) -> str:
        kind, _, target = value.partition(":")
        known = kind == "virtual" or (kind == "stdin" and not target)
        if not (known or (kind in _SCANNER_KINDS_WITH_TARGET and target)):
            raise ValueError(
                f"unknown scanner {value!r}: use virtual[:FEED], stdin, serial:PORT[@BAUD], "
                "hid:DEVICE or camera:INDEX"
            )
        return value


class CardReaderSection(_Section):
    """``spec``: ``pcsc[:READER NAME PART]``, ``virtual[:CARDS.json]`` or ``none``;
    ``control_fifo``: the virtual reader's command FIFO (``insert N`` / ``remove``)."""

    spec: str = "virtual"
    control_fifo: Path | None = None

    @field_validator("spec")
    @classmethod
    def _readable_spec(cls, value: str) -> str:
        kind, separator, _ = value.partition(":")
        if kind not in {"pcsc", "virtual", "none"} or (kind == "none" and separator):
            raise ValueError(
                f"unknown card reader {value!r}: use pcsc[:READER NAME], virtual[:CARDS.json] "
                "or none"
            )
        return value

    @model_validator(mode="after")
    def _fifo_needs_virtual(self) -> CardReaderSection:
        if self.control_fifo is not None and self.kind != "virtual":
            raise ValueError("control_fifo works only with the virtual card reader")
        return self

    @property
    def kind(self) -> CardReaderKind:
        kind = self.spec.partition(":")[0]
        return "pcsc" if kind == "pcsc" else "virtual" if kind == "virtual" else "none"

    @property
    def target(self) -> str | None:
        """The reader name part (pcsc) or the card file (virtual); None when not given."""
        return self.spec.partition(":")[2] or None


class KioskDeviceConfig(BaseModel):
    """The hardware of one kiosk (all virtual by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    printer: PrinterSection = PrinterSection()
    scanner: ScannerSection = ScannerSection()
    card_reader: CardReaderSection = CardReaderSection()


def device_config_from_mapping(
    data: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> KioskDeviceConfig:
    """Validate ``data`` with the environment overrides applied.

    Args:
        data: the file's content (None or empty: all defaults).
        environ: where overrides are read (default: ``os.environ``).

    Raises:
        DeviceConfigError: listing every problem.
    """
    if data is not None and not isinstance(data, Mapping):
        raise DeviceConfigError(["(file): must be a mapping with printer, scanner, card_reader"])
    merged, from_env = _with_overrides(dict(data or {}), os.environ if environ is None else environ)
    try:
        return KioskDeviceConfig.model_validate(merged)
    except ValidationError as err:
        raise DeviceConfigError([_describe(item, from_env) for item in err.errors()]) from err


def load_device_config(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> KioskDeviceConfig:
    """Read the device configuration file (``.yaml``, ``.yml``, ``.toml`` or ``.json``).

    Args:
        path: the file; None for the defaults and environment overrides only.
        environ: where overrides are read (default: ``os.environ``).

    Raises:
        DeviceConfigError: the file cannot be read or parsed, or a setting is not valid.
    """
    return device_config_from_mapping(None if path is None else _read(path), environ)


def _read(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".toml", ".json"}:
        raise DeviceConfigError([f"(file): {path.name} must end in .yaml, .yml, .toml or .json"])
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DeviceConfigError([f"(file): larger than {MAX_FILE_BYTES} bytes"])
        text = path.read_text(encoding="utf-8")
        if suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text) if suffix == ".json" else _yaml(text)
    except OSError as err:
        raise DeviceConfigError([f"(file): cannot read {path}: {err.strerror}"]) from err
    except (UnicodeDecodeError, ValueError) as err:
        # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors; _yaml makes one.
        raise DeviceConfigError([f"(file): {path.name} cannot be parsed: {err}"]) from err


def _yaml(text: str) -> Any:
    """The YAML document in ``text`` (PyYAML is imported only for a YAML file).

    Raises:
        ValueError: it is not valid YAML.
    """
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(str(err)) from err


def _with_overrides(
    data: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    from_env: dict[tuple[str, str], str] = {}
    for variable, (section, field) in ENV_OVERRIDES.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        current = data.get(section)
        if isinstance(current, Mapping | str | None):  # else the section's own error shows
            merged = {"spec": current} if isinstance(current, str) else dict(current or {})
            data[section] = {**merged, field: value}
        from_env[(section, field)] = variable
    return data, from_env


def _describe(item: Any, from_env: Mapping[tuple[str, str], str]) -> str:
    location = tuple(str(part) for part in item["loc"])
    path = ".".join(location) or "(file)"
    variable = from_env.get((location[0], location[1])) if len(location) >= 2 else None
    source = f" (from {variable})" if variable else ""
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{path}{source}: {message}"


@dataclass
class KioskDevices:
    """The opened devices of one kiosk: its composition root hands these out.

    Attributes:
        config: what was opened.
        printer: prints tickets laid out for ``printer_profile``.
        printer_profile: the printer model (paper width, QR support, cutter).
        scanner: started; codes go to the ``on_code`` given to :func:`open_devices`.
        card_reader: the card reader, or None when the kiosk has none.
    """

    config: KioskDeviceConfig
    printer: TicketPrinter
    printer_profile: PrinterProfile
    scanner: CodeScanner
    card_reader: CardReader | None
    printer_warm_up: threading.Timer | None = None

    def close(self) -> None:
        """Stop the scanner and release the card reader (the printer holds no connection)."""
        if self.printer_warm_up is not None:
            self.printer_warm_up.cancel()
        self.scanner.stop()
        if self.card_reader is not None:
            self.card_reader.close()


def open_devices(
    config: KioskDeviceConfig,
    *,
    on_code: CodeSink,
    on_card: Callable[[CardEvent], None] | None = None,
) -> KioskDevices:
    """Open the printer, start the scanner and open the card reader ``config`` describes.

    Args:
        config: the kiosk's device configuration.
        on_code: receives every scanned code (on the scanner's thread).
        on_card: receives card reader events (on the reader's thread).

    Raises:
        MissingDependency: a hardware library is not installed; the message names the
            package and the virtual setting to use instead.
        ScannerError, NoReader, CardFileError: a device cannot be opened.
    """
    from devices.printer.config import open_printer
    from devices.scanner.sources import open_scanner

    with _virtual_named("printer"):
        printer_config = config.printer.printer_config()
        printer = open_printer(printer_config)
    with _virtual_named("scanner"):
        scanner = open_scanner(config.scanner.spec, on_code)
        scanner.start()
    try:
        with _virtual_named("card_reader"):
            card_reader = _open_card_reader(config.card_reader, on_card)
    except BaseException:
        scanner.stop()
        raise
    profile = profile_named(printer_config.profile)
    warm_up = _warm_up_later(printer, PRINTER_WARM_UP_S)
    return KioskDevices(config, printer, profile, scanner, card_reader, warm_up)


def _warm_up_later(printer: TicketPrinter, delay_s: float) -> threading.Timer | None:
    """Load the printer's library on a background thread ``delay_s`` after the start: the
    start (P5: first frame within 1.5 s) does not wait for it, nor does the first ticket."""
    warm_up = getattr(printer, "warm_up", None)
    if warm_up is None:
        return None

    def run() -> None:
        try:
            warm_up()
        except Exception:  # the first ticket imports it again and reports the problem
            log.exception("loading the printer library in advance failed")

    timer = threading.Timer(delay_s, run)
    timer.name, timer.daemon = "printer-warm-up", True
    timer.start()
    return timer


def _open_card_reader(
    section: CardReaderSection, on_card: Callable[[CardEvent], None] | None
) -> CardReader | None:
    if section.kind == "none":
        return None
    if section.kind == "pcsc":
        from devices.smartcard.reader import PcscCardReader

        return PcscCardReader(section.target, on_event=on_card).start()
    from devices.smartcard.virtual import VirtualCardReader
    from devices.smartcard.virtual_cards import DEMO_CARDS_PATH

    cards_path = Path(section.target) if section.target else DEMO_CARDS_PATH
    control = section.control_fifo
    return VirtualCardReader.from_file(cards_path, on_event=on_card, control_path=control).start()


@contextmanager
def _virtual_named(section: str) -> Iterator[None]:
    """Add the configuration's own virtual setting to a missing-library message."""
    try:
        yield
    except MissingDependency as err:
        variable = next(name for name, (where, _) in ENV_OVERRIDES.items() if where == section)
        hint = f"{section}: virtual in the kiosk device configuration, or {variable}=virtual"
        raise MissingDependency(f"{err} (here: {hint})") from err
