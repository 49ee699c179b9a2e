"""The report tables, computed from plain records (no database here).

Every report is a :class:`Table`: named columns and one flat row per group, so the same
value serves the JSON answer, the CSV and the XLSX export. Definitions: docs/operations.md,
"Reports".
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.report_math import (
    accuracy,
    bucket_names,
    distribution,
    ikm,
    ikm_category,
    within_share,
)
from queue_server.services.reports.records import (
    CallRecord,
    DayCount,
    RatingRecord,
    TicketRecord,
)

#: How far back calls count when the naive estimate counts the counters at work.
COUNTER_LOOKBACK = timedelta(minutes=60)
SCORES = (1, 2, 3, 4)
DISTRIBUTION_COLUMNS = ["count", "mean", "median", "p90", "max", *bucket_names()]


class Group(StrEnum):
    SERVICE = "service"
    STATION = "station"
    COUNTER = "counter"
    OFFICER = "officer"
    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]
    #: Remarks the reader needs with the figures (e.g. what the IKM here covers).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OfficeFacts:
    """What the reports need from the office definition."""

    timezone: ZoneInfo
    #: SOP standard minutes per (service, journey step index); absent: no standard.
    standards: dict[tuple[str, int], float]
    #: Daily quota per service (None: no limit).
    quotas: dict[str, int | None]
    #: Per special session (code): its quota (None: no limit) and the services it serves
    #: (empty: all).
    sessions: dict[str, tuple[int | None, frozenset[str]]] = field(default_factory=dict)

    def standard(self, ticket: TicketRecord) -> float | None:
        minutes = self.standards.get((ticket.service, ticket.step_index))
        return minutes if minutes else None


def local_hour(moment: datetime, zone: ZoneInfo) -> int:
    return moment.astimezone(zone).hour


def _group_key(group: Group, ticket: TicketRecord, moment: datetime | None, zone: ZoneInfo) -> Any:
    if group is Group.HOUR:
        return None if moment is None else local_hour(moment, zone)
    if group is Group.DAY:
        return ticket.office_day.isoformat()
    return {
        Group.SERVICE: ticket.service,
        Group.STATION: ticket.station,
        Group.COUNTER: ticket.counter,
        Group.OFFICER: ticket.officer,
    }[group]


def _sorted_keys(keys: Iterable[Any]) -> list[Any]:
    """Group keys in order, unknown (None) last."""
    return sorted(keys, key=lambda key: (key is None, str(key).zfill(4) if key is not None else ""))


def waiting_table(tickets: Sequence[TicketRecord], group: Group, facts: OfficeFacts) -> Table:
    """Waiting times (first call - joining the queue) per group; hours by joining time."""
    groups: dict[Any, list[TicketRecord]] = defaultdict(list)
    for ticket in tickets:
        groups[_group_key(group, ticket, ticket.queued_at, facts.timezone)].append(ticket)
    rows = []
    for key in _sorted_keys(groups):
        members = groups[key]
        waits = [t.wait_minutes for t in members if t.wait_minutes is not None]
        row = {group.value: key, "tickets": len(members), "not_called": len(members) - len(waits)}
        rows.append(row | distribution(waits).as_row())
    return Table([group.value, "tickets", "not_called", *DISTRIBUTION_COLUMNS], rows)


def service_table(tickets: Sequence[TicketRecord], group: Group, facts: OfficeFacts) -> Table:
    """Service times (finish - start) per group; hours by the start of service."""
    groups: dict[Any, list[float]] = defaultdict(list)
    for ticket in tickets:
        minutes = ticket.service_minutes
        if minutes is not None:
            key = _group_key(group, ticket, ticket.service_began_at, facts.timezone)
            groups[key].append(minutes)
    rows = [{group.value: key} | distribution(groups[key]).as_row() for key in _sorted_keys(groups)]
    return Table([group.value, *DISTRIBUTION_COLUMNS], rows)


def compliance_table(tickets: Sequence[TicketRecord], facts: OfficeFacts) -> Table:
    """Per station, service and journey step: the share of service times within the SOP
    standard time of the step, with the waiting times before that step beside it."""
    groups: dict[tuple[str, str, int], list[TicketRecord]] = defaultdict(list)
    for ticket in tickets:
        groups[(ticket.station, ticket.service, ticket.step_index)].append(ticket)
    rows = []
    for station, service, step in sorted(groups):
        members = groups[(station, service, step)]
        standard = facts.standard(members[0])
        served = [t.service_minutes for t in members if t.service_minutes is not None]
        waits = [t.wait_minutes for t in members if t.wait_minutes is not None]
        service_stats, wait_stats = distribution(served), distribution(waits)
        rows.append(
            {
                "station": station,
                "service": service,
                "step": step + 1,
                "standard_minutes": standard,
                "served": len(served),
                "service_within_standard": _count_within(served, standard),
                "service_compliance": _share(within_share(served, standard)),
                "service_mean": _round(service_stats.mean),
                "service_median": _round(service_stats.median),
                "service_p90": _round(service_stats.p90),
                "service_max": _round(service_stats.max),
                "called": len(waits),
                "wait_mean": _round(wait_stats.mean),
                "wait_median": _round(wait_stats.median),
                "wait_p90": _round(wait_stats.p90),
                "wait_max": _round(wait_stats.max),
                "wait_within_standard": _share(within_share(waits, standard)),
            }
        )
    columns = list(rows[0]) if rows else _COMPLIANCE_COLUMNS
    return Table(columns, rows)


_COMPLIANCE_COLUMNS = [
    "station", "service", "step", "standard_minutes", "served", "service_within_standard",
    "service_compliance", "service_mean", "service_median", "service_p90", "service_max",
    "called", "wait_mean", "wait_median", "wait_p90", "wait_max", "wait_within_standard",
]  # fmt: skip


def volumes_table(
    tickets: Sequence[TicketRecord],
    issued: Sequence[DayCount],
    quota_used: Sequence[DayCount],
    facts: OfficeFacts,
    session_used: Sequence[DayCount] = (),
) -> Table:
    """Per office day and service: visits issued, steps served, no-shows, transfers,
    cancellations, and the daily quota used against the quota. Then per office day and
    special session (``session`` set, ``service`` None): its quota used against its quota
    (a ticket issued in a special session counts there, not in the service's quota)."""
    keyed: dict[tuple[date, str], dict[str, Any]] = {}

    def row(day: date, service: str) -> dict[str, Any]:
        empty = {"issued": 0, "finished": 0, "no_shows": 0, "transfers": 0, "cancellations": 0}
        start = {"day": day.isoformat(), "service": service, **empty}
        return keyed.setdefault((day, service), start)

    for count in issued:
        row(count.office_day, count.service)["issued"] += count.count
    for ticket in tickets:
        target = row(ticket.office_day, ticket.service)
        target["finished"] += ticket.status == "done"
        target["no_shows"] += ticket.no_show
        target["transfers"] += ticket.transferred
        target["cancellations"] += ticket.cancelled
    used = {(count.office_day, count.service): count.count for count in quota_used}
    for (day, service), values in keyed.items():
        values["quota_used"] = used.get((day, service), 0)
        values["quota"] = facts.quotas.get(service)
    for day, service in used.keys() - keyed.keys():
        row(day, service).update(quota_used=used[(day, service)], quota=facts.quotas.get(service))
    columns = ["day", "service", "issued", "finished", "no_shows", "transfers", "cancellations"]
    rows = [dict(keyed[key], session=None) for key in sorted(keyed)]
    for count in sorted(session_used, key=lambda item: (item.office_day, item.service)):
        quota = facts.sessions.get(count.service, (None, frozenset()))[0]
        empty = dict.fromkeys(columns[2:])
        rows.append(
            {"day": count.office_day.isoformat(), "service": None, **empty,
             "quota_used": count.count, "quota": quota, "session": count.service}
        )  # fmt: skip
    rows.sort(key=lambda row: (row["day"], row["session"] is not None))
    return Table([*columns, "quota_used", "quota", "session"], rows)


RATING_GROUPS: dict[Group, Callable[[RatingRecord], Hashable]] = {
    Group.STATION: lambda rating: rating.station,
    Group.OFFICER: lambda rating: rating.officer,
    Group.COUNTER: lambda rating: rating.counter,
    Group.SERVICE: lambda rating: rating.service,
    Group.DAY: lambda rating: rating.office_day.isoformat(),
}
RATING_NOTE = (
    "The quick rating asks one question ('How was our service?', 1-4) right after the step at "
    "the counter: it covers element 7 of PermenPANRB 14/2017 (Perilaku Pelaksana, the "
    "officers' conduct) only, so the IKM here is a single-element indicator, not the full "
    "9-element Survei Kepuasan Masyarakat."
)


def ratings_table(ratings: Sequence[RatingRecord], group: Group) -> Table:
    """Per group: ratings per score 1-4, mean score, and the IKM with its category."""
    key_of = RATING_GROUPS.get(group)
    if key_of is None:
        raise ValueError(f"ratings cannot be grouped by {group}")
    groups: dict[Any, list[int]] = defaultdict(list)
    for rating in ratings:
        groups[key_of(rating)].append(rating.score)
    rows = []
    for key in _sorted_keys(groups):
        scores = groups[key]
        mean = statistics.fmean(scores)
        value = ikm(mean)
        rows.append(
            {group.value: key, "ratings": len(scores)}
            | {f"score_{score}": scores.count(score) for score in SCORES}
            | {"mean": _round(mean), "ikm": value, "ikm_category": ikm_category(value)}
        )
    columns = [group.value, "ratings", *(f"score_{score}" for score in SCORES)]
    return Table([*columns, "mean", "ikm", "ikm_category"], rows, [RATING_NOTE])


def estimates_table(tickets: Sequence[TicketRecord], naive: NaiveEstimator) -> Table:
    """Per service: the error of the waits shown on tickets and of the naive estimate,
    over the same tickets (those with a shown estimate that were called)."""
    groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for ticket in tickets:
        if ticket.predicted_wait_minutes is None or ticket.wait_minutes is None:
            continue
        triple = (ticket.predicted_wait_minutes, naive.estimate(ticket), ticket.wait_minutes)
        groups[ticket.service].append(triple)
    rows = []
    for service in sorted(groups):
        triples = groups[service]
        shown = accuracy([(shown, actual) for shown, _, actual in triples])
        plain = accuracy([(estimate, actual) for _, estimate, actual in triples])
        rows.append(
            {
                "service": service,
                "tickets": len(triples),
                "mean_wait": _round(statistics.fmean(actual for _, _, actual in triples)),
                "shown_mae": _round(shown.mae),
                "shown_bias": _round(shown.bias),
                "naive_mae": _round(plain.mae),
                "naive_bias": _round(plain.bias),
            }
        )
    columns = ["service", "tickets", "mean_wait", "shown_mae", "shown_bias"]
    return Table([*columns, "naive_mae", "naive_bias"], rows)


class NaiveEstimator:
    """The plain queue-length estimate, rebuilt from the history for each ticket as it
    joined its queue: people ahead x mean service time / counters at work.

    - people ahead: tickets of the same station and office day that joined earlier and
      had not yet left the waiting state;
    - mean service time: of the station's tickets that day finished before that moment,
      or the SOP standard time of the ticket's step when none had finished;
    - counters at work: distinct counters that called a ticket of the station in the
      hour before that moment, at least one.
    """

    def __init__(
        self, tickets: Sequence[TicketRecord], calls: Sequence[CallRecord], facts: OfficeFacts
    ) -> None:
        self._facts = facts
        tickets_by_key: dict[tuple[str, date], list[TicketRecord]] = defaultdict(list)
        for ticket in tickets:
            tickets_by_key[(ticket.station, ticket.office_day)].append(ticket)
        calls_by_key: dict[tuple[str, date], list[CallRecord]] = defaultdict(list)
        for call in calls:
            calls_by_key[(call.station, call.office_day)].append(call)
        self._days = {
            key: _StationDay(members, calls_by_key[key]) for key, members in tickets_by_key.items()
        }

    def estimate(self, ticket: TicketRecord) -> float:
        day = self._days[(ticket.station, ticket.office_day)]
        moment = ticket.queued_at
        ahead = day.still_waiting_ahead(moment, ticket.id)
        per_ticket = day.mean_service_before(moment)
        if per_ticket is None:
            per_ticket = self._facts.standard(ticket) or 0.0
        counters = day.counters_calling(moment - COUNTER_LOOKBACK, moment)
        return ahead * per_ticket / max(counters, 1)


class _StationDay:
    """One station's tickets and calls on one office day, sorted for the look-ups."""

    def __init__(self, tickets: Sequence[TicketRecord], calls: Sequence[CallRecord]) -> None:
        ordered = sorted(tickets, key=lambda ticket: (ticket.queued_at, ticket.id))
        self._joined = [(ticket.queued_at, ticket.id) for ticket in ordered]
        self._left = [ticket.left_waiting_at for ticket in ordered]
        served = sorted(
            (ticket.finished_at, minutes)
            for ticket in tickets
            if ticket.finished_at is not None and (minutes := ticket.service_minutes) is not None
        )
        self._finished = [finished for finished, _ in served]
        self._served_sums = list(accumulate((minutes for _, minutes in served), initial=0.0))
        by_time = sorted(calls, key=lambda call: call.at)
        self._call_times = [call.at for call in by_time]
        self._call_counters = [call.counter_pk for call in by_time]

    def still_waiting_ahead(self, moment: datetime, ticket_id: int) -> int:
        """Tickets that joined before (``moment``, ``ticket_id``) and still waited then."""
        earlier = bisect_left(self._joined, (moment, ticket_id))
        return sum(1 for left in self._left[:earlier] if left is None or left > moment)

    def mean_service_before(self, moment: datetime) -> float | None:
        done = bisect_left(self._finished, moment)
        return self._served_sums[done] / done if done else None

    def counters_calling(self, since: datetime, until: datetime) -> int:
        first, last = bisect_left(self._call_times, since), bisect_left(self._call_times, until)
        return len(set(self._call_counters[first:last]))


def _count_within(minutes: Sequence[float], standard: float | None) -> int | None:
    if standard is None:
        return None
    return sum(1 for value in minutes if value <= standard)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
