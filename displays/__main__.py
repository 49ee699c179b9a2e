"""``python -m displays --config FILE [--check]``: the same as ``antre display``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m displays", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="check the file, start nothing")
    args = parser.parse_args(argv)
    from displays.run import check
    from displays.run import main as run_main

    return check(args.config) if args.check else run_main(args.config)


if __name__ == "__main__":
    sys.exit(main())
