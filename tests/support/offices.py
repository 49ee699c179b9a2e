"""Office files for tests and benchmarks that start a real server."""

from __future__ import annotations

from pathlib import Path

import yaml

TEST_OFFICE_FILE = Path(__file__).parents[1] / "services" / "office.yaml"
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def always_open_office(folder: Path) -> Path:
    """The test office (``kanim-test``), open around the clock every day, written to
    ``folder``: a server on the real clock then issues at any hour."""
    settings = yaml.safe_load(TEST_OFFICE_FILE.read_text())
    settings["calendar"]["hours"] = {day: ["00:00", "24:00"] for day in WEEK}
    settings["calendar"]["national_holidays"] = False
    path = folder / "office.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path
