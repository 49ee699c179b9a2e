"""Filters of the audit log: a date range (UTC days), the acting user, the action.

Parsed from the query string of ``GET /api/v1/audit`` and ``/api/v1/audit.csv``; a bad
value is refused with a clear message (422), never silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement

from queue_server.domain.errors import DomainError
from queue_server.persistence.models import AuditLogRow

MAX_FILTER_LENGTH = 80
DAY_LENGTH = len("YYYY-MM-DD")


class AuditFilterError(DomainError):
    http_status = 422


class BadAuditDate(AuditFilterError):
    code = "bad_audit_date"
    template = "{value} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24."


class AuditRangeReversed(AuditFilterError):
    code = "audit_range_reversed"
    template = "The audit log range ends ({last}) before it starts ({first})."


class AuditFilterTooLong(AuditFilterError):
    code = "audit_filter_too_long"
    template = "The filter {name} is too long (at most {length} characters)."


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list; None fields do not filter."""

    first: date | None = None
    last: date | None = None
    #: The acting user's name (or a token's, ``system``), exactly.
    actor: str | None = None
    #: An action exactly (``auth.login``), or every action of a family (``auth.``).
    action: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.first is not None:
            found.append(AuditLogRow.at >= datetime.combine(self.first, time(), UTC))
        if self.last is not None:
            end = datetime.combine(self.last + timedelta(days=1), time(), UTC)
            found.append(AuditLogRow.at < end)
        if self.actor is not None:
            found.append(AuditLogRow.actor == self.actor)
        if self.action is not None:
            if self.action.endswith("."):
                found.append(AuditLogRow.action.startswith(self.action, autoescape=True))
            else:
                found.append(AuditLogRow.action == self.action)
        return found


NO_FILTER = AuditFilter()


def parse_audit_filter(arguments: Mapping[str, str]) -> AuditFilter:
    """``from``, ``to`` (YYYY-MM-DD, UTC, both included), ``user``, ``action``."""
    first = _day(arguments.get("from"))
    last = _day(arguments.get("to"))
    if first is not None and last is not None and last < first:
        raise AuditRangeReversed(first=first.isoformat(), last=last.isoformat())
    return AuditFilter(
        first=first,
        last=last,
        actor=_text("user", arguments.get("user")),
        action=_text("action", arguments.get("action")),
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        if len(value) != DAY_LENGTH:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadAuditDate(value=value[:40]) from None


def _text(name: str, value: str | None) -> str | None:
    if not value:
        return None
    if len(value) > MAX_FILTER_LENGTH:
        raise AuditFilterTooLong(name=name, length=MAX_FILTER_LENGTH)
    return value
