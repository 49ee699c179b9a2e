"""The drive-thru report: per office day, the lane's throughput and handover times.

Columns: the cars scanned into a lane, handed over, sent to the counter inside, still
waiting; the clock hours (office time) with an arrival or a handover, the handovers per
such hour, and the minutes from arrival to handover (median, nearest-rank p90, longest).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.domain.drive_thru import ArrivalStatus, ArrivalTimes, LaneDay, lane_day
from queue_server.persistence.models import DriveThruArrivalRow
from queue_server.services.reports.figures import Table

COLUMNS = ["day", *LaneDay.__dataclass_fields__]


def lane_days(
    session: Session, office: str, zone: ZoneInfo, first: date, last: date
) -> list[tuple[date, LaneDay]]:
    """Each office day in ``first..last`` with cars at the lanes, and its figures."""
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    after = last + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=zone)
    rows = session.execute(
        select(
            DriveThruArrivalRow.arrived_at,
            DriveThruArrivalRow.status,
            DriveThruArrivalRow.handed_over_at,
        ).where(
            DriveThruArrivalRow.office_id == office,
            DriveThruArrivalRow.arrived_at >= start,
            DriveThruArrivalRow.arrived_at < end,
        )
    ).all()
    per_day: dict[date, list[ArrivalTimes]] = defaultdict(list)
    for arrived_at, status, handed_over_at in rows:
        car = ArrivalTimes(arrived_at, ArrivalStatus(status), handed_over_at)
        per_day[arrived_at.astimezone(zone).date()].append(car)
    return [
        (day, lane_day(cars, lambda moment: moment.astimezone(zone).hour))
        for day, cars in sorted(per_day.items())
    ]


def lanes_table(session: Session, office: str, zone: ZoneInfo, first: date, last: date) -> Table:
    """The report's table: one row per office day."""
    rows = [
        {"day": day.isoformat(), **asdict(figures)}
        for day, figures in lane_days(session, office, zone, first, last)
    ]
    return Table(COLUMNS, rows)
