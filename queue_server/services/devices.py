"""Kiosk and display devices: each has its own MQTT account."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from queue_server.domain.errors import CounterNotFound, DomainError, NotFound
from queue_server.persistence.models import DeviceRow
from queue_server.services.unit import Actor, UseCases

DEVICE_KINDS = ("kiosk", "display", "counter-display")
#: Mosquitto's PBKDF2-SHA512 hash: ``$7$<iterations>$<salt, base64>$<hash, base64>``.
BROKER_HASH_ID = "7"


def broker_password_matches(password: str, password_hash: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` (made by ``mosquitto_passwd``) holds."""
    parts = password_hash.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != BROKER_HASH_ID or not parts[2].isdigit():
        return False
    try:
        salt, expected = base64.b64decode(parts[3]), base64.b64decode(parts[4])
    except (binascii.Error, ValueError):
        return False
    iterations = int(parts[2])
    if not 1 <= iterations <= 10_000_000:
        return False
    given = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, len(expected))
    return hmac.compare_digest(given, expected)


#: What ``mosquitto_passwd`` uses for a new hash: 12 bytes of salt, 64 of hash, 101 rounds.
BROKER_SALT_BYTES = 12
BROKER_HASH_BYTES = 64
BROKER_ITERATIONS = 101


def new_broker_password() -> tuple[str, str]:
    """A fresh device password and its broker hash (the format ``mosquitto_passwd`` writes,
    which :func:`broker_password_matches` and Mosquitto read)."""
    password = secrets.token_urlsafe(18)
    salt = secrets.token_bytes(BROKER_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac(
        "sha512", password.encode(), salt, BROKER_ITERATIONS, BROKER_HASH_BYTES
    )
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return password, f"${BROKER_HASH_ID}${BROKER_ITERATIONS}${'$'.join(encoded)}"


class DeviceExists(DomainError):
    code = "device_exists"
    template = "A device named {device} already exists."


class DeviceNotFound(NotFound):
    template = "Device {device} was not found."


class CounterOnlyForCounterDisplay(DomainError):
    code = "counter_only_for_counter_display"
    template = "Only a counter display is bound to a counter; {kind} is not."


@dataclass(frozen=True)
class DeviceAccount:
    id: str
    kind: str
    password_hash: str
    office: str
    counter: str | None = None


class DeviceService(UseCases):
    def add(
        self,
        office: str,
        device: str,
        kind: str,
        password_hash: str,
        *,
        actor: Actor,
        counter: str | None = None,
    ) -> None:
        """Register a device; ``password_hash`` is the broker's hash, never the password.

        ``counter``: the counter a counter display shows (it must exist in the office).
        """
        if kind not in DEVICE_KINDS:
            raise ValueError(f"kind must be one of {DEVICE_KINDS}")
        if counter is not None and kind != "counter-display":
            raise CounterOnlyForCounterDisplay(kind=kind)
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)  # the office must exist
            if counter is not None and counter not in snapshot.counters:
                raise CounterNotFound(counter=counter)
            if work.session.get(DeviceRow, device) is not None:
                raise DeviceExists(device=device)
            work.session.add(
                DeviceRow(
                    id=device,
                    office_id=office,
                    kind=kind,
                    password_hash=password_hash,
                    counter=counter,
                    created_at=work.now,
                    active=True,
                    status="unknown",
                    health={},
                )
            )
            work.audit(actor, "device.add", office_id=office, target=device, kind=kind)

    def reset(
        self, device: str, password_hash: str, *, actor: Actor, office: str | None = None
    ) -> DeviceAccount:
        """Give ``device`` a new broker password: its old one, and every browser paired
        with it, stop working. ``office``: the device must be one of that office's."""
        with self.unit() as work:
            row = work.session.get(DeviceRow, device)
            if row is None or (office is not None and row.office_id != office):
                raise DeviceNotFound(device=device)
            row.password_hash = password_hash
            work.audit(actor, "device.reset", office_id=row.office_id, target=device)
            return _account(row)

    def account(self, device: str) -> DeviceAccount | None:
        """The active device ``device``, or None (unknown or deactivated)."""
        with self.read() as session:
            row = session.get(DeviceRow, device)
            if row is None or not row.active:
                return None
            return _account(row)

    def authenticate(self, device: str, password: str) -> DeviceAccount | None:
        """The active device if ``password`` is its broker password, else None."""
        account = self.account(device)
        if account is None or not broker_password_matches(password, account.password_hash):
            return None
        return account

    def accounts(self, office: str | None = None) -> list[DeviceAccount]:
        """The active devices' broker accounts (of every office when None)."""
        query = select(DeviceRow).where(DeviceRow.active).order_by(DeviceRow.id)
        if office is not None:
            query = query.where(DeviceRow.office_id == office)
        with self.read() as session:
            return [_account(row) for row in session.scalars(query)]


