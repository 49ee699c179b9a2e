"""The few facts of an office file that sample tickets need, read with plain YAML.

A kiosk does not carry the server's office model; ``antre device print-test`` only needs
each service's prefix, names and first step, the counters' names and the ticket branding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class SampleOfficeError(ValueError):
    """The office file cannot give sample tickets (unreadable or missing a field)."""


@dataclass(frozen=True, slots=True)
class SampleService:
    """One service: its ticket prefix, names, first station and that step's minutes."""

    id: str
    prefix: str
    name_id: str
    name_en: str
    first_station: str
    first_minutes: float


@dataclass(frozen=True, slots=True)
class SampleCounter:
    """One counter: its name and the stations it serves."""

    name: str
    stations: frozenset[str]


@dataclass(frozen=True, slots=True)
class SampleOffice:
    """What sample tickets show: names, timezone, branding, services and counters."""

    name: str
    timezone: str
    display_name: str
    address: str
    footer_id: str
    footer_en: str
    has_branding: bool
    services: tuple[SampleService, ...]
    counters: tuple[SampleCounter, ...]


def read_sample_office(path: Path) -> SampleOffice:
    """Read ``path`` (an office YAML file); raises :class:`SampleOfficeError` when unusable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _office(data)
    except (OSError, yaml.YAMLError) as error:
        raise SampleOfficeError(f"{path}: {error}") from error
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise SampleOfficeError(f"{path}: not an office file ({error!r})") from error


def _office(data: dict[str, Any]) -> SampleOffice:
    office = data["office"]
    branding = data.get("branding") or {}
    return SampleOffice(
        name=str(office["name"]),
        timezone=str(office.get("timezone", "Asia/Jakarta")),
        display_name=str(branding.get("display_name") or office["name"]),
        address=str(branding.get("address", "")),
        footer_id=str(branding.get("footer_id", "")),
        footer_en=str(branding.get("footer_en", "")),
        has_branding="branding" in data and data["branding"] is not None,
        services=tuple(_service(entry) for entry in data["services"]),
        counters=tuple(
            SampleCounter(str(entry["name"]), frozenset(map(str, entry["stations"])))
            for entry in data.get("counters") or []
        ),
    )


def _service(entry: dict[str, Any]) -> SampleService:
    first = entry["journey"][0]
    return SampleService(
        id=str(entry["id"]),
        prefix=str(entry["prefix"]),
        name_id=str(entry["name_id"]),
        name_en=str(entry["name_en"]),
        first_station=str(first["station"]),
        first_minutes=float(first["minutes"]),
    )
