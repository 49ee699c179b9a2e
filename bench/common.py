"""Shared set-up for the benchmarks: a database (SQLite file or throwaway PostgreSQL),
the schema, a benchmark office, and invariant checks straight from the tables."""

from __future__ import annotations

import contextlib
import copy
import statistics
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_server.persistence.db import Database
from queue_server.persistence.migrate import upgrade
from queue_server.services.offices import store_office

DEMO_FILE = ROOT / "queue_server" / "demo" / "banjarmasin.yaml"
#: A Monday morning (10:00 WITA) that is not a holiday: every regular service is open.
OPEN_MOMENT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@contextlib.contextmanager
def database_url(kind: str) -> Iterator[str]:
    """A fresh empty database of ``kind`` ("sqlite" or "postgres"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="antre-bench-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    from tests.support.postgres import PostgresServer

    with PostgresServer() as server:
        yield server.url


def bench_office(counter_count: int) -> dict[str, Any]:
    """The demo office without quotas, with ``counter_count`` CS desks serving every station."""
    settings = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    settings = copy.deepcopy(settings)
    for service in settings["services"]:
        service.pop("daily_quota", None)
    stations = sorted(
        {step["station"] for service in settings["services"] for step in service["journey"]}
    )
    stations.append("BIO_PRIORITY")
    settings["counters"] = [
        {"id": f"bench-{index:02d}", "name": f"Bench {index}", "stations": sorted(set(stations))}
        for index in range(1, counter_count + 1)
    ]
    return settings


def prepare(database: Database, url: str, settings: dict[str, Any]) -> str:
    upgrade(url)
    with database.writer() as session, session.begin():
        reloaded = store_office(session, settings, now=OPEN_MOMENT)
    return str(reloaded.office)


def invariants(database: Database) -> dict[str, int]:
    """Counts that must be zero, read from the tables themselves."""
    queries = {
        "duplicate_numbers": """select count(*) from (select office_day, series, number from visits
            group by office_id, office_day, series, number having count(*) > 1) d""",
        "double_calls": """select count(*) from (select ticket_id from ticket_events
            where action = 'call' group by ticket_id having count(*) > 1) d""",
        "visits_with_two_live_tickets": """select count(*) from (select visit_id from tickets
            where status in ('waiting','called','serving','parked') group by visit_id
            having count(*) > 1) d""",
        "counters_with_two_active": """select count(*) from (select counter_pk from tickets
            where status in ('called','serving') group by counter_pk having count(*) > 1) d""",
    }
    with database.reader() as session:
        return {name: int(session.execute(text(sql)).scalar_one()) for name, sql in queries.items()}


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary_ms(samples_s: list[float]) -> str:
    ms = [value * 1000 for value in samples_s]
    if not ms:
        return "no samples"
    return (
        f"p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )
