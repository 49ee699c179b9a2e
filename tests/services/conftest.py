"""Use-case fixtures: a migrated database (SQLite and PostgreSQL) with a test office."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_server.persistence.db import Database, open_database
from queue_server.persistence.migrate import upgrade
from queue_server.services.bookings import BookingService
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuingService
from queue_server.services.officer import OfficerService
from queue_server.services.offices import OfficeCatalog, store_office
from queue_server.services.offline import OfflineIssuing
from queue_server.services.outbox import OutboxService
from queue_server.services.ratings import RatingService
from queue_server.services.views import ViewService
from tests.services.clock import MONDAY_10_WITA, FakeClock

OFFICE_FILE = Path(__file__).with_name("office.yaml")


def office_settings(**changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = yaml.safe_load(OFFICE_FILE.read_text(encoding="utf-8"))
    settings.update(changes)
    return settings


class Engine:
    """The use cases wired over one database, with a controllable clock and event log."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.events = EventBus()
        self.published: list[object] = []
        self.events.subscribe(self.published.append)
        #: What every service takes: the database, office catalog, event bus and clock.
        self.shared: dict[str, Any] = {
            "database": database,
            "catalog": OfficeCatalog(),
            "events": self.events,
            "clock": clock,
        }
        self.issuing = IssuingService(nik_key=b"test-key", **self.shared)
        self.officer = OfficerService(**self.shared)
        self.bookings = BookingService(issuing=self.issuing, **self.shared)
        self.offline = OfflineIssuing(**self.shared)
        self.ratings = RatingService(**self.shared)

    def outbox(self) -> OutboxService:
        return OutboxService(**self.shared)

    def views(self) -> ViewService:
        return ViewService(**self.shared)

    def load(self, settings: dict[str, Any]) -> None:
        with self.database.writer() as session, session.begin():
            store_office(session, settings, now=self.clock())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/antre.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    database = open_database(db_url)
    engine = Engine(database, FakeClock(MONDAY_10_WITA))
    engine.load(office_settings())
    yield engine
    database.dispose()
