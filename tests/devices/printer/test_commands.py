"""``antre device print-test`` through a throwaway parser, as the CLI wires it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from devices.printer import commands
from devices.printer.samples import STATUS_URL_BASE
from queue_server.office_config.reading import load_office_file
from tests.devices.printer.fake_printer import FakePrinterState, RunningFakePrinter

DEMO_OFFICE = Path(__file__).parents[3] / "queue_server" / "demo" / "banjarmasin.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="antre device")
    commands.register(parser.add_subparsers(dest="action", required=True))
    args = parser.parse_args(list(argv))
    handler = args.handler
    result: int = handler(args)
    return result


def test_writes_one_readable_preview_per_demo_service(tmp_path: Path) -> None:
    _data, definition = load_office_file(DEMO_OFFICE)

    assert run("print-test", "--preview-dir", str(tmp_path), "--profile", "58mm") == 0

    expected = {f"{service.id}.png" for service in definition.services}
    assert {path.name for path in tmp_path.iterdir()} == expected
    urls = set()
    for path in tmp_path.iterdir():
        with Image.open(path) as preview:
            assert preview.width == 384 + 32
            symbols = decode(preview)
        assert len(symbols) == 1
        urls.add(symbols[0].data.decode())
    assert len(urls) == len(expected)
    assert all(url.startswith(STATUS_URL_BASE) for url in urls)


def test_prints_a_sample_on_a_network_printer() -> None:
    with RunningFakePrinter() as fake:
        assert run("print-test", "--printer", f"network:127.0.0.1:{fake.port}") == 0
        jobs = fake.printer.wait_for_jobs(1)

    assert b"A-012" in jobs[0]
    assert b"Kantor Imigrasi Banjarmasin".upper() in jobs[0]


def test_a_printer_fault_is_reported_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    with RunningFakePrinter(FakePrinterState(paper="out")) as fake:
        assert run("print-test", "--printer", f"network:127.0.0.1:{fake.port}") == 1

    error = capsys.readouterr().err
    assert "Kertas printer tiket habis" in error
    assert "out of paper" in error
    assert "paper_out" in error


def test_needs_something_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("print-test") == 2
    assert "--preview-dir" in capsys.readouterr().err


def test_probe_returns_lines() -> None:
    assert all(isinstance(line, str) and line for line in commands.probe())


def test_finds_usb_printers_in_sysfs(tmp_path: Path) -> None:
    devices = tmp_path / "devices" / "pci0000:00" / "usb1"
    printer, keyboard = devices / "1-1", devices / "1-2"
    for device, vendor, product, interface_class in [
        (printer, "04b8", "0e15", "07"),
        (keyboard, "046d", "c31c", "03"),
    ]:
        (device / f"{device.name}:1.0").mkdir(parents=True)
        (device / f"{device.name}:1.0" / "bInterfaceClass").write_text(f"{interface_class}\n")
        (device / "idVendor").write_text(f"{vendor}\n")
        (device / "idProduct").write_text(f"{product}\n")
    (printer / "product").write_text("TM-T20II\n")
    bus = tmp_path / "bus"
    bus.mkdir()
    for device in (printer, keyboard):
        (bus / device.name).symlink_to(device)
        (bus / f"{device.name}:1.0").symlink_to(device / f"{device.name}:1.0")
    dev_usb = tmp_path / "dev-usb"
    dev_usb.mkdir()
    (dev_usb / "lp0").touch()

    found = commands.find_printers(bus, dev_usb)

    assert found == [
        f"USB line printer port {dev_usb / 'lp0'}",
        "USB printer TM-T20II (usb:04b8:0e15)",
    ]


def test_a_file_that_is_not_an_office_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_an_office = tmp_path / "office.yaml"
    not_an_office.write_text("services: 12\n")
    command = ["print-test", "--preview-dir", str(tmp_path), "--office-file", str(not_an_office)]
    assert run(*command) == 2
    assert "not an office file" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png"))


def test_sample_office_reads_what_the_server_reads() -> None:
    from devices.printer.sample_office import read_sample_office

    _data, definition = load_office_file(DEMO_OFFICE)
    office = read_sample_office(DEMO_OFFICE)
    assert [(s.id, s.prefix, s.name_en) for s in office.services] == [
        (str(s.id), s.prefix, s.name_en) for s in definition.services
    ]
    assert [s.first_station for s in office.services] == [
        str(s.journey[0].station) for s in definition.services
    ]
    assert definition.branding is not None
    assert office.display_name == definition.branding.display_name
