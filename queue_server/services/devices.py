"""Kiosk and display devices: each has its own MQTT account (issue 3)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from queue_server.domain.errors import DomainError
from queue_server.persistence.models import DeviceRow
from queue_server.services.unit import Actor, UseCases

DEVICE_KINDS = ("kiosk", "display", "counter-display")


class DeviceExists(DomainError):
    code = "device_exists"
    template = "A device named {device} already exists."


@dataclass(frozen=True)
class DeviceAccount:
    id: str
    kind: str
    password_hash: str


class DeviceService(UseCases):
    def add(self, office: str, device: str, kind: str, password_hash: str, *, actor: Actor) -> None:
        """Register a device; ``password_hash`` is the broker's hash, never the password."""
        if kind not in DEVICE_KINDS:
            raise ValueError(f"kind must be one of {DEVICE_KINDS}")
        with self.unit() as work:
            self.catalog.get(work.session, office)  # the office must exist
            if work.session.get(DeviceRow, device) is not None:
                raise DeviceExists(device=device)
            work.session.add(
                DeviceRow(
                    id=device,
                    office_id=office,
                    kind=kind,
                    password_hash=password_hash,
                    created_at=work.now,
                    active=True,
                    status="unknown",
                    health={},
                )
            )
            work.audit(actor, "device.add", office_id=office, target=device, kind=kind)

    def accounts(self, office: str) -> list[DeviceAccount]:
        """The active devices' broker accounts, to configure the broker."""
        with self.read() as session:
            rows = session.scalars(
                select(DeviceRow)
                .where(DeviceRow.office_id == office, DeviceRow.active)
                .order_by(DeviceRow.id)
            )
            return [DeviceAccount(row.id, row.kind, row.password_hash) for row in rows]
