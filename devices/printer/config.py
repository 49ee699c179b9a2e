"""Which printer to open: a small typed config, and the factory that opens it."""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

from devices.errors import check_installed, require
from devices.printer.errors import PrinterConfigError
from devices.printer.escpos_output import ESCPOS_PACKAGE, VIRTUAL_ALTERNATIVE, import_escpos
from devices.printer.profiles import DEFAULT_PROFILE, UnknownProfile, profile_named
from devices.printer.transports import EscposFactory, EscposTicketPrinter, TicketPrinter
from devices.printer.virtual import VirtualPrinter

PrinterKind = Literal["network", "usb", "serial", "cups", "virtual"]
DEFAULT_NETWORK_PORT = 9100
DEFAULT_VIRTUAL_FOLDER = Path("var/printer")


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    """How to reach the ticket printer.

    Attributes:
        kind: the transport.
        profile: a name from ``devices.printer.profiles.PROFILES``.
        host: network printers: host name or address.
        port: network printers: TCP port (raw printing, 9100).
        usb_vendor_id: USB printers: idVendor.
        usb_product_id: USB printers: idProduct.
        device_path: serial printers: e.g. ``/dev/ttyUSB0``.
        baud_rate: serial printers.
        cups_queue: CUPS printers: the queue name (empty: the default queue).
        folder: virtual printers: where jobs are written.
        timeout_s: every connect, write and status read gives up after this long.
        check_status: read ``DLE EOT`` status before printing (not possible over CUPS).
    """

    kind: PrinterKind = "virtual"
    profile: str = DEFAULT_PROFILE
    host: str = ""
    port: int = DEFAULT_NETWORK_PORT
    usb_vendor_id: int = 0
    usb_product_id: int = 0
    device_path: str = ""
    baud_rate: int = 9600
    cups_queue: str = ""
    folder: Path = DEFAULT_VIRTUAL_FOLDER
    timeout_s: float = 5.0
    check_status: bool = True

    def __post_init__(self) -> None:
        if self.kind not in get_args(PrinterKind):
            raise PrinterConfigError(f"unknown printer kind {self.kind!r}")
        try:
            profile_named(self.profile)
        except UnknownProfile as err:
            raise PrinterConfigError(str(err)) from err
        if self.timeout_s <= 0:
            raise PrinterConfigError("timeout_s must be positive")
        self._check_transport_fields()

    def _check_transport_fields(self) -> None:
        missing = {
            "network": not self.host,
            "usb": not (self.usb_vendor_id and self.usb_product_id),
            "serial": not self.device_path,
        }.get(self.kind, False)
        if missing:
            raise PrinterConfigError(f"a {self.kind} printer needs its address ({self.kind}:...)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PrinterConfig:
        """Build from a config file section; unknown keys are refused."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PrinterConfigError(f"unknown printer settings: {', '.join(unknown)}")
        values = dict(data)
        if "folder" in values:
            values["folder"] = Path(values["folder"])
        return cls(**values)


def parse_printer_spec(spec: str, profile: str = DEFAULT_PROFILE) -> PrinterConfig:
    """Read a one-line printer address.

    Forms: ``network:HOST[:PORT]``, ``usb:VENDOR:PRODUCT`` (hex), ``serial:PATH[:BAUD]``,
    ``cups:[QUEUE]``, ``virtual:FOLDER``.

    Raises:
        PrinterConfigError: the address cannot be read.
    """
    kind, _, rest = spec.partition(":")
    try:
        return _parse_by_kind(kind, rest, profile)
    except ValueError as err:
        if isinstance(err, PrinterConfigError):
            raise
        raise PrinterConfigError(f"cannot read printer address {spec!r}: {err}") from err


def _parse_by_kind(kind: str, rest: str, profile: str) -> PrinterConfig:
    if kind == "network":
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        return PrinterConfig("network", profile, host=host, port=int(port or 9100))
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        return PrinterConfig(
            "usb", profile, usb_vendor_id=int(vendor, 16), usb_product_id=int(product, 16)
        )
    if kind == "serial":
        path, _, baud = rest.partition(":")
        return PrinterConfig("serial", profile, device_path=path, baud_rate=int(baud or 9600))
    if kind == "cups":
        return PrinterConfig("cups", profile, cups_queue=rest, check_status=False)
    if kind == "virtual":
        return PrinterConfig("virtual", profile, folder=Path(rest or DEFAULT_VIRTUAL_FOLDER))
    raise PrinterConfigError(f"unknown printer kind {kind!r} (network, usb, serial, cups, virtual)")


def open_printer(config: PrinterConfig) -> TicketPrinter:
    """The printer ``config`` describes (nothing is connected until the first ticket).

    Raises:
        MissingDependency: the transport's library is not installed.
    """
    profile = profile_named(config.profile)
    if config.kind == "virtual":
        return VirtualPrinter(config.folder, profile)
    name, connect = _CONNECTORS[config.kind](config)
    answers_status = config.check_status and config.kind != "cups"
    return EscposTicketPrinter(connect, profile, answers_status=answers_status, name=name)


def _escpos_class(name: str) -> Callable[..., Any]:
    """A python-escpos printer class, imported at the first ticket: the module pulls in
    Pillow, qrcode, pyserial and more (10 MB), which a kiosk needs only once it prints.
    Whether it is installed is checked now, so a missing library still stops the start."""
    check_installed("escpos.printer", ESCPOS_PACKAGE, VIRTUAL_ALTERNATIVE)

    def create(*args: Any, **kwargs: Any) -> Any:
        printers = import_escpos("escpos.printer")
        return getattr(printers, name)(*args, **kwargs)

    return create


def _network(config: PrinterConfig) -> tuple[str, EscposFactory]:
    network_class = _escpos_class("Network")

    def connect() -> Any:
        # Connect here rather than in Network.open(), which leaks the socket on failure.
        printer = network_class(config.host, config.port, timeout=config.timeout_s)
        address = (config.host, config.port)
        printer.device = socket.create_connection(address, timeout=config.timeout_s)
        return printer

    return f"network printer {config.host}:{config.port}", connect


def _usb(config: PrinterConfig) -> tuple[str, EscposFactory]:
    require("usb.core", "pip install pyusb (Debian: libusb-1.0-0)", VIRTUAL_ALTERNATIVE)
    ids = (config.usb_vendor_id, config.usb_product_id)
    usb_class = _escpos_class("Usb")
    timeout_ms = int(config.timeout_s * 1000)
    connect = partial(_opened, usb_class, *ids, timeout=timeout_ms)
    return f"USB printer {ids[0]:04x}:{ids[1]:04x}", connect


def _serial(config: PrinterConfig) -> tuple[str, EscposFactory]:
    require("serial", "pip install pyserial", VIRTUAL_ALTERNATIVE)
    serial_class = _escpos_class("Serial")
    path, baud_rate, timeout_s = config.device_path, config.baud_rate, config.timeout_s
    connect = partial(_opened, serial_class, path, baudrate=baud_rate, timeout=timeout_s)
    return f"serial printer {config.device_path}", connect


def _cups(config: PrinterConfig) -> tuple[str, EscposFactory]:
    require("cups", "pip install pycups (Debian: libcups2-dev, cups)", VIRTUAL_ALTERNATIVE)
    connect = partial(_opened, _escpos_class("CupsPrinter"), config.cups_queue)
    return f"CUPS queue {config.cups_queue or '(default)'}", connect


def _opened(printer_class: Any, *args: Any, **kwargs: Any) -> Any:
    printer = printer_class(*args, **kwargs)
    printer.open()
    return printer


_CONNECTORS: dict[str, Callable[[PrinterConfig], tuple[str, EscposFactory]]] = {
    "network": _network,
    "usb": _usb,
    "serial": _serial,
    "cups": _cups,
}
