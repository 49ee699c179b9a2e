"""The drive-thru pickup lane (Si Peluru): cars scanned at a lane, served in arrival order.

``arrive`` checks the scanned application (its format, then its passport's status): a
ready passport puts the car in the lane's queue; one not ready is refused with the
expected day, an unknown one is sent to the counter inside; nothing is recorded for a
refusal. A second scan of a car already waiting is answered with its place, no second
row (the partial unique index ``uq_drive_thru_waiting`` holds this under concurrency
too). ``hand_over`` records the handover through :meth:`PassportService.hand_over`
(once only, audited) and then closes the car's arrival; ``send_to_counter`` closes it
for a car that cannot be served at the lane. Each change of a lane's cars is a
``LaneChanged`` event (outbox), from which the publisher sends the lane's retained
``lane/{lane}/state`` (the waiting arrivals' ids, no application number) to the officers'
pages. No name or NIK is kept or logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.domain.drive_thru import (
    ArrivalStatus,
    CounterReason,
)
from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.events import LaneChanged
from queue_server.domain.ids import OfficeId
from queue_server.i18n import both
from queue_server.office_config.definition import DriveThruLane
from queue_server.persistence.db import Database
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.services.events import EventBus
from queue_server.services.offices import OfficeCatalog
from queue_server.services.passports import (
    PassportHandedOver,
    PassportNotDue,
    PassportService,
    checked_application,
    record_handover,
)
from queue_server.services.retries import RetryKey, earlier_answer, remember
from queue_server.services.unit import Actor, Clock, UseCases, utc_now

#: Cars shown per lane at most (a lane holds a handful; this bounds a runaway list).
MAX_LISTED = 200
#: The device names kept (a console user or a kiosk id).
DEVICE_CHARS = 80
#: The kiosk action whose answers are stored (``kiosk_requests.action``).
ARRIVAL = "drive_thru_arrival"


class LaneNotFound(NotFound):
    code = "lane_not_found"
    template = "The office has no drive-thru lane {lane}."


class ArrivalNotFound(NotFound):
    code = "arrival_not_found"
    template = "This car is not in the drive-thru lane."


class ArrivalClosed(DomainError):
    code = "arrival_closed"
    template = "This car has left the lane already ({status}); nothing changed."
    http_status = 409


class GoToCounter(DomainError):
    """No ready record and no expected day: the counter inside looks at the case."""

    code = "drive_thru_go_to_counter"
    template = (
        "No ready passport is known for application {application}. Please park and go to "
        "the pickup counter inside the office."
    )
    http_status = 409


STATUS_WORDS = {
    ArrivalStatus.HANDED_OVER: "handed over",
    ArrivalStatus.SENT_TO_COUNTER: "sent to the counter",
    ArrivalStatus.WAITING: "waiting",
}


class DriveThruService(UseCases):
    """Arrivals at the drive-thru lanes of an office, their queue, handover and figures."""

    def __init__(
        self,
        *,
        passports: PassportService,
        database: Database,
        catalog: OfficeCatalog,
        events: EventBus,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(database=database, catalog=catalog, events=events, clock=clock)
        self.passports = passports

    def lanes(self, office: str) -> list[DriveThruLane]:
        """The office's lanes (the ``drive_thru`` section of its file)."""
        with self.read() as session:
            return list(self.catalog.get(session, office).definition.drive_thru_lanes)

    def arrive(
        self,
        office: str,
        scan: str,
        *,
        lane: str,
        device: str,
        retry_key: RetryKey | None = None,
    ) -> dict[str, Any]:
        """A car scanned at ``lane``: its place in the lane, or a refusal (nothing kept).

        With ``retry_key`` (a lane kiosk's request) the answer that added the car is
        stored with it: a resent request gets that same ``waiting`` answer, not
        ``already_waiting`` (JSON: ``arrived_at`` as an ISO string)."""
        number = checked_application(scan)
        name = self._lane(office, lane).name
        earlier = self._earlier(retry_key)
        if earlier is not None:
            return earlier
        waiting = self._waiting(office, number)
        if waiting is not None:
            return waiting
        self._refuse_unless_ready(office, number)
        try:
            with self.unit() as work:
                row = DriveThruArrivalRow(
                    office_id=office,
                    lane=lane,
                    application_no=number,
                    arrived_at=work.now,
                    status=ArrivalStatus.WAITING.value,
                    device=device[:DEVICE_CHARS],
                )
                work.session.add(row)
                work.session.flush()
                work.events.append(LaneChanged(OfficeId(office), lane, work.now))
                position = _position(work.session, row)
                answer = _answer("waiting", row.id, number, (lane, name), position, work.now)
                if retry_key is not None:
                    stored = answer | {"arrived_at": work.now.isoformat()}
                    remember(work, retry_key, office_id=office, action=ARRIVAL, response=stored)
        except IntegrityError:  # the same car scanned twice at once: the other scan won
            again = self._earlier(retry_key) or self._waiting(office, number)
            if again is None:
                raise
            return again
        return answer

    def lane_queue(self, office: str, lane: str) -> dict[str, Any]:
        """The cars waiting at ``lane`` in arrival order."""
        self._lane(office, lane)
        with self.read() as session:
            rows = waiting_at_lane(session, office, lane)
            cars = [
                {
                    "arrival_id": row.id,
                    "application_no": row.application_no,
                    "arrived_at": row.arrived_at,
                    "position": index,
                }
                for index, row in enumerate(rows, start=1)
            ]
        return {"lane": lane, "now": self.clock(), "cars": cars}

    def hand_over(
        self, office: str, arrival_id: int, *, proxy: bool, actor: Actor
    ) -> dict[str, Any]:
        """Hand the waiting car's passport over (once only) and close its arrival, in one
        transaction: the passport record and the lane never disagree."""
        with self.unit() as work:
            row = self._open_row(work.session, office, arrival_id)
            number = row.application_no
            snapshot = self.catalog.get(work.session, office)
            done = record_handover(work, snapshot, number, proxy=proxy, actor=actor)
            row.status = ArrivalStatus.HANDED_OVER.value
            row.handed_over_at = done["handed_over_at"]
            row.officer_id = actor.user_id
            work.events.append(LaneChanged(OfficeId(office), row.lane, work.now))
        return {
            "arrival_id": arrival_id,
            "application_no": number,
            "status": ArrivalStatus.HANDED_OVER.value,
            "at": done["handed_over_at"],
            "proxy": proxy,
        }

    def send_to_counter(
        self, office: str, arrival_id: int, *, reason: CounterReason, actor: Actor
    ) -> dict[str, Any]:
        """The car cannot be served at the lane: it leaves the lane for the counter inside."""
        with self.unit() as work:
            row = self._open_row(work.session, office, arrival_id)
            row.status = ArrivalStatus.SENT_TO_COUNTER.value
            row.sent_to_counter_at = work.now
            row.counter_reason = reason.value
            row.officer_id = actor.user_id
            work.events.append(LaneChanged(OfficeId(office), row.lane, work.now))
            work.audit(
                actor,
                "drive_thru_sent_to_counter",
                office_id=office,
                target=f"drive_thru_arrival:{row.id}",
                reason=reason.value,
            )
            return {
                "arrival_id": row.id,
                "application_no": row.application_no,
                "status": row.status,
                "at": work.now,
                "proxy": False,
            }

    # -- helpers -----------------------------------------------------------------------

    def _refuse_unless_ready(self, office: str, number: str) -> None:
        """Refuse a passport collected already, not ready (with its day) or unknown."""
        status = self.passports.status(office, number)
        if status["ready"] and status["handed_over_at"] is not None:
            raise PassportHandedOver(application=number, at=self._local(office, status))
        if not status["ready"]:
            if status["expected_on"] is not None:
                raise PassportNotDue(day=status["expected_on"].isoformat())
            raise GoToCounter(application=number)

    def _lane(self, office: str, lane: str) -> DriveThruLane:
        for known in self.lanes(office):
            if known.id == lane:
                return known
        raise LaneNotFound(lane=lane[:40])

    def _earlier(self, retry_key: RetryKey | None) -> dict[str, Any] | None:
        """The stored answer to a resent lane kiosk request (None: not answered yet)."""
        if retry_key is None:
            return None
        with self.read() as session:
            return earlier_answer(session, retry_key)

    def _waiting(self, office: str, number: str) -> dict[str, Any] | None:
        """The answer for a car of ``number`` already waiting at a lane of the office."""
        with self.read() as session:
            row = session.scalar(
                select(DriveThruArrivalRow).where(
                    DriveThruArrivalRow.office_id == office,
                    DriveThruArrivalRow.application_no == number,
                    DriveThruArrivalRow.status == ArrivalStatus.WAITING.value,
                )
            )
            if row is None:
                return None
            position = _position(session, row)
            lanes = self.catalog.get(session, office).definition.drive_thru_lanes
            name = next((known.name for known in lanes if known.id == row.lane), row.lane)
            where = (row.lane, name)
            return _answer("already_waiting", row.id, number, where, position, row.arrived_at)

    @staticmethod
    def _open_row(session: Session, office: str, arrival_id: int) -> DriveThruArrivalRow:
        row = session.get(DriveThruArrivalRow, arrival_id)
        if row is None or row.office_id != office:
            raise ArrivalNotFound()
        if row.status != ArrivalStatus.WAITING.value:
            raise ArrivalClosed(status=both(STATUS_WORDS[ArrivalStatus(row.status)]))
        return row

    def _local(self, office: str, status: dict[str, Any]) -> str:
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
        moment: datetime = status["handed_over_at"]
        return snapshot.office.local(moment).strftime("%d-%m-%Y %H:%M")


