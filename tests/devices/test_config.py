"""The kiosk device configuration: defaults, files, environment overrides, errors, opening."""

from __future__ import annotations

import json
import queue
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from pyzbar.pyzbar import decode

from devices.config import (
    DeviceConfigError,
    KioskDeviceConfig,
    KioskDevices,
    device_config_from_mapping,
    load_device_config,
    open_devices,
)
from devices.errors import MissingDependency
from devices.printer import Branding, LocalisedText, TicketView, VirtualPrinter, layout_ticket
from devices.scanner import ScannedCode, VirtualScanner
from devices.smartcard import MrzKey, VirtualCardReader, events

NO_ENV: dict[str, str] = {}
STATUS_URL = "http://antre.local/t/0123456789abcdef"
SPECIMEN_KEY = MrzKey("L898902C3", "740812", "120415")
FILE_CONTENT = {
    "printer": {"spec": "network:10.0.0.5:9100", "profile": "58mm"},
    "scanner": "serial:/dev/ttyACM0@115200",
    "card_reader": "pcsc:ACS",
}
FILE_TEXTS = {
    ".yaml": (
        "printer: {spec: 'network:10.0.0.5:9100', profile: 58mm}\n"
        "scanner: serial:/dev/ttyACM0@115200\n"
        "card_reader: pcsc:ACS\n"
    ),
    ".toml": (
        'scanner = "serial:/dev/ttyACM0@115200"\ncard_reader = "pcsc:ACS"\n'
        '[printer]\nspec = "network:10.0.0.5:9100"\nprofile = "58mm"\n'
    ),
    ".json": json.dumps(FILE_CONTENT),
}


