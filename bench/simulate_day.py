"""P4: `antre simulate` on SQLite or on a throwaway PostgreSQL started here.

Usage: python bench/simulate_day.py [--db sqlite|postgres] [--visits 3000] [--seed 1]

`antre simulate --db URL` needs a PostgreSQL that exists; this script starts one on a
random loopback port (tests/support/postgres.py, fsync off) for the run, prints the
summary and the load average, and exits 1 when an invariant broke.
"""

from __future__ import annotations

import argparse
import logging
import os

from common import database_url
from queue_server.simulate import Options, simulate
from queue_server.simulate.cli import summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--visits", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if args.db == "sqlite":
        report = simulate(Options(visits=args.visits, seed=args.seed))
    else:
        with database_url("postgres") as url:
            report = simulate(Options(visits=args.visits, seed=args.seed, db=url))
    print(summary(report))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    raise SystemExit(0 if report["invariants_hold"] else 1)


if __name__ == "__main__":
    main()
