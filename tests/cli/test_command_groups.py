"""``antre device ...`` comes from the ``antre.commands`` entry points, not from an import
of the device drivers in the server package."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from queue_server import cli
from queue_server.cli import COMMAND_GROUP, CommandGroup, main

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def declared_command_groups() -> list[CommandGroup]:
    """The groups pyproject.toml declares, loaded as an installed package would load them."""
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"][COMMAND_GROUP]
    groups = []
    for name, target in declared.items():
        module, _, function = target.partition(":")
        groups.append((name, getattr(importlib.import_module(module), function)))
    return groups


def test_pyproject_declares_the_device_display_and_kiosk_commands() -> None:
    assert [name for name, _register in declared_command_groups()] == ["device", "display", "kiosk"]


def test_device_probe_reports_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "probe"], command_groups=declared_command_groups()) == 0
    out = capsys.readouterr().out
    assert "Printers:" in out and "Scanners:" in out and "Card readers:" in out


def test_installed_entry_points_are_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = [
        EntryPoint(name="device", value="devices.cli:register", group=COMMAND_GROUP),
        EntryPoint(name="broken", value="no_such_package.cli:register", group=COMMAND_GROUP),
    ]
    monkeypatch.setattr(
        cli, "entry_points", lambda group: installed if group == COMMAND_GROUP else []
    )

    assert [name for name, _register in cli.installed_command_groups()] == ["device"]
    assert main(["device", "probe"]) == 0
    assert "Card readers:" in capsys.readouterr().out


def test_without_the_entry_point_device_add_still_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["device", "--help"], command_groups=[])
    out = capsys.readouterr().out
    assert "add" in out and "print-test" not in out


def test_the_server_cli_does_not_import_the_device_drivers() -> None:
    code = (
        "import sys; from queue_server.cli import build_parser; build_parser([]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'devices', 'kiosk'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
