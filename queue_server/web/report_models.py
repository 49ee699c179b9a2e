"""The response body of the reports endpoint (see queue_server/web/api_reports.py)."""

from __future__ import annotations

from datetime import date

from queue_server.web.responses import Out

#: A cell: a group's key or a figure (None: no data, e.g. the mean of no durations).
Cell = str | int | float | None


class ReportOut(Out):
    """One report as a table: ``columns`` in order, one flat row per group.

    Durations are minutes; shares are 0-1; office days and hours are in ``timezone``.
    """

    office: str
    kind: str
    from_day: date
    to_day: date
    timezone: str
    group: str | None
    station: str | None
    service: str | None
    columns: list[str]
    rows: list[dict[str, Cell]]
    notes: list[str]
