"""bench/multi_process.py runs end to end on a tiny load with two server processes on an
external broker (the followers' own accounts, ``ANTRE_MQTT_URL``): the kiosks' requests
are answered, every call reaches the display, and the tables hold no duplicate."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.bench import bench_module


@pytest.fixture(scope="module")
def multi_process() -> Iterator[Any]:
    with bench_module("multi_process") as module:
        yield module


@pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs Mosquitto")
def test_two_processes_on_an_external_broker(multi_process: Any) -> None:
    args = argparse.Namespace(kiosks=2, rate=10.0, officers=2, seconds=1.0, broker="external")
    result = multi_process.run("sqlite", 2, args)
    assert result["broker"] == "external" and result["processes"] == 2
    assert result["issue_sustained_per_s"] > 0
    assert result["calls_per_s"] > 0 and result["calls_not_displayed"] == 0
    checks = ("duplicate_numbers", "double_calls", "visits_with_two_live_tickets")
    assert all(result[name] == 0 for name in checks), result
