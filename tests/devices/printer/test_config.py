from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from devices.errors import MissingDependency
from devices.printer.config import PrinterConfig, open_printer, parse_printer_spec
from devices.printer.errors import PrinterConfigError
from devices.printer.profiles import UnknownProfile, profile_named
from devices.printer.transports import EscposTicketPrinter
from devices.printer.virtual import VirtualPrinter


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("network:127.0.0.1:9100", PrinterConfig("network", host="127.0.0.1", port=9100)),
        ("network:printer.local", PrinterConfig("network", host="printer.local", port=9100)),
        ("network:10.0.0.5:9101", PrinterConfig("network", host="10.0.0.5", port=9101)),
        ("usb:04b8:0e15", PrinterConfig("usb", usb_vendor_id=0x04B8, usb_product_id=0x0E15)),
        ("serial:/dev/ttyUSB0", PrinterConfig("serial", device_path="/dev/ttyUSB0")),
        (
            "serial:/dev/ttyS1:19200",
            PrinterConfig("serial", device_path="/dev/ttyS1", baud_rate=19200),
        ),
        ("cups:TM-T20", PrinterConfig("cups", cups_queue="TM-T20", check_status=False)),
        ("virtual:/tmp/jobs", PrinterConfig("virtual", folder=Path("/tmp/jobs"))),
    ],
)
def test_printer_addresses_are_read(spec: str, expected: PrinterConfig) -> None:
    assert parse_printer_spec(spec) == expected


@pytest.mark.parametrize(
    "spec", ["laser:1.2.3.4", "network:", "network:host:port", "usb:zz:01", "usb:04b8", "serial:"]
)
def test_bad_addresses_are_refused(spec: str) -> None:
    with pytest.raises(PrinterConfigError):
        parse_printer_spec(spec)


def test_profile_is_checked() -> None:
    with pytest.raises(PrinterConfigError, match="unknown printer profile"):
        PrinterConfig("virtual", profile="110mm")
    with pytest.raises(UnknownProfile):
        profile_named("110mm")


def test_from_mapping_refuses_unknown_keys() -> None:
    config = PrinterConfig.from_mapping(
        {"kind": "network", "host": "10.0.0.5", "profile": "58mm", "timeout_s": 2}
    )

    assert config == PrinterConfig("network", "58mm", host="10.0.0.5", timeout_s=2)
    with pytest.raises(PrinterConfigError, match="colour"):
        PrinterConfig.from_mapping({"kind": "virtual", "colour": "red"})


def test_timeout_must_be_positive() -> None:
    with pytest.raises(PrinterConfigError):
        PrinterConfig("network", host="h", timeout_s=0)


def test_open_printer_picks_the_implementation(tmp_path: Path) -> None:
    virtual = open_printer(PrinterConfig("virtual", "58mm", folder=tmp_path))
    network = open_printer(PrinterConfig("network", host="127.0.0.1"))

    assert isinstance(virtual, VirtualPrinter)
    assert virtual.profile == profile_named("58mm")
    assert isinstance(network, EscposTicketPrinter)
    assert network.answers_status


@pytest.mark.parametrize(
    ("spec", "module", "package"),
    [("usb:04b8:0e15", "usb", "pyusb"), ("cups:", "cups", "pycups")],
)
def test_missing_library_is_named(spec: str, module: str, package: str) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")

    with pytest.raises(MissingDependency, match=package) as raised:
        open_printer(parse_printer_spec(spec))

    assert "virtual" in str(raised.value)
