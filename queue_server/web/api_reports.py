"""``GET /api/v1/offices/<office>/reports/<kind>``: the reports (Admin and Laporan).

Query: ``from`` and ``to`` (office days, YYYY-MM-DD, inclusive; ``to`` defaults to
``from``; at most 366 days), ``group`` (kinds that group), ``station``, ``service`` and
``format`` (``json`` default, ``csv``, ``xlsx``). The figures' definitions are in
docs/operations.md, "Reports".
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from queue_server.domain.errors import DomainError
from queue_server.office_config.schema import ID_RE
from queue_server.services.reports import Report, ReportRequest
from queue_server.services.reports import service as reports
from queue_server.services.unit import Actor
from queue_server.web.auth import services
from queue_server.web.exports import to_csv, to_xlsx
from queue_server.web.report_models import ReportOut
from queue_server.web.roles import SUPERVISORS
from queue_server.web.routing import endpoint

reports_api = Blueprint("reports", __name__)
FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SERVICE_CODE_MAX = 40


class BadReportFormat(reports.ReportError):
    code = "bad_report_format"
    template = "There is no export format {format}; choose json, csv or xlsx."


class BadServiceFilter(reports.ReportError):
    code = "bad_service_filter"
    template = (
        "The service filter is not a service id (lower-case letters, digits and -, at most "
        "{length} characters)."
    )


PARAMETER_ERRORS: tuple[type[DomainError], ...] = (
    reports.UnknownReportKind,
    reports.MissingReportDate,
    reports.BadReportDate,
    reports.ReportRangeReversed,
    reports.ReportRangeTooLong,
    reports.BadReportGroup,
    reports.UnknownStation,
    BadReportFormat,
    BadServiceFilter,
)


@endpoint(
    reports_api,
    "/offices/<office>/reports/<kind>",
    summary=(
        "A report over office days: kind waiting, service_time, compliance, volumes, ratings "
        "estimates or drive_thru; ?from=YYYY-MM-DD&to=YYYY-MM-DD&group=&station=&service=&format="
        "json|csv|xlsx (at most 366 days)"
    ),
    roles=SUPERVISORS,
    response=ReportOut,
    errors=PARAMETER_ERRORS,
)
def report(office: str, kind: str, actor: Actor) -> Any:
    export = request.args.get("format", "json")
    if export not in FORMATS:
        raise BadReportFormat(format=export[:20])
    result = services().reports.report(report_request(office, kind))
    if export == "json":
        return report_json(result)
    return download(result, export)


def report_request(office: str, kind: str) -> ReportRequest:
    """The request the query string describes, or a 422 naming what is wrong."""
    parsed_kind = reports.parse_kind(kind)
    first = reports.parse_day(request.args.get("from"))
    last = reports.parse_day(request.args.get("to") or first.isoformat())
    service = request.args.get("service") or None
    if service is not None and (len(service) > SERVICE_CODE_MAX or not ID_RE.fullmatch(service)):
        raise BadServiceFilter(length=SERVICE_CODE_MAX)
    return ReportRequest(
        office=office,
        kind=parsed_kind,
        first=first,
        last=last,
        group=reports.check_group(parsed_kind, request.args.get("group")),
        station=reports.check_station(request.args.get("station")),
        service=service,
    )


def report_json(result: Report) -> dict[str, Any]:
    asked = result.request
    return {
        "office": asked.office,
        "kind": asked.kind.value,
        "from_day": asked.first,
        "to_day": asked.last,
        "timezone": result.timezone,
        "group": None if asked.group is None else asked.group.value,
        "station": asked.station,
        "service": asked.service,
        "columns": result.table.columns,
        "rows": result.table.rows,
        "notes": result.table.notes,
    }


def download(result: Report, export: str) -> Response:
    asked, table = result.request, result.table
    name = f"antre-{asked.office}-{asked.kind.value}-{asked.first}-{asked.last}"
    if export == "csv":
        body: str | bytes = to_csv(table.columns, table.rows)
        mimetype = "text/csv"
    else:
        body = to_xlsx(asked.kind.value, table.columns, table.rows)
        mimetype = XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{_safe(name)}.{export}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _safe(name: str) -> str:
    """A file name of letters, digits, ``-`` and ``_`` only (office ids are such already)."""
    return "".join(char if char.isascii() and (char.isalnum() or char in "-_") else "_"
                   for char in name)  # fmt: skip