def problems_of(data: object, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(DeviceConfigError) as raised:
        device_config_from_mapping(data, NO_ENV if environ is None else environ)  # type: ignore[arg-type]
    return raised.value.problems


# --- parsing -----------------------------------------------------------------------


def test_defaults_are_all_virtual() -> None:
    config = load_device_config(environ=NO_ENV)
    assert config.printer.printer_config().kind == "virtual"
    assert (config.scanner.spec, config.card_reader.kind) == ("virtual", "virtual")
    assert config.card_reader.target is None
    assert device_config_from_mapping({}, NO_ENV) == config == device_config_from_mapping(None)


@pytest.mark.parametrize("suffix", sorted(FILE_TEXTS))
def test_yaml_toml_and_json_files_read_the_same(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"devices{suffix}"
    path.write_text(FILE_TEXTS[suffix], encoding="utf-8")
    config = load_device_config(path, NO_ENV)
    assert config == device_config_from_mapping(FILE_CONTENT, NO_ENV)
    printer = config.printer.printer_config()
    assert (printer.kind, printer.host, printer.port, printer.profile) == (
        "network", "10.0.0.5", 9100, "58mm",
    )  # fmt: skip
    assert (config.card_reader.kind, config.card_reader.target) == ("pcsc", "ACS")


def test_environment_overrides_the_file() -> None:
    environ = {
        "ANTRE_PRINTER": "usb:04b8:0e15",
        "ANTRE_SCANNER": "camera:0",
        "ANTRE_CARD_READER": "virtual:/etc/antre/cards.json",
        "ANTRE_PRINTER_PROFILE": "  ",  # blank: ignored
    }
    config = device_config_from_mapping(FILE_CONTENT, environ)
    printer = config.printer.printer_config()
    assert (printer.kind, printer.usb_vendor_id, printer.profile) == ("usb", 0x04B8, "58mm")
    assert config.scanner.spec == "camera:0"
    assert (config.card_reader.kind, config.card_reader.target) == (
        "virtual", "/etc/antre/cards.json",
    )  # fmt: skip
    assert FILE_CONTENT["scanner"] == "serial:/dev/ttyACM0@115200"  # the input is not changed


def test_the_configuration_is_frozen_and_refuses_unknown_keys() -> None:
    config = KioskDeviceConfig()
    with pytest.raises(ValidationError):
        config.scanner = config.scanner  # type: ignore[misc]
    assert problems_of({"printers": "virtual:x"}) == ["printers: Extra inputs are not permitted"]


def test_every_bad_setting_is_listed_and_says_where_it_came_from() -> None:
    data = {
        "printer": {"spec": "network:", "profile": "99mm", "colour": "red"},
        "scanner": "bluetooth:AA",
        "card_reader": {"spec": "pcsc", "control_fifo": "/run/antre/card.fifo"},
    }
    problems = problems_of(data, {"ANTRE_PRINTER": "usb:zz:11"})
    assert [problem.split(":")[0] for problem in problems] == [
        "printer.spec (from ANTRE_PRINTER)",
        "printer.profile",
        "printer.colour",
        "scanner.spec",
        "card_reader",
    ]
    assert "cannot read printer address" in problems[0]
    assert "known: 58mm" in problems[1]
    assert "control_fifo works only with the virtual card reader" in problems[4]


def test_an_override_of_a_malformed_section_leaves_its_error() -> None:
    (problem,) = problems_of({"scanner": [1]}, {"ANTRE_SCANNER": "virtual"})
    assert problem.startswith("scanner: Input should be a valid dictionary")


@pytest.mark.parametrize(
    ("variable", "value", "where"),
    [
        ("ANTRE_SCANNER", "hid:", "scanner.spec (from ANTRE_SCANNER)"),
        ("ANTRE_CARD_READER", "none:x", "card_reader.spec (from ANTRE_CARD_READER)"),
        ("ANTRE_CARD_READER", "nfc", "card_reader.spec (from ANTRE_CARD_READER)"),
        ("ANTRE_PRINTER", "serial:", "printer.spec (from ANTRE_PRINTER)"),
    ],
)
def test_bad_environment_values_are_named(variable: str, value: str, where: str) -> None:
    (problem,) = problems_of({}, {variable: value})
    assert problem.startswith(f"{where}: ")


def test_the_error_is_bilingual_one_problem_a_line() -> None:
    with pytest.raises(DeviceConfigError) as raised:
        device_config_from_mapping({"scanner": "x", "card_reader": "y"}, NO_ENV)
    lines = str(raised.value).splitlines()
    assert lines[:2] == [
        "Konfigurasi perangkat kiosk tidak valid:",
        "The kiosk device configuration is not valid:",
    ]
    assert [line[:16] for line in lines[2:]] == ["  - scanner.spec", "  - card_reader."]


def test_file_problems_are_clear(tmp_path: Path) -> None:
    cases = {
        "devices.ini": "must end in .yaml",
        "devices.yaml": "cannot be parsed",
        "devices.toml": "cannot be parsed",
        "devices.json": "must be a mapping",
    }
    texts = {"devices.yaml": "printer: [", "devices.toml": "printer = ", "devices.json": "[1]"}
    for name, expected in cases.items():
        path = tmp_path / name
        path.write_text(texts.get(name, "x"), encoding="utf-8")
        with pytest.raises(DeviceConfigError, match=expected):
            load_device_config(path, NO_ENV)
    with pytest.raises(DeviceConfigError, match="cannot read"):
        load_device_config(tmp_path / "absent.yaml", NO_ENV)


# --- opening ------------------------------------------------------------------------


@pytest.fixture
def codes() -> queue.Queue[ScannedCode]:
    return queue.Queue()


@pytest.fixture
def card_events() -> queue.Queue[events.CardEvent]:
    return queue.Queue()


@pytest.fixture
def kiosk(
    tmp_path: Path, codes: queue.Queue[ScannedCode], card_events: queue.Queue[events.CardEvent]
) -> Iterator[KioskDevices]:
    config = device_config_from_mapping({}, {"ANTRE_PRINTER": f"virtual:{tmp_path / 'jobs'}"})
    devices = open_devices(config, on_code=codes.put, on_card=card_events.put)
    yield devices
    devices.close()


def sample_ticket() -> TicketView:
    return TicketView(
        label="A012",
        service_name=LocalisedText(id="Paspor baru", en="New passport"),
        issued_at=datetime(2026, 12, 2, 1, 15, tzinfo=UTC),
        people_ahead=3,
        estimated_wait_minutes=15,
        status_url=STATUS_URL,
    )


def test_virtual_printer_prints_a_ticket_whose_qr_reads_back(
    kiosk: KioskDevices, tmp_path: Path
) -> None:
    from PIL import Image

    branding = Branding(office_name="Kantor Imigrasi Demo", address="Jakarta")
    ops = layout_ticket(sample_ticket(), branding, kiosk.printer_profile, "id")
    kiosk.printer.print_ticket(ops)
    assert isinstance(kiosk.printer, VirtualPrinter)
    (preview,) = (tmp_path / "jobs").glob("job-*.png")
    with Image.open(preview) as picture:
        assert [symbol.data.decode() for symbol in decode(picture)] == [STATUS_URL]


def test_virtual_scanner_delivers_a_pushed_code(
    kiosk: KioskDevices, codes: queue.Queue[ScannedCode]
) -> None:
    assert isinstance(kiosk.scanner, VirtualScanner) and kiosk.scanner.is_running()
    kiosk.scanner.push("BOOKING-123")
    assert codes.get(timeout=2).text == "BOOKING-123"
    kiosk.close()
    assert not kiosk.scanner.is_running()


def test_virtual_card_reader_reads_the_demo_passport_and_badge(
    kiosk: KioskDevices, card_events: queue.Queue[events.CardEvent]
) -> None:
    reader = kiosk.card_reader
    assert isinstance(reader, VirtualCardReader)
    assert isinstance(card_events.get(timeout=2), events.ReaderAdded)
    reader.insert(0)
    assert reader.read_passport(SPECIMEN_KEY, timeout_s=1).mrz.issuing_state == "UTO"
    reader.insert(1)
    assert reader.read_badge(timeout_s=1).uid_hex == "04A1B2C3D4E5F6"
    kinds = [type(card_events.get(timeout=2)) for _ in range(3)]
    assert kinds == [events.CardInserted, events.CardRemoved, events.CardInserted]


def test_no_card_reader_and_a_card_file_of_ones_own(tmp_path: Path) -> None:
    none = device_config_from_mapping({"card_reader": "none"}, NO_ENV)
    devices = open_devices(none, on_code=lambda code: None)
    assert devices.card_reader is None
    devices.close()
    cards = tmp_path / "cards.json"
    cards.write_text('[{"kind": "badge", "uid": "0102030405060708"}]', encoding="utf-8")
    own = device_config_from_mapping({"card_reader": f"virtual:{cards}"}, NO_ENV)
    devices = open_devices(own, on_code=lambda code: None)
    assert isinstance(devices.card_reader, VirtualCardReader)
    assert len(devices.card_reader.cards) == 1
    devices.close()


@pytest.mark.parametrize(
    ("settings", "module", "package", "variable"),
    [
        ({"card_reader": "pcsc"}, "smartcard.scard", "pyscard", "ANTRE_CARD_READER"),
        ({"scanner": "serial:/dev/null"}, "serial", "pyserial", "ANTRE_SCANNER"),
        ({"printer": "network:127.0.0.1"}, "escpos.printer", "python-escpos", "ANTRE_PRINTER"),
    ],
)
def test_a_missing_library_names_its_package_and_the_virtual_setting(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, str], module: str, package: str,
    variable: str,
) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, module, None)
    config = device_config_from_mapping(settings, NO_ENV)
    with pytest.raises(MissingDependency) as raised:
        open_devices(config, on_code=lambda code: None)
    message = str(raised.value)
    section = next(iter(settings))
    assert package in message and f"{section}: virtual" in message
    assert f"{variable}=virtual" in message
    assert isinstance(raised.value.__cause__, MissingDependency)