def waiting_at_lane(session: Session, office: str, lane: str) -> Sequence[DriveThruArrivalRow]:
    """The cars waiting at ``lane``, in arrival order (``MAX_LISTED`` at most)."""
    return session.scalars(
        select(DriveThruArrivalRow)
        .where(
            DriveThruArrivalRow.office_id == office,
            DriveThruArrivalRow.lane == lane,
            DriveThruArrivalRow.status == ArrivalStatus.WAITING.value,
        )
        .order_by(DriveThruArrivalRow.arrived_at, DriveThruArrivalRow.id)
        .limit(MAX_LISTED)
    ).all()


def _position(session: Session, row: DriveThruArrivalRow) -> int:
    """The car's place in its lane (1 = next), counting the cars that came before it."""
    ahead = session.scalar(
        select(func.count())
        .select_from(DriveThruArrivalRow)
        .where(
            DriveThruArrivalRow.office_id == row.office_id,
            DriveThruArrivalRow.lane == row.lane,
            DriveThruArrivalRow.status == ArrivalStatus.WAITING.value,
            (DriveThruArrivalRow.arrived_at < row.arrived_at)
            | (
                (DriveThruArrivalRow.arrived_at == row.arrived_at)
                & (DriveThruArrivalRow.id < row.id)
            ),
        )
    )
    return int(ahead or 0) + 1


def _answer(
    result: str,
    arrival_id: int,
    number: str,
    lane: tuple[str, str],
    position: int,
    arrived_at: datetime,
) -> dict[str, Any]:
    """The lane device's answer; ``lane``: the lane's id and name."""
    if result == "waiting":
        message = both(
            "Please wait in the lane {lane}: you are number {position}.",
            lane=lane[1],
            position=position,
        )
    else:
        message = both(
            "This car is already in the lane {lane}, number {position}; it was not added again.",
            lane=lane[1],
            position=position,
        )
    return {
        "result": result,
        "arrival_id": arrival_id,
        "application_no": number,
        "lane": lane[0],
        "position": position,
        "arrived_at": arrived_at,
        "message": message,
    }
