"""The server's composition root: config -> database -> use cases, by keyword."""

from __future__ import annotations

from dataclasses import dataclass

from queue_server.config import ServerConfig, nik_key_bytes
from queue_server.persistence.db import Database, open_database
from queue_server.services.accounts import AccountService
from queue_server.services.devices import DevicePresence, DeviceService
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuingService
from queue_server.services.officer import OfficerService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.unit import Clock, utc_now
from queue_server.services.views import ViewService


@dataclass(frozen=True)
class Services:
    """Everything the web and MQTT adapters need, built once per process."""

    config: ServerConfig
    database: Database
    catalog: OfficeCatalog
    events: EventBus
    issuing: IssuingService
    officer: OfficerService
    accounts: AccountService
    views: ViewService
    devices: DeviceService
    presence: DevicePresence
    clock: Clock

    def close(self) -> None:
        self.database.dispose()


def build_services(config: ServerConfig, *, clock: Clock = utc_now) -> Services:
    database = open_database(config.database_url)
    catalog = OfficeCatalog()
    events = EventBus()
    return Services(
        config=config,
        database=database,
        catalog=catalog,
        events=events,
        issuing=IssuingService(
            nik_key=nik_key_bytes(config),
            database=database,
            catalog=catalog,
            events=events,
            clock=clock,
        ),
        officer=OfficerService(database=database, catalog=catalog, events=events, clock=clock),
        accounts=AccountService(database=database, catalog=catalog, events=events, clock=clock),
        views=ViewService(database=database, catalog=catalog, events=events, clock=clock),
        devices=DeviceService(database=database, catalog=catalog, events=events, clock=clock),
        presence=DevicePresence(database=database, catalog=catalog, events=events, clock=clock),
        clock=clock,
    )
