"""Errors shared by every device package."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


class DeviceError(Exception):
    """Base of every device error."""


class MissingDependency(DeviceError, ImportError):
    """An optional hardware library is not installed."""


def require(module: str, package: str, alternative: str) -> ModuleType:
    """Import an optional hardware library, or explain how to get it.

    Args:
        module: the module to import, e.g. ``"usb.core"``.
        package: what to install, e.g. ``"pip install pyusb (Debian: libusb-1.0-0)"``.
        alternative: what works without it, e.g. ``"kind: virtual"``.

    Raises:
        MissingDependency: the module cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependency(
            f"{module} is not available: install {package}, or use {alternative}"
        ) from err


def check_installed(module: str, package: str, alternative: str) -> None:
    """Like :func:`require` without importing ``module`` yet (a start-up check for a
    library that is first used later).

    Raises:
        MissingDependency: the module is not installed.
    """
    try:
        # A None entry in sys.modules blocks an import: tests use it to hide a library.
        blocked = module in sys.modules and sys.modules[module] is None
        found = not blocked and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # its parent package is missing or blocked
        found = False
    if not found:
        raise MissingDependency(
            f"{module} is not available: install {package}, or use {alternative}"
        )
