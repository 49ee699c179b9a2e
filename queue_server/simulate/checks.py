"""After the day: the invariants, read from the tables, and the report.

The rows are read once (:func:`read_rows`); the checks and figures are plain functions of
those rows and of what the simulated kiosks were told, so a test can hand them a broken
day (a duplicated number, a second call) and see it caught.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

TERMINAL = frozenset({"done", "no_show", "cancelled", "transferred"})


@dataclass(frozen=True)
class TicketRow:
    id: int
    visit_id: int
    label: str
    visit_label: str
    series: str | None
    number: int | None
    visit_series: str
    visit_number: int
    service: str
    station: str
    status: str
    queued_at: datetime
    called_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class DayRows:
    tickets: list[TicketRow]
    calls_per_ticket: dict[int, int]


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def read_rows(database: Any, office: str) -> DayRows:
    """Every ticket of ``office`` with its visit's number, and how often each was called."""
    query = text(
        """select t.id, t.visit_id, t.label, v.label, t.series, t.number, v.series, v.number,
                  t.service_code, t.station, t.status, t.queued_at, t.called_at, t.finished_at
           from tickets t join visits v on v.id = t.visit_id
           where t.office_id = :office order by t.id"""
    )
    calls = text(
        """select ticket_id, count(*) from ticket_events
           where office_id = :office and action = 'call' group by ticket_id"""
    )
    with database.reader() as session:
        tickets = [
            TicketRow(
                int(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4], r[5], str(r[6]), int(r[7]),
                str(r[8]), str(r[9]), str(r[10]),
                _moment(r[11]), _moment(r[12]), _moment(r[13]),  # type: ignore[arg-type]
            )
            for r in session.execute(query, {"office": office})
        ]  # fmt: skip
        per_ticket = {int(r[0]): int(r[1]) for r in session.execute(calls, {"office": office})}
    return DayRows(tickets=tickets, calls_per_ticket=per_ticket)


def invariants(rows: DayRows, issued_labels: list[str]) -> dict[str, int]:
    """Counts that must all be zero.

    - ``duplicate_numbers``: two visits with one number of a series, or two tickets with
      one number of a station's series (per-station numbering);
    - ``double_calls``: a ticket called more than once by ``call`` (a recall is its own action);
    - ``not_finished``: a ticket still waiting, called, serving or parked after the day;
    - ``lost``: a number a kiosk gave out (or accepted from an offline kiosk) that no visit
      carries, and ``unexplained``: a visit no kiosk answer accounts for.
    """
    visits: dict[int, tuple[str, int]] = {}
    ticket_numbers: Counter[tuple[str, int]] = Counter()
    for ticket in rows.tickets:
        visits.setdefault(ticket.visit_id, (ticket.visit_series, ticket.visit_number))
        if ticket.series is not None and ticket.number is not None:
            ticket_numbers[(ticket.series, ticket.number)] += 1
    visit_numbers = Counter(visits.values())
    duplicates = sum(1 for n in visit_numbers.values() if n > 1)
    duplicates += sum(1 for n in ticket_numbers.values() if n > 1)
    double_calls = sum(1 for n in rows.calls_per_ticket.values() if n > 1)
    not_finished = sum(1 for t in rows.tickets if t.status not in TERMINAL)
    visit_labels = Counter(t.visit_label for t in {t.visit_id: t for t in rows.tickets}.values())
    given = Counter(issued_labels)
    lost = sum((given - visit_labels).values())
    unexplained = sum((visit_labels - given).values())
    return {
        "duplicate_numbers": duplicates,
        "double_calls": double_calls,
        "not_finished": not_finished,
        "lost": lost,
        "unexplained": unexplained,
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60.0


def station_report(
    rows: DayRows, standard: dict[tuple[str, str], float]
) -> dict[str, dict[str, float | int]]:
    """Per station: waits (queued -> called) p50/p90/max and service minutes against the SOP."""
    waits: dict[str, list[float]] = {}
    served: dict[str, list[float]] = {}
    sop: dict[str, list[float]] = {}
    for ticket in rows.tickets:
        if ticket.called_at is None:
            continue
        waits.setdefault(ticket.station, []).append(_minutes(ticket.queued_at, ticket.called_at))
        if ticket.status == "done" and ticket.finished_at is not None:
            served.setdefault(ticket.station, []).append(
                _minutes(ticket.called_at, ticket.finished_at)
            )
            minutes = standard.get((ticket.service, ticket.station))
            if minutes is not None:
                sop.setdefault(ticket.station, []).append(minutes)
    report: dict[str, dict[str, float | int]] = {}
    for station in sorted(waits):
        values = waits[station]
        done = served.get(station, [])
        standards = sop.get(station, [])
        report[station] = {
            "called": len(values),
            "wait_p50_min": round(_percentile(values, 0.5), 1),
            "wait_p90_min": round(_percentile(values, 0.9), 1),
            "wait_max_min": round(max(values), 1),
            "service_mean_min": round(sum(done) / len(done), 1) if done else 0.0,
            "sop_mean_min": round(sum(standards) / len(standards), 1) if standards else 0.0,
        }
    return report


def estimate_samples(
    rows: DayRows, issued: list[dict[str, Any]], standard: dict[tuple[str, str], float]
) -> list[dict[str, Any]]:
    """One row per kiosk ticket that was called: what it was told at issue and what it got.

    ``queue_length_minutes`` is "people ahead x standard minutes / open counters" from the
    same answer (the estimator item 6 compares against); minutes throughout.
    """
    first_ticket: dict[str, TicketRow] = {}
    for ticket in rows.tickets:  # ordered by id: a visit's first ticket comes first
        first_ticket.setdefault(ticket.visit_label, ticket)
    samples: list[dict[str, Any]] = []
    for item in issued:
        found = first_ticket.get(str(item["label"]))
        promised = item.get("estimate_minutes")
        if found is None or found.called_at is None or promised is None:
            continue
        ahead = item.get("people_ahead")
        open_counters = int(item.get("open_counters") or 0)
        minutes = standard.get((found.service, found.station), 5.0)
        samples.append(
            {
                "label": found.label,
                "service": found.service,
                "station": found.station,
                "issued_at": found.queued_at.isoformat(),
                "people_ahead": ahead,
                "open_counters": open_counters,
                "estimate_minutes": float(promised),
                "queue_length_minutes": None
                if ahead is None
                else round(float(ahead) * minutes / max(1, open_counters), 2),
                "actual_minutes": round(_minutes(found.queued_at, found.called_at), 2),
            }
        )
    return samples


def estimate_report(samples: list[dict[str, Any]]) -> dict[str, float | int]:
    """Mean absolute error (minutes) of the wait each kiosk ticket was promised at issue,
    against the wait it had (issue -> call), beside the queue-length estimate "people ahead
    x standard minutes / open counters" computed from the same answer."""
    errors = [abs(s["estimate_minutes"] - s["actual_minutes"]) for s in samples]
    baseline = [
        abs(s["queue_length_minutes"] - s["actual_minutes"])
        for s in samples
        if s["queue_length_minutes"] is not None
    ]
    return {
        "tickets": len(errors),
        "server_estimate_mae_min": round(sum(errors) / len(errors), 2) if errors else 0.0,
        "queue_length_mae_min": round(sum(baseline) / len(baseline), 2) if baseline else 0.0,
    }
