"""``GET /api/v1/offices/<office>/dashboard``: the admin console's live dashboard (read only).

One answer per redraw: per service the waiting count, longest and estimated wait; the
counters with who serves there and what; steps finished per hour today; alerts; devices.
The console redraws it when the office's event stream says something changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, request
from pydantic import Field

from queue_server.services.dashboard import (
    DEFAULT_OUTBOX_ALERT_MINUTES,
    DEFAULT_WAIT_ALERT_MINUTES,
    DashboardService,
)
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.responses import DeviceOutbox, Out
from queue_server.web.roles import SUPERVISORS
from queue_server.web.routing import endpoint

dashboard_api = Blueprint("dashboard", __name__)
MAX_WAIT_ALERT = 24 * 60


class DashboardOffice(Out):
    id: str
    name: str
    demo: bool
    timezone: str
    utc_offset_minutes: int


class QueueFigures(Out):
    id: str
    prefix: str
    name: dict[str, str]
    waiting: int
    longest_wait_minutes: float | None
    estimated_wait_minutes: float | None
    open_counters: int
    open_now: bool


class DashboardTicket(Out):
    label: str
    service: str
    station: str
    status: str
    since: datetime
    minutes: float
    standard_minutes: float | None


class DashboardCounter(Out):
    code: str
    name: str
    stations: list[str]
    is_open: bool
    officer: str | None
    ticket: DashboardTicket | None


class HourCount(Out):
    hour: int
    finished: int


class DashboardDevice(Out):
    id: str
    kind: str
    status: str
    last_seen_at: datetime | None
    health: dict[str, str]
    outbox: DeviceOutbox | None = None
    problems: list[str]


class TodaySession(Out):
    code: str = Field(description="`regular` for the opening hours, else the session's code")
    name: dict[str, str] | None = Field(description="A special session's name (id, en)")
    opens: str = Field(examples=["08:00"])
    closes: str = Field(examples=["16:00"])
    quota: int | None


class Today(Out):
    date: date
    holiday: str | None = Field(description="The holiday or closed day's name, if it is one")
    sessions: list[TodaySession] = Field(description="Opening hours and special sessions today")


class Dashboard(Out):
    office: DashboardOffice
    now: datetime
    today: Today
    wait_alert_minutes: int
    outbox_alert_minutes: int = DEFAULT_OUTBOX_ALERT_MINUTES
    services: list[QueueFigures]
    counters: list[DashboardCounter]
    throughput: list[HourCount]
    #: kind over_standard (counter, label, station, minutes, standard), long_wait
    #: (service, minutes, threshold), device (device, problems) or outbox (device, waiting,
    #: minutes, threshold).
    alerts: list[dict[str, Any]]
    devices: list[DashboardDevice]


@endpoint(
    dashboard_api,
    "/offices/<office>/dashboard",
    summary="Live dashboard: queues (waiting, longest and estimated wait), counters, steps "
    f"finished per hour today, alerts (?wait_alert=minutes, default {DEFAULT_WAIT_ALERT_MINUTES}; "
    f"?outbox_alert=minutes, default {DEFAULT_OUTBOX_ALERT_MINUTES}), devices",
    roles=SUPERVISORS,
    response=Dashboard,
)
def dashboard(office: str, actor: Actor) -> dict[str, Any]:
    limit = request.args.get("wait_alert", DEFAULT_WAIT_ALERT_MINUTES, type=int)
    limit = min(max(limit or DEFAULT_WAIT_ALERT_MINUTES, 1), MAX_WAIT_ALERT)
    outbox = request.args.get("outbox_alert", DEFAULT_OUTBOX_ALERT_MINUTES, type=int)
    outbox = min(max(outbox or DEFAULT_OUTBOX_ALERT_MINUTES, 1), MAX_WAIT_ALERT)
    reader: DashboardService = services().dashboard
    return reader.summary(office, wait_alert_minutes=limit, outbox_alert_minutes=outbox)
