"""``antre simulate``: arguments, the run, and the summary (or ``--json``)."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from pathlib import Path
from typing import Any

NOT_A_COUNT = "{option} must be a whole number from {low} to {high} (given: {value})."
NOT_A_DATABASE = (
    "--db must be sqlite (a temporary file) or a PostgreSQL URL postgresql://... "
    "(given: {value}); nothing was started."
)
FAILED = "The simulated day could not be run: {reason}"
NOT_EMPTY = (
    "The database already holds visits of the office {office} (an earlier simulated day?); "
    "antre simulate needs an empty database. Nothing was changed."
)
LIMITS = {
    "--visits": (1, 20_000),
    "--counters": (9, 300),
    "--kiosks": (2, 50),
    "--displays": (0, 50),
    "--seed": (0, 2**31 - 1),
    "--tick": (1, 600),
}


def _both(msgid: str, **params: object) -> str:
    from queue_server.i18n import both

    message = both(msgid, **params)
    return f"{message['id']} / {message['en']}"


def _count(option: str) -> Any:
    low, high = LIMITS[option]

    def parse(value: str) -> int:
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                _both(NOT_A_COUNT, option=option, low=low, high=high, value=value[:40])
            )
        return int(text)

    return parse


def _database(value: str) -> str:
    if value == "sqlite" or value.startswith(("postgresql://", "postgresql+psycopg://")):
        return value
    shown = value.split("@")[-1][:60]  # never echo a password
    raise argparse.ArgumentTypeError(_both(NOT_A_DATABASE, value=shown))


def register(commands: Any) -> None:
    """Add ``simulate`` to the ``antre`` sub-commands."""
    parser = commands.add_parser(
        "simulate",
        help="run a full office day, accelerated, through the real server and broker",
        description="A simulated office day (the demo office scaled up) through a real server "
        "and Mosquitto; checks the invariants from the tables and reports waits per station.",
    )
    parser.add_argument("--visits", type=_count("--visits"), default=3000)
    parser.add_argument("--counters", type=_count("--counters"), default=40)
    parser.add_argument("--kiosks", type=_count("--kiosks"), default=8)
    parser.add_argument("--displays", type=_count("--displays"), default=10)
    parser.add_argument("--seed", type=_count("--seed"), default=1)
    parser.add_argument(
        "--db", type=_database, default="sqlite",
        help="sqlite (a temporary file, default) or an empty PostgreSQL database's URL",
    )  # fmt: skip
    parser.add_argument(
        "--lockstep", action="store_true",
        help="one request at a time (slower; the same seed then gives the same day exactly)",
    )  # fmt: skip
    parser.add_argument(
        "--tick", type=_count("--tick"), default=30,
        help="seconds of simulated time whose events are sent together (default 30)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help="sample the server's threads: where its CPU goes (in the report)",
    )  # fmt: skip
    parser.add_argument(
        "--estimates", metavar="FILE.csv",
        help="write one row per kiosk ticket: the wait told at issue, the queue-length "
        "estimate and the real wait (minutes)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from queue_server.simulate import Options, SimulationFailed, simulate_day
    from queue_server.simulate.server import DatabaseNotEmpty

    logging.getLogger().setLevel(logging.WARNING)  # the server's per-request lines
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # busy by design here
    options = Options(
        visits=args.visits,
        counters=args.counters,
        kiosks=args.kiosks,
        displays=args.displays,
        seed=args.seed,
        db=args.db,
        lockstep=args.lockstep,
        tick_s=float(args.tick),
        profile=args.profile,
    )
    try:
        day = simulate_day(options)
    except SimulationFailed as error:
        print(_both(FAILED, reason=str(error)[:300]), file=sys.stderr)
        return 2
    except DatabaseNotEmpty as error:
        print(_both(NOT_EMPTY, office=str(error)), file=sys.stderr)
        return 2
    report = day.report
    if args.estimates:
        write_estimates(Path(args.estimates), day.estimates)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(summary(report))
    return 0 if report["invariants_hold"] else 1


def write_estimates(path: Path, samples: list[dict[str, Any]]) -> None:
    columns = [
        "label", "service", "station", "issued_at", "people_ahead", "open_counters",
        "estimate_minutes", "queue_length_minutes", "actual_minutes",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(samples)


def summary(report: dict[str, Any]) -> str:
    """The report for a person (English: an operator's tool, like the benchmarks)."""
    driver, wall = report["driver"], report["wall_seconds"]
    lines = [
        f"Simulated day (seed {report['seed']}, {report['database']}): "
        f"{report['arrivals']} arrivals of {report['visits_planned']} planned visits "
        f"({report['bookings']} M-Paspor bookings), {report['counters']} counters, "
        f"{report['kiosks']} kiosks, {report['displays']} displays",
        f"  tickets {report['tickets']} (issued by source {report['issued_by_source']}), "
        f"calls {driver['calls']}, finished {driver['finishes']}, no-shows {driver['no_shows']}, "
        f"offline synced {driver['offline_synced']}",
        f"  last call at {driver['last_call_at'][11:16]} UTC; "
        f"kiosk refusals {driver['kiosk_errors'] or 'none'}; "
        f"HTTP refusals {driver['http_errors'] or 'none'}",
        "  invariants: "
        + ", ".join(f"{name} {value}" for name, value in report["invariants"].items())
        + ("  -> OK" if report["invariants_hold"] else "  -> BROKEN"),
        f"  displays: calls received {driver['display_called']}, "
        f"missing {driver['display_missing']}",
        "  station     called  wait p50  p90   max (min)   service mean / SOP (min)",
    ]
    for station, row in report["stations"].items():
        lines.append(
            f"  {station:<12}{row['called']:>6}  {row['wait_p50_min']:>7} {row['wait_p90_min']:>5} "
            f"{row['wait_max_min']:>6}        {row['service_mean_min']:>5} / {row['sop_mean_min']}"
        )
    estimate = report["estimate"]
    lines.append(
        f"  wait estimate at issue: MAE {estimate['server_estimate_mae_min']} min (server), "
        f"{estimate['queue_length_mae_min']} min (people ahead x SOP minutes / open counters), "
        f"{estimate['tickets']} tickets"
    )
    lines.append(
        f"  wall {wall['wall']} s (server start {wall.get('server_start')}, day "
        f"{wall.get('day')}, checks {wall.get('checks')}; server CPU in the day "
        f"{wall.get('server_cpu_during_day')}); {driver['requests']} requests in "
        f"{driver['batches']} batches; driver time by phase {report['driver_seconds']}"
    )
    profile = report.get("server_profile")
    if profile:
        lines.append(
            f"  server profile ({profile['busy_samples']} busy samples), share of busy time:"
        )
        lines.extend(f"    {share:5.1f}%  {name}" for name, share in profile["top_percent"].items())
    return "\n".join(lines)
