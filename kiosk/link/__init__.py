"""The kiosk's link to the server (GUI-free): MQTT requests, outbox, offline issuing.

Build it at start-up, in this order::

    store = LocalStore("var/kiosk.db")
    link = KioskLink(LinkConfig(office=..., device=..., password=...)).start()
    outbox = Outbox(store)
    issuer = OfflineIssuer(store=store, outbox=outbox, link=link, clock=utc_now,
                           timezone="Asia/Makassar")
    core = KioskCore(link=link, outbox=outbox, issuer=issuer,
                     offline_services=["walkin"]).start()
    reporter = HealthReporter(devices, outbox=core.outbox_count)  # devices.health
    HealthPublisher(link, lambda force: reporter.poll(force=force)).start()  # link.health
"""

from kiosk.link.answer import Answer
from kiosk.link.client import KioskLink, utc_now
from kiosk.link.config import LinkConfig
from kiosk.link.core import IssuedOffline, IssuedOnline, KioskCore, LinkReport
from kiosk.link.errors import (
    LinkError,
    LinkUnavailable,
    NotAvailableOffline,
    OfflineRefused,
    Refused,
)
from kiosk.link.offline import LocalTicket, OfflineIssuer
from kiosk.link.outbox import Outbox, OutboxItem
from kiosk.link.saved_config import SavedConfig
from kiosk.link.store import LocalStore
from kiosk.link.sync import SyncReport, TicketSync

__all__ = [
    "Answer",
    "IssuedOffline",
    "IssuedOnline",
    "KioskCore",
    "KioskLink",
    "LinkConfig",
    "LinkError",
    "LinkReport",
    "LinkUnavailable",
    "LocalStore",
    "LocalTicket",
    "NotAvailableOffline",
    "OfflineIssuer",
    "OfflineRefused",
    "Outbox",
    "OutboxItem",
    "Refused",
    "SavedConfig",
    "SyncReport",
    "TicketSync",
    "utc_now",
]
