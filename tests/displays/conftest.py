"""Fixtures for the announcer tests: calls to announce and a real espeak-ng."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from queue_server.protocol.states import CalledEvent

MakeCall = Callable[..., CalledEvent]


@pytest.fixture
def make_call() -> MakeCall:
    """A factory of ``CalledEvent`` with defaults: ``make_call(id=2, ticket="B-023")``."""

    def make(**fields: object) -> CalledEvent:
        values: dict[str, object] = {
            "id": 1,
            "seq": 1,
            "ticket": "B-023",
            "station": "CS",
            "counter": "cs-3",
            "counter_name": "CS 3",
            "service": "paspor-walkin",
            "recall": False,
            "ts": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        }
        values.update(fields)
        values.setdefault("seq", values["id"])
        return CalledEvent.model_validate(values)

    return make


@pytest.fixture(scope="session")
def espeak() -> str:
    """The path of espeak-ng; skips when it is missing (fails in CI, which installs it)."""
    found = shutil.which("espeak-ng")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng must be installed in CI (make test installs it)")
        pytest.skip("espeak-ng is not installed; run `make test` or apt-get install espeak-ng")
    return found


# The lobby board's tests: the live server with a display account, and an X server.
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.kiosk.conftest import x_display  # noqa: E402
from tests.mqtt.live import LiveServer, live_server  # noqa: E402

__all__ = ["x_display"]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """The test office over SQLite with its MQTT side started and a display ``lobby-1``."""
    server = live_server(tmp_path)
    server.add_device("lobby-1", "display")
    server.start()
    yield server
    server.close()
