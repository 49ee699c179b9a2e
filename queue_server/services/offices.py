"""The office definition: stored as the validated office file, cached per process.

Every process keeps the parsed definition in memory and re-reads it only when the
office row's ``config_version`` changes, so a reload by ``antre office load`` reaches
every worker at its next transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.calendar import OfficeCalendar
from queue_server.domain.errors import (
    CounterNotFound,
    OfficeNotFound,
    ServiceInactive,
    ServiceNotFound,
)
from queue_server.domain.events import OfficeReloaded
from queue_server.domain.ids import CounterId, OfficeId, ServiceId, StationType
from queue_server.domain.model import CounterProfile, Office, Service
from queue_server.office_config import OfficeDefinition, parse_office_config
from queue_server.persistence.fast import read_one
from queue_server.persistence.models import CounterRow, OfficeRow
from queue_server.persistence.statements import CONFIG_VERSION


@dataclass(frozen=True)
class OfficeSnapshot:
    """One version of an office definition with look-ups the use cases need."""

    definition: OfficeDefinition
    version: int
    calendar: OfficeCalendar
    services: dict[ServiceId, Service]
    counters: dict[CounterId, CounterProfile]
    #: (station, service) -> the counters serving it, in ``counters`` order (worked out
    #: once per version: the estimates ask for every service of every queue state).
    _serving: dict[tuple[StationType, str], tuple[CounterProfile, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def office(self) -> Office:
        return self.definition.office

    @property
    def public_name(self) -> str:
        """The name applicants see (boards, kiosks, the ticket page): the branding's, if any."""
        branding = self.definition.branding
        return branding.display_name if branding and branding.display_name else self.office.name

    def service(self, code: str) -> Service:
        service = self.services.get(ServiceId(code))
        if service is None:
            raise ServiceNotFound(service=code)
        if not service.active:
            raise ServiceInactive(service={"id": service.name_id, "en": service.name_en})
        return service

    def serving(self, station: StationType, service: str) -> tuple[CounterProfile, ...]:
        """The counters (active or not, open or not) that serve ``service`` at ``station``."""
        key = (station, service)
        found = self._serving.get(key)
        if found is None:
            found = tuple(
                counter
                for counter in self.counters.values()
                if counter.serves(station, ServiceId(service))
            )
            self._serving[key] = found
        return found

    def counter(self, code: str) -> CounterProfile:
        counter = self.counters.get(CounterId(code))
        if counter is None:
            raise CounterNotFound(counter=code)
        return counter


def build_snapshot(settings: dict[str, Any], version: int) -> OfficeSnapshot:
    definition = parse_office_config(settings)
    return OfficeSnapshot(
        definition=definition,
        version=version,
        calendar=OfficeCalendar(config=definition.calendar, timezone=definition.office.timezone),
        services={service.id: service for service in definition.services},
        counters={counter.id: counter for counter in definition.counters},
    )


class OfficeCatalog:
    """Per-process cache of office snapshots, checked against the stored version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, OfficeSnapshot] = {}

    def get(self, session: Session, office_id: str) -> OfficeSnapshot:
        return self.get_later(session, office_id)[1]()

    def get_later(
        self, session: Session, office_id: str
    ) -> tuple[OfficeSnapshot | None, Callable[[], OfficeSnapshot]]:
        """The cached snapshot (None: none yet) to work with before the stored version is
        read, and the call that reads it and gives the current snapshot. The version
        query is sent now; in pipeline mode its answer comes with the statements sent
        after it (:func:`~queue_server.persistence.fast.ahead`)."""
        result = read_one(session, CONFIG_VERSION, {"office_id": office_id})
        return self._cache.get(office_id), lambda: self._current(
            session, office_id, result.scalar()
        )

    def _current(self, session: Session, office_id: str, version: int | None) -> OfficeSnapshot:
        if version is None:
            raise OfficeNotFound(office=office_id)
        cached = self._cache.get(office_id)
        if cached is not None and cached.version == version:
            return cached
        row = session.get_one(OfficeRow, office_id)
        snapshot = build_snapshot(row.settings, row.config_version)
        with self._lock:
            self._cache[office_id] = snapshot
        return snapshot

    def cached(self, office_id: str) -> OfficeSnapshot | None:
        """The snapshot this process holds, read nothing (None: none yet). It is the stored
        version as of this process's latest transaction that looked (every use case and
        view looks first); a reload by another process reaches it at the next look, so a
        caller that saw an ``OfficeReloaded`` of a higher version must look (``get``)."""
        return self._cache.get(office_id)

    def office_ids(self, session: Session) -> list[str]:
        return list(session.scalars(select(OfficeRow.id).order_by(OfficeRow.id)))


def store_office(session: Session, settings: dict[str, Any], *, now: datetime) -> OfficeReloaded:
    """Validate ``settings`` (an office file's content) and make it the office's definition.

    Counters keep their live state; counters no longer in the file become inactive.
    Raises ``OfficeConfigError`` before anything is written if the content is invalid.
    """
    definition = parse_office_config(settings)
    office = definition.office
    row = session.get(OfficeRow, office.id, with_for_update=True)
    if row is None:
        row = OfficeRow(id=office.id, config_version=0)
        session.add(row)
    row.name, row.timezone, row.settings = office.name, office.timezone, settings
    row.config_version += 1
    row.updated_at = now
    _sync_counters(session, office.id, definition.counters)
    session.flush()
    return OfficeReloaded(office=OfficeId(office.id), version=row.config_version, at=now)


def _sync_counters(session: Session, office_id: str, counters: tuple[CounterProfile, ...]) -> None:
    existing = {
        row.code: row
        for row in session.scalars(select(CounterRow).where(CounterRow.office_id == office_id))
    }
    wanted: dict[str, CounterProfile] = {counter.id: counter for counter in counters}
    for code, counter in wanted.items():
        row = existing.get(code)
        if row is None:
            session.add(CounterRow(office_id=office_id, code=code, name=counter.name, active=True))
        else:
            row.name, row.active = counter.name, True
    for old_code, old_row in existing.items():
        if old_code not in wanted:
            old_row.active, old_row.is_open = False, False