def _account(row: DeviceRow) -> DeviceAccount:
    return DeviceAccount(row.id, row.kind, row.password_hash, row.office_id, row.counter)


def outbox_view(row: DeviceRow, now: datetime) -> dict[str, object] | None:
    """A device's last reported outbox: ``waiting``, ``oldest_at`` and ``oldest_minutes``
    (the oldest item's age now, by the server's clock); None when it never reported one."""
    if row.outbox_waiting is None:
        return None
    oldest = row.outbox_oldest_at if row.outbox_waiting else None
    minutes = None if oldest is None else round(max(0.0, (now - oldest).total_seconds()) / 60, 1)
    return {"waiting": row.outbox_waiting, "oldest_at": oldest, "oldest_minutes": minutes}


@dataclass(frozen=True)
class PresenceChange:
    """What a status report changed: whether the device came or went (for one log line)."""

    device: str
    was: str
    now: str


class DevicePresence(UseCases):
    def record_status(self, office: str, device: str, state: str) -> PresenceChange | None:
        """Store a status report; unknown devices are ignored (the broker ACL lets none in)."""
        with self.unit() as work:
            row = work.session.get(DeviceRow, device)
            if row is None or row.office_id != office:
                return None
            before = row.status
            row.status, row.last_seen_at = state, work.now
            return PresenceChange(device, before, state)

    def record_health(
        self,
        office: str,
        device: str,
        components: dict[str, str],
        outbox: tuple[int, datetime | None] | None = None,
    ) -> bool:
        """Store a health report; ``outbox`` (waiting, oldest item's time) replaces the last
        one, None (a device that does not report one) clears it."""
        with self.unit() as work:
            row = work.session.get(DeviceRow, device)
            if row is None or row.office_id != office:
                return False
            row.health, row.last_seen_at = dict(components), work.now
            waiting, oldest = outbox if outbox is not None else (None, None)
            row.outbox_waiting, row.outbox_oldest_at = waiting, oldest if waiting else None
            return True

    def fleet(self, office: str) -> list[dict[str, object]]:
        """Every device of ``office`` with its last known status and health, its outbox
        (:func:`outbox_view`), and for a kiosk the numbers leased to it today (per service)
        that no synced ticket used yet."""
        from queue_server.services.offline import unsynced_leases  # offline imports a lot

        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            office_day = snapshot.office.office_day(now)
            rows = session.scalars(
                select(DeviceRow).where(DeviceRow.office_id == office).order_by(DeviceRow.id)
            )
            return [
                {
                    "id": row.id,
                    "kind": row.kind,
                    "active": row.active,
                    "status": row.status,
                    "last_seen_at": row.last_seen_at,
                    "health": row.health,
                    "outbox": outbox_view(row, now),
                    "leased_unsynced": unsynced_leases(session, office, row.id, office_day)
                    if row.kind == "kiosk"
                    else {},
                }
                for row in rows
            ]
