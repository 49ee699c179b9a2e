"""The kiosk's GUI-free façade over the link: always a ticket to print when one can be given.

``issue`` tries the server first (``issue_ticket``, short timeout) and falls back to a
leased number when the server cannot be reached; a refusal by the server (closed, quota
full) is final and is not turned into an offline ticket. ``check_in``, ``lookup`` and a
drive-thru lane's ``drive_thru_arrival`` need the server; ``rate`` goes through the outbox
and is delivered later when offline. A background thread syncs offline tickets, flushes
the outbox and refills the leases each time the link comes up, and every
``maintain_every_s`` while it is up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices.health import OutboxCount
from kiosk.link.answer import Answer
from kiosk.link.client import KioskLink, utc_now
from kiosk.link.errors import LinkUnavailable, NotAvailableOffline
from kiosk.link.offline import LocalTicket, OfflineIssuer
from kiosk.link.outbox import Outbox
from queue_server.protocol.answers import LaneAnswer, PublicTicket, TicketAnswer
from queue_server.protocol.topics import KioskAction

log = logging.getLogger(__name__)
ONLINE_ISSUE_TIMEOUT_S = 1.5
REQUEST_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class IssuedOnline:
    """A ticket the server issued: its answer (label, token, people ahead, wait…)."""

    data: TicketAnswer

    @property
    def label(self) -> str:
        return self.data.label


@dataclass(frozen=True, slots=True)
class IssuedOffline:
    """A ticket issued from a leased block, to be synced; no position or wait is known."""

    ticket: LocalTicket

    @property
    def label(self) -> str:
        return self.ticket.label


@dataclass(frozen=True, slots=True)
class LinkReport:
    """The link as the maintenance screen shows it (read-only, no personal data).

    Attributes:
        broker_connected: connected to the broker and subscribed to the answers.
        device_id, broker: who the kiosk is and where its broker is (``host:port``).
        last_answer_at, last_unanswered_at: when the server last answered a request, and
            when a sent request last got no answer (None: not yet).
        outbox_size: requests waiting for an answer (offline tickets, ratings, leases).
        unsynced_tickets: tickets issued offline not yet accepted by the server.
        last_sync_at: when the last sync (tickets, outbox, leases) ran to its end.
    """

    broker_connected: bool
    device_id: str
    broker: str
    last_answer_at: datetime | None
    last_unanswered_at: datetime | None
    outbox_size: int
    unsynced_tickets: int
    last_sync_at: datetime | None

    @property
    def server_answering(self) -> bool | None:
        """True when the last request was answered, False when not, None: no request yet."""
        if self.last_answer_at is None and self.last_unanswered_at is None:
            return None
        if self.last_unanswered_at is None:
            return True
        return self.last_answer_at is not None and self.last_answer_at > self.last_unanswered_at


class KioskCore:
    """What the kiosk screens call; every call returns within its timeout."""

    def __init__(
        self,
        *,
        link: KioskLink,
        outbox: Outbox,
        issuer: OfflineIssuer,
        offline_services: Sequence[str] = (),
        maintain_every_s: float = 30.0,
    ) -> None:
        self._link, self._outbox, self._issuer = link, outbox, issuer
        self._offline_services = tuple(offline_services)
        self._maintain_every_s = maintain_every_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._worker = threading.Thread(target=self._maintain_loop, name="kiosk-sync", daemon=True)
        self._last_sync_at: datetime | None = None
        link.on_up(self._wake.set)

    def start(self) -> KioskCore:
        if self._link.ready.is_set():  # up already (the first config/kiosk came first)
            self._wake.set()
        self._worker.start()
        return self

    def set_offline_services(self, services: Sequence[str]) -> None:
        """The services that may issue offline numbers (a new ``config/kiosk``); the next
        upkeep leases blocks for them."""
        self._offline_services = tuple(services)
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._worker.is_alive():
            self._worker.join(timeout=15)

    def is_online(self) -> bool:
        """Whether the link to the server is up (the screens mark what needs it)."""
        return self._link.ready.is_set()

    def issue(
        self,
        service: str | None,
        *,
        language: str = "id",
        priority_category: str | None = None,
        nik: str | None = None,
        passport_no: str | None = None,
        phone: str | None = None,
        by_proxy: bool = False,
        application_no: str | None = None,
        timeout_s: float = ONLINE_ISSUE_TIMEOUT_S,
        registration: str | None = None,
    ) -> IssuedOnline | IssuedOffline:
        """A ticket from the server, or from a leased block when the server is unreachable.

        Offline tickets carry no NIK, passport number, phone, proxy flag or application
        number (``sync_tickets`` has no room for them; the pickup counter checks an offline
        pickup's passport); the server places them by issue time. Raises
        :class:`~kiosk.link.errors.Refused` when the server says no, and
        :class:`~kiosk.link.errors.OfflineRefused` when offline issuing is not possible.
        A remote ``registration`` (its QR text or short code) is checked in online only.
        """
        data: dict[str, Any] = {"language": language, "by_proxy": by_proxy}
        if service is not None:  # (left out only with a typed registration code)
            data["service"] = service
        extras = {
            "priority_category": priority_category,
            "nik": nik,
            "passport_no": passport_no,
            "phone": phone,
            "application_no": application_no,
        }
        data.update({name: value for name, value in extras.items() if value is not None})
        if registration is not None:  # checked on the server only: never issued offline
            data["registration"] = registration
            answer = self._online(KioskAction.ISSUE_TICKET, data)
            return IssuedOnline(answer.data_or_raise(TicketAnswer))
        if service is None:
            raise ValueError("a service is needed (left out only with a registration)")
        replaces = None
        if self._link.ready.is_set():  # offline: straight to the lease, no waiting
            try:
                answer = self._link.request(KioskAction.ISSUE_TICKET, data, timeout_s)
                return IssuedOnline(answer.data_or_raise(TicketAnswer))
            except LinkUnavailable as unanswered:
                log.info("issuing %s offline: the server did not answer", service)
                # The server may still issue it; the sync tells it to withdraw that ticket.
                replaces = unanswered.transaction if unanswered.sent else None
        local = self._issuer.issue(
            service, language=language, priority_category=priority_category, replaces=replaces
        )
        return IssuedOffline(local)

    def check_in(
        self,
        booking_code: str,
        *,
        documents_ready: bool,
        language: str = "id",
        nik: str | None = None,
    ) -> IssuedOnline:
        """Check a booking in (online only: bookings are checked on the server)."""
        data: dict[str, Any] = {
            "booking_code": booking_code,
            "documents_ready": documents_ready,
            "language": language,
        }
        if nik is not None:
            data["nik"] = nik
        answer = self._online(KioskAction.CHECK_IN, data)
        return IssuedOnline(answer.data_or_raise(TicketAnswer))

    def lookup(self, code: str) -> PublicTicket:
        """A ticket's public status from the code in its QR (online only)."""
        return self._online(KioskAction.LOOKUP, {"code": code}).data_or_raise(PublicTicket)

    def drive_thru_arrival(self, lane: str, scan: str) -> LaneAnswer:
        """Announce a car scanned at the drive-thru ``lane`` (online only, never queued:
        a car announced late would wait for a driver who has gone). A resend within the
        timeout gets the server's stored answer, so it is exact."""
        answer = self._online(KioskAction.DRIVE_THRU_ARRIVAL, {"lane": lane, "scan": scan})
        return answer.data_or_raise(LaneAnswer)

    def rate(
        self, ticket_token: str, score: int, timeout_s: float = REQUEST_TIMEOUT_S
    ) -> Answer | None:
        """Record a rating; its answer, or None when it waits in the outbox for the link."""
        item = self._outbox.add(KioskAction.RATE, {"ticket_token": ticket_token, "score": score})
        if not self._link.ready.is_set():
            return None
        try:
            return self._outbox.send(item, self._link, timeout_s)
        except LinkUnavailable:
            return None

    def _online(self, action: KioskAction, data: dict[str, Any]) -> Answer:
        if not self._link.ready.is_set():
            raise NotAvailableOffline()
        try:
            return self._link.request(action, data, REQUEST_TIMEOUT_S)
        except LinkUnavailable as error:
            raise NotAvailableOffline() from error

    def maintain(self) -> None:
        """Sync offline tickets, resend waiting ratings, refill leases (when online)."""
        if not self._link.ready.is_set():
            return
        self._issuer.sync()
        self._outbox.flush(
            self._link, actions=frozenset({KioskAction.RATE}), timeout_s=REQUEST_TIMEOUT_S
        )
        self._issuer.refill(self._offline_services)
        self._last_sync_at = utc_now()

    @property
    def link(self) -> KioskLink:
        return self._link

    def outbox_count(self) -> OutboxCount:
        """What the server has not received yet, for the health report: the tickets issued
        offline not synced (also those in a batch on its way) and the other requests
        waiting in the outbox (ratings, leases); the oldest one's time."""
        requests, oldest_request = self._outbox.waiting(besides=KioskAction.SYNC_TICKETS)
        tickets = self._issuer.pending_count()
        times = [at for at in (oldest_request, self._issuer.oldest_pending_at()) if at]
        return OutboxCount(requests + tickets, min(times) if times else None)

    def link_report(self) -> LinkReport:
        """How the link is, for the maintenance screen (reads the local store only)."""
        link = self._link
        return LinkReport(
            broker_connected=link.ready.is_set(),
            device_id=link.config.device,
            broker=f"{link.config.host}:{link.config.port}",
            last_answer_at=link.last_answer_at,
            last_unanswered_at=link.last_unanswered_at,
            outbox_size=self._outbox.size(),
            unsynced_tickets=self._issuer.pending_count(),
            last_sync_at=self._last_sync_at,
        )

    def _maintain_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._maintain_every_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.maintain()
            except Exception:  # the loop must survive a bad answer; the next run retries
                log.exception("kiosk maintenance failed")
