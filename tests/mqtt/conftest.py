"""The use-case fixtures (SQLite and PostgreSQL) are shared with tests/services."""

from tests.services.conftest import db_url, engine

__all__ = ["db_url", "engine"]


# Broker supervision, TLS, external broker and resilience tests: a live MQTT side.
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mqtt.live import LiveServer, live_server


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """The test office over SQLite with its MQTT side not yet started (``live.start()``)."""
    server = live_server(tmp_path)
    yield server
    server.close()
