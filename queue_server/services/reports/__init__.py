"""Reports over the stored history: waiting and service times, SOP compliance, volumes,
ratings with the IKM, and the accuracy of the wait estimates (docs/operations.md)."""

from queue_server.services.reports.figures import Group, Table
from queue_server.services.reports.service import (
    MAX_RANGE_DAYS,
    Report,
    ReportError,
    ReportKind,
    ReportRequest,
    ReportService,
)

__all__ = [
    "MAX_RANGE_DAYS",
    "Group",
    "Report",
    "ReportError",
    "ReportKind",
    "ReportRequest",
    "ReportService",
    "Table",
]
