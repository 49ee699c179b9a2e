"""The server's composition root: config -> database -> use cases, by keyword."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict

from queue_server.config import ServerConfig, nik_key_bytes, session_key
from queue_server.persistence.db import Database, open_database
from queue_server.services.accounts import AccountService
from queue_server.services.bookings import BookingService
from queue_server.services.console import ConsoleService
from queue_server.services.dashboard import DashboardService
from queue_server.services.device_config import DeviceConfigService
from queue_server.services.devices import DevicePresence, DeviceService
from queue_server.services.drive_thru import DriveThruService
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssuingService
from queue_server.services.notifications import NotificationService
from queue_server.services.office_admin import OfficeAdminService
from queue_server.services.officer import OfficerService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.offline import OfflineIssuing
from queue_server.services.outbox import OutboxService
from queue_server.services.passports import PassportService
from queue_server.services.ratings import RatingService
from queue_server.services.registration_admin import RegistrationAdmin
from queue_server.services.registrations import RegistrationService
from queue_server.services.reports import ReportService
from queue_server.services.retention import RetentionService
from queue_server.services.sign_in_guards import SignInGuards
from queue_server.services.unit import Clock, utc_now
from queue_server.services.views import ViewService


class Collaborators(TypedDict):
    """What every use-case class receives (by keyword)."""

    database: Database
    catalog: OfficeCatalog
    events: EventBus
    clock: Clock


@dataclass(frozen=True)
class Services:
    """Everything the web and MQTT adapters need, built once per process."""

    config: ServerConfig
    database: Database
    catalog: OfficeCatalog
    events: EventBus
    issuing: IssuingService
    bookings: BookingService
    offline: OfflineIssuing
    ratings: RatingService
    officer: OfficerService
    accounts: AccountService
    views: ViewService
    console: ConsoleService
    devices: DeviceService
    device_config: DeviceConfigService
    presence: DevicePresence
    retention: RetentionService
    outbox: OutboxService
    reports: ReportService
    office_admin: OfficeAdminService
    dashboard: DashboardService
    sign_in_guards: SignInGuards
    clock: Clock
    passports: PassportService
    notifications: NotificationService
    drive_thru: DriveThruService
    registrations: RegistrationService
    registration_admin: RegistrationAdmin

    def close(self) -> None:
        self.database.dispose()


def build_services(config: ServerConfig, *, clock: Clock = utc_now) -> Services:
    database = open_database(config.database_url)
    catalog = OfficeCatalog()
    events = EventBus()
    common = Collaborators(database=database, catalog=catalog, events=events, clock=clock)
    nik_key = nik_key_bytes(config)
    issuing = IssuingService(nik_key=nik_key, **common)
    # Phone hashes (opt-outs) use the NIK key: one server secret, never stored with the data.
    notifications = NotificationService(hash_key=nik_key, **common)
    events.subscribe_batch(notifications.on_events)
    passports = PassportService(hash_key=nik_key, **common)
    return Services(
        config=config,
        database=database,
        catalog=catalog,
        events=events,
        issuing=issuing,
        bookings=BookingService(issuing=issuing, **common),
        offline=OfflineIssuing(lease_cap=config.lease_max_per_kiosk, **common),
        ratings=RatingService(**common),
        officer=OfficerService(**common),
        accounts=AccountService(**common),
        views=ViewService(**common),
        console=ConsoleService(**common),
        devices=DeviceService(**common),
        device_config=DeviceConfigService(**common),
        presence=DevicePresence(**common),
        retention=RetentionService(**common),
        outbox=OutboxService(**common),
        reports=ReportService(**common),
        office_admin=OfficeAdminService(**common),
        dashboard=DashboardService(**common),
        sign_in_guards=SignInGuards(
            key=nik_key,
            failures=config.login_lockout_failures,
            lock=timedelta(minutes=config.login_lockout_minutes),
            **common,
        ),
        clock=clock,
        passports=passports,
        notifications=notifications,
        drive_thru=DriveThruService(passports=passports, **common),
        registrations=RegistrationService(
            signing_key=registration_key(config), hash_key=nik_key, issuing=issuing, **common
        ),
        registration_admin=RegistrationAdmin(**common),
    )


def registration_key(config: ServerConfig) -> bytes:
    """Signs registration QR codes: derived from the session key (its own purpose)."""
    secret = session_key(config).encode()
    return hmac.new(secret, b"antre registration qr", hashlib.sha256).digest()
