"""``antre simulate``: a full office day, accelerated, through the real server and broker.

:func:`simulate` plans the day from a seed (:mod:`.plan`), starts the server in this
process on a fresh database with its own Mosquitto (:mod:`.server`), runs the kiosks
and officers in a child process that owns the simulated clock (:mod:`.driver`) and the
lobby displays in another (:mod:`.displays`),
then checks the invariants from the tables and builds the report (:mod:`.checks`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queue_server.simulate.checks import (
    DayRows,
    estimate_report,
    estimate_samples,
    invariants,
    read_rows,
    station_report,
)
from queue_server.simulate.plan import make_plan
from queue_server.simulate.sampler import Sampler

DEMO_FILE = Path(__file__).resolve().parents[1] / "demo" / "banjarmasin.yaml"


@dataclass(frozen=True)
class Options:
    visits: int = 3000
    counters: int = 40
    kiosks: int = 8
    displays: int = 10
    seed: int = 1
    db: str = "sqlite"  # "sqlite" (temporary file) or a PostgreSQL URL
    tick_s: float = 30.0
    lockstep: bool = False
    timeout_s: float = 900.0
    profile: bool = False
    http_threads: int = 4


class SimulationFailed(Exception):
    """The day could not be run (the driver's error, or no answer in time)."""


@contextlib.contextmanager
def _database(db: str, folder: Path) -> Iterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{folder}/simulate.db"
        return
    yield db


@dataclass(frozen=True)
class Day:
    """A simulated day: the report, the rows it was checked on, the labels kiosks gave out."""

    report: dict[str, Any]
    rows: DayRows
    labels: list[str]
    #: Per kiosk ticket: the wait told at issue, the queue-length estimate, the real wait.
    estimates: list[dict[str, Any]]


def simulate(options: Options) -> dict[str, Any]:
    """Run the day of ``options``; the report as a dict (see docs/operations.md)."""
    return simulate_day(options).report


def simulate_day(options: Options) -> Day:
    """Run the day of ``options``: its report, rows and labels."""
    from queue_server.bootstrap import read_office_file
    from queue_server.simulate.displays import DisplaysFailed, Lobby
    from queue_server.simulate.driver import drive
    from queue_server.simulate.server import running_server

    wall = time.perf_counter()
    demo = read_office_file(DEMO_FILE)
    plan = make_plan(
        demo,
        visits=options.visits,
        counters=options.counters,
        kiosks=options.kiosks,
        displays=options.displays,
        seed=options.seed,
    )
    timings: dict[str, float] = {"plan": time.perf_counter() - wall}
    context = multiprocessing.get_context("spawn")
    clock_value = context.RawValue("d", plan.opens_at.timestamp())
    results = context.Queue()
    with tempfile.TemporaryDirectory(prefix="antre-simulate-") as scratch:
        folder = Path(scratch)
        os.chmod(folder, 0o755)  # the broker may run as another user
        with _database(options.db, folder) as url:
            began = time.perf_counter()
            with running_server(
                url, folder, plan, clock_value, http_threads=options.http_threads
            ) as server:
                timings["server_start"] = time.perf_counter() - began
                began = time.perf_counter()
                cpu = time.process_time()
                sampler = Sampler().start() if options.profile else None
                with Lobby(context, server.endpoints) as lobby:
                    child = context.Process(
                        target=drive,
                        args=(
                            plan,
                            server.endpoints,
                            clock_value,
                            options.tick_s,
                            options.lockstep,
                            results,
                        ),
                        name="antre-simulate-driver",
                    )
                    child.start()
                    try:
                        status, outcome = results.get(timeout=options.timeout_s)
                    except queue.Empty as error:
                        child.terminate()
                        raise SimulationFailed(
                            f"no result within {options.timeout_s:.0f} s"
                        ) from error
                    finally:
                        child.join(timeout=30)
                        if sampler is not None:
                            sampler.stop()
                    if status != "ok":
                        raise SimulationFailed(str(outcome))
                    try:
                        outcome.update(lobby.collect(outcome["called_labels"]))
                    except DisplaysFailed as error:
                        raise SimulationFailed(str(error)) from error
                timings["day"] = time.perf_counter() - began
                timings["server_cpu_during_day"] = time.process_time() - cpu
                began = time.perf_counter()
                rows = read_rows(server.services.database, plan.office)
                timings["checks"] = time.perf_counter() - began
    timings["wall"] = time.perf_counter() - wall
    labels = [str(item["label"]) for item in outcome["issued"]]
    checks = invariants(rows, labels)
    phases = outcome.pop("phase_seconds")
    issued = outcome.pop("issued")
    outcome.pop("called_labels")
    by_source: dict[str, int] = {}
    for item in issued:
        by_source[item["source"]] = by_source.get(item["source"], 0) + 1
    samples = estimate_samples(rows, issued, plan.standard_minutes)
    report = {
        "seed": options.seed,
        "database": "sqlite" if options.db == "sqlite" else "postgresql",
        "visits_planned": options.visits,
        "arrivals": len(plan.arrivals),
        "bookings": len(plan.bookings),
        "counters": len(plan.counters),
        "kiosks": plan.kiosks,
        "displays": plan.displays,
        "tickets": len(rows.tickets),
        "issued_by_source": by_source,
        "invariants": checks,
        "invariants_hold": not any(checks.values()),
        "stations": station_report(rows, plan.standard_minutes),
        "estimate": estimate_report(samples),
        "driver": outcome,
        "wall_seconds": {name: round(value, 2) for name, value in timings.items()},
        "driver_seconds": phases,
    }
    if sampler is not None:
        report["server_profile"] = {
            "busy_samples": sampler.busy,
            "top_percent": dict(sampler.top()),
        }
    return Day(report=report, rows=rows, labels=labels, estimates=samples)
