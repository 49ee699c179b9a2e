"""``antre device probe|print-test|scan|read-card``: the field technician's commands.

Each device area registers its own sub-commands; ``probe`` asks every area what it finds
on this machine. Heavy hardware libraries are imported only when a command runs. The
``antre`` command finds :func:`register` through the ``antre.commands`` entry point
``device`` (see pyproject.toml), so the server package never imports the drivers.
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType

AREAS = ("printer", "scanner", "smartcard")
TITLES = {"printer": "Printers", "scanner": "Scanners", "smartcard": "Card readers"}


def _area(name: str) -> ModuleType:
    return importlib.import_module(f"devices.{name}.commands")


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every area's commands and ``probe`` to the ``antre device`` group."""
    for name in AREAS:
        _area(name).register(actions)
    probe = actions.add_parser("probe", help="list the printers, scanners and card readers found")
    probe.set_defaults(handler=run_probe)


def run_probe(_args: argparse.Namespace) -> int:
    for name in AREAS:
        found: list[str] = _area(name).probe()
        print(f"{TITLES[name]}:")
        for line in found or ["(none found)"]:
            print(f"  {line}")
    return 0
