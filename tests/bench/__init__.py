"""Tests of the benchmark scripts in ``bench/`` (run on tiny loads)."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).parents[2] / "bench"


@contextlib.contextmanager
def bench_module(name: str) -> Iterator[Any]:
    """``bench/{name}.py`` imported, with ``bench/`` on the path while the block runs (a
    load run in a spawned process imports the bench's modules too)."""
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
